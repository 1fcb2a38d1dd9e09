// Kernels against naive references: sgemm (every transpose, beta, leading
// dimension), im2col/col2im (a direct convolution; the adjoint identity), and
// the thread pool (coverage, reproducibility across thread counts).
#include <doctest/doctest.h>

#include <atomic>
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include "kernels/activation.h"
#include "kernels/conv_direct.h"
#include "kernels/conv_gemm.h"
#include "kernels/gemm.h"
#include "kernels/im2col.h"
#include "kernels/pool.h"
#include "kernels/thread_pool.h"
#include "test_random.h"

using namespace xm;

namespace {

// Double-precision triple loop: the reference every sgemm variant must match.
void gemm_naive(bool ta, bool tb, int M, int N, int K, float alpha, const float* A, int lda,
                const float* B, int ldb, float beta, float* C, int ldc) {
  for (int i = 0; i < M; ++i)
    for (int j = 0; j < N; ++j) {
      double acc = 0;
      for (int p = 0; p < K; ++p)
        acc += double(ta ? A[(size_t)p * lda + i] : A[(size_t)i * lda + p]) *
               double(tb ? B[(size_t)j * ldb + p] : B[(size_t)p * ldb + j]);
      double c = beta == 0.0f ? 0.0 : double(beta) * C[(size_t)i * ldc + j];
      C[(size_t)i * ldc + j] = float(alpha * acc + c);
    }
}

struct GemmCase {
  bool ta, tb;
  int M, N, K;
  float alpha, beta;
  int pad_a, pad_b, pad_c;  // extra columns: lda = cols + pad
};

// Runs sgemm and the naive loop on the same random data; returns the largest
// error relative to sqrt(K) (the size of a sum of K products of values in [-1,1]).
double gemm_error(const GemmCase& g, uint32_t seed) {
  const int a_rows = g.ta ? g.K : g.M, a_cols = g.ta ? g.M : g.K;
  const int b_rows = g.tb ? g.N : g.K, b_cols = g.tb ? g.K : g.N;
  const int lda = a_cols + g.pad_a, ldb = b_cols + g.pad_b, ldc = g.N + g.pad_c;
  auto A = test::uniform_vector((size_t)a_rows * lda + 1, seed);
  auto B = test::uniform_vector((size_t)b_rows * ldb + 1, seed + 1);
  auto C = test::uniform_vector((size_t)g.M * ldc + 1, seed + 2);
  auto R = C;
  if (g.beta == 0.0f)  // beta 0 must ignore NaN in C
    for (int i = 0; i < g.M; ++i)
      for (int j = 0; j < g.N; ++j) C[(size_t)i * ldc + j] = NAN;
  sgemm(g.ta, g.tb, g.M, g.N, g.K, g.alpha, A.data(), lda, B.data(), ldb, g.beta, C.data(), ldc);
  gemm_naive(g.ta, g.tb, g.M, g.N, g.K, g.alpha, A.data(), lda, B.data(), ldb, g.beta, R.data(), ldc);
  double err = 0;
  const double scale = std::sqrt(double(std::max(g.K, 1)));
  for (int i = 0; i < g.M; ++i) {
    for (int j = 0; j < ldc; ++j) {
      const size_t k = (size_t)i * ldc + j;
      if (j >= g.N) {  // padding columns of C must be left alone
        if (C[k] != R[k]) return 1e30;
        continue;
      }
      if (!std::isfinite(C[k])) return 1e30;
      err = std::max(err, std::fabs(double(C[k]) - R[k]) / scale);
    }
  }
  return err;
}

// Direct convolution of one image and one output channel-set, straight from
// the ONNX Conv definition; the reference im2col + GEMM must reproduce.
void conv_naive(const float* x, const float* w, int C, int H, int W, int M, int kH, int kW,
                int pt, int pl, int sh, int sw, int dh, int dw, int oH, int oW, float* y) {
  for (int m = 0; m < M; ++m)
    for (int oh = 0; oh < oH; ++oh)
      for (int ow = 0; ow < oW; ++ow) {
        double acc = 0;
        for (int c = 0; c < C; ++c)
          for (int i = 0; i < kH; ++i)
            for (int j = 0; j < kW; ++j) {
              int ih = oh * sh - pt + i * dh, iw = ow * sw - pl + j * dw;
              if (ih < 0 || ih >= H || iw < 0 || iw >= W) continue;
              acc += double(x[((size_t)c * H + ih) * W + iw]) * w[(((size_t)m * C + c) * kH + i) * kW + j];
            }
        y[((size_t)m * oH + oh) * oW + ow] = float(acc);
      }
}

}  // namespace

