// conv2d_3x3_narrow: a 3x3, pad 1, stride 1 convolution with few output
// channels (at most 4) and any number of input channels, computed straight
// from the input. Its main use is the data gradient of a network's first
// layer (bench_cnn: 16 -> 1 channel at 128x128), which is a 3x3 convolution of
// the output gradient with the kernels transposed and rotated by 180 degrees;
// im2col + sgemm + col2im spends more time moving the [C*9, H*W] column
// matrix than multiplying, and a [M,C]-blocked direct kernel wastes most of
// its lanes on one output channel.
//
//   // forward: y[n,o] = sum over i of conv3x3(x[n,i], w[o,i]);  w: [cout,cin,3,3]
//   if (xm::conv2d_3x3_narrow_supported(cin, cout))
//     xm::conv2d_3x3_narrow(x, N, cin, H, W, w, cout, false, false, y);
//   // data gradient of a conv with weight w [M,C,3,3]: dx[n,c] (+)= sum over m of
//   // dy[n,m] correlated with w[m,c] rotated 180 degrees (cin = M, cout = C)
//   xm::conv2d_3x3_narrow(dy, N, M, H, W, w, C, true, accumulate, dx);
//
// Shapes: x: [N,cin,H,W]; y: [N,cout,H,W] (same H, W), overwritten or, with
// accumulate, added to. w: [cout,cin,3,3], or with flip_transpose [cin,cout,3,3].
// ref: ONNX Conv-11 (kernel_shape 3x3, pads 1,1,1,1, strides 1, dilations 1,
// group 1); its input gradient as PyTorch's conv2d backward computes it.
// Threads: image x row-band units on kernels/thread_pool.h; every output is
// summed in the same order (input channel, kernel row, kernel column), so the
// result is bit-identical for any thread count.
#pragma once

namespace xm {

constexpr int kConvNarrowMaxOut = 4;

bool conv2d_3x3_narrow_supported(int cin, int cout);

void conv2d_3x3_narrow(const float* x, int N, int cin, int H, int W, const float* w, int cout, bool flip_transpose,
                       bool accumulate, float* y);

}  // namespace xm
