// conv3x3_winograd: a 3x3, pad 1, stride 1 convolution by Winograd's minimal
// filtering F(4x4,3x3) (Lavin & Gray 2015): each 4x4 block of outputs costs
// 36 multiplies per input channel instead of 144, i.e. 4x fewer. The
// products are 36 small GEMMs ([Cin] x [M] by [Cin] x [tiles]) between the
// input and output transforms, computed block by block of tile rows so that
// the transformed data stays in cache.
//
//   std::vector<float> u(xm::winograd_weight_floats(C, M));
//   xm::winograd_weights(w, M, C, /*flip_transpose=*/false, u.data());
//   std::vector<float> ws(xm::winograd_workspace_floats(C, M, H, W));
//   for (int n = 0; n < N; ++n)   // one image at a time (call from any thread, own ws each)
//     xm::conv3x3_winograd(x + n * C * H * W, C, H, W, u.data(), M, bias, relu, false,
//                          y + n * M * H * W, ws.data());
//
// Shapes: x: [C,H,W]; w: [M,C,3,3]; bias: [M] or nullptr; y: [M,H,W] (same H, W).
// ref: ONNX Conv-11 with kernel_shape 3x3, pads 1,1,1,1, strides 1,
// dilations 1, group 1.
// The backward of such a conv (dx = conv of dy with the kernels transposed to
// [C,M] and flipped 180 degrees, pad 1) is the same kernel: build u with
// flip_transpose = true and run it on dy with M and C swapped and
// accumulate = true (dx += ...).
// Accuracy: the transforms scale by up to 8 (and the weights' by 1/6, 1/24),
// so the result differs from the direct sum by more float32 roundings than
// F(2x2,3x3)'s: about 5e-6 of the output's largest magnitude on bench_cnn's
// layers (inputs and weights in [-1,1]; a plain float sum: about 1e-6), and
// about 2e-6 relative on bench_cnn's input gradient against PyTorch in double
// (checked against a double-precision reference in tests/unit/test_winograd.cpp).
// Single-threaded; bit-identical whatever thread calls it.
#pragma once
#include <cstddef>

namespace xm {

// Worth it over im2col + sgemm for these channel counts (tiny C or M leave
// the 16 GEMMs too small to pay for the transforms).
bool conv3x3_winograd_supported(int C, int M, int H, int W);

// Floats of the transformed weights for C input and M output channels.
size_t winograd_weight_floats(int C, int M);

// u = G w G^T for each (m, c), laid out for conv3x3_winograd. With
// flip_transpose, w [M,C,3,3] is read as the kernels of the adjoint conv
// ([C,M,3,3], flipped), so u serves a conv from M channels to C channels.
void winograd_weights(const float* w, int M, int C, bool flip_transpose, float* u);

// Scratch floats one conv3x3_winograd call needs (C in, M out channels).
size_t winograd_workspace_floats(int C, int M, int H, int W);

// y = conv(x) (+ bias, then max(.,0) when relu); accumulate: y += conv(x)
// (bias and relu must then be off). u from winograd_weights(w, M, C, ...).
void conv3x3_winograd(const float* x, int C, int H, int W, const float* u, int M, const float* bias, bool relu,
                      bool accumulate, float* y, float* workspace);

}  // namespace xm