TEST_SUITE("kernels_gemm") {
  TEST_CASE("sgemm matches a naive triple loop on many shapes") {
    const int sizes[][3] = {{1, 1, 1},   {1, 7, 3},    {5, 1, 9},    {3, 5, 0},   {2, 3, 4},
                            {7, 13, 5},  {16, 16, 16}, {17, 33, 65}, {4, 64, 9},  {16, 4096, 9},
                            {32, 1024, 144}, {64, 256, 288}, {63, 129, 257}, {100, 31, 70},
                            {5, 300, 1}, {1, 1000, 40}, {257, 3, 11}, {2, 2, 513}};
    uint32_t seed = 1;
    for (auto& s : sizes)
      for (int t = 0; t < 4; ++t)
        for (int bi = 0; bi < 3; ++bi) {
          GemmCase g{bool(t & 1), bool(t & 2), s[0], s[1], s[2], bi == 2 ? -0.5f : 1.0f,
                     bi == 0 ? 0.0f : (bi == 1 ? 1.0f : 0.25f), (int)(seed % 3), (int)(seed % 5), (int)(seed % 2)};
          double err = gemm_error(g, seed++);
          INFO("ta=" << g.ta << " tb=" << g.tb << " M=" << g.M << " N=" << g.N << " K=" << g.K
                     << " alpha=" << g.alpha << " beta=" << g.beta << " pads=" << g.pad_a << "," << g.pad_b
                     << "," << g.pad_c << " err=" << err);
          CHECK(err < 1e-5);
        }
  }

  TEST_CASE("sgemm with M, N or K zero") {
    std::vector<float> C = {1, 2, 3, 4};
    float a = 1, b = 1;
    sgemm(false, false, 2, 2, 0, 1.0f, &a, 1, &b, 2, 0.0f, C.data(), 2);  // K=0, beta 0: C = 0
    CHECK(C == std::vector<float>{0, 0, 0, 0});
    C = {1, 2, 3, 4};
    sgemm(false, false, 2, 2, 0, 1.0f, &a, 1, &b, 2, 2.0f, C.data(), 2);  // K=0: C = beta*C
    CHECK(C == std::vector<float>{2, 4, 6, 8});
    sgemm(false, false, 0, 2, 3, 1.0f, &a, 3, &b, 2, 0.0f, C.data(), 2);  // M=0: untouched
    sgemm(false, false, 2, 0, 3, 1.0f, &a, 3, &b, 1, 0.0f, C.data(), 1);  // N=0: untouched
    CHECK(C == std::vector<float>{2, 4, 6, 8});
  }

  TEST_CASE("sgemm hand-computed 2x2") {
    const float A[] = {1, 2, 3, 4}, B[] = {5, 6, 7, 8};
    float C[4] = {1, 1, 1, 1};
    sgemm(false, false, 2, 2, 2, 1.0f, A, 2, B, 2, 1.0f, C, 2);
    CHECK(C[0] == 20); CHECK(C[1] == 23); CHECK(C[2] == 44); CHECK(C[3] == 51);
    sgemm(true, true, 2, 2, 2, 1.0f, A, 2, B, 2, 0.0f, C, 2);  // A^T B^T
    CHECK(C[0] == 23); CHECK(C[1] == 31); CHECK(C[2] == 34); CHECK(C[3] == 46);
  }

  TEST_CASE("sgemm is bit-identical for 1, 2 and 3 threads") {
    const int M = 70, N = 1500, K = 77;
    auto A = test::uniform_vector((size_t)M * K, 7), B = test::uniform_vector((size_t)K * N, 8);
    std::vector<float> C1((size_t)M * N), C2(C1.size()), C3(C1.size());
    const int before = num_threads();
    set_num_threads(1);
    sgemm(false, false, M, N, K, 1.0f, A.data(), K, B.data(), N, 0.0f, C1.data(), N);
    set_num_threads(2);
    sgemm(false, false, M, N, K, 1.0f, A.data(), K, B.data(), N, 0.0f, C2.data(), N);
    set_num_threads(3);
    sgemm(false, false, M, N, K, 1.0f, A.data(), K, B.data(), N, 0.0f, C3.data(), N);
    set_num_threads(before);
    CHECK(C1 == C2);
    CHECK(C1 == C3);
  }

  TEST_CASE("sgemm split over rows (narrow N) is bit-identical for 1 and 2 threads") {
    const int M = 203, N = 10, K = 300;  // K > one cache block: several passes over C
    auto A = test::uniform_vector((size_t)K * M, 17), B = test::uniform_vector((size_t)N * K, 18);
    auto C1 = test::uniform_vector((size_t)M * N, 19), C2 = C1;
    const int before = num_threads();
    set_num_threads(1);
    sgemm(true, true, M, N, K, 0.5f, A.data(), M, B.data(), K, 1.0f, C1.data(), N);
    set_num_threads(2);
    sgemm(true, true, M, N, K, 0.5f, A.data(), M, B.data(), K, 1.0f, C2.data(), N);
    set_num_threads(before);
    CHECK(C1 == C2);
  }
}

