// Sigmoid: y = 1/(1+exp(-x)); dy/dx = y(1-y). ref: ONNX Sigmoid-13.
#include "engine/ops/op_util.h"

namespace xm {
namespace {
class SigmoidOp : public UnaryOp {
public:
  bool backward_reads_input(int k) const override { return false; }
  void forward(const OpRun& r) override {
    // Split by sign so exp never overflows.
    map(r, [](float v) {
      if (v >= 0) return 1.0f / (1.0f + std::exp(-v));
      float z = std::exp(v);
      return z / (1.0f + z);
    });
  }
  void backward(const OpRun& r) override {
    const float* y = r.out[0];
    const float* gy = r.gout[0];
    accumulate(r, [&](int64_t i) { return gy[i] * y[i] * (1.0f - y[i]); });
  }
};
}  // namespace
std::unique_ptr<Op> make_sigmoid_op() { return std::make_unique<SigmoidOp>(); }
}  // namespace xm
