// im2col / col2im: see im2col.h.
#include "kernels/im2col.h"

#include <cstddef>
#include <cstring>

namespace xm {

void im2col(const float* x, int C, int H, int W, int kH, int kW, int pad_t, int pad_l,
            int stride_h, int stride_w, int dil_h, int dil_w, int outH, int outW,
            float* cols) {
  const size_t plane = (size_t)outH * outW;
  for (int c = 0; c < C; ++c) {
    const float* xc = x + (size_t)c * H * W;
    for (int ki = 0; ki < kH; ++ki) {
      for (int kj = 0; kj < kW; ++kj) {
        float* row = cols + ((size_t)(c * kH + ki) * kW + kj) * plane;
        for (int oh = 0; oh < outH; ++oh) {
          const int ih = oh * stride_h - pad_t + ki * dil_h;
          float* out = row + (size_t)oh * outW;
          if (ih < 0 || ih >= H) {
            std::memset(out, 0, sizeof(float) * outW);
            continue;
          }
          const float* xr = xc + (size_t)ih * W;
          const int off = kj * dil_w - pad_l;
          if (stride_w == 1) {
            // Contiguous run: zeros left and right of the valid span, one copy between.
            int lo = off < 0 ? -off : 0;
            int hi = W - off;  // first ow with iw >= W
            if (lo > outW) lo = outW;
            if (hi > outW) hi = outW;
            if (hi < lo) hi = lo;
            for (int ow = 0; ow < lo; ++ow) out[ow] = 0.0f;
            if (hi > lo) std::memcpy(out + lo, xr + lo + off, sizeof(float) * (hi - lo));
            for (int ow = hi; ow < outW; ++ow) out[ow] = 0.0f;
          } else {
            for (int ow = 0; ow < outW; ++ow) {
              const int iw = ow * stride_w + off;
              out[ow] = (iw >= 0 && iw < W) ? xr[iw] : 0.0f;
            }
          }
        }
      }
    }
  }
}

void col2im(const float* cols, int C, int H, int W, int kH, int kW, int pad_t, int pad_l,
            int stride_h, int stride_w, int dil_h, int dil_w, int outH, int outW,
            float* x_grad) {
  const size_t plane = (size_t)outH * outW;
  for (int c = 0; c < C; ++c) {
    float* gc = x_grad + (size_t)c * H * W;
    for (int ki = 0; ki < kH; ++ki) {
      for (int kj = 0; kj < kW; ++kj) {
        const float* row = cols + ((size_t)(c * kH + ki) * kW + kj) * plane;
        for (int oh = 0; oh < outH; ++oh) {
          const int ih = oh * stride_h - pad_t + ki * dil_h;
          if (ih < 0 || ih >= H) continue;
          float* gr = gc + (size_t)ih * W;
          const float* in = row + (size_t)oh * outW;
          const int off = kj * dil_w - pad_l;
          for (int ow = 0; ow < outW; ++ow) {
            const int iw = ow * stride_w + off;
            if (iw >= 0 && iw < W) gr[iw] += in[ow];
          }
        }
      }
    }
  }
}

}  // namespace xm
