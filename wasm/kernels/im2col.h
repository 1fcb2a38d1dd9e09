// im2col / col2im: unfold one image's receptive fields into a matrix so a
// convolution becomes one GEMM, and fold the columns' gradient back.
//
//   // y[M, outH*outW] = w[M, C*kH*kW] * cols[C*kH*kW, outH*outW]
//   std::vector<float> cols((size_t)C * kH * kW * outH * outW);
//   xm::im2col(x, C, H, W, kH, kW, pad_t, pad_l, sh, sw, dh, dw, outH, outW, cols.data());
//   xm::sgemm(false, false, M, outH * outW, C * kH * kW, 1.0f, w, C * kH * kW,
//             cols.data(), outH * outW, 0.0f, y, outH * outW);
//   // backward: dcols = w^T * dy, then col2im(dcols, ..., dx) ADDS into dx.
//
// Shapes: x: [C,H,W] (one image); cols: [C*kH*kW, outH*outW], row
// (c*kH + ki)*kW + kj, column oh*outW + ow, holding
// x[c, oh*sh - pad_t + ki*dh, ow*sw - pad_l + kj*dw] or 0 outside the image.
// ref: ONNX Conv-11 (pads begin = pad_t, pad_l; the end pads only shape outH/outW).
#pragma once

namespace xm {

void im2col(const float* x, int C, int H, int W, int kH, int kW, int pad_t, int pad_l,
            int stride_h, int stride_w, int dil_h, int dil_w, int outH, int outW,
            float* cols);

// The adjoint of im2col: x_grad[c,h,w] += every cols entry that im2col read
// from x[c,h,w]. It ACCUMULATES: zeroing x_grad first is the caller's job
// (so several column blocks, or groups, can add into one gradient).
void col2im(const float* cols, int C, int H, int W, int kH, int kW, int pad_t, int pad_l,
            int stride_h, int stride_w, int dil_h, int dil_w, int outH, int outW,
            float* x_grad);

}  // namespace xm
