// conv2d_3x3_direct: see conv_direct.h. Each image is copied once into a
// zero-bordered buffer so the inner loop has no bounds checks; a block of
// kMB output channels shares every input vector it loads.
#include "kernels/conv_direct.h"

#include "kernels/simd.h"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <vector>

#include "core/status.h"
#include "kernels/thread_pool.h"

namespace xm {

namespace {

using D = simd::D;
using V = simd::V;
constexpr int kL = simd::kL;
#if defined(XM_CONV_MB) && defined(XM_CONV_WV)  // for tuning experiments
constexpr int kMB = XM_CONV_MB;
constexpr int kWV = XM_CONV_WV;
#else
constexpr int kMB = 4;  // output channels per block
constexpr int kWV = 2;  // vectors along W per step: kMB*kWV accumulators
#endif

// One output row for channels [m0, m0+kMB) of one image. xp: padded image
// [C][H+2][Wp]; wb: weights [M][C][9]; the row's outputs are written to
// y + m*plane for each m, columns [0, W).
void row_block(const float* xp, int C, int H, int Wp, int W, const float* w, int m0, int mb,
               const float* bias, bool relu, int h, float* y, size_t plane) {
  const D d;
  const size_t cstride = (size_t)(H + 2) * Wp;
  alignas(64) float tail[kMB][kWV * kL];
  for (int x0 = 0; x0 < W; x0 += kWV * kL) {
    V acc[kMB][kWV];
    for (int m = 0; m < kMB; ++m) {
      const V b = hn::Set(d, bias && m < mb ? bias[m0 + m] : 0.0f);
      for (int v = 0; v < kWV; ++v) acc[m][v] = b;
    }
    for (int c = 0; c < C; ++c) {
      const float* xc = xp + c * cstride + (size_t)h * Wp + x0;
      const float* wc = w + ((size_t)m0 * C + c) * 9;
      for (int ki = 0; ki < 3; ++ki) {
        for (int kj = 0; kj < 3; ++kj) {
          V xv[kWV];
          for (int v = 0; v < kWV; ++v) xv[v] = hn::LoadU(d, xc + (size_t)ki * Wp + kj + v * kL);
          for (int m = 0; m < kMB; ++m) {
            // Channels past mb reuse the last real one; their results are dropped.
            const V wv = hn::Set(d, wc[(size_t)std::min(m, mb - 1) * C * 9 + ki * 3 + kj]);
            for (int v = 0; v < kWV; ++v) acc[m][v] = hn::MulAdd(wv, xv[v], acc[m][v]);
          }
        }
      }
    }
    if (relu)
      for (int m = 0; m < kMB; ++m)
        for (int v = 0; v < kWV; ++v) acc[m][v] = hn::Max(acc[m][v], hn::Zero(d));
    if (x0 + kWV * kL <= W) {
      for (int m = 0; m < mb; ++m)
        for (int v = 0; v < kWV; ++v) hn::StoreU(acc[m][v], d, y + (m0 + m) * plane + (size_t)h * W + x0 + v * kL);
    } else {
      for (int m = 0; m < mb; ++m) {
        for (int v = 0; v < kWV; ++v) hn::Store(acc[m][v], d, &tail[m][v * kL]);
        std::memcpy(y + (m0 + m) * plane + (size_t)h * W + x0, tail[m], sizeof(float) * (W - x0));
      }
    }
  }
}

}  // namespace

bool conv2d_3x3_direct_supported(int C) { return C >= 1 && C <= 2; }

void conv2d_3x3_direct(const float* x, int N, int C, int H, int W, const float* w, int M,
                       const float* bias, float* y, bool relu) {
  XM_ASSERT(N >= 0 && C > 0 && H > 0 && W > 0 && M > 0);
  // Padded row: 1 zero left, W values, zeros to cover the last vector step's
  // reads (up to kWV*kL - 1 past W, plus the 3x3 reach).
  const int steps = (W + kWV * kL - 1) / (kWV * kL);
  const int Wp = steps * kWV * kL + 2;
  const size_t plane = (size_t)H * W;
  const int m_blocks = (M + kMB - 1) / kMB;
  // Work unit: one image x one block of output channels (a whole image's
  // padding copy is redone per unit; it is C*H*W floats against 9*kMB*C*H*W
  // multiply-adds).
  parallel_for((int64_t)N * m_blocks, [&](int64_t b, int64_t e) {
    thread_local std::vector<float> pad_buf;
    const size_t need = (size_t)C * (H + 2) * Wp;
    if (pad_buf.size() < need) pad_buf.resize(need);
    int last_n = -1;
    for (int64_t u = b; u < e; ++u) {
      const int n = (int)(u / m_blocks), mblk = (int)(u % m_blocks);
      if (n != last_n) {
        std::fill(pad_buf.begin(), pad_buf.begin() + need, 0.0f);
        for (int c = 0; c < C; ++c)
          for (int h = 0; h < H; ++h)
            std::memcpy(&pad_buf[((size_t)c * (H + 2) + h + 1) * Wp + 1],
                        x + (((size_t)n * C + c) * H + h) * W, sizeof(float) * W);
        last_n = n;
      }
      const int m0 = mblk * kMB, mb = std::min(kMB, M - m0);
      float* yn = y + (size_t)n * M * plane;
      for (int h = 0; h < H; ++h) row_block(pad_buf.data(), C, H, Wp, W, w, m0, mb, bias, relu, h, yn, plane);
    }
  });
}

}  // namespace xm
