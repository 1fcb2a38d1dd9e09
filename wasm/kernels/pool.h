// maxpool2x2_row: the forward of a 2x2, stride 2, unpadded max pool on
// rows of a plane, vectorised with Highway (the scalar loop was as slow as
// the first conv layer in wasm); maxpool2x2_backward_row its backward.
//
//   // y[oh, ow] = max(x[2oh, 2ow], x[2oh, 2ow+1], x[2oh+1, 2ow], x[2oh+1, 2ow+1])
//   xm::maxpool2x2_row(x + 2 * oh * W, x + (2 * oh + 1) * W, OW, y + oh * OW);
//   // gx rows 2oh, 2oh+1: gy[oh, ow] at each window's first maximum, 0 elsewhere
//   xm::maxpool2x2_backward_row(x + 2 * oh * W, x + (2 * oh + 1) * W, gy + oh * OW, OW,
//                               xm::PoolReluMask::NONE, gx + 2 * oh * W, gx + (2 * oh + 1) * W);
//
// Shapes: r0, r1: two input rows of at least 2*OW values; y: OW values.
// ref: ONNX MaxPool-12 with kernel_shape 2x2, strides 2, no pads (a NaN in
// the window gives NaN or one of the other values, as the target's max does).
#pragma once
#include <cstdint>

namespace xm {

void maxpool2x2_row(const float* r0, const float* r1, int64_t OW, float* y);

// A Relu's backward folded into the pool's (the pool reads the Relu's output):
// RELU keeps a gradient only where the max is > 0, GUIDED also only when the
// gradient is > 0 (guided backpropagation's rule).
enum class PoolReluMask { NONE, RELU, GUIDED };

// Assigns 2*OW values of g0 and g1: each window's gradient goes to its first
// maximum in row-major order (as a scalar `if (v > best)` scan), the other
// three positions get 0. For windows that tile the input exactly.
void maxpool2x2_backward_row(const float* r0, const float* r1, const float* gy, int64_t OW, PoolReluMask mask,
                             float* g0, float* g1);

}  // namespace xm
