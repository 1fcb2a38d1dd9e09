// sgemm: see gemm.h. Goto/BLIS structure written once with Highway (static
// dispatch): AVX2+FMA natively, WebAssembly SIMD128 (mul + add, no FMA) in the
// wasm build.
//
// [SECTION] blocking constants  [SECTION] packing  [SECTION] micro-kernel
// [SECTION] one block of C      [SECTION] sgemm, threads
// [SECTION] convolution as an implicit GEMM
//
// Loop nest for one thread's block of C (rows [m0,m1), columns [n0,n1)):
//   jc over N by kNC -> pc over K by kKC (pack B block: [kc][NR] panels)
//     -> ic over M by kMC (pack A block: [kc][MR] panels, alpha folded in)
//       -> jr over NR panels (B micro-panel stays in L1) -> ir over MR panels
// K is always cut at the same places and each C element belongs to exactly
// one micro-tile, so the summation order, and the result bits, do not depend
// on how many threads share the work.

#include "kernels/gemm.h"

#include "kernels/simd.h"

#include "kernels/conv_gemm.h"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <vector>

#include "core/status.h"
#include "kernels/thread_pool.h"

namespace xm {

namespace {

// [SECTION] blocking constants
using D = simd::D;
using V = simd::V;
constexpr int kL = simd::kL;
#if defined(XM_GEMM_MR) && defined(XM_GEMM_NV)  // for tuning experiments
constexpr int kMR = XM_GEMM_MR;
constexpr int kNV = XM_GEMM_NV;
#elif HWY_TARGET == HWY_WASM
// 16 xmm registers behind V8: 4x8 keeps 8 accumulators + 2 B + 1 broadcast.
constexpr int kMR = 4;
constexpr int kNV = 2;
#elif HWY_TARGET == HWY_SCALAR || HWY_TARGET == HWY_EMU128
constexpr int kMR = 4;
constexpr int kNV = 4;
#else
// AVX2: 6x16 = 12 accumulators + 2 B + 1 broadcast of the 16 ymm registers.
constexpr int kMR = 6;
constexpr int kNV = 2;
#endif
constexpr int kNR = kNV * kL;
constexpr int kKC = 256;                 // B micro-panel kKC x kNR = 16 KB (L1)
constexpr int kMC = kMR * 24;            // A block kMC x kKC ~ 96-144 KB (L2)
constexpr int kNC = kNR * 128;           // B block per (jc, pc)

// Scratch that grows once per thread and is then reused, so steady-state
// calls allocate nothing.
float* scratch(std::vector<float>& v, size_t n) {
  if (v.size() < n + 16) v.resize(n + 16);
  uintptr_t p = reinterpret_cast<uintptr_t>(v.data());
  return reinterpret_cast<float*>((p + 63) & ~uintptr_t(63));
}

// [SECTION] packing
// A block rows [i0,i0+mc) x k [p0,p0+kc) -> panels of kMR rows, [k][kMR] each,
// rows past mc zero; scaled by alpha.
void pack_a(bool trans_a, const float* A, int lda, int i0, int mc, int p0, int kc, float alpha,
            float* out) {
  for (int ir = 0; ir < mc; ir += kMR) {
    const int mr = std::min(kMR, mc - ir);
    float* dst = out + (size_t)ir * kc;
    if (trans_a) {  // op(A)[i][p] = A[p][i]: kMR contiguous values per k
      for (int p = 0; p < kc; ++p) {
        const float* src = A + (size_t)(p0 + p) * lda + i0 + ir;
        int r = 0;
        for (; r < mr; ++r) dst[p * kMR + r] = alpha * src[r];
        for (; r < kMR; ++r) dst[p * kMR + r] = 0.0f;
      }
    } else {
      for (int r = 0; r < kMR; ++r) {
        if (r < mr) {
          const float* src = A + (size_t)(i0 + ir + r) * lda + p0;
          for (int p = 0; p < kc; ++p) dst[p * kMR + r] = alpha * src[p];
        } else {
          for (int p = 0; p < kc; ++p) dst[p * kMR + r] = 0.0f;
        }
      }
    }
  }
}

// B block k [p0,p0+kc) x columns [j0,j0+nc) -> panels of kNR columns,
// [k][kNR] each, columns past nc zero.
void pack_b(bool trans_b, const float* B, int ldb, int p0, int kc, int j0, int nc, float* out) {
  const D d;
  for (int jr = 0; jr < nc; jr += kNR) {
    const int nr = std::min(kNR, nc - jr);
    float* dst = out + (size_t)jr * kc;
    if (!trans_b && nr == kNR) {
      const float* src = B + (size_t)p0 * ldb + j0 + jr;
      for (int p = 0; p < kc; ++p, src += ldb)
        for (int v = 0; v < kNV; ++v) hn::Store(hn::LoadU(d, src + v * kL), d, dst + p * kNR + v * kL);
    } else if (!trans_b) {
      for (int p = 0; p < kc; ++p) {
        const float* src = B + (size_t)(p0 + p) * ldb + j0 + jr;
        int c = 0;
        for (; c < nr; ++c) dst[p * kNR + c] = src[c];
        for (; c < kNR; ++c) dst[p * kNR + c] = 0.0f;
      }
    } else {  // op(B)[p][j] = B[j][p]
      for (int c = 0; c < kNR; ++c) {
        if (c < nr) {
          const float* src = B + (size_t)(j0 + jr + c) * ldb + p0;
          for (int p = 0; p < kc; ++p) dst[p * kNR + c] = src[p];
        } else {
          for (int p = 0; p < kc; ++p) dst[p * kNR + c] = 0.0f;
        }
      }
    }
  }
}

// [SECTION] micro-kernel
// c[kMR, kNR] (row stride ldc) = acc + beta * c  (beta 0: c not read), where
// acc = bias[r] (0 without bias) + sum over k of ap[k][r] * bp[k][col].
// ap, bp packed, aligned to 64; bias has kMR entries or is null.
HWY_INLINE void micro_kernel(int kc, const float* HWY_RESTRICT ap, const float* HWY_RESTRICT bp,
                             float* HWY_RESTRICT c, int ldc, float beta, const float* bias) {
  const D d;
  V acc[kMR][kNV];
  for (int r = 0; r < kMR; ++r)
    for (int v = 0; v < kNV; ++v) acc[r][v] = bias ? hn::Set(d, bias[r]) : hn::Zero(d);
  for (int p = 0; p < kc; ++p) {
    V b[kNV];
    for (int v = 0; v < kNV; ++v) b[v] = hn::Load(d, bp + v * kL);
    for (int r = 0; r < kMR; ++r) {
      const V a = hn::Set(d, ap[r]);
      for (int v = 0; v < kNV; ++v) acc[r][v] = hn::MulAdd(a, b[v], acc[r][v]);
    }
    ap += kMR;
    bp += kNR;
  }
  if (beta == 0.0f) {
    for (int r = 0; r < kMR; ++r)
      for (int v = 0; v < kNV; ++v) hn::StoreU(acc[r][v], d, c + (size_t)r * ldc + v * kL);
  } else {
    const V vb = hn::Set(d, beta);
    for (int r = 0; r < kMR; ++r)
      for (int v = 0; v < kNV; ++v) {
        float* cp = c + (size_t)r * ldc + v * kL;
        hn::StoreU(hn::MulAdd(vb, hn::LoadU(d, cp), acc[r][v]), d, cp);
      }
  }
}

// A tile at the matrix edge: run the same kernel on a full-size copy, so edge
// elements get exactly the arithmetic of interior ones.
void micro_kernel_edge(int kc, const float* ap, const float* bp, float* c, int ldc, float beta,
                       const float* bias, int mr, int nr) {
  alignas(64) float tile[kMR * kNR];
  float bias_tile[kMR] = {};
  if (bias) {
    for (int r = 0; r < mr; ++r) bias_tile[r] = bias[r];
    bias = bias_tile;
  }
  if (beta != 0.0f)
    for (int r = 0; r < mr; ++r) std::memcpy(tile + r * kNR, c + (size_t)r * ldc, sizeof(float) * nr);
  micro_kernel(kc, ap, bp, tile, kNR, beta, bias);
  for (int r = 0; r < mr; ++r) std::memcpy(c + (size_t)r * ldc, tile + r * kNR, sizeof(float) * nr);
}

// [SECTION] one block of C
struct GemmArgs {
  bool trans_a;
  int M, N, K;
  float alpha;
  const float* A;
  int lda;
  float beta;
  float* C;
  int ldc;
  const float* bias;  // [M], added once to every column; may be null
};

// pack_b(p0, kc, j0, nc, out) writes op(B)[p0:p0+kc, j0:j0+nc] as pack_b does.
template <class PackB>
void gemm_block(const GemmArgs& g, const PackB& pack_b, int m0, int m1, int n0, int n1) {
  thread_local std::vector<float> a_buf, b_buf;
  const int kc_max = std::min(kKC, g.K);
  float* ap = scratch(a_buf, (size_t)(kMC + kMR) * kc_max);
  float* bp = scratch(b_buf, (size_t)(kNC + kNR) * kc_max);
  for (int jc = n0; jc < n1; jc += kNC) {
    const int nc = std::min(kNC, n1 - jc);
    for (int pc = 0; pc < g.K; pc += kKC) {
      const int kc = std::min(kKC, g.K - pc);
      const float beta = pc == 0 ? g.beta : 1.0f;
      pack_b(pc, kc, jc, nc, bp);
      for (int ic = m0; ic < m1; ic += kMC) {
        const int mc = std::min(kMC, m1 - ic);
        pack_a(g.trans_a, g.A, g.lda, ic, mc, pc, kc, g.alpha, ap);
        for (int jr = 0; jr < nc; jr += kNR) {
          const int nr = std::min(kNR, nc - jr);
          const float* bpanel = bp + (size_t)jr * kc;
          for (int ir = 0; ir < mc; ir += kMR) {
            const int mr = std::min(kMR, mc - ir);
            float* c = g.C + (size_t)(ic + ir) * g.ldc + jc + jr;
            const float* bias = pc == 0 && g.bias ? g.bias + ic + ir : nullptr;
            if (mr == kMR && nr == kNR)
              micro_kernel(kc, ap + (size_t)ir * kc, bpanel, c, g.ldc, beta, bias);
            else
              micro_kernel_edge(kc, ap + (size_t)ir * kc, bpanel, c, g.ldc, beta, bias, mr, nr);
          }
        }
      }
    }
  }
}

// Splits C into blocks on micro-tile boundaries (so the arithmetic per
// element is the same for any split), columns first, rows if N is narrow,
// and runs them on the thread pool.
template <class PackB>
void gemm_driver(const GemmArgs& g, const PackB& pack_b) {
  const int M = g.M, N = g.N;
  const int threads = num_threads();
  const double flops = 2.0 * M * N * g.K;
  const int n_tiles = (N + kNR - 1) / kNR, m_tiles = (M + kMR - 1) / kMR;
  int n_parts = 1, m_parts = 1;
  if (threads > 1 && flops > 2e5) {
    n_parts = std::min(threads, n_tiles);
    if (n_parts < threads) m_parts = std::min(threads / n_parts, m_tiles);
  }
  if (n_parts * m_parts == 1) {
    gemm_block(g, pack_b, 0, M, 0, N);
    return;
  }
  parallel_for((int64_t)n_parts * m_parts, [&](int64_t b, int64_t e) {
    for (int64_t part = b; part < e; ++part) {
      const int pn = (int)(part % n_parts), pm = (int)(part / n_parts);
      const int n0 = std::min(N, (int)((int64_t)n_tiles * pn / n_parts) * kNR);
      const int n1 = std::min(N, (int)((int64_t)n_tiles * (pn + 1) / n_parts) * kNR);
      const int m0 = std::min(M, (int)((int64_t)m_tiles * pm / m_parts) * kMR);
      const int m1 = std::min(M, (int)((int64_t)m_tiles * (pm + 1) / m_parts) * kMR);
      if (n0 < n1 && m0 < m1) gemm_block(g, pack_b, m0, m1, n0, n1);
    }
  });
}

// C = beta * C for the K == 0 (or alpha == 0) case; beta 0 writes zeros.
void scale_c(int M, int N, float beta, float* C, int ldc) {
  for (int i = 0; i < M; ++i) {
    float* c = C + (size_t)i * ldc;
    if (beta == 0.0f)
      std::fill(c, c + N, 0.0f);
    else
      for (int j = 0; j < N; ++j) c[j] *= beta;
  }
}

}  // namespace

void sgemm_reference(bool trans_a, bool trans_b, int M, int N, int K, float alpha,
                     const float* A, int lda, const float* B, int ldb, float beta,
                     float* C, int ldc) {
  XM_ASSERT(M >= 0 && N >= 0 && K >= 0);
  for (int i = 0; i < M; ++i) {
    for (int j = 0; j < N; ++j) {
      float acc = 0.0f;
      for (int p = 0; p < K; ++p) {
        float a = trans_a ? A[(size_t)p * lda + i] : A[(size_t)i * lda + p];
        float b = trans_b ? B[(size_t)j * ldb + p] : B[(size_t)p * ldb + j];
        acc += a * b;
      }
      float& c = C[(size_t)i * ldc + j];
      c = beta == 0.0f ? alpha * acc : alpha * acc + beta * c;
    }
  }
}

// [SECTION] sgemm, threads
void sgemm(bool trans_a, bool trans_b, int M, int N, int K, float alpha,
           const float* A, int lda, const float* B, int ldb, float beta,
           float* C, int ldc) {
  XM_ASSERT(M >= 0 && N >= 0 && K >= 0);
  if (M == 0 || N == 0) return;
  if (K == 0 || alpha == 0.0f) {
    scale_c(M, N, beta, C, ldc);
    return;
  }
  const GemmArgs g{trans_a, M, N, K, alpha, A, lda, beta, C, ldc, nullptr};
  gemm_driver(g, [&](int p0, int kc, int j0, int nc, float* out) { pack_b(trans_b, B, ldb, p0, kc, j0, nc, out); });
}

// [SECTION] convolution as an implicit GEMM
// Packs op(B) = im2col(x) panels straight from the image: row p = (c, ki, kj),
// column j = (oh, ow), the same values im2col writes (see im2col.h).
void conv2d_gemm(const float* x, int C, int H, int W, int kH, int kW, int pad_t, int pad_l,
                 int stride_h, int stride_w, int dil_h, int dil_w, int outH, int outW,
                 const float* w, int M, const float* bias, float* y) {
  XM_ASSERT(C > 0 && H > 0 && W > 0 && kH > 0 && kW > 0 && M >= 0 && outH >= 0 && outW >= 0);
  XM_ASSERT(stride_h > 0 && stride_w > 0 && dil_h > 0 && dil_w > 0);
  const int K = C * kH * kW, N = outH * outW;
  if (M == 0 || N == 0) return;
  const GemmArgs g{false, M, N, K, 1.0f, w, K, 0.0f, y, N, bias};
  const D d;
  auto pack = [&](int p0, int kc, int j0, int nc, float* out) {
    for (int jr = 0; jr < nc; jr += kNR) {
      const int nr = std::min(kNR, nc - jr);
      const int j = j0 + jr, oh = j / outW, ow0 = j % outW;
      // The panel's columns lie on one output row, contiguous in the input.
      const bool one_row = stride_w == 1 && nr == kNR && ow0 + kNR <= outW;
      float* dst = out + (size_t)jr * kc;
      int c = p0 / (kH * kW), ki = (p0 / kW) % kH, kj = p0 % kW;
      for (int p = 0; p < kc; ++p, dst += kNR) {
        const int ih = oh * stride_h - pad_t + ki * dil_h;
        const int iw0 = ow0 * stride_w - pad_l + kj * dil_w;
        if (one_row && (ih < 0 || ih >= H)) {
          for (int v = 0; v < kNV; ++v) hn::Store(hn::Zero(d), d, dst + v * kL);
        } else if (one_row && iw0 >= 0 && iw0 + kNR <= W) {
          const float* xr = x + ((size_t)c * H + ih) * W;  // only here: a row in the padding has no address
          for (int v = 0; v < kNV; ++v) hn::Store(hn::LoadU(d, xr + iw0 + v * kL), d, dst + v * kL);
        } else {
          for (int col = 0; col < kNR; ++col) {
            float val = 0.0f;
            if (col < nr) {
              const int jj = j + col, ohc = jj / outW, owc = jj % outW;
              const int ihc = ohc * stride_h - pad_t + ki * dil_h, iwc = owc * stride_w - pad_l + kj * dil_w;
              if (ihc >= 0 && ihc < H && iwc >= 0 && iwc < W) val = x[((size_t)c * H + ihc) * W + iwc];
            }
            dst[col] = val;
          }
        }
        if (++kj == kW) {
          kj = 0;
          if (++ki == kH) {
            ki = 0;
            ++c;
          }
        }
      }
    }
  };
  gemm_driver(g, pack);
}

}  // namespace xm
