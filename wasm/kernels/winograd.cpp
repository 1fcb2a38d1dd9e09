// conv3x3_winograd: see winograd.h. Written once with Highway (static
// dispatch): AVX2+FMA natively, WebAssembly SIMD128 in the wasm build.
//
// [SECTION] layout  [SECTION] weight transform  [SECTION] input transform
// [SECTION] the 16 GEMMs  [SECTION] output transform  [SECTION] driver
//
// Tiles: output tile (ty, tx) covers rows 2ty..2ty+1, columns 2tx..2tx+1 and
// reads the 4x4 input patch starting at (2ty-1, 2tx-1). A vector holds kL
// horizontally adjacent tiles, so the transforms run kL tiles at a time; the
// stride-2 patches are read with LoadInterleaved2 (even and odd columns) from
// a zero-bordered copy of the image, and the 2x2 outputs written back with
// StoreInterleaved2.
// Transforms (F(2x2,3x3), Lavin & Gray): V = B^T d B, U = G g G^T,
// Y = A^T (U .* V) A with
//   B^T = [1 0 -1 0; 0 1 1 0; 0 -1 1 0; 0 1 0 -1], G = [1 0 0; .5 .5 .5; .5 -.5 .5; 0 0 1],
//   A^T = [1 1 1 0; 0 1 -1 -1].
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

int round_up(int v, int m) { return (v + m - 1) / m * m; }
size_t round_up(size_t v, size_t m) { return (v + m - 1) / m * m; }

// Geometry of one call; every buffer offset in floats, 16-float aligned.
struct Geo {
  int TH, TW, TWp, R, NBp, Hp, Wpad, Mp;
  size_t xp_floats, v_floats, m_floats;
  Geo(int C, int M, int H, int W) {
    TH = (H + 1) / 2;
    TW = (W + 1) / 2;
    TWp = round_up(TW, kL);
    R = std::max(1, std::min(TH, kTargetTiles / TWp));
    NBp = round_up(R * TWp, kNR);
    Hp = 2 * TH + 2;
    Wpad = 2 * TWp + 2;
    Mp = round_up(M, kMR);
    xp_floats = round_up((size_t)C * Hp * Wpad, size_t(16));
    v_floats = (size_t)16 * C * NBp;
    m_floats = (size_t)16 * Mp * NBp;
  }
};

}  // namespace

bool conv3x3_winograd_supported(int C, int M, int H, int W) { return C >= 8 && M >= 8 && H >= 4 && W >= 4; }

size_t winograd_weight_floats(int C, int M) { return (size_t)16 * C * round_up(M, kMR); }

size_t winograd_workspace_floats(int C, int M, int H, int W) {
  const Geo g(C, M, H, W);
  return g.xp_floats + g.v_floats + g.m_floats + 16;
}

// [SECTION] weight transform
void winograd_weights(const float* w, int M, int C, bool flip_transpose, float* u) {
  XM_ASSERT(M > 0 && C > 0);
  // The conv u serves: cin input channels, cout output channels.
  const int cin = flip_transpose ? M : C, cout = flip_transpose ? C : M;
  const int Mp = round_up(cout, kMR);
  std::fill(u, u + winograd_weight_floats(cin, cout), 0.0f);
  for (int o = 0; o < cout; ++o)
    for (int i = 0; i < cin; ++i) {
      float g[3][3];
      for (int a = 0; a < 3; ++a)
        for (int b = 0; b < 3; ++b)
          g[a][b] = flip_transpose ? w[(((size_t)i * C + o) * 3 + 2 - a) * 3 + 2 - b] : w[(((size_t)o * C + i) * 3 + a) * 3 + b];
      float s[3][4];  // g G^T
      for (int a = 0; a < 3; ++a) {
        s[a][0] = g[a][0];
        s[a][1] = 0.5f * (g[a][0] + g[a][1] + g[a][2]);
        s[a][2] = 0.5f * (g[a][0] - g[a][1] + g[a][2]);
        s[a][3] = g[a][2];
      }
      for (int k = 0; k < 4; ++k) {
        const float t[4] = {s[0][k], 0.5f * (s[0][k] + s[1][k] + s[2][k]), 0.5f * (s[0][k] - s[1][k] + s[2][k]), s[2][k]};
        for (int r = 0; r < 4; ++r) u[((size_t)(r * 4 + k) * cin + i) * Mp + o] = t[r];
      }
    }
}

