// Tanh: y = tanh(x); dy/dx = 1 - y^2. ref: ONNX Tanh-13.
#include "engine/ops/op_util.h"

namespace xm {
namespace {
class TanhOp : public UnaryOp {
public:
  bool backward_reads_input(int k) const override { return false; }
  void forward(const OpRun& r) override { map(r, [](float v) { return std::tanh(v); }); }
  void backward(const OpRun& r) override {
    const float* y = r.out[0];
    const float* gy = r.gout[0];
    accumulate(r, [&](int64_t i) { return gy[i] * (1.0f - y[i] * y[i]); });
  }
};
}  // namespace
std::unique_ptr<Op> make_tanh_op() { return std::make_unique<TanhOp>(); }
}  // namespace xm
