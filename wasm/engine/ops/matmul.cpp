// MatMul with numpy semantics: A [...,M,K] * B [...,K,N] → [...,M,N], batch
// dims broadcast, a 1-D A is [1,K] and a 1-D B is [K,1] (then squeezed).
// Backward: dA = dY B^T, dB = A^T dY, summed over broadcast batches.
// ref: ONNX MatMul-13 (numpy.matmul).
#include "engine/ops/op_util.h"
#include "kernels/gemm.h"

namespace xm {
namespace {
struct MatMulGeo {
  int64_t M = 0, N = 0, K = 0;
  Broadcast batch;  // over the batch dims of A and B (strides in matrices)
  Shape out;
};

bool matmul_geo(const Shape& a0, const Shape& b0, MatMulGeo* g) {
  if (a0.empty() || b0.empty()) return false;
  Shape a = a0, b = b0;
  bool a1 = a.size() == 1, b1 = b.size() == 1;
  if (a1) a.insert(a.begin(), 1);
  if (b1) b.push_back(1);
  g->M = a[a.size() - 2];
  g->K = a[a.size() - 1];
  g->N = b[b.size() - 1];
  if (b[b.size() - 2] != g->K) return false;
  Shape ab(a.begin(), a.end() - 2), bb(b.begin(), b.end() - 2);
  if (!broadcast_plan(ab, bb, &g->batch)) return false;
  g->out = g->batch.out;
  if (!a1) g->out.push_back(g->M);
  if (!b1) g->out.push_back(g->N);
  return true;
}

class MatMulOp : public Op {
  template <class F>
  static void each_batch(const MatMulGeo& g, F&& fn) {
    if (g.batch.out.empty()) {
      fn(0, 0, 0);
      return;
    }
    // Walk the broadcast batch index by index (the inner run has step sa/sb).
    broadcast_for_each(g.batch, [&](int64_t o, int64_t ia, int64_t ib, int64_t n, int64_t sa, int64_t sb) {
      for (int64_t k = 0; k < n; ++k) fn(o + k, ia + k * sa, ib + k * sb);
    });
  }

public:
  bool backward_reads_output() const override { return false; }
  Status init(const OpInit& c) override {
    XM_TRY(c.allow_attrs({}));
    return c.expect_inputs(2, 2);
  }
  Status infer(const OpShapes& s, std::vector<Shape>* out) override {
    MatMulGeo g;
    if (!matmul_geo(s.in[0], s.in[1], &g))
      return Status::error(label + ": shapes " + shape_str(s.in[0]) + " and " + shape_str(s.in[1]) + " do not multiply");
    out->push_back(g.out);
    return Status::ok();
  }
  void forward(const OpRun& r) override {
    MatMulGeo g;
    matmul_geo(r.in_shape[0], r.in_shape[1], &g);
    const int64_t MK = g.M * g.K, KN = g.K * g.N, MN = g.M * g.N;
    each_batch(g, [&](int64_t o, int64_t ia, int64_t ib) {
      sgemm(false, false, int(g.M), int(g.N), int(g.K), 1.0f, r.in[0] + ia * MK, int(g.K), r.in[1] + ib * KN, int(g.N),
            0.0f, r.out[0] + o * MN, int(g.N));
    });
  }
  void backward(const OpRun& r) override {
    MatMulGeo g;
    matmul_geo(r.in_shape[0], r.in_shape[1], &g);
    const int64_t MK = g.M * g.K, KN = g.K * g.N, MN = g.M * g.N;
    const float* gy = r.gout[0];
    each_batch(g, [&](int64_t o, int64_t ia, int64_t ib) {
      if (r.gin[0])
        sgemm(false, true, int(g.M), int(g.K), int(g.N), 1.0f, gy + o * MN, int(g.N), r.in[1] + ib * KN, int(g.N), 1.0f,
              r.gin[0] + ia * MK, int(g.K));
      if (r.gin[1])
        sgemm(true, false, int(g.K), int(g.N), int(g.M), 1.0f, r.in[0] + ia * MK, int(g.K), gy + o * MN, int(g.N), 1.0f,
              r.gin[1] + ib * KN, int(g.N));
    });
  }
};
}  // namespace
std::unique_ptr<Op> make_matmul_op() { return std::make_unique<MatMulOp>(); }
// Fan-in of W in x [.., K] @ W [.., K, N]: K (a 1-D W's only dimension).
int64_t matmul_weight_fan_in(const onnx::Node&, const Shape& w) { return w.size() >= 2 ? w[w.size() - 2] : w[0]; }
}  // namespace xm
