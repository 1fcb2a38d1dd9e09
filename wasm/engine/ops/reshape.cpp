// Reshape: the shape input (a constant or computed from shapes) may hold 0
// (copy that input dimension, unless allowzero) and one -1 (inferred).
// ref: ONNX Reshape-14 (Reshape-1's 'shape' attribute also accepted).
#include <limits>

#include "engine/ops/copy_op.h"
#include "engine/static_eval.h"

namespace xm {
namespace {
class ReshapeOp : public CopyOp {
  bool allowzero_ = false;
  std::vector<int64_t> attr_shape_;
  bool from_attr_ = false;

public:
  Status init(const OpInit& c) override {
    XM_TRY(c.allow_attrs({"allowzero", "shape"}));
    int64_t az = 0;
    XM_TRY(c.get_int("allowzero", 0, &az));
    allowzero_ = az != 0;
    if (c.attr("shape")) {
      from_attr_ = true;
      XM_TRY(c.get_ints("shape", &attr_shape_));
      return c.expect_inputs(1, 1);
    }
    XM_TRY(c.expect_inputs(2, 2));
    return c.require_static(1, "the shape input");
  }
  Status infer(const OpShapes& s, std::vector<Shape>* out) override {
    std::vector<int64_t> dims = attr_shape_;
    if (!from_attr_) {
      const StaticTensor* v = s.value[1];
      if (!v) return Status::error(label + ": the shape input is not known before the pass");
      dims.clear();
      for (int64_t k = 0; k < v->numel(); ++k) {
        if (!v->is_int && !(std::fabs(v->at(k)) < 9.2e18)) return Status::error(label + ": the shape is out of range");
        dims.push_back(v->is_int ? v->i[size_t(k)] : int64_t(v->at(k)));
      }
    }
    const Shape& x = s.in[0];
    Shape o;
    int64_t known = 1, infer_at = -1;
    for (size_t k = 0; k < dims.size(); ++k) {
      int64_t d = dims[k];
      if (d == 0 && !allowzero_) {
        if (k >= x.size()) return Status::error(label + ": 0 in the shape refers past the input's rank");
        d = x[k];
      }
      if (d == -1) {
        if (infer_at >= 0) return Status::error(label + ": the shape has two -1");
        infer_at = int64_t(k);
        o.push_back(1);
        continue;
      }
      if (d < 0) return Status::error(label + ": negative dimension in the shape");
      if (d > 0 && known > std::numeric_limits<int64_t>::max() / d)
        return Status::error(label + ": the shape " + shape_str(dims) + " is too large");
      o.push_back(d);
      known *= d;
    }
    const int64_t n = shape_numel(x);
    if (infer_at >= 0) {
      if (known == 0 || n % known) return Status::error(label + ": cannot reshape " + shape_str(x) + " to " + shape_str(dims));
      o[size_t(infer_at)] = n / known;
    }
    if (shape_numel(o) != n) return Status::error(label + ": cannot reshape " + shape_str(x) + " to " + shape_str(dims));
    out->push_back(o);
    return Status::ok();
  }
};
}  // namespace
std::unique_ptr<Op> make_reshape_op() { return std::make_unique<ReshapeOp>(); }

Status static_eval_reshape(const StaticCall& c, std::vector<StaticTensor>* out) {
  const StaticTensor *x = nullptr, *shape = nullptr;
  XM_TRY(c.input(0, &x));
  XM_TRY(c.input(1, &shape));
  std::vector<int64_t> dims;
  XM_TRY(c.ints(shape, "shape", &dims));
  bool allowzero = c.attr_int("allowzero", 0) != 0;
  Shape os;
  int64_t known = 1, infer = -1;
  for (size_t k = 0; k < dims.size(); ++k) {
    int64_t d = dims[k];
    if (d == 0 && !allowzero) {
      if (k >= x->shape.size()) return c.error("0 in shape refers past the input's rank");
      d = x->shape[k];
    }
    if (d == -1) {
      if (infer >= 0) return c.error("two -1 in shape");
      infer = int64_t(k);
      os.push_back(1);
      continue;
    }
    if (d < 0) return c.error("negative dimension in shape");
    if (d > 0 && known > std::numeric_limits<int64_t>::max() / d) return c.error("shape " + shape_str(dims) + " is too large");
    os.push_back(d);
    known *= d;
  }
  if (infer >= 0) {
    if (known == 0 || x->numel() % known) return c.error("cannot infer -1");
    os[size_t(infer)] = x->numel() / known;
  }
  if (shape_numel(os) != x->numel())
    return c.error("cannot reshape " + shape_str(x->shape) + " to " + shape_str(os));
  StaticTensor r = *x;
  r.shape = os;
  out->push_back(std::move(r));
  return Status::ok();
}
}  // namespace xm
