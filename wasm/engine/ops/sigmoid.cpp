// Sigmoid: y = 1/(1+exp(-x)); dy/dx = y(1-y). ref: ONNX Sigmoid-13.
#include "engine/ops/op_util.h"

namespace xm {
namespace {
class SigmoidOp : public Op {
public:
  bool backward_reads_input(int k) const override { return false; }
  Status init(const OpInit& c) override {
    XM_TRY(c.allow_attrs({}));
    return c.expect_inputs(1, 1);
  }
  Status infer(const OpShapes& s, std::vector<Shape>* out) override {
    out->push_back(s.in[0]);
    return Status::ok();
  }
  void forward(const OpRun& r) override {
    const float* x = r.in[0];
    float* y = r.out[0];
    parallel_elements(shape_numel(r.in_shape[0]), [&](int64_t b, int64_t e) {
      // Split by sign so exp never overflows.
      for (int64_t i = b; i < e; ++i) {
        float v = x[i];
        if (v >= 0) {
          y[i] = 1.0f / (1.0f + std::exp(-v));
        } else {
          float z = std::exp(v);
          y[i] = z / (1.0f + z);
        }
      }
    });
  }
  void backward(const OpRun& r) override {
    const float* y = r.out[0];
    const float* gy = r.gout[0];
    float* gx = r.gin[0];
    parallel_elements(shape_numel(r.in_shape[0]), [&](int64_t b, int64_t e) {
      for (int64_t i = b; i < e; ++i) gx[i] += gy[i] * y[i] * (1.0f - y[i]);
    });
  }
};
}  // namespace
std::unique_ptr<Op> make_sigmoid_op() { return std::make_unique<SigmoidOp>(); }
}  // namespace xm
