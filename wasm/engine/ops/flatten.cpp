// Flatten: [d0..d(a-1), da..] → [prod(d0..d(a-1)), prod(da..)]. ref: ONNX Flatten-13.
#include "engine/ops/copy_op.h"
#include "engine/static_eval.h"

namespace xm {
namespace {
class FlattenOp : public CopyOp {
  int64_t axis_ = 1;

public:
  Status init(const OpInit& c) override {
    XM_TRY(c.allow_attrs({"axis"}));
    XM_TRY(c.get_int("axis", 1, &axis_));
    return c.expect_inputs(1, 1);
  }
  Status infer(const OpShapes& s, std::vector<Shape>* out) override {
    const Shape& x = s.in[0];
    const int64_t r = int64_t(x.size());
    const int64_t a = axis_ < 0 ? axis_ + r : axis_;  // axis is in [-r, r]
    if (a < 0 || a > r) return Status::error(label + ": axis is out of range");
    int64_t p = 1, q = 1;
    for (size_t k = 0; k < x.size(); ++k) (int64_t(k) < a ? p : q) *= x[k];
    out->push_back({p, q});
    return Status::ok();
  }
};
}  // namespace
std::unique_ptr<Op> make_flatten_op() { return std::make_unique<FlattenOp>(); }

Status static_eval_flatten(const StaticCall& c, std::vector<StaticTensor>* out) {
  const StaticTensor* x = nullptr;
  XM_TRY(c.input(0, &x));
  int64_t axis = c.attr_int("axis", 1);
  if (axis < 0) axis += x->rank();
  if (axis < 0 || axis > x->rank()) return c.error("axis is out of range");
  int64_t a = 1, b = 1;
  for (int64_t k = 0; k < x->rank(); ++k) (k < axis ? a : b) *= x->shape[size_t(k)];
  StaticTensor r = *x;
  r.shape = {a, b};
  out->push_back(std::move(r));
  return Status::ok();
}
}  // namespace xm
