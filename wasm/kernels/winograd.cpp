// conv3x3_winograd: see winograd.h. Written once with Highway (static
// dispatch): AVX2+FMA natively, WebAssembly SIMD128 in the wasm build.
//
// [SECTION] layout  [SECTION] weight transform  [SECTION] input transform
// [SECTION] the 36 GEMMs  [SECTION] output transform  [SECTION] driver
//
// Tiles: output tile (ty, tx) covers rows 4ty..4ty+3, columns 4tx..4tx+3 and
// reads the 6x6 input patch starting at (4ty-1, 4tx-1). A vector holds kL
// horizontally adjacent tiles, so the transforms run kL tiles at a time; the
// stride-4 patches are read with two LoadInterleaved4 per patch row (columns
// 0-3 and 4-5 of every tile) from a zero-bordered copy of the image, and each
// row of 4 outputs is written back with StoreInterleaved4.
// Transforms (F(4x4,3x3), Lavin & Gray, interpolation points 0, 1, -1, 2, -2,
// infinity): V = B^T d B, U = G g G^T, Y = A^T (U .* V) A with
//   B^T = [4 0 -5 0 1 0; 0 -4 -4 1 1 0; 0 4 -4 -1 1 0; 0 -2 -1 2 1 0; 0 2 -1 -2 1 0; 0 4 0 -5 0 1],
//   G = [1/4 0 0; -1/6 -1/6 -1/6; -1/6 1/6 -1/6; 1/24 1/12 1/6; 1/24 -1/12 1/6; 0 0 1],
//   A^T = [1 1 1 1 1 0; 0 1 -1 2 -2 0; 0 1 1 4 4 0; 0 1 -1 8 -8 1].
// Each 4x4 block of outputs costs 36 multiplies per input channel pair
// instead of 144 (F(2x2,3x3), used before, needs 64): the GEMMs, which run at
// the machine's add/multiply peak, are the bulk of the time.
#include "kernels/winograd.h"

#include "kernels/simd.h"

#include <algorithm>
#include <cstdint>
#include <cstring>

#include "core/status.h"

