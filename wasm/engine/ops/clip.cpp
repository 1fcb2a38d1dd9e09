// Clip: y = min(max(x, lo), hi). Bounds are attributes before opset 11 and
// optional inputs from 11. Backward passes gy where lo <= x <= hi (PyTorch's
// clamp rule). ref: ONNX Clip-6, Clip-13.
#include <limits>

#include "engine/ops/op_util.h"

namespace xm {
namespace {
class ClipOp : public UnaryOp {
  float lo_ = -std::numeric_limits<float>::infinity(), hi_ = std::numeric_limits<float>::infinity();
  bool bounds_as_inputs_ = false;

  void bounds(const OpRun& r, float* lo, float* hi) const {
    *lo = lo_;
    *hi = hi_;
    if (!bounds_as_inputs_) return;
    if (r.num_in > 1 && r.in[1]) *lo = r.in[1][0];
    if (r.num_in > 2 && r.in[2]) *hi = r.in[2][0];
  }

public:
  bool backward_reads_output() const override { return false; }
  Status init(const OpInit& c) override {
    if (c.opset < 11) {
      XM_TRY(c.allow_attrs({"min", "max"}));
      XM_TRY(c.get_float("min", lo_, &lo_));
      XM_TRY(c.get_float("max", hi_, &hi_));
      return c.expect_inputs(1, 1);
    }
    XM_TRY(c.allow_attrs({}));
    bounds_as_inputs_ = true;
    return c.expect_inputs(1, 3);
  }
  bool differentiable(int k) const override { return k == 0; }
  Status infer(const OpShapes& s, std::vector<Shape>* out) override {
    for (size_t k = 1; k < s.in.size(); ++k)
      if (s.present[k] && shape_numel(s.in[k]) != 1) return Status::error(label + ": min and max must be scalars");
    out->push_back(s.in[0]);
    return Status::ok();
  }
  void forward(const OpRun& r) override {
    float lo, hi;
    bounds(r, &lo, &hi);
    map(r, [lo, hi](float v) { return std::min(std::max(v, lo), hi); });
  }
  void backward(const OpRun& r) override {
    float lo, hi;
    bounds(r, &lo, &hi);
    const float* x = r.in[0];
    const float* gy = r.gout[0];
    if (!r.gin[0]) return;
    accumulate(r, [&](int64_t i) { return (x[i] >= lo && x[i] <= hi) ? gy[i] : 0.0f; });
  }
};
}  // namespace
std::unique_ptr<Op> make_clip_op() { return std::make_unique<ClipOp>(); }
}  // namespace xm