namespace {

// [SECTION] input transform
// Tile rows [ty0, ty0+rows) of every channel -> v[e][c][r*TWp + tx].
void input_transform(const Geo& g, const float* xp, int C, int ty0, int rows, float* v) {
  const D d;
  const size_t plane = (size_t)g.Hp * g.Wpad, estride = (size_t)C * g.NBp;
  for (int c = 0; c < C; ++c) {
    for (int r = 0; r < rows; ++r) {
      const float* p = xp + c * plane + (size_t)(2 * (ty0 + r)) * g.Wpad;
      float* out = v + (size_t)c * g.NBp + (size_t)r * g.TWp;
      for (int tx = 0; tx < g.TWp; tx += kL) {
        V t[4][4];  // d B, row by row
        for (int i = 0; i < 4; ++i) {
          V d0, d1, d2, d3;
          hn::LoadInterleaved2(d, p + (size_t)i * g.Wpad + 2 * tx, d0, d1);
          hn::LoadInterleaved2(d, p + (size_t)i * g.Wpad + 2 * tx + 2, d2, d3);
          t[i][0] = hn::Sub(d0, d2);
          t[i][1] = hn::Add(d1, d2);
          t[i][2] = hn::Sub(d2, d1);
          t[i][3] = hn::Sub(d1, d3);
        }
        for (int j = 0; j < 4; ++j) {
          hn::Store(hn::Sub(t[0][j], t[2][j]), d, out + (size_t)(0 * 4 + j) * estride + tx);
          hn::Store(hn::Add(t[1][j], t[2][j]), d, out + (size_t)(1 * 4 + j) * estride + tx);
          hn::Store(hn::Sub(t[2][j], t[1][j]), d, out + (size_t)(2 * 4 + j) * estride + tx);
          hn::Store(hn::Sub(t[1][j], t[3][j]), d, out + (size_t)(3 * 4 + j) * estride + tx);
        }
      }
    }
    // Columns past the block's tiles up to the panel width: zeros, so the
    // GEMM never reads stale or uninitialised scratch (results dropped anyway).
    for (int e = 0; e < 16; ++e) {
      float* out = v + (size_t)e * estride + (size_t)c * g.NBp;
      std::fill(out + (size_t)rows * g.TWp, out + g.NBp, 0.0f);
    }
  }
}

// [SECTION] the 16 GEMMs
// m[e][o][j] = sum_c u[e][c][o] * v[e][c][j] for o < Mp, j < ncols.
void batched_gemm(const Geo& g, const float* HWY_RESTRICT u, const float* HWY_RESTRICT v, int C, int ncols,
                  float* HWY_RESTRICT m) {
  const D d;
  for (int e = 0; e < 16; ++e) {
    const float* ue = u + (size_t)e * C * g.Mp;
    const float* ve = v + (size_t)e * C * g.NBp;
    float* me = m + (size_t)e * g.Mp * g.NBp;
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
void output_transform(const Geo& g, const float* m, int M, int H, int W, int ty0, int rows, const float* bias,
                      bool relu, bool accumulate, float* y) {
  const D d;
  const size_t estride = (size_t)g.Mp * g.NBp;
  const V zero = hn::Zero(d);
  alignas(64) float tail[2 * kL];
  for (int o = 0; o < M; ++o) {
    const V bv = hn::Set(d, bias ? bias[o] : 0.0f);
    float* yo = y + (size_t)o * H * W;
    for (int r = 0; r < rows; ++r) {
      const int ty = ty0 + r;
      const float* mp = m + (size_t)o * g.NBp + (size_t)r * g.TWp;
      for (int tx = 0; tx < g.TWp && 2 * tx < W; tx += kL) {
        V rr[4][2];  // rows of (U.*V) A
        for (int i = 0; i < 4; ++i) {
          const V m0 = hn::Load(d, mp + (size_t)(i * 4 + 0) * estride + tx);
          const V m1 = hn::Load(d, mp + (size_t)(i * 4 + 1) * estride + tx);
          const V m2 = hn::Load(d, mp + (size_t)(i * 4 + 2) * estride + tx);
          const V m3 = hn::Load(d, mp + (size_t)(i * 4 + 3) * estride + tx);
          rr[i][0] = hn::Add(hn::Add(m0, m1), m2);
          rr[i][1] = hn::Sub(hn::Sub(m1, m2), m3);
        }
        V out[2][2];
        for (int b = 0; b < 2; ++b) {
          out[0][b] = hn::Add(hn::Add(hn::Add(rr[0][b], rr[1][b]), rr[2][b]), bv);
          out[1][b] = hn::Add(hn::Sub(hn::Sub(rr[1][b], rr[2][b]), rr[3][b]), bv);
          if (relu) {
            out[0][b] = hn::Max(out[0][b], zero);
            out[1][b] = hn::Max(out[1][b], zero);
          }
        }
        const int ncol = std::min(2 * kL, W - 2 * tx);
        for (int a = 0; a < 2; ++a) {
          const int row = 2 * ty + a;
          if (row >= H) break;
          float* dst = yo + (size_t)row * W + 2 * tx;
          if (ncol == 2 * kL) {
            if (accumulate) {
              V y0, y1;
              hn::LoadInterleaved2(d, dst, y0, y1);
              hn::StoreInterleaved2(hn::Add(y0, out[a][0]), hn::Add(y1, out[a][1]), d, dst);
            } else {
              hn::StoreInterleaved2(out[a][0], out[a][1], d, dst);
            }
          } else {
            hn::StoreInterleaved2(out[a][0], out[a][1], d, tail);
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
