// Conv: x [N,C,H,W] (or [N,C,L]); w [M,C/group,kH,kW]; b [M]; y [N,M,OH,OW].
// Forward per image and group: cols = im2col(x), y = w * cols (+ b), so the
// work is one sgemm; a 1x1 stride-1 unpadded conv skips im2col. Backward
// (input only): dcols = w^T * dy, dx += col2im(dcols). Images are spread over
// the thread pool, each thread with its own block of workspace.
// Fast paths for the common 3x3, pad 1, stride 1 conv (group 1): Winograd
// F(4x4,3x3) forward and backward when both channel counts are large enough
// (kernels/winograd.h), and a direct kernel for 1-2 input channels (a grey
// image's first layer, kernels/conv_direct.h), both with the Relu fused; the
// backward to at most 4 channels (the data gradient of that first layer) is a
// direct 3x3 conv of dy with the kernels flipped (kernels/conv_narrow.h).
// ref: ONNX Conv-11 (auto_pad, group, dilations).
#include "engine/ops/op_util.h"
#include "kernels/conv_direct.h"
#include "kernels/conv_narrow.h"
#include "kernels/gemm.h"
#include "kernels/im2col.h"
#include "kernels/winograd.h"

namespace xm {
namespace {
class ConvOp : public Op {
  WindowAttrs wa_;
  int64_t group_ = 1;
  // Winograd-transformed weights for the forward and the backward, made once
  // at load when the weights are a constant (empty otherwise: made per pass).
  std::vector<float> u_fwd_, u_bwd_;

  struct Geo {
    Window2d g;
    int64_t M = 0, Cg = 0, Mg = 0, kk = 0, ohw = 0;
    bool direct = false;  // 1x1, stride 1, no pad: cols are x itself
    bool same3x3 = false;  // 3x3, stride 1, dilation 1, pad 1 all round, group 1
  };
  Geo geo(const Shape& x, const Shape& w) const {
    Geo q;
    std::vector<int64_t> ks(w.begin() + 2, w.end());
    Status s = wa_.geometry(label, x, ks, &q.g);
    XM_ASSERT(s.is_ok());  // checked in infer
    q.M = w[0];
    q.Cg = q.g.C / group_;
    q.Mg = q.M / group_;
    q.kk = q.g.kh * q.g.kw;
    q.ohw = q.g.OH * q.g.OW;
    q.direct = q.kk == 1 && q.g.sh == 1 && q.g.sw == 1 && q.g.pt == 0 && q.g.pl == 0 && q.g.OH == q.g.H && q.g.OW == q.g.W;
    q.same3x3 = x.size() == 4 && group_ == 1 && q.g.kh == 3 && q.g.kw == 3 && q.g.sh == 1 && q.g.sw == 1 &&
                q.g.dh == 1 && q.g.dw == 1 && q.g.pt == 1 && q.g.pl == 1 && q.g.OH == q.g.H && q.g.OW == q.g.W;
    return q;
  }
  // Winograd runs one image per thread. A batch smaller than the thread
  // count uses it too, leaving threads idle: one thread of F(4x4,3x3) beats
  // sgemm split over two (bench_cnn at batch 1 in wasm: conv 16->32 at 64x64
  // 0.36 ms against 0.92 ms).
  bool winograd_forward(const Geo& q, int threads) const {
    return q.same3x3 && conv3x3_winograd_supported(int(q.g.C), int(q.M), int(q.g.H), int(q.g.W));
  }
  bool winograd_backward(const Geo& q, int threads) const {
    return q.same3x3 && conv3x3_winograd_supported(int(q.M), int(q.g.C), int(q.g.H), int(q.g.W));
  }
  // Per-thread block: [transformed weights (block 0's are shared)][kernel scratch].
  static size_t winograd_floats(int cin, int cout, int H, int W) {
    return (winograd_weight_floats(cin, cout) + 15) / 16 * 16 + winograd_workspace_floats(cin, cout, H, W);
  }

