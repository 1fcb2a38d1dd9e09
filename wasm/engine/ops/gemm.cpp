// Gemm: Y[M,N] = alpha * op(A)[M,K] * op(B)[K,N] + beta * C (C broadcast to
// [M,N]). Backward: dA = alpha dY op(B)^T, dB = alpha op(A)^T dY (when B is an
// activation too), dC = beta * dY summed over broadcast dims. ref: ONNX Gemm-13.
#include "engine/ops/op_util.h"
#include "kernels/gemm.h"

namespace xm {
namespace {
class GemmOp : public Op {
  float alpha_ = 1, beta_ = 1;
  int64_t ta_ = 0, tb_ = 0;

  void dims(const OpRun& r, int64_t* M, int64_t* N, int64_t* K) const {
    const Shape& a = r.in_shape[0];
    const Shape& b = r.in_shape[1];
    *M = ta_ ? a[1] : a[0];
    *K = ta_ ? a[0] : a[1];
    *N = tb_ ? b[0] : b[1];
  }

public:
  bool backward_reads_output() const override { return false; }
  Status init(const OpInit& c) override {
    XM_TRY(c.allow_attrs({"alpha", "beta", "transA", "transB", "broadcast"}));
    XM_TRY(c.expect_inputs(2, 3));
    XM_TRY(c.get_float("alpha", 1.0f, &alpha_));
    XM_TRY(c.get_float("beta", 1.0f, &beta_));
    XM_TRY(c.get_int("transA", 0, &ta_));
    XM_TRY(c.get_int("transB", 0, &tb_));
    return Status::ok();
  }
  Status infer(const OpShapes& s, std::vector<Shape>* out) override {
    const Shape& a = s.in[0];
    const Shape& b = s.in[1];
    if (a.size() != 2 || b.size() != 2) return Status::error(label + ": A and B must be 2-D, got " + shape_str(a) + " and " + shape_str(b));
    int64_t M = ta_ ? a[1] : a[0], K = ta_ ? a[0] : a[1], K2 = tb_ ? b[1] : b[0], N = tb_ ? b[0] : b[1];
    if (K != K2) return Status::error(label + ": inner dimensions differ: " + shape_str(a) + " and " + shape_str(b));
    if (s.present.size() > 2 && s.present[2]) {
      Broadcast br;
      if (!broadcast_plan(s.in[2], {M, N}, &br) || br.out != Shape{M, N})
        return Status::error(label + ": C " + shape_str(s.in[2]) + " does not broadcast to " + shape_str({M, N}));
    }
    out->push_back({M, N});
    return Status::ok();
  }
  void forward(const OpRun& r) override {
    int64_t M, N, K;
    dims(r, &M, &N, &K);
    float* y = r.out[0];
    const bool has_c = r.num_in > 2 && r.in[2] && beta_ != 0.0f;
    if (has_c) {
      Broadcast br;
      broadcast_plan(r.in_shape[2], {M, N}, &br);
      const float* c = r.in[2];
      const float beta = beta_;
      broadcast_for_each(br, [&](int64_t o, int64_t ia, int64_t, int64_t n, int64_t sa, int64_t) {
        for (int64_t k = 0; k < n; ++k) y[o + k] = beta * c[ia + k * sa];
      });
    }
    sgemm(ta_, tb_, int(M), int(N), int(K), alpha_, r.in[0], int(r.in_shape[0][1]), r.in[1], int(r.in_shape[1][1]),
          has_c ? 1.0f : 0.0f, y, int(N));
  }
  void backward(const OpRun& r) override {
    int64_t M, N, K;
    dims(r, &M, &N, &K);
    const float* gy = r.gout[0];
    const float* A = r.in[0];
    const float* B = r.in[1];
    const int lda = int(r.in_shape[0][1]), ldb = int(r.in_shape[1][1]);
    if (float* ga = r.gin[0]) {
      if (!ta_) sgemm(false, !tb_, int(M), int(K), int(N), alpha_, gy, int(N), B, ldb, 1.0f, ga, int(K));
      else sgemm(tb_, true, int(K), int(M), int(N), alpha_, B, ldb, gy, int(N), 1.0f, ga, int(M));
    }
    if (float* gb = r.gin[1]) {
      if (!tb_) sgemm(!ta_, false, int(K), int(N), int(M), alpha_, A, lda, gy, int(N), 1.0f, gb, int(N));
      else sgemm(true, ta_, int(N), int(K), int(M), alpha_, gy, int(N), A, lda, 1.0f, gb, int(K));
    }
    if (r.num_in > 2 && r.gin[2]) {
      Broadcast br;
      broadcast_plan(r.in_shape[2], {M, N}, &br);
      float* gc = r.gin[2];
      const float beta = beta_;
      broadcast_for_each(br, [&](int64_t o, int64_t ia, int64_t, int64_t n, int64_t sa, int64_t) {
        for (int64_t k = 0; k < n; ++k) gc[ia + k * sa] += beta * gy[o + k];
      });
    }
  }
};
}  // namespace
std::unique_ptr<Op> make_gemm_op() { return std::make_unique<GemmOp>(); }
// Fan-in of B [K, N] ([N, K] under transB); of a B that is not a matrix, its size.
int64_t gemm_weight_fan_in(const onnx::Node& n, const Shape& w) {
  const onnx::Attribute* tb = onnx::find_attr(n, "transB");
  return w.size() == 2 ? ((tb && tb->i) ? w[1] : w[0]) : shape_numel(w);
}
}  // namespace xm
