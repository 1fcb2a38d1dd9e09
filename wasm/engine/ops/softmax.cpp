// Softmax. Opset 13 normalizes along one axis (default -1); before 13 the
// input is coerced to 2-D at `axis` (default 1) and normalized over everything
// from that axis on. Backward: dx = y * (dy - sum(dy * y)).
// ref: ONNX Softmax-1/11 and Softmax-13.
#include "engine/ops/op_util.h"

namespace xm {
namespace {
class SoftmaxOp : public Op {
  int64_t axis_ = -1;
  bool legacy_ = false;

  // The input as [outer, n, inner], normalized over n.
  void layout(const Shape& x, int64_t* outer, int64_t* n, int64_t* inner) const {
    int64_t a = 0;
    normalize_axis(axis_, std::max<int64_t>(int64_t(x.size()), 1), &a);
    *outer = 1;
    *n = 1;
    *inner = 1;
    for (size_t d = 0; d < x.size(); ++d) {
      if (int64_t(d) < a) *outer *= x[d];
      else if (int64_t(d) == a || legacy_) *n *= x[d];
      else *inner *= x[d];
    }
  }

public:
  bool backward_reads_input(int k) const override { return false; }
  Status init(const OpInit& c) override {
    XM_TRY(c.allow_attrs({"axis"}));
    legacy_ = c.opset < 13;
    XM_TRY(c.get_int("axis", legacy_ ? 1 : -1, &axis_));
    return c.expect_inputs(1, 1);
  }
  Status infer(const OpShapes& s, std::vector<Shape>* out) override {
    int64_t a = 0;
    if (!normalize_axis(axis_, std::max<int64_t>(int64_t(s.in[0].size()), 1), &a))
      return Status::error(label + ": axis " + std::to_string(axis_) + " is out of range for " + shape_str(s.in[0]));
    out->push_back(s.in[0]);
    return Status::ok();
  }
  void forward(const OpRun& r) override {
    int64_t outer, n, inner;
    layout(r.in_shape[0], &outer, &n, &inner);
    const float* x = r.in[0];
    float* y = r.out[0];
    for (int64_t o = 0; o < outer; ++o)
      for (int64_t i = 0; i < inner; ++i) {
        const float* xp = x + o * n * inner + i;
        float* yp = y + o * n * inner + i;
        float m = -INFINITY;
        for (int64_t k = 0; k < n; ++k) m = std::max(m, xp[k * inner]);
        float s = 0;
        for (int64_t k = 0; k < n; ++k) {
          float e = std::exp(xp[k * inner] - m);
          yp[k * inner] = e;
          s += e;
        }
        float inv = 1.0f / s;
        for (int64_t k = 0; k < n; ++k) yp[k * inner] *= inv;
      }
  }
  void backward(const OpRun& r) override {
    int64_t outer, n, inner;
    layout(r.in_shape[0], &outer, &n, &inner);
    const float* y = r.out[0];
    const float* gy = r.gout[0];
    float* gx = r.gin[0];
    for (int64_t o = 0; o < outer; ++o)
      for (int64_t i = 0; i < inner; ++i) {
        const int64_t base = o * n * inner + i;
        float dot = 0;
        for (int64_t k = 0; k < n; ++k) dot += gy[base + k * inner] * y[base + k * inner];
        for (int64_t k = 0; k < n; ++k) gx[base + k * inner] += y[base + k * inner] * (gy[base + k * inner] - dot);
      }
  }
};
}  // namespace
std::unique_ptr<Op> make_softmax_op() { return std::make_unique<SoftmaxOp>(); }
}  // namespace xm
