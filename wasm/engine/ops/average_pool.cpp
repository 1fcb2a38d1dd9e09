// AveragePool: the mean over each window. The divisor is the window clipped to
// the padded input (count_include_pad = 1) or to the input itself (0), as
// PyTorch's avg_pool2d does. Backward spreads gy / divisor over the window.
// ref: ONNX AveragePool-11 (dilations of AveragePool-19 are refused).
#include "engine/ops/op_util.h"

namespace xm {
namespace {
class AveragePoolOp : public Op {
  WindowAttrs wa_;
  bool include_pad_ = false;

  template <class F>
  void each_window(const Window2d& g, int64_t b, int64_t e, F&& fn) const {
    for (int64_t p = b; p < e; ++p)
      for (int64_t oh = 0; oh < g.OH; ++oh)
        for (int64_t ow = 0; ow < g.OW; ++ow) {
          int64_t h0 = oh * g.sh - g.pt, w0 = ow * g.sw - g.pl;
          int64_t h1 = std::min(h0 + g.kh, g.H + g.pb), w1 = std::min(w0 + g.kw, g.W + g.pr);
          int64_t pool = (h1 - h0) * (w1 - w0);
          h0 = std::max<int64_t>(h0, 0);
          w0 = std::max<int64_t>(w0, 0);
          h1 = std::min(h1, g.H);
          w1 = std::min(w1, g.W);
          int64_t cnt = include_pad_ ? pool : (h1 - h0) * (w1 - w0);
          fn(p, oh * g.OW + ow, h0, h1, w0, w1, cnt);
        }
  }

public:
  bool backward_reads_input(int k) const override { return false; }
  bool backward_reads_output() const override { return false; }
  Status init(const OpInit& c) override {
    XM_TRY(c.allow_attrs({"auto_pad", "ceil_mode", "count_include_pad", "kernel_shape", "pads", "strides"}));
    XM_TRY(c.expect_inputs(1, 1));
    int64_t cip = 0;
    XM_TRY(c.get_int("count_include_pad", 0, &cip));
    include_pad_ = cip != 0;
    XM_TRY(wa_.parse(c, false, true));
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
    const int64_t ohw = g.OH * g.OW, hw = g.H * g.W;
    parallel_elements(g.N * g.C, [&](int64_t b, int64_t e) {
      each_window(g, b, e, [&](int64_t p, int64_t o, int64_t h0, int64_t h1, int64_t w0, int64_t w1, int64_t cnt) {
        float s = 0;
        for (int64_t h = h0; h < h1; ++h)
          for (int64_t w = w0; w < w1; ++w) s += x[p * hw + h * g.W + w];
        y[p * ohw + o] = cnt > 0 ? s / float(cnt) : 0.0f;
      });
    });
  }
  void backward(const OpRun& r) override {
    Window2d g;
    XM_ASSERT(wa_.geometry(label, r.in_shape[0], {}, &g).is_ok());
    const float* gy = r.gout[0];
    float* gx = r.gin[0];
    const int64_t ohw = g.OH * g.OW, hw = g.H * g.W;
    parallel_elements(g.N * g.C, [&](int64_t b, int64_t e) {
      each_window(g, b, e, [&](int64_t p, int64_t o, int64_t h0, int64_t h1, int64_t w0, int64_t w1, int64_t cnt) {
        if (cnt <= 0) return;
        float v = gy[p * ohw + o] / float(cnt);
        for (int64_t h = h0; h < h1; ++h)
          for (int64_t w = w0; w < w1; ++w) gx[p * hw + h * g.W + w] += v;
      });
    });
  }
};
}  // namespace
std::unique_ptr<Op> make_average_pool_op() { return std::make_unique<AveragePoolOp>(); }
}  // namespace xm