TEST_SUITE("kernels_im2col") {
  TEST_CASE("im2col + sgemm equals a direct convolution") {
    struct P { int C, H, W, M, kH, kW, pt, pl, sh, sw, dh, dw, pb, pr; };
    const P ps[] = {{1, 8, 8, 4, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1}, {3, 7, 9, 5, 3, 3, 1, 1, 2, 2, 1, 1, 1, 1},
                    {2, 10, 6, 3, 3, 2, 0, 2, 1, 3, 2, 1, 1, 0}, {4, 5, 5, 2, 1, 1, 0, 0, 1, 1, 1, 1, 0, 0},
                    {2, 6, 11, 3, 5, 5, 2, 2, 1, 1, 1, 2, 2, 2}, {1, 4, 4, 1, 4, 4, 0, 0, 4, 4, 1, 1, 0, 0},
                    {2, 3, 3, 2, 3, 3, 3, 3, 1, 1, 1, 1, 3, 3},  // padding wider than the image
                    {3, 20, 37, 7, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1},  // rows not a multiple of a panel
                    {16, 16, 32, 9, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1}, {2, 40, 40, 5, 3, 3, 0, 0, 1, 1, 2, 2, 0, 0}};
    uint32_t seed = 100;
    for (auto& p : ps) {
      const int oH = (p.H + p.pt + p.pb - p.dh * (p.kH - 1) - 1) / p.sh + 1;
      const int oW = (p.W + p.pl + p.pr - p.dw * (p.kW - 1) - 1) / p.sw + 1;
      const int Kd = p.C * p.kH * p.kW, Nd = oH * oW;
      auto x = test::uniform_vector((size_t)p.C * p.H * p.W, seed++), w = test::uniform_vector((size_t)p.M * Kd, seed++);
      std::vector<float> cols((size_t)Kd * Nd, NAN), y((size_t)p.M * Nd), ref(y.size());
      im2col(x.data(), p.C, p.H, p.W, p.kH, p.kW, p.pt, p.pl, p.sh, p.sw, p.dh, p.dw, oH, oW, cols.data());
      sgemm(false, false, p.M, Nd, Kd, 1.0f, w.data(), Kd, cols.data(), Nd, 0.0f, y.data(), Nd);
      conv_naive(x.data(), w.data(), p.C, p.H, p.W, p.M, p.kH, p.kW, p.pt, p.pl, p.sh, p.sw, p.dh, p.dw, oH, oW, ref.data());
      double err = 0;
      for (size_t i = 0; i < y.size(); ++i) err = std::max(err, (double)std::fabs(y[i] - ref[i]));
      // The implicit GEMM (no column matrix), with a bias, on NaN-filled output.
      auto bias = test::uniform_vector((size_t)p.M, seed++);
      std::vector<float> yi(y.size(), NAN);
      conv2d_gemm(x.data(), p.C, p.H, p.W, p.kH, p.kW, p.pt, p.pl, p.sh, p.sw, p.dh, p.dw, oH, oW, w.data(), p.M,
                  bias.data(), yi.data());
      double err_implicit = 0;
      for (size_t i = 0; i < y.size(); ++i) {
        const double d = std::fabs(yi[i] - (ref[i] + bias[i / Nd]));
        err_implicit = std::isfinite(d) ? std::max(err_implicit, d) : 1e30;
      }
      INFO("C=" << p.C << " H=" << p.H << " W=" << p.W << " k=" << p.kH << "x" << p.kW << " pads=" << p.pt
                << "," << p.pl << " strides=" << p.sh << "," << p.sw << " dil=" << p.dh << "," << p.dw << " err=" << err
                << " err_implicit=" << err_implicit);
      CHECK(err < 1e-5);
      CHECK(err_implicit < 1e-5);
    }
  }

  TEST_CASE("conv2d_gemm is bit-identical for 1 and 2 threads") {
    const int C = 8, H = 30, W = 45, M = 13;
    auto x = test::uniform_vector((size_t)C * H * W, 41), w = test::uniform_vector((size_t)M * C * 9, 42), b = test::uniform_vector(M, 43);
    std::vector<float> y1((size_t)M * H * W), y2(y1.size());
    const int before = num_threads();
    set_num_threads(1);
    conv2d_gemm(x.data(), C, H, W, 3, 3, 1, 1, 1, 1, 1, 1, H, W, w.data(), M, b.data(), y1.data());
    set_num_threads(2);
    conv2d_gemm(x.data(), C, H, W, 3, 3, 1, 1, 1, 1, 1, 1, H, W, w.data(), M, b.data(), y2.data());
    set_num_threads(before);
    CHECK(y1 == y2);
  }

  TEST_CASE("conv2d_3x3_direct equals a direct convolution (pad 1, stride 1)") {
    struct P { int N, C, H, W, M; bool bias; };
    const P ps[] = {{2, 1, 16, 16, 16, true}, {1, 1, 5, 7, 3, false}, {3, 2, 9, 33, 6, true},
                    {1, 3, 1, 1, 5, true}, {2, 1, 128, 20, 9, false}};
    uint32_t seed = 300;
    const int before = num_threads();
    for (int threads : {1, 2}) {
      set_num_threads(threads);
      for (auto& p : ps) {
        const size_t plane = (size_t)p.H * p.W;
        auto x = test::uniform_vector((size_t)p.N * p.C * plane, seed++), w = test::uniform_vector((size_t)p.M * p.C * 9, seed++);
        auto bias = test::uniform_vector((size_t)p.M, seed++);
        std::vector<float> y((size_t)p.N * p.M * plane, NAN), ref(plane * p.M);
        conv2d_3x3_direct(x.data(), p.N, p.C, p.H, p.W, w.data(), p.M, p.bias ? bias.data() : nullptr, y.data());
        double err = 0;
        for (int n = 0; n < p.N; ++n) {
          conv_naive(x.data() + (size_t)n * p.C * plane, w.data(), p.C, p.H, p.W, p.M, 3, 3, 1, 1, 1, 1, 1, 1,
                     p.H, p.W, ref.data());
          for (int m = 0; m < p.M; ++m)
            for (size_t i = 0; i < plane; ++i) {
              const double r = ref[m * plane + i] + (p.bias ? bias[m] : 0.0f);
              const double v = y[((size_t)n * p.M + m) * plane + i];
              err = std::isfinite(v) ? std::max(err, std::fabs(v - r)) : 1e30;
            }
        }
        INFO("threads=" << threads << " N=" << p.N << " C=" << p.C << " H=" << p.H << " W=" << p.W
                        << " M=" << p.M << " bias=" << p.bias << " err=" << err);
        CHECK(err < 1e-5);
      }
    }
    set_num_threads(before);
  }

  TEST_CASE("col2im is the adjoint of im2col: <im2col(x), g> == <x, col2im(g)>") {
    const int C = 3, H = 9, W = 7, kH = 3, kW = 3, pt = 1, pl = 2, sh = 2, sw = 1, dh = 1, dw = 2;
    const int oH = (H + pt + 1 - dh * (kH - 1) - 1) / sh + 1, oW = (W + pl + 2 - dw * (kW - 1) - 1) / sw + 1;
    const size_t ncols = (size_t)C * kH * kW * oH * oW;
    auto x = test::uniform_vector((size_t)C * H * W, 5), g = test::uniform_vector(ncols, 6);
    std::vector<float> cols(ncols);
    im2col(x.data(), C, H, W, kH, kW, pt, pl, sh, sw, dh, dw, oH, oW, cols.data());
    auto gx = test::uniform_vector(x.size(), 9);  // col2im accumulates: start from non-zero values
    auto gx0 = gx;
    col2im(g.data(), C, H, W, kH, kW, pt, pl, sh, sw, dh, dw, oH, oW, gx.data());
    double lhs = 0, rhs = 0;
    for (size_t i = 0; i < ncols; ++i) lhs += double(cols[i]) * g[i];
    for (size_t i = 0; i < x.size(); ++i) rhs += double(x[i]) * (gx[i] - gx0[i]);
    CHECK(lhs == doctest::Approx(rhs).epsilon(1e-5));
    // hand check: 1x1 kernel, stride 1, no pad: col2im is a plain add.
    float one[4] = {1, 2, 3, 4}, acc[4] = {10, 10, 10, 10};
    col2im(one, 1, 2, 2, 1, 1, 0, 0, 1, 1, 1, 1, 2, 2, acc);
    CHECK(acc[0] == 11); CHECK(acc[3] == 14);
  }
}

