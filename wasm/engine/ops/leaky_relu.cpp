// LeakyRelu: y = x if x > 0 else alpha*x. ref: ONNX LeakyRelu-16 (alpha default 0.01).
#include "engine/ops/op_util.h"

namespace xm {
namespace {
class LeakyReluOp : public UnaryOp {
  float alpha_ = 0.01f;

public:
  bool backward_reads_output() const override { return false; }
  Status init(const OpInit& c) override {
    XM_TRY(c.allow_attrs({"alpha"}));
    XM_TRY(c.get_float("alpha", 0.01f, &alpha_));
    return c.expect_inputs(1, 1);
  }
  void forward(const OpRun& r) override {
    const float a = alpha_;
    map(r, [a](float v) { return v > 0.0f ? v : a * v; });
  }
  void backward(const OpRun& r) override {
    const float* x = r.in[0];
    const float* gy = r.gout[0];
    const float a = alpha_;
    accumulate(r, [&](int64_t i) { return x[i] > 0.0f ? gy[i] : a * gy[i]; });
  }
};
}  // namespace
std::unique_ptr<Op> make_leaky_relu_op() { return std::make_unique<LeakyReluOp>(); }
}  // namespace xm