namespace xm {

namespace {

// [SECTION] layout
using D = simd::D;
using V = simd::V;
constexpr int kL = simd::kL;
#if HWY_TARGET == HWY_WASM
constexpr int kMR = 4;  // 8 accumulators of the 16 xmm registers behind V8 (as gemm.cpp)
constexpr int kNV = 2;
constexpr int kTargetTiles = 64;
#elif HWY_TARGET == HWY_SCALAR || HWY_TARGET == HWY_EMU128
constexpr int kMR = 4;
constexpr int kNV = 4;
constexpr int kTargetTiles = 64;
#else
constexpr int kMR = 6;  // AVX2: 12 accumulators
constexpr int kNV = 2;
constexpr int kTargetTiles = 64;
#endif
constexpr int kNR = kNV * kL;
constexpr int kT = 4;        // output tile side
constexpr int kE = 36;       // transformed elements per tile (6x6)
// The 36 planes of v and of m are written (input transform) and read (output
// transform) together; at a power-of-two distance (C*NBp floats is 4 or 8 KB
// for bench_cnn) they all fall in one L1 set and evict each other, which made
// the transforms 3-4x slower. A 64-byte pad per plane spreads them over sets.
constexpr size_t kPlanePad = 16;

int round_up(int v, int m) { return (v + m - 1) / m * m; }
size_t round_up(size_t v, size_t m) { return (v + m - 1) / m * m; }

// Geometry of one call; every buffer offset in floats, 16-float aligned.
struct Geo {
  int TH, TW, TWp, R, NBp, Hp, Wpad, Mp;
  size_t xp_floats, v_floats, m_floats;
  size_t v_e, m_e;  // floats between the planes of v and of m
  Geo(int C, int M, int H, int W) {
    TH = (H + kT - 1) / kT;
    TW = (W + kT - 1) / kT;
    TWp = round_up(TW, kL);
    R = std::max(1, std::min(TH, kTargetTiles / TWp));
    NBp = round_up(R * TWp, kNR);
    Hp = kT * TH + 2;
    // The second LoadInterleaved4 of a patch row reads up to column kT*TWp + 3.
    Wpad = kT * TWp + kT;
    Mp = round_up(M, kMR);
    xp_floats = round_up((size_t)C * Hp * Wpad, size_t(16));
    v_e = (size_t)C * NBp + kPlanePad;
    m_e = (size_t)Mp * NBp + kPlanePad;
    v_floats = kE * v_e;
    m_floats = kE * m_e;
  }
};

}  // namespace

bool conv3x3_winograd_supported(int C, int M, int H, int W) { return C >= 8 && M >= 8 && H >= 4 && W >= 4; }

size_t winograd_weight_floats(int C, int M) { return (size_t)kE * C * round_up(M, kMR); }

size_t winograd_workspace_floats(int C, int M, int H, int W) {
  const Geo g(C, M, H, W);
  return g.xp_floats + g.v_floats + g.m_floats + 16;
}

// [SECTION] weight transform
// In double, rounded once: the 1/6 and 1/24 of G are not exact in float.
void winograd_weights(const float* w, int M, int C, bool flip_transpose, float* u) {
  XM_ASSERT(M > 0 && C > 0);
  static const double G[6][3] = {{0.25, 0, 0},
                                 {-1.0 / 6, -1.0 / 6, -1.0 / 6},
                                 {-1.0 / 6, 1.0 / 6, -1.0 / 6},
                                 {1.0 / 24, 1.0 / 12, 1.0 / 6},
                                 {1.0 / 24, -1.0 / 12, 1.0 / 6},
                                 {0, 0, 1}};
  // The conv u serves: cin input channels, cout output channels.
  const int cin = flip_transpose ? M : C, cout = flip_transpose ? C : M;
  const int Mp = round_up(cout, kMR);
  std::fill(u, u + winograd_weight_floats(cin, cout), 0.0f);
  for (int o = 0; o < cout; ++o)
    for (int i = 0; i < cin; ++i) {
      double g[3][3];
      for (int a = 0; a < 3; ++a)
        for (int b = 0; b < 3; ++b)
          g[a][b] = flip_transpose ? w[(((size_t)i * C + o) * 3 + 2 - a) * 3 + 2 - b] : w[(((size_t)o * C + i) * 3 + a) * 3 + b];
      double s[3][6];  // g G^T
      for (int a = 0; a < 3; ++a)
        for (int k = 0; k < 6; ++k) s[a][k] = g[a][0] * G[k][0] + g[a][1] * G[k][1] + g[a][2] * G[k][2];
      for (int r = 0; r < 6; ++r)
        for (int k = 0; k < 6; ++k)
          u[((size_t)(r * 6 + k) * cin + i) * Mp + o] = float(G[r][0] * s[0][k] + G[r][1] * s[1][k] + G[r][2] * s[2][k]);
    }
}

namespace {

// [SECTION] input transform
// y = B^T x for six vectors (one patch row or column, kL tiles at a time).
HWY_INLINE void transform_b(const V* x, V* y) {
  const D d;
  const V four = hn::Set(d, 4.0f), five = hn::Set(d, 5.0f);
  const V a = hn::NegMulAdd(four, x[2], x[4]);  // x4 - 4 x2
  const V b = hn::NegMulAdd(four, x[1], x[3]);  // x3 - 4 x1
  const V c = hn::Sub(x[4], x[2]);
  const V e = hn::Sub(x[3], x[1]);
  const V e2 = hn::Add(e, e);
  y[0] = hn::MulAdd(four, x[0], hn::NegMulAdd(five, x[2], x[4]));
  y[1] = hn::Add(a, b);
  y[2] = hn::Sub(a, b);
  y[3] = hn::Add(c, e2);
  y[4] = hn::Sub(c, e2);
  y[5] = hn::MulAdd(four, x[1], hn::NegMulAdd(five, x[3], x[5]));
}

// Tile rows [ty0, ty0+rows) of every channel -> v[e][c][r*TWp + tx].
void input_transform(const Geo& g, const float* xp, int C, int ty0, int rows, float* v) {
  const D d;
  const size_t plane = (size_t)g.Hp * g.Wpad, estride = g.v_e;
  for (int c = 0; c < C; ++c) {
    for (int r = 0; r < rows; ++r) {
      const float* p = xp + c * plane + (size_t)(kT * (ty0 + r)) * g.Wpad;
      float* out = v + (size_t)c * g.NBp + (size_t)r * g.TWp;
      for (int tx = 0; tx < g.TWp; tx += kL) {
        V t[6][6];  // d B, row by row
        for (int i = 0; i < 6; ++i) {
          V x[6], unused0, unused1;
          const float* q = p + (size_t)i * g.Wpad + kT * tx;
          hn::LoadInterleaved4(d, q, x[0], x[1], x[2], x[3]);
          hn::LoadInterleaved4(d, q + 4, x[4], x[5], unused0, unused1);
          transform_b(x, t[i]);
        }
        for (int j = 0; j < 6; ++j) {
          const V col[6] = {t[0][j], t[1][j], t[2][j], t[3][j], t[4][j], t[5][j]};
          V y[6];
          transform_b(col, y);
          for (int k = 0; k < 6; ++k) hn::Store(y[k], d, out + (size_t)(k * 6 + j) * estride + tx);
        }
      }
    }
    // Columns past the block's tiles up to the panel width: zeros, so the
    // GEMM never reads stale or uninitialised scratch (results dropped anyway).
    for (int e = 0; e < kE; ++e) {
      float* out = v + (size_t)e * estride + (size_t)c * g.NBp;
      std::fill(out + (size_t)rows * g.TWp, out + g.NBp, 0.0f);
    }
  }
}

// [SECTION] the 36 GEMMs
// m[e][o][j] = sum_c u[e][c][o] * v[e][c][j] for o < Mp, j < ncols.
void batched_gemm(const Geo& g, const float* HWY_RESTRICT u, const float* HWY_RESTRICT v, int C, int ncols,
                  float* HWY_RESTRICT m) {
  const D d;
  for (int e = 0; e < kE; ++e) {
    const float* ue = u + (size_t)e * C * g.Mp;
    const float* ve = v + (size_t)e * g.v_e;
    float* me = m + (size_t)e * g.m_e;
    for (int j = 0; j < ncols; j += kNR) {
      for (int o = 0; o < g.Mp; o += kMR) {
        V acc[kMR][kNV];
        for (int r = 0; r < kMR; ++r)
          for (int q = 0; q < kNV; ++q) acc[r][q] = hn::Zero(d);
        const float* up = ue + o;
        const float* vp = ve + j;
        for (int c = 0; c < C; ++c, up += g.Mp, vp += g.NBp) {
          V b[kNV];
          for (int q = 0; q < kNV; ++q) b[q] = hn::Load(d, vp + q * kL);
          for (int r = 0; r < kMR; ++r) {
            const V a = hn::Set(d, up[r]);
            for (int q = 0; q < kNV; ++q) acc[r][q] = hn::MulAdd(a, b[q], acc[r][q]);
          }
        }
        for (int r = 0; r < kMR; ++r)
          for (int q = 0; q < kNV; ++q) hn::Store(acc[r][q], d, me + (size_t)(o + r) * g.NBp + j + q * kL);
      }
    }
  }
}

// [SECTION] output transform
// y = A^T x for six vectors -> four.
HWY_INLINE void transform_a(const V* x, V* y) {
  const D d;
  const V two = hn::Set(d, 2.0f), four = hn::Set(d, 4.0f), eight = hn::Set(d, 8.0f);
  const V s12 = hn::Add(x[1], x[2]), d12 = hn::Sub(x[1], x[2]);
  const V s34 = hn::Add(x[3], x[4]), d34 = hn::Sub(x[3], x[4]);
  y[0] = hn::Add(hn::Add(x[0], s12), s34);
  y[1] = hn::MulAdd(two, d34, d12);
  y[2] = hn::MulAdd(four, s34, s12);
  y[3] = hn::Add(hn::MulAdd(eight, d34, d12), x[5]);
}

void output_transform(const Geo& g, const float* m, int M, int H, int W, int ty0, int rows, const float* bias,
                      bool relu, bool accumulate, float* y) {
  const D d;
  const size_t estride = g.m_e;
  const V zero = hn::Zero(d);
  alignas(64) float tail[kT * kL];
  for (int o = 0; o < M; ++o) {
    const V bv = hn::Set(d, bias ? bias[o] : 0.0f);
    float* yo = y + (size_t)o * H * W;
    for (int r = 0; r < rows; ++r) {
      const int ty = ty0 + r;
      const float* mp = m + (size_t)o * g.NBp + (size_t)r * g.TWp;
      for (int tx = 0; tx < g.TWp && kT * tx < W; tx += kL) {
        V rr[6][4];  // rows of (U.*V) A
        for (int i = 0; i < 6; ++i) {
          V x[6];
          for (int j = 0; j < 6; ++j) x[j] = hn::Load(d, mp + (size_t)(i * 6 + j) * estride + tx);
          transform_a(x, rr[i]);
        }
        V out[4][4];  // out[a][b]: output row a, column b of each tile
        for (int b = 0; b < 4; ++b) {
          const V col[6] = {rr[0][b], rr[1][b], rr[2][b], rr[3][b], rr[4][b], rr[5][b]};
          V res[4];
          transform_a(col, res);
          for (int a = 0; a < 4; ++a) {
            out[a][b] = hn::Add(res[a], bv);
            if (relu) out[a][b] = hn::Max(out[a][b], zero);
          }
        }
        const int ncol = std::min(kT * kL, W - kT * tx);
        for (int a = 0; a < 4; ++a) {
          const int row = kT * ty + a;
          if (row >= H) break;
          float* dst = yo + (size_t)row * W + kT * tx;
          if (ncol == kT * kL) {
            if (accumulate) {
              V y0, y1, y2, y3;
              hn::LoadInterleaved4(d, dst, y0, y1, y2, y3);
              hn::StoreInterleaved4(hn::Add(y0, out[a][0]), hn::Add(y1, out[a][1]), hn::Add(y2, out[a][2]),
                                    hn::Add(y3, out[a][3]), d, dst);
            } else {
              hn::StoreInterleaved4(out[a][0], out[a][1], out[a][2], out[a][3], d, dst);
            }
          } else {
            hn::StoreInterleaved4(out[a][0], out[a][1], out[a][2], out[a][3], d, tail);
            if (accumulate)
              for (int k = 0; k < ncol; ++k) dst[k] += tail[k];
            else
              std::memcpy(dst, tail, sizeof(float) * ncol);
          }
        }
      }
    }
  }
}

}  // namespace

// [SECTION] driver
void conv3x3_winograd(const float* x, int C, int H, int W, const float* u, int M, const float* bias, bool relu,
                      bool accumulate, float* y, float* workspace) {
  XM_ASSERT(C > 0 && M > 0 && H > 0 && W > 0);
  XM_ASSERT(!accumulate || (!bias && !relu));
  const Geo g(C, M, H, W);
  float* base = reinterpret_cast<float*>((reinterpret_cast<uintptr_t>(workspace) + 63) & ~uintptr_t(63));
  float* xp = base;
  float* v = xp + g.xp_floats;
  float* m = v + g.v_floats;
  // Zero-bordered copy: padded row i holds input row i-1, column j input column j-1.
  for (int c = 0; c < C; ++c) {
    float* pc = xp + (size_t)c * g.Hp * g.Wpad;
    std::fill(pc, pc + g.Wpad, 0.0f);
    for (int h = 0; h < H; ++h) {
      float* row = pc + (size_t)(h + 1) * g.Wpad;
      row[0] = 0.0f;
      std::memcpy(row + 1, x + ((size_t)c * H + h) * W, sizeof(float) * W);
      std::fill(row + 1 + W, row + g.Wpad, 0.0f);
    }
    std::fill(pc + (size_t)(H + 1) * g.Wpad, pc + (size_t)g.Hp * g.Wpad, 0.0f);
  }
  for (int ty0 = 0; ty0 < g.TH; ty0 += g.R) {
    const int rows = std::min(g.R, g.TH - ty0);
    input_transform(g, xp, C, ty0, rows, v);
    batched_gemm(g, u, v, C, round_up(rows * g.TWp, kNR), m);
    output_transform(g, m, M, H, W, ty0, rows, bias, relu, accumulate, y);
  }
}

}  // namespace xm
