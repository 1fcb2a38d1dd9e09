// conv2d_gemm: one image's convolution as an implicit GEMM. It computes
// exactly sgemm(w, im2col(x)) (+ bias) but packs the GEMM's panels straight
// from the image, so the [C*kH*kW, outH*outW] column matrix is never written
// and read back (for bench_cnn's middle layers that matrix is 1-2 MB a image,
// more than L2).
//
//   // per image n and group gi (x, w, y offset as for im2col + sgemm):
//   xm::conv2d_gemm(x, C, H, W, kH, kW, pad_t, pad_l, sh, sw, dh, dw, outH, outW,
//                   w, M, bias, y);
//
// Shapes: x: [C,H,W]; w: [M, C*kH*kW] (row-major, i.e. [M,C,kH,kW]);
// bias: [M] or nullptr; y: [M, outH*outW], overwritten (not read).
// ref: ONNX Conv-11 (pads begin = pad_t, pad_l; see im2col.h).
// Same threading and determinism as sgemm (kernels/gemm.h); implemented in
// gemm.cpp because it shares sgemm's blocking and micro-kernel.
#pragma once

namespace xm {

void conv2d_gemm(const float* x, int C, int H, int W, int kH, int kW, int pad_t, int pad_l,
                 int stride_h, int stride_w, int dil_h, int dil_w, int outH, int outW,
                 const float* w, int M, const float* bias, float* y);

}  // namespace xm
