// maxpool2x2_rows: the forward of a 2x2, stride 2, unpadded max pool on
// rows of a plane, vectorised with Highway (the scalar loop was as slow as
// the first conv layer in wasm).
//
//   // y[oh, ow] = max(x[2oh, 2ow], x[2oh, 2ow+1], x[2oh+1, 2ow], x[2oh+1, 2ow+1])
//   xm::maxpool2x2_row(x + 2 * oh * W, x + (2 * oh + 1) * W, OW, y + oh * OW);
//
// Shapes: r0, r1: two input rows of at least 2*OW values; y: OW values.
// ref: ONNX MaxPool-12 with kernel_shape 2x2, strides 2, no pads (a NaN in
// the window gives NaN or one of the other values, as the target's max does).
#pragma once
#include <cstdint>

namespace xm {

void maxpool2x2_row(const float* r0, const float* r1, int64_t OW, float* y);

}  // namespace xm
