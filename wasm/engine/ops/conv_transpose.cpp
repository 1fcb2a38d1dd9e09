// ConvTranspose: x [N,C,H,W]; w [C,M/group,kH,kW]; b [M]; y [N,M,OH,OW] with
// OH = sh*(H-1) + output_padding + dh*(kH-1) + 1 - pads (or output_shape).
// It is Conv's input-gradient: forward cols = w^T * x then col2im into y;
// backward dx += w * im2col(dy). ref: ONNX ConvTranspose-11.
#include "engine/ops/op_util.h"
#include "kernels/gemm.h"
#include "kernels/im2col.h"

namespace xm {
namespace {
class ConvTransposeOp : public Op {
  std::vector<int64_t> kernel_, strides_, pads_, dilations_, out_pad_, out_shape_;
  std::string auto_pad_;
  int64_t group_ = 1;

  struct Geo {
    int64_t N, C, H, W, M, Cg, Mg, kh, kw, sh, sw, dh, dw, pt, pl, OH, OW;
  };
  Status geometry(const Shape& x, const Shape& w, Geo* q) const {
    const size_t sp = x.size() - 2;
    auto at = [&](const std::vector<int64_t>& v, size_t i, int64_t fb) { return v.empty() ? fb : v[i]; };
    std::vector<int64_t> k = kernel_.empty() ? std::vector<int64_t>(w.begin() + 2, w.end()) : kernel_;
    if (k.size() != sp || (!strides_.empty() && strides_.size() != sp) || (!dilations_.empty() && dilations_.size() != sp) ||
        (!pads_.empty() && pads_.size() != 2 * sp) || (!out_pad_.empty() && out_pad_.size() != sp) ||
        (!out_shape_.empty() && out_shape_.size() != sp))
      return Status::error(label + ": attributes do not match the input's rank");
    q->N = x[0];
    q->C = x[1];
    q->H = sp == 2 ? x[2] : 1;
    q->W = x[sp + 1];
    q->Cg = q->C / group_;
    q->Mg = w[1];
    q->M = q->Mg * group_;
    int64_t in[2] = {q->H, q->W}, kk[2], s[2], d[2], p0[2], out[2];
    for (size_t a = 0; a < 2; ++a) {
      bool real = sp == 2 || a == 1;
      size_t i = sp == 2 ? a : 0;
      kk[a] = real ? k[i] : 1;
      s[a] = real ? at(strides_, i, 1) : 1;
      d[a] = real ? at(dilations_, i, 1) : 1;
      int64_t op = real ? at(out_pad_, i, 0) : 0;
      int64_t ek = d[a] * (kk[a] - 1) + 1;
      int64_t full = s[a] * (in[a] - 1) + op + ek;
      if (real && !out_shape_.empty()) {
        out[a] = out_shape_[i];
        int64_t total = full - out[a];
        // A negative total means output rows no kernel reaches (they hold the bias).
        // ONNX: SAME_UPPER puts the extra padding at the beginning for ConvTranspose.
        p0[a] = auto_pad_ == "SAME_UPPER" ? total - total / 2 : total / 2;
      } else if (real && (auto_pad_ == "SAME_UPPER" || auto_pad_ == "SAME_LOWER")) {
        out[a] = in[a] * s[a];
        int64_t total = std::max<int64_t>(0, full - out[a]);
        p0[a] = auto_pad_ == "SAME_UPPER" ? total / 2 : total - total / 2;
      } else {
        int64_t pb = real && auto_pad_ != "VALID" ? at(pads_, i, 0) : 0;
        int64_t pe = real && auto_pad_ != "VALID" ? at(pads_, i + sp, 0) : 0;
        p0[a] = pb;
        out[a] = full - pb - pe;
      }
      if (out[a] < 1) return Status::error(label + ": output would be empty");
    }
    q->kh = kk[0]; q->kw = kk[1]; q->sh = s[0]; q->sw = s[1]; q->dh = d[0]; q->dw = d[1];
    q->pt = p0[0]; q->pl = p0[1]; q->OH = out[0]; q->OW = out[1];
    return Status::ok();
  }

public:
  bool backward_reads_input(int k) const override { return k != 0; }
  bool backward_reads_output() const override { return false; }
  Status init(const OpInit& c) override {
    XM_TRY(c.allow_attrs({"auto_pad", "dilations", "group", "kernel_shape", "output_padding", "output_shape", "pads", "strides"}));
    XM_TRY(c.expect_inputs(2, 3));
    XM_TRY(c.get_int("group", 1, &group_));
    XM_TRY(c.get_ints("kernel_shape", &kernel_));
    XM_TRY(c.get_ints("strides", &strides_));
    XM_TRY(c.get_ints("pads", &pads_));
    XM_TRY(c.get_ints("dilations", &dilations_));
    XM_TRY(c.get_ints("output_padding", &out_pad_));
    XM_TRY(c.get_ints("output_shape", &out_shape_));
    XM_TRY(c.get_string("auto_pad", "NOTSET", &auto_pad_));
    if (auto_pad_ != "NOTSET" && auto_pad_ != "VALID" && auto_pad_ != "SAME_UPPER" && auto_pad_ != "SAME_LOWER")
      return c.error("auto_pad '" + auto_pad_ + "' is not supported");
    if (group_ < 1) return c.error("group must be at least 1");
    for (auto* v : {&kernel_, &strides_, &dilations_})
      for (int64_t e : *v)
        if (e < 1 || e > 4096) return c.error("kernel_shape, strides and dilations must be from 1 to 4096");
    for (auto* v : {&pads_, &out_pad_})
      for (int64_t e : *v)
        if (e < 0 || e > 4096) return c.error("pads and output_padding must be from 0 to 4096");
    for (int64_t e : out_shape_)
      if (e < 1 || e > (int64_t(1) << 20)) return c.error("output_shape is out of range");
    return Status::ok();
  }
  bool differentiable(int k) const override { return k == 0; }
  Status infer(const OpShapes& s, std::vector<Shape>* out) override {
    const Shape& x = s.in[0];
    const Shape& w = s.in[1];
    if (x.size() != 3 && x.size() != 4) return Status::error(label + ": only 1-D and 2-D inputs are supported, got " + shape_str(x));
    if (w.size() != x.size() || w[0] != x[1] || x[1] % group_)
      return Status::error(label + ": weight " + shape_str(w) + " does not fit input " + shape_str(x));
    if (!kernel_.empty() && !std::equal(kernel_.begin(), kernel_.end(), w.begin() + 2, w.end()))
      return Status::error(label + ": kernel_shape " + shape_str(kernel_) + " does not match weight " + shape_str(w));
    Geo q;
    XM_TRY(geometry(x, w, &q));
    if (s.present.size() > 2 && s.present[2] && (s.in[2].size() != 1 || s.in[2][0] != q.M))
      return Status::error(label + ": bias must have shape [" + std::to_string(q.M) + "]");
    if (x.size() == 3) out->push_back({q.N, q.M, q.OW});
    else out->push_back({q.N, q.M, q.OH, q.OW});
    return Status::ok();
  }
  size_t workspace_floats(const std::vector<Shape>& in, const std::vector<Shape>& out) const override {
    Geo q;
    if (!geometry(in[0], in[1], &q)) return 0;
    return size_t(q.Mg * q.kh * q.kw * q.H * q.W);
  }
  void forward(const OpRun& r) override {
    Geo q;
    XM_ASSERT(geometry(r.in_shape[0], r.in_shape[1], &q).is_ok());
    const float* x = r.in[0];
    const float* w = r.in[1];
    const float* bias = r.num_in > 2 ? r.in[2] : nullptr;
    float* y = r.out[0];
    float* cols = r.workspace;
    const int64_t HW = q.H * q.W, OHW = q.OH * q.OW, MgKK = q.Mg * q.kh * q.kw;
    std::fill(y, y + q.N * q.M * OHW, 0.0f);
    for (int64_t n = 0; n < q.N; ++n)
      for (int64_t gi = 0; gi < group_; ++gi) {
        const float* xg = x + (n * q.C + gi * q.Cg) * HW;
        const float* wg = w + gi * q.Cg * MgKK;  // [Cg, Mg*kh*kw]
        sgemm(true, false, int(MgKK), int(HW), int(q.Cg), 1.0f, wg, int(MgKK), xg, int(HW), 0.0f, cols, int(HW));
        col2im(cols, int(q.Mg), int(q.OH), int(q.OW), int(q.kh), int(q.kw), int(q.pt), int(q.pl), int(q.sh), int(q.sw),
               int(q.dh), int(q.dw), int(q.H), int(q.W), y + (n * q.M + gi * q.Mg) * OHW);
      }
    if (bias)
      for (int64_t n = 0; n < q.N; ++n)
        for (int64_t m = 0; m < q.M; ++m) {
          float* p = y + (n * q.M + m) * OHW;
          for (int64_t i = 0; i < OHW; ++i) p[i] += bias[m];
        }
  }
  void backward(const OpRun& r) override {
    float* gx = r.gin[0];
    if (!gx) return;
    Geo q;
    XM_ASSERT(geometry(r.in_shape[0], r.in_shape[1], &q).is_ok());
    const float* w = r.in[1];
    const float* gy = r.gout[0];
    float* cols = r.workspace;
    const int64_t HW = q.H * q.W, OHW = q.OH * q.OW, MgKK = q.Mg * q.kh * q.kw;
    for (int64_t n = 0; n < q.N; ++n)
      for (int64_t gi = 0; gi < group_; ++gi) {
        im2col(gy + (n * q.M + gi * q.Mg) * OHW, int(q.Mg), int(q.OH), int(q.OW), int(q.kh), int(q.kw), int(q.pt),
               int(q.pl), int(q.sh), int(q.sw), int(q.dh), int(q.dw), int(q.H), int(q.W), cols);
        sgemm(false, false, int(q.Cg), int(HW), int(MgKK), 1.0f, w + gi * q.Cg * MgKK, int(MgKK), cols, int(HW), 1.0f,
              gx + (n * q.C + gi * q.Cg) * HW, int(HW));
      }
  }
};
}  // namespace
std::unique_ptr<Op> make_conv_transpose_op() { return std::make_unique<ConvTransposeOp>(); }
}  // namespace xm
