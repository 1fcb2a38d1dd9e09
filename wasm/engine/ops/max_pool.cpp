// MaxPool: y[n,c,oh,ow] = max over the window (padding never wins). Backward
// sends each output's gradient to the first position holding the max (row-major
// order inside the window), recomputed from x so no index tensor is stored.
// A 2x2 pool that tiles its input can also do the backward of the Relu that
// feeds it (Op::backward_folds_relu): x is then the Relu's output.
// ref: ONNX MaxPool-12 (pads, strides, dilations, ceil_mode); the Indices output is refused.
#include <cstring>
#include <limits>

#include "engine/ops/op_util.h"
#include "kernels/pool.h"

namespace xm {
namespace {
class MaxPoolOp : public Op {
  WindowAttrs wa_;

  template <class F>
  void each_window(const Window2d& g, int64_t plane_begin, int64_t plane_end, const float* x, F&& fn) const {
    for (int64_t p = plane_begin; p < plane_end; ++p) {
      const float* xp = x + p * g.H * g.W;
      for (int64_t oh = 0; oh < g.OH; ++oh)
        for (int64_t ow = 0; ow < g.OW; ++ow) {
          float best = -std::numeric_limits<float>::infinity();
          int64_t arg = -1;
          for (int64_t i = 0; i < g.kh; ++i) {
            int64_t ih = oh * g.sh - g.pt + i * g.dh;
            if (ih < 0 || ih >= g.H) continue;
            for (int64_t j = 0; j < g.kw; ++j) {
              int64_t iw = ow * g.sw - g.pl + j * g.dw;
              if (iw < 0 || iw >= g.W) continue;
              float v = xp[ih * g.W + iw];
              if (arg < 0 || v > best) {
                best = v;
                arg = ih * g.W + iw;
              }
            }
          }
          fn(p, oh * g.OW + ow, best, arg);
        }
    }
  }
  // Fast path for the common 2x2 stride-2 unpadded window.
  static bool is_2x2(const Window2d& g) {
    return g.kh == 2 && g.kw == 2 && g.sh == 2 && g.sw == 2 && g.dh == 1 && g.dw == 1 && g.pt == 0 && g.pl == 0 &&
           g.OH * 2 <= g.H && g.OW * 2 <= g.W;
  }

public:
  bool backward_reads_output() const override { return false; }
  bool backward_assigns(int k) const override { return true; }
  // Only where the windows tile the input exactly: each input element gets a gradient or a 0.
  bool backward_folds_relu(const std::vector<Shape>& in, const std::vector<Shape>& out) const override {
    Window2d g;
    if (in.empty() || !wa_.geometry(label, in[0], {}, &g).is_ok()) return false;
    return is_2x2(g) && g.OH * 2 == g.H && g.OW * 2 == g.W;
  }
  Status init(const OpInit& c) override {
    XM_TRY(c.allow_attrs({"auto_pad", "ceil_mode", "dilations", "kernel_shape", "pads", "storage_order", "strides"}));
    XM_TRY(c.expect_inputs(1, 1));
    if (c.node->outputs.size() > 1 && !c.node->outputs[1].empty())
      return c.error("the Indices output is not supported");
    XM_TRY(wa_.parse(c, true, true));
    if (wa_.kernel.empty()) return c.error("kernel_shape is required");
    return Status::ok();
  }
  Status infer(const OpShapes& s, std::vector<Shape>* out) override {
    Window2d g;
    XM_TRY(wa_.geometry(label, s.in[0], {}, &g));
    XM_TRY(window_pads_check(label, g));
    out->push_back(window_out_shape(s.in[0], g.C, g));
    return Status::ok();
  }
  void forward(const OpRun& r) override {
    Window2d g;
    XM_ASSERT(wa_.geometry(label, r.in_shape[0], {}, &g).is_ok());
    const float* x = r.in[0];
    float* y = r.out[0];
    const int64_t planes = g.N * g.C, ohw = g.OH * g.OW;
    if (is_2x2(g)) {
      parallel_elements(planes * g.OH, [&](int64_t b, int64_t e) {
        for (int64_t row = b; row < e; ++row) {
          int64_t p = row / g.OH, oh = row % g.OH;
          const float* r0 = x + (p * g.H + 2 * oh) * g.W;
          maxpool2x2_row(r0, r0 + g.W, g.OW, y + p * ohw + oh * g.OW);
        }
      });
      return;
    }
    parallel_elements(planes, [&](int64_t b, int64_t e) {
      each_window(g, b, e, x, [&](int64_t p, int64_t o, float best, int64_t) { y[p * ohw + o] = best; });
    });
  }
  void backward(const OpRun& r) override {
    Window2d g;
    XM_ASSERT(wa_.geometry(label, r.in_shape[0], {}, &g).is_ok());
    const float* x = r.in[0];
    const float* gy = r.gout[0];
    float* gx = r.gin[0];
    const int64_t planes = g.N * g.C, ohw = g.OH * g.OW, hw = g.H * g.W;
    const bool assign = r.gin_fresh && r.gin_fresh[0];
    const PoolReluMask mask = !r.fold_relu ? PoolReluMask::NONE
                              : r.relu_rule == ReluRule::GUIDED ? PoolReluMask::GUIDED : PoolReluMask::RELU;
    XM_ASSERT(!r.fold_relu || (assign && is_2x2(g) && g.OH * 2 == g.H && g.OW * 2 == g.W));
    if (assign && is_2x2(g) && g.OH * 2 == g.H && g.OW * 2 == g.W) {
      // Windows tile the input exactly: write all four positions of each.
      parallel_elements(planes * g.OH, [&](int64_t b, int64_t e) {
        for (int64_t row = b; row < e; ++row) {
          int64_t p = row / g.OH, oh = row % g.OH;
          const float* r0 = x + (p * g.H + 2 * oh) * g.W;
          float* g0 = gx + (p * g.H + 2 * oh) * g.W;
          maxpool2x2_backward_row(r0, r0 + g.W, gy + p * ohw + oh * g.OW, g.OW, mask, g0, g0 + g.W);
        }
      });
      return;
    }
    if (assign) std::memset(gx, 0, size_t(planes * hw) * sizeof(float));
    if (is_2x2(g)) {
      // Same tie rule as each_window: the first maximum in row-major window order.
      parallel_elements(planes * g.OH, [&](int64_t b, int64_t e) {
        for (int64_t row = b; row < e; ++row) {
          int64_t p = row / g.OH, oh = row % g.OH;
          const float* r0 = x + (p * g.H + 2 * oh) * g.W;
          const float* r1 = r0 + g.W;
          float* g0 = gx + (p * g.H + 2 * oh) * g.W;
          float* g1 = g0 + g.W;
          const float* gr = gy + p * ohw + oh * g.OW;
          for (int64_t ow = 0; ow < g.OW; ++ow) {
            const int64_t c = 2 * ow;
            float best = r0[c];
            float* at = g0 + c;
            if (r0[c + 1] > best) { best = r0[c + 1]; at = g0 + c + 1; }
            if (r1[c] > best) { best = r1[c]; at = g1 + c; }
            if (r1[c + 1] > best) { at = g1 + c + 1; }
            *at += gr[ow];
          }
        }
      });
      return;
    }
    parallel_elements(planes, [&](int64_t b, int64_t e) {
      each_window(g, b, e, x, [&](int64_t p, int64_t o, float, int64_t arg) {
        if (arg >= 0) gx[p * hw + arg] += gy[p * ohw + o];
      });
    });
  }
};
}  // namespace
std::unique_ptr<Op> make_max_pool_op() { return std::make_unique<MaxPoolOp>(); }
}  // namespace xm
