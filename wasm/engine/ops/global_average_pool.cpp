// GlobalAveragePool / GlobalMaxPool: x [N,C,...] → [N,C,1,...,1], the mean (or
// max) over all spatial positions. Max's gradient goes to the first maximum.
// The average's backward can also do the backward of a Relu that feeds it
// (Op::backward_folds_relu: x is then the Relu's output), saving a pass over
// the last feature map's gradient.
// ref: ONNX GlobalAveragePool-1, GlobalMaxPool-1.
#include <algorithm>
#include <limits>

#include "engine/ops/op_util.h"

namespace xm {
namespace {
class GlobalPoolOp : public Op {
  bool max_;

public:
  // The average reads x only when it folds a Relu; the plan cannot tell which
  // here, so x is kept until the backward (it is then that Relu's output,
  // which the Relu's own backward would have kept alive anyway).
  bool backward_reads_input(int k) const override { return true; }
  bool backward_folds_relu(const std::vector<Shape>& in, const std::vector<Shape>& out) const override {
    return !max_ && !in.empty() && in[0].size() >= 3;
  }
  bool backward_reads_output() const override { return false; }
  bool backward_assigns(int k) const override { return true; }
  explicit GlobalPoolOp(bool is_max) : max_(is_max) {}
  Status init(const OpInit& c) override {
    XM_TRY(c.allow_attrs({}));
    return c.expect_inputs(1, 1);
  }
  Status infer(const OpShapes& s, std::vector<Shape>* out) override {
    const Shape& x = s.in[0];
    if (x.size() < 3) return Status::error(label + ": input must be [N,C,...], got " + shape_str(x));
    Shape y = x;
    for (size_t k = 2; k < y.size(); ++k) y[k] = 1;
    out->push_back(y);
    return Status::ok();
  }
  void forward(const OpRun& r) override {
    const Shape& x = r.in_shape[0];
    const int64_t planes = x[0] * x[1], hw = shape_numel(x) / std::max<int64_t>(planes, 1);
    const float* in = r.in[0];
    float* y = r.out[0];
    for (int64_t p = 0; p < planes; ++p) {
      const float* q = in + p * hw;
      if (max_) {
        float m = -std::numeric_limits<float>::infinity();
        for (int64_t i = 0; i < hw; ++i) m = std::max(m, q[i]);
        y[p] = m;
      } else {
        // Eight running sums (then summed pairwise): one long chain of
        // dependent adds cost ~4x more (bench_cnn: 64 planes of 1024).
        float acc[8] = {};
        int64_t i = 0;
        for (; i + 8 <= hw; i += 8)
          for (int k = 0; k < 8; ++k) acc[k] += q[i + k];
        float s = ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
        for (; i < hw; ++i) s += q[i];
        y[p] = s / float(hw);
      }
    }
  }
  void backward(const OpRun& r) override {
    const Shape& x = r.in_shape[0];
    const int64_t planes = x[0] * x[1], hw = shape_numel(x) / std::max<int64_t>(planes, 1);
    const float* gy = r.gout[0];
    float* gx = r.gin[0];
    const bool assign = r.gin_fresh && r.gin_fresh[0];
    for (int64_t p = 0; p < planes; ++p) {
      if (max_) {
        if (assign) std::fill(gx + p * hw, gx + (p + 1) * hw, 0.0f);
        const float* q = r.in[0] + p * hw;
        int64_t arg = 0;
        for (int64_t i = 1; i < hw; ++i)
          if (q[i] > q[arg]) arg = i;
        gx[p * hw + arg] += gy[p];
      } else {
        float v = gy[p] / float(hw);
        float* g = gx + p * hw;
        if (r.fold_relu) {
          // The Relu's backward (engine/ops/relu.cpp): v where its output is
          // positive (and, guided, v itself positive), else +0.
          const float* q = r.in[0] + p * hw;
          const bool guided = r.relu_rule == ReluRule::GUIDED;
          const float kept = guided && !(v > 0.0f) ? 0.0f : v;
          for (int64_t i = 0; i < hw; ++i) g[i] = q[i] > 0.0f ? kept : 0.0f;
        } else if (assign) {
          std::fill(g, g + hw, v);
        } else {
          for (int64_t i = 0; i < hw; ++i) g[i] += v;
        }
      }
    }
  }
};
}  // namespace
std::unique_ptr<Op> make_global_average_pool_op() { return std::make_unique<GlobalPoolOp>(false); }
std::unique_ptr<Op> make_global_max_pool_op() { return std::make_unique<GlobalPoolOp>(true); }
}  // namespace xm
