// BatchNormalization in inference mode: y = (x - mean) / sqrt(var + eps) * scale + B
// per channel (axis 1). Backward: dx = dy * scale / sqrt(var + eps).
// ref: ONNX BatchNormalization-15 (training_mode must be 0; extra outputs refused).
#include "engine/ops/op_util.h"

namespace xm {
namespace {
class BatchNormOp : public Op {
  float eps_ = 1e-5f;

  // Per-channel a, b of y = a x + b, computed into the first 2C floats of the workspace.
  void coeffs(const OpRun& r, int64_t C, float* a, float* b) const {
    for (int64_t c = 0; c < C; ++c) {
      float inv = 1.0f / std::sqrt(r.in[4][c] + eps_);
      a[c] = r.in[1][c] * inv;
      b[c] = r.in[2][c] - r.in[3][c] * a[c];
    }
  }

public:
  bool backward_reads_input(int k) const override { return k != 0; }
  bool backward_reads_output() const override { return false; }
  Status init(const OpInit& c) override {
    XM_TRY(c.allow_attrs({"epsilon", "momentum", "training_mode", "spatial", "is_test", "consumed_inputs"}));
    XM_TRY(c.expect_inputs(5, 5));
    XM_TRY(c.get_float("epsilon", 1e-5f, &eps_));
    int64_t tm = 0, spatial = 1;
    XM_TRY(c.get_int("training_mode", 0, &tm));
    XM_TRY(c.get_int("spatial", 1, &spatial));
    if (tm != 0) return c.error("training_mode is not supported (inference only)");
    if (spatial != 1) return c.error("spatial = 0 is not supported");
    for (size_t k = 1; k < c.node->outputs.size(); ++k)
      if (!c.node->outputs[k].empty()) return c.error("the running mean/var outputs (training) are not supported");
    return Status::ok();
  }
  bool differentiable(int k) const override { return k == 0; }
  Status infer(const OpShapes& s, std::vector<Shape>* out) override {
    const Shape& x = s.in[0];
    if (x.size() < 2) return Status::error(label + ": input must be [N,C,...], got " + shape_str(x));
    for (int k = 1; k < 5; ++k)
      if (s.in[size_t(k)] != Shape{x[1]})
        return Status::error(label + ": input " + std::to_string(k) + " must have shape [" + std::to_string(x[1]) + "]");
    out->push_back(x);
    return Status::ok();
  }
  size_t workspace_floats(const std::vector<Shape>& in, const std::vector<Shape>&) const override {
    return size_t(2 * in[0][1]);
  }
  void forward(const OpRun& r) override {
    const Shape& x = r.in_shape[0];
    const int64_t N = x[0], C = x[1], inner = shape_numel(x) / std::max<int64_t>(N * C, 1);
    float* a = r.workspace;
    float* b = a + C;
    coeffs(r, C, a, b);
    const float* in = r.in[0];
    float* y = r.out[0];
    for (int64_t n = 0; n < N; ++n)
      for (int64_t c = 0; c < C; ++c) {
        const float* p = in + (n * C + c) * inner;
        float* q = y + (n * C + c) * inner;
        for (int64_t i = 0; i < inner; ++i) q[i] = a[c] * p[i] + b[c];
      }
  }
  void backward(const OpRun& r) override {
    const Shape& x = r.in_shape[0];
    const int64_t N = x[0], C = x[1], inner = shape_numel(x) / std::max<int64_t>(N * C, 1);
    float* a = r.workspace;
    float* b = a + C;
    coeffs(r, C, a, b);
    const float* gy = r.gout[0];
    float* gx = r.gin[0];
    for (int64_t n = 0; n < N; ++n)
      for (int64_t c = 0; c < C; ++c) {
        const float* p = gy + (n * C + c) * inner;
        float* q = gx + (n * C + c) * inner;
        for (int64_t i = 0; i < inner; ++i) q[i] += a[c] * p[i];
      }
  }
};
}  // namespace
std::unique_ptr<Op> make_batch_normalization_op() { return std::make_unique<BatchNormOp>(); }
// Values of inputs 0..4 (X, scale, B, mean, var) that make the op the identity:
// scale 1, shift 0, mean 0, var 1 (X's entry is unused).
extern const float BATCH_NORMALIZATION_IDENTITY[5] = {0, 1, 0, 0, 1};
}  // namespace xm
