// Identity, and Dropout at inference (the identity; its mask output and
// training mode are refused). ref: ONNX Identity-16, Dropout-13.
#include "engine/ops/copy_op.h"
#include "engine/static_eval.h"

namespace xm {
namespace {
class IdentityOp : public CopyOp {
  bool dropout_;

public:
  explicit IdentityOp(bool dropout) : dropout_(dropout) {}
  Status init(const OpInit& c) override {
    if (!dropout_) {
      XM_TRY(c.allow_attrs({}));
      return c.expect_inputs(1, 1);
    }
    XM_TRY(c.allow_attrs({"ratio", "seed", "is_test", "consumed_inputs"}));
    XM_TRY(c.expect_inputs(1, 3));
    if (c.node->outputs.size() > 1 && !c.node->outputs[1].empty()) return c.error("the mask output is not supported");
    if (c.present.size() > 2 && c.present[2]) {
      if (!c.constant[2] || c.constant[2]->numel() != 1) return c.error("training_mode must be a constant");
      if (c.constant[2]->at(0) != 0) return c.error("training_mode = true is not supported (inference only)");
    }
    return Status::ok();
  }
};
}  // namespace
std::unique_ptr<Op> make_identity_op() { return std::make_unique<IdentityOp>(false); }
std::unique_ptr<Op> make_dropout_op() { return std::make_unique<IdentityOp>(true); }

Status static_eval_identity(const StaticCall& c, std::vector<StaticTensor>* out) {
  const StaticTensor* x = nullptr;
  XM_TRY(c.input(0, &x));
  out->push_back(*x);
  return Status::ok();
}
}  // namespace xm
