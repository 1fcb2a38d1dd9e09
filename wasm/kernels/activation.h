// relu_backward: the backward of y = max(x, 0) on a flat array, vectorised with
// Highway (the scalar loop, branching on the data, cost as much as a conv
// layer's backward at batch 1).
//
//   // gx = (y > 0 ? gy : 0), or gx += ... with accumulate; guided: also gy > 0
//   xm::relu_backward(y, gy, n, /*guided=*/false, /*accumulate=*/false, gx);
//
// Shapes: y, gy, gx: n values (gx may alias gy). ref: ONNX Relu-14; guided
// backpropagation (Springenberg et al. 2015) passes only positive gradients.
#pragma once
#include <cstdint>

namespace xm {

void relu_backward(const float* y, const float* gy, int64_t n, bool guided, bool accumulate, float* gx);

}  // namespace xm