TEST_SUITE("kernels_threads") {
  TEST_CASE("parallel_for covers [0,n) exactly once for any thread count") {
    const int before = num_threads();
    for (int t : {1, 2, 3, 4}) {
      set_num_threads(t);
      CHECK(num_threads() == std::min(t, kernels_max_threads()));
      for (int64_t n : {0, 1, 2, 3, 5, 17, 1000}) {
        std::vector<std::atomic<int>> hits((size_t)n);
        for (auto& h : hits) h = 0;
        std::atomic<int> calls{0};
        parallel_for(n, [&](int64_t b, int64_t e) {
          calls++;
          CHECK(b < e);
          for (int64_t i = b; i < e; ++i) hits[(size_t)i]++;
        });
        int bad = 0;
        for (auto& h : hits) bad += h != 1;
        INFO("threads=" << t << " n=" << n);
        CHECK(bad == 0);
        CHECK(calls <= std::max<int64_t>(1, std::min<int64_t>(n, num_threads())));
      }
    }
    set_num_threads(before);
  }

  TEST_CASE("nested parallel_for runs inline and still covers everything") {
    const int before = num_threads();
    set_num_threads(2);
    std::vector<int> out(64 * 8, 0);
    parallel_for(64, [&](int64_t b, int64_t e) {
      for (int64_t i = b; i < e; ++i)
        parallel_for(8, [&](int64_t b2, int64_t e2) {
          for (int64_t j = b2; j < e2; ++j) out[(size_t)(i * 8 + j)] += 1;
        });
    });
    int bad = 0;
    for (int v : out) bad += v != 1;
    CHECK(bad == 0);
    set_num_threads(before);
  }

  TEST_CASE("set_num_threads clamps absurd values") {
    const int before = num_threads();
    set_num_threads(0);
    CHECK(num_threads() == 1);
    set_num_threads(-5);
    CHECK(num_threads() == 1);
    set_num_threads(1 << 20);
    CHECK(num_threads() == kernels_max_threads());
    set_num_threads(before);
  }
}

