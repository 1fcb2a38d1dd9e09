// conv2d_3x3_direct: a 3x3, pad 1, stride 1 convolution computed straight
// from the input, for layers with few input channels (the first layer of a
// CNN on grey images), where im2col + sgemm spends more time copying than
// multiplying (K = C*9 is tiny).
//
//   if (xm::conv2d_3x3_direct_supported(C))
//     xm::conv2d_3x3_direct(x, N, C, H, W, w, M, bias, y);   // else im2col + sgemm
//   xm::conv2d_3x3_direct(x, N, C, H, W, w, M, bias, y, /*relu=*/true);  // y = max(conv + bias, 0)
//
// Shapes: x: [N,C,H,W]; w: [M,C,3,3]; bias: [M] or nullptr; y: [N,M,H,W]
// (same H, W). ref: ONNX Conv-11 with kernel_shape 3x3, pads 1,1,1,1,
// strides 1, dilations 1, group 1.
// Threads: parallel over images and output channels on kernels/thread_pool.h;
// bit-identical for any thread count (fixed summation order c, ki, kj).
#pragma once

namespace xm {

// True when the direct path is faster than im2col + sgemm for C input
// channels on this build (measured with tools/bench_kernels).
bool conv2d_3x3_direct_supported(int C);

void conv2d_3x3_direct(const float* x, int N, int C, int H, int W, const float* w, int M,
                       const float* bias, float* y, bool relu = false);

}  // namespace xm
