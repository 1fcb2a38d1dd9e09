// Relu: y = max(x, 0). Backward: the true gradient (gy where x > 0), or guided
// backpropagation's rule (only positive gy where x > 0). ref: ONNX Relu-14.
#include "engine/ops/op_util.h"
#include "kernels/activation.h"

namespace xm {
namespace {
class ReluOp : public UnaryOp {
public:
  bool backward_reads_input(int k) const override { return false; }
  bool backward_assigns(int k) const override { return true; }
  void forward(const OpRun& r) override { map(r, [](float v) { return v > 0.0f ? v : 0.0f; }); }
  void backward(const OpRun& r) override {
    const float* y = r.out[0];
    const float* gy = r.gout[0];
    float* gx = r.gin[0];
    const bool guided = r.relu_rule == ReluRule::GUIDED;
    const bool assign = r.gin_fresh && r.gin_fresh[0];
    parallel_elements(shape_numel(r.in_shape[0]),
                      [&](int64_t b, int64_t e) { relu_backward(y + b, gy + b, e - b, guided, !assign, gx + b); });
  }
};
}  // namespace
std::unique_ptr<Op> make_relu_op() { return std::make_unique<ReluOp>(); }
}  // namespace xm
