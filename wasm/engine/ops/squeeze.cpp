// Squeeze / Unsqueeze on activations: remove or insert size-1 dimensions.
// Axes are an attribute before opset 13 and a (constant) input from 13.
// ref: ONNX Squeeze-13, Unsqueeze-13.
#include "engine/ops/copy_op.h"
#include "engine/static_eval.h"

namespace xm {
namespace {
class SqueezeOp : public CopyOp {
  bool unsqueeze_;
  bool axes_input_ = false;
  std::vector<int64_t> axes_;
  bool has_axes_ = false;

public:
  explicit SqueezeOp(bool unsqueeze) : unsqueeze_(unsqueeze) {}
  Status init(const OpInit& c) override {
    XM_TRY(c.allow_attrs({"axes"}));
    if (c.opset >= 13) {
      XM_TRY(c.expect_inputs(unsqueeze_ ? 2 : 1, 2));
      axes_input_ = c.present.size() > 1 && c.present[1];
      has_axes_ = axes_input_;
      return c.require_static(1, "axes");
    }
    has_axes_ = c.attr("axes") != nullptr;
    XM_TRY(c.get_ints("axes", &axes_));
    if (unsqueeze_ && !has_axes_) return c.error("axes are required");
    return c.expect_inputs(1, 1);
  }
  Status infer(const OpShapes& s, std::vector<Shape>* out) override {
    std::vector<int64_t> axes = axes_;
    if (axes_input_) {
      const StaticTensor* v = s.value[1];
      if (!v) return Status::error(label + ": axes are not known before the pass");
      axes.clear();
      for (int64_t k = 0; k < v->numel(); ++k) axes.push_back(int64_t(v->at(k)));
    }
    const Shape& x = s.in[0];
    Shape o;
    if (unsqueeze_) {
      const int64_t r = int64_t(x.size() + axes.size());
      std::vector<bool> ins(size_t(r), false);
      for (int64_t a : axes) {
        int64_t na = 0;
        if (!normalize_axis(a, r, &na) || ins[size_t(na)]) return Status::error(label + ": bad axes");
        ins[size_t(na)] = true;
      }
      size_t src = 0;
      for (int64_t k = 0; k < r; ++k) o.push_back(ins[size_t(k)] ? 1 : x[src++]);
    } else {
      std::vector<bool> drop(x.size(), false);
      if (!has_axes_)
        for (size_t k = 0; k < x.size(); ++k) drop[k] = x[k] == 1;
      for (int64_t a : axes) {
        int64_t na = 0;
        if (!normalize_axis(a, int64_t(x.size()), &na) || x[size_t(na)] != 1)
          return Status::error(label + ": cannot squeeze axis " + std::to_string(a) + " of " + shape_str(x));
        drop[size_t(na)] = true;
      }
      for (size_t k = 0; k < x.size(); ++k)
        if (!drop[k]) o.push_back(x[k]);
    }
    out->push_back(o);
    return Status::ok();
  }
};
}  // namespace
std::unique_ptr<Op> make_squeeze_op() { return std::make_unique<SqueezeOp>(false); }
std::unique_ptr<Op> make_unsqueeze_op() { return std::make_unique<SqueezeOp>(true); }

namespace {
Status static_eval_squeeze_or_unsqueeze(bool unsqueeze, const StaticCall& c, std::vector<StaticTensor>* out) {
  const StaticTensor* x = nullptr;
  XM_TRY(c.input(0, &x));
  const int64_t rank = x->rank();
  std::vector<int64_t> axes;
  bool has_axes = false;
  if (c.opset >= 13) {
    if (c.value(1)) {
      XM_TRY(c.ints(c.value(1), "axes", &axes));
      has_axes = true;
    }
  } else {
    has_axes = c.attr_ints("axes", &axes);
  }
  Shape os;
  if (unsqueeze) {
    if (!has_axes) return c.error("axes missing");
    int64_t orank = rank + int64_t(axes.size());
    std::vector<bool> ins(size_t(orank), false);
    for (int64_t a : axes) {
      int64_t na = 0;
      XM_TRY(c.axis(a, orank, &na));
      if (ins[size_t(na)]) return c.error("repeated axis");
      ins[size_t(na)] = true;
    }
    size_t src = 0;
    for (int64_t k = 0; k < orank; ++k) os.push_back(ins[size_t(k)] ? 1 : x->shape[src++]);
  } else {
    std::vector<bool> drop(size_t(rank), false);
    if (!has_axes) {
      for (int64_t k = 0; k < rank; ++k) drop[size_t(k)] = x->shape[size_t(k)] == 1;
    }
    for (int64_t a : axes) {
      int64_t na = 0;
      XM_TRY(c.axis(a, rank, &na));
      if (x->shape[size_t(na)] != 1) return c.error("cannot squeeze a dimension that is not 1");
      drop[size_t(na)] = true;
    }
    for (int64_t k = 0; k < rank; ++k)
      if (!drop[size_t(k)]) os.push_back(x->shape[size_t(k)]);
  }
  StaticTensor r = *x;
  r.shape = os;
  out->push_back(std::move(r));
  return Status::ok();
}
}  // namespace
Status static_eval_squeeze(const StaticCall& c, std::vector<StaticTensor>* out) { return static_eval_squeeze_or_unsqueeze(false, c, out); }
Status static_eval_unsqueeze(const StaticCall& c, std::vector<StaticTensor>* out) { return static_eval_squeeze_or_unsqueeze(true, c, out); }
}  // namespace xm