  template <class F>
  static void over_images(int64_t N, int threads, F&& fn) {
    if (threads > 1 && N > 1) {
      int64_t chunks = std::min<int64_t>(threads, N);
      parallel_for(chunks, [&](int64_t b, int64_t e) {
        for (int64_t t = b; t < e; ++t)
          for (int64_t n = t * N / chunks; n < (t + 1) * N / chunks; ++n) fn(n, int(t));
      });
    } else {
      for (int64_t n = 0; n < N; ++n) fn(n, 0);
    }
  }

public:
  bool backward_reads_input(int k) const override { return k != 0; }
  bool backward_reads_output() const override { return false; }
  bool backward_assigns(int k) const override { return k == 0; }
  Status init(const OpInit& c) override {
    XM_TRY(c.allow_attrs({"auto_pad", "dilations", "group", "kernel_shape", "pads", "strides"}));
    XM_TRY(c.expect_inputs(2, 3));
    XM_TRY(c.get_int("group", 1, &group_));
    if (group_ < 1) return c.error("group must be at least 1");
    XM_TRY(wa_.parse(c, true, false));
    const StaticTensor* w = c.constant.size() > 1 ? c.constant[1] : nullptr;
    if (w && !w->is_int && group_ == 1 && w->shape.size() == 4 && w->shape[2] == 3 && w->shape[3] == 3 &&
        int64_t(w->f.size()) == w->numel()) {
      const int M = int(w->shape[0]), C = int(w->shape[1]);
      if (conv3x3_winograd_supported(C, M, 4, 4)) {
        u_fwd_.resize(winograd_weight_floats(C, M));
        winograd_weights(w->f.data(), M, C, false, u_fwd_.data());
      }
      if (conv3x3_winograd_supported(M, C, 4, 4)) {
        u_bwd_.resize(winograd_weight_floats(M, C));
        winograd_weights(w->f.data(), M, C, true, u_bwd_.data());
      }
    }
    return Status::ok();
  }
  bool differentiable(int k) const override { return k == 0; }
  bool can_fuse_relu() const override { return true; }
  Status infer(const OpShapes& s, std::vector<Shape>* out) override {
    const Shape& x = s.in[0];
    const Shape& w = s.in[1];
    if (w.size() != x.size() || x.size() < 3)
      return Status::error(label + ": weight " + shape_str(w) + " does not match input " + shape_str(x));
    if (x[1] % group_ || w[0] % group_ || w[1] * group_ != x[1])
      return Status::error(label + ": input channels " + std::to_string(x[1]) + ", weight " + shape_str(w) + " and group " +
                           std::to_string(group_) + " do not fit");
    if (s.present.size() > 2 && s.present[2] && (s.in[2].size() != 1 || s.in[2][0] != w[0]))
      return Status::error(label + ": bias must have shape [" + std::to_string(w[0]) + "]");
    Window2d g;
    std::vector<int64_t> ks(w.begin() + 2, w.end());
    // The kernels walk the weight with kernel_shape's extent: a kernel_shape
    // that is not the weight's would read past it.
    if (!wa_.kernel.empty() && wa_.kernel != ks)
      return Status::error(label + ": kernel_shape " + shape_str(wa_.kernel) + " does not match weight " + shape_str(w));
    XM_TRY(wa_.geometry(label, x, ks, &g));
    out->push_back(window_out_shape(x, w[0], g));
    return Status::ok();
  }
  size_t workspace_floats(const std::vector<Shape>& in, const std::vector<Shape>& out) const override {
    Geo q = geo(in[0], in[1]);
    size_t n = q.direct ? 0 : size_t(q.Cg * q.kk * q.ohw);
    if (q.same3x3) {
      const int C = int(q.g.C), M = int(q.M), H = int(q.g.H), W = int(q.g.W);
      if (conv3x3_winograd_supported(C, M, H, W)) n = std::max(n, winograd_floats(C, M, H, W));
      if (conv3x3_winograd_supported(M, C, H, W)) n = std::max(n, winograd_floats(M, C, H, W));
    }
    return n;
  }
  void forward(const OpRun& r) override {
    Geo q = geo(r.in_shape[0], r.in_shape[1]);
    const Window2d& g = q.g;
    const float* x = r.in[0];
    const float* w = r.in[1];
    const float* bias = r.num_in > 2 ? r.in[2] : nullptr;
    float* y = r.out[0];
    const int64_t CgKK = q.Cg * q.kk, HW = g.H * g.W;
    if (q.same3x3 && conv2d_3x3_direct_supported(int(g.C))) {
      conv2d_3x3_direct(x, int(g.N), int(g.C), int(g.H), int(g.W), w, int(q.M), bias, y, r.fuse_relu);
      return;
    }
    if (winograd_forward(q, r.threads)) {
      const int C = int(g.C), M = int(q.M), H = int(g.H), W = int(g.W);
      float* u = r.workspace;
      if (u_fwd_.empty()) winograd_weights(w, M, C, false, u);
      const size_t u_floats = (winograd_weight_floats(C, M) + 15) / 16 * 16;
      if (!u_fwd_.empty()) u = u_fwd_.data();
      over_images(g.N, r.threads, [&](int64_t n, int t) {
        conv3x3_winograd(x + n * C * HW, C, H, W, u, M, bias, r.fuse_relu, false, y + n * M * HW,
                         r.workspace + size_t(t) * r.workspace_stride + u_floats);
      });
      return;
    }
    over_images(g.N, r.threads, [&](int64_t n, int t) {
      float* cols = r.workspace + size_t(t) * r.workspace_stride;
      for (int64_t gi = 0; gi < group_; ++gi) {
        const float* xg = x + (n * g.C + gi * q.Cg) * HW;
        float* yg = y + (n * q.M + gi * q.Mg) * q.ohw;
        const float* B = xg;
        if (!q.direct) {
          im2col(xg, int(q.Cg), int(g.H), int(g.W), int(g.kh), int(g.kw), int(g.pt), int(g.pl), int(g.sh), int(g.sw),
                 int(g.dh), int(g.dw), int(g.OH), int(g.OW), cols);
          B = cols;
        }
        sgemm(false, false, int(q.Mg), int(q.ohw), int(CgKK), 1.0f, w + gi * q.Mg * CgKK, int(CgKK), B, int(q.ohw),
              0.0f, yg, int(q.ohw));
        // Epilogue while the block is still in cache: bias, then the fused Relu.
        if (bias || r.fuse_relu)
          for (int64_t m = 0; m < q.Mg; ++m) {
            float* row = yg + m * q.ohw;
            const float bv = bias ? bias[gi * q.Mg + m] : 0.0f;
            if (r.fuse_relu) {
              for (int64_t i = 0; i < q.ohw; ++i) row[i] = std::max(row[i] + bv, 0.0f);
            } else {
              for (int64_t i = 0; i < q.ohw; ++i) row[i] += bv;
            }
          }
      }
    });
  }
  void backward(const OpRun& r) override {
    float* gx = r.gin[0];
    if (!gx) return;
    Geo q = geo(r.in_shape[0], r.in_shape[1]);
    const Window2d& g = q.g;
    const float* w = r.in[1];
    const float* gy = r.gout[0];
    const int64_t CgKK = q.Cg * q.kk, HW = g.H * g.W;
    const bool assign = r.gin_fresh && r.gin_fresh[0];
    if (q.same3x3 && conv2d_3x3_narrow_supported(int(q.M), int(g.C))) {
      conv2d_3x3_narrow(gy, int(g.N), int(q.M), int(g.H), int(g.W), w, int(g.C), true, !assign, gx);
      return;
    }
    if (winograd_backward(q, r.threads)) {
      // dx += conv(dy) with the kernels transposed to [C,M] and flipped.
      const int C = int(g.C), M = int(q.M), H = int(g.H), W = int(g.W);
      float* u = r.workspace;
      if (u_bwd_.empty()) winograd_weights(w, M, C, true, u);
      const size_t u_floats = (winograd_weight_floats(M, C) + 15) / 16 * 16;
      if (!u_bwd_.empty()) u = u_bwd_.data();
      over_images(g.N, r.threads, [&](int64_t n, int t) {
        conv3x3_winograd(gy + n * M * HW, M, H, W, u, C, nullptr, false, !assign, gx + n * C * HW,
                         r.workspace + size_t(t) * r.workspace_stride + u_floats);
      });
      return;
    }
    if (assign) std::fill(gx, gx + g.N * g.C * HW, 0.0f);
    over_images(g.N, r.threads, [&](int64_t n, int t) {
      float* cols = r.workspace + size_t(t) * r.workspace_stride;
      for (int64_t gi = 0; gi < group_; ++gi) {
        float* gxg = gx + (n * g.C + gi * q.Cg) * HW;
        const float* gyg = gy + (n * q.M + gi * q.Mg) * q.ohw;
        const float* wg = w + gi * q.Mg * CgKK;
        if (q.direct) {
          sgemm(true, false, int(CgKK), int(q.ohw), int(q.Mg), 1.0f, wg, int(CgKK), gyg, int(q.ohw), 1.0f, gxg, int(q.ohw));
          continue;
        }
        sgemm(true, false, int(CgKK), int(q.ohw), int(q.Mg), 1.0f, wg, int(CgKK), gyg, int(q.ohw), 0.0f, cols, int(q.ohw));
        col2im(cols, int(q.Cg), int(g.H), int(g.W), int(g.kh), int(g.kw), int(g.pt), int(g.pl), int(g.sh), int(g.sw),
               int(g.dh), int(g.dw), int(g.OH), int(g.OW), gxg);
      }
    });
  }
};
}  // namespace
std::unique_ptr<Op> make_conv_op() { return std::make_unique<ConvOp>(); }
// Fan-in of W [M, C/group, kH, kW] (ConvTranspose's [C, M/group, kH, kW] too):
// every dimension after the first, as PyTorch's default initialisation counts it.
int64_t conv_weight_fan_in(const onnx::Node&, const Shape& w) {
  int64_t fan_in = 1;
  for (size_t d = 1; d < w.size(); ++d) fan_in *= w[d];
  return fan_in;
}
}  // namespace xm
