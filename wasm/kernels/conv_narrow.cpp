// conv2d_3x3_narrow: see conv_narrow.h. Each unit (an image's band of output
// rows) keeps the three input rows its current output row reads, for every
// input channel, in a small zero-bordered ring (cin*3 rows: 26 KB for 16
// channels of 128), so each input row is copied once, into L1, and the inner
// loop needs no bounds checks. The weights are broadcast into vectors once per
// call, so the inner loop is loads, multiplies and adds only. All cout output
// channels are computed together (cout*kWV accumulators): each loaded input
// vector serves all of them.
#include "kernels/conv_narrow.h"

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

float* aligned_scratch(std::vector<float>& v, size_t n) {
  if (v.size() < n + 16) v.resize(n + 16);
  uintptr_t p = reinterpret_cast<uintptr_t>(v.data());
  return reinterpret_cast<float*>((p + 63) & ~uintptr_t(63));
}

struct NarrowArgs {
  const float* x;
  int cin, H, W;
  const float* wv;  // broadcast weights: wv[((i*9 + t)*MB + o)*kL + lane], t = ki*3 + kj
  bool accumulate;
  float* y;
  int Wp;  // padded row: column -1 at 0, columns 0..W-1 at 1..W, zeros after
};

// Output rows [h0, h1) of one image, all MB output channels.
template <int MB, int WV>
void narrow_band(const NarrowArgs& a, int h0, int h1, float* ring) {
  const D d;
  const int W = a.W, H = a.H, Wp = a.Wp;
  const size_t plane = (size_t)H * W;
  auto slot = [&](int i, int r) { return ring + ((size_t)i * 3 + (size_t)((r + 3) % 3)) * Wp; };
  auto load_row = [&](int r) {
    for (int i = 0; i < a.cin; ++i) {
      float* dst = slot(i, r);
      if (r < 0 || r >= H) {
        std::fill(dst, dst + Wp, 0.0f);
        continue;
      }
      dst[0] = 0.0f;
      std::memcpy(dst + 1, a.x + ((size_t)i * H + r) * W, sizeof(float) * W);
      std::fill(dst + 1 + W, dst + Wp, 0.0f);
    }
  };
  load_row(h0 - 1);
  load_row(h0);
  alignas(64) float tail[MB][WV * kL];
  for (int h = h0; h < h1; ++h) {
    load_row(h + 1);
    for (int x0 = 0; x0 < W; x0 += WV * kL) {
      V acc[MB][WV];
      for (int o = 0; o < MB; ++o)
        for (int v = 0; v < WV; ++v) acc[o][v] = hn::Zero(d);
      const float* wp = a.wv;
      for (int i = 0; i < a.cin; ++i) {
        for (int ki = 0; ki < 3; ++ki) {
          const float* rp = slot(i, h - 1 + ki) + x0;
          for (int kj = 0; kj < 3; ++kj, wp += MB * kL) {
            V xv[WV];
            for (int v = 0; v < WV; ++v) xv[v] = hn::LoadU(d, rp + kj + v * kL);
            for (int o = 0; o < MB; ++o) {
              const V wo = hn::Load(d, wp + o * kL);
              for (int v = 0; v < WV; ++v) acc[o][v] = hn::MulAdd(wo, xv[v], acc[o][v]);
            }
          }
        }
      }
      const int n = std::min(WV * kL, W - x0);
      for (int o = 0; o < MB; ++o) {
        float* dst = a.y + o * plane + (size_t)h * W + x0;
        if (n == WV * kL) {
          for (int v = 0; v < WV; ++v) {
            V r = acc[o][v];
            if (a.accumulate) r = hn::Add(hn::LoadU(d, dst + v * kL), r);
            hn::StoreU(r, d, dst + v * kL);
          }
        } else {
          for (int v = 0; v < WV; ++v) hn::Store(acc[o][v], d, &tail[o][v * kL]);
          for (int k = 0; k < n; ++k) dst[k] = a.accumulate ? dst[k] + tail[o][k] : tail[o][k];
        }
      }
    }
  }
}

template <int MB, int WV>
void narrow_run(const float* x, int N, int cin, int H, int W, const float* wv, bool accumulate, float* y) {
  const int steps = (W + WV * kL - 1) / (WV * kL);
  const int Wp = steps * WV * kL + 2;
  // One band per image on one thread; several per image otherwise, so a
  // single image is shared too (bands only change where rows are reloaded).
  const int threads = num_threads();
  const int bands = threads > 1 ? std::min(H, 4 * threads) : 1;
  parallel_for((int64_t)N * bands, [&](int64_t b, int64_t e) {
    thread_local std::vector<float> ring_buf;
    float* ring = aligned_scratch(ring_buf, (size_t)cin * 3 * Wp);
    for (int64_t u = b; u < e; ++u) {
      const int n = (int)(u / bands), band = (int)(u % bands);
      NarrowArgs a{x + (size_t)n * cin * H * W, cin, H, W, wv, accumulate, y + (size_t)n * MB * H * W, Wp};
      narrow_band<MB, WV>(a, band * H / bands, (band + 1) * H / bands, ring);
    }
  });
}

}  // namespace

bool conv2d_3x3_narrow_supported(int cin, int cout) { return cin >= 1 && cout >= 1 && cout <= kConvNarrowMaxOut; }

void conv2d_3x3_narrow(const float* x, int N, int cin, int H, int W, const float* w, int cout, bool flip_transpose,
                       bool accumulate, float* y) {
  XM_ASSERT(N >= 0 && cin > 0 && H > 0 && W > 0 && cout >= 1 && cout <= kConvNarrowMaxOut);
  thread_local std::vector<float> wv_buf;
  float* wv = aligned_scratch(wv_buf, (size_t)cin * 9 * cout * kL);
  for (int i = 0; i < cin; ++i)
    for (int t = 0; t < 9; ++t)
      for (int o = 0; o < cout; ++o) {
        // flip_transpose: w is [cin,cout,3,3] and tap t reads its rotated kernel (8 - t).
        const float v = flip_transpose ? w[((size_t)i * cout + o) * 9 + (8 - t)] : w[((size_t)o * cin + i) * 9 + t];
        std::fill(wv + (((size_t)i * 9 + t) * cout + o) * kL, wv + (((size_t)i * 9 + t) * cout + o + 1) * kL, v);
      }
  switch (cout) {
    case 1: narrow_run<1, 4>(x, N, cin, H, W, wv, accumulate, y); break;
    case 2: narrow_run<2, 4>(x, N, cin, H, W, wv, accumulate, y); break;
    case 3: narrow_run<3, 2>(x, N, cin, H, W, wv, accumulate, y); break;
    default: narrow_run<4, 2>(x, N, cin, H, W, wv, accumulate, y); break;
  }
}

}  // namespace xm
