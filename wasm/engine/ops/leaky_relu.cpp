// LeakyRelu: y = x if x > 0 else alpha*x. ref: ONNX LeakyRelu-16 (alpha default 0.01).
#include "engine/ops/op_util.h"

namespace xm {
namespace {
class LeakyReluOp : public Op {
  float alpha_ = 0.01f;

public:
  bool backward_reads_output() const override { return false; }
  Status init(const OpInit& c) override {
    XM_TRY(c.allow_attrs({"alpha"}));
    XM_TRY(c.get_float("alpha", 0.01f, &alpha_));
    return c.expect_inputs(1, 1);
  }
  Status infer(const OpShapes& s, std::vector<Shape>* out) override {
    out->push_back(s.in[0]);
    return Status::ok();
  }
  void forward(const OpRun& r) override {
    const float* x = r.in[0];
    float* y = r.out[0];
    const float a = alpha_;
    parallel_elements(shape_numel(r.in_shape[0]), [&](int64_t b, int64_t e) {
      for (int64_t i = b; i < e; ++i) y[i] = x[i] > 0.0f ? x[i] : a * x[i];
    });
  }
  void backward(const OpRun& r) override {
    const float* x = r.in[0];
    const float* gy = r.gout[0];
    float* gx = r.gin[0];
    const float a = alpha_;
    parallel_elements(shape_numel(r.in_shape[0]), [&](int64_t b, int64_t e) {
      for (int64_t i = b; i < e; ++i) gx[i] += x[i] > 0.0f ? gy[i] : a * gy[i];
    });
  }
};
}  // namespace
std::unique_ptr<Op> make_leaky_relu_op() { return std::make_unique<LeakyReluOp>(); }
}  // namespace xm
