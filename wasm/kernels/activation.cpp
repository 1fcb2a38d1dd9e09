// relu_backward: see activation.h. Selects instead of branches; the result is
// the scalar rule's exactly (a kept gradient is copied, a dropped one is +0).
#include "kernels/activation.h"

#include "kernels/simd.h"

namespace xm {

void relu_backward(const float* y, const float* gy, int64_t n, bool guided, bool accumulate, float* gx) {
  using D = simd::D;
  const D d;
  const int64_t L = (int64_t)hn::Lanes(d);
  const auto zero = hn::Zero(d);
  int64_t i = 0;
  for (; i + L <= n; i += L) {
    const auto g = hn::LoadU(d, gy + i);
    auto keep = hn::Gt(hn::LoadU(d, y + i), zero);
    if (guided) keep = hn::And(keep, hn::Gt(g, zero));
    const auto v = hn::IfThenElseZero(keep, g);
    hn::StoreU(accumulate ? hn::Add(hn::LoadU(d, gx + i), v) : v, d, gx + i);
  }
  for (; i < n; ++i) {
    const float v = (y[i] > 0.0f && (!guided || gy[i] > 0.0f)) ? gy[i] : 0.0f;
    gx[i] = accumulate ? gx[i] + v : v;
  }
}

}  // namespace xm