TEST_SUITE("kernels_pool_relu") {
  // Values from a small set so that windows hold ties (and zeros); odd lengths reach the scalar tails.
  std::vector<float> tie_vec(size_t n, uint32_t seed) {
    std::mt19937 rng(seed);
    std::uniform_int_distribution<int> u(-2, 2);
    std::vector<float> v(n);
    for (auto& x : v) x = 0.5f * float(u(rng));
    return v;
  }

  TEST_CASE("relu_backward equals the scalar rule (plain, guided, assign, accumulate)") {
    for (int64_t n : {1, 3, 8, 37, 1000}) {
      auto y = tie_vec(size_t(n), 1), gy = test::uniform_vector(size_t(n), 2), base = test::uniform_vector(size_t(n), 3);
      y[0] = NAN;  // a NaN activation never passes a gradient
      for (bool guided : {false, true})
        for (bool acc : {false, true}) {
          std::vector<float> got = base, want = base;
          relu_backward(y.data(), gy.data(), n, guided, acc, got.data());
          for (int64_t i = 0; i < n; ++i) {
            const float v = (y[size_t(i)] > 0.0f && (!guided || gy[size_t(i)] > 0.0f)) ? gy[size_t(i)] : 0.0f;
            want[size_t(i)] = acc ? want[size_t(i)] + v : v;
          }
          INFO("n=" << n << " guided=" << guided << " accumulate=" << acc);
          CHECK(got == want);
        }
    }
  }

  TEST_CASE("maxpool2x2_backward_row sends each gradient to the window's first maximum") {
    for (int64_t OW : {1, 4, 9, 33}) {
      auto r0 = tie_vec(size_t(2 * OW), 4), r1 = tie_vec(size_t(2 * OW), 5), gy = test::uniform_vector(size_t(OW), 6);
      for (PoolReluMask mask : {PoolReluMask::NONE, PoolReluMask::RELU, PoolReluMask::GUIDED}) {
        std::vector<float> g0(size_t(2 * OW), 9.0f), g1(size_t(2 * OW), 9.0f);
        maxpool2x2_backward_row(r0.data(), r1.data(), gy.data(), OW, mask, g0.data(), g1.data());
        for (int64_t ow = 0; ow < OW; ++ow) {
          // The reference: a row-major scan keeping the first strict maximum, then the Relu's rule on its value.
          const float win[4] = {r0[size_t(2 * ow)], r0[size_t(2 * ow + 1)], r1[size_t(2 * ow)], r1[size_t(2 * ow + 1)]};
          int arg = 0;
          for (int k = 1; k < 4; ++k)
            if (win[k] > win[arg]) arg = k;
          float v = gy[size_t(ow)];
          if (mask != PoolReluMask::NONE && !(win[arg] > 0.0f)) v = 0.0f;
          if (mask == PoolReluMask::GUIDED && !(v > 0.0f)) v = 0.0f;
          const float got[4] = {g0[size_t(2 * ow)], g0[size_t(2 * ow + 1)], g1[size_t(2 * ow)], g1[size_t(2 * ow + 1)]};
          for (int k = 0; k < 4; ++k) {
            INFO("OW=" << OW << " ow=" << ow << " k=" << k << " mask=" << int(mask));
            CHECK(got[k] == (k == arg ? v : 0.0f));
          }
        }
      }
    }
  }
}
