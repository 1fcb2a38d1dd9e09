// maxpool2x2_row: see pool.h. Even and odd columns come apart with
// LoadInterleaved2, so one vector of outputs costs four loads and three maxes.
#include "kernels/pool.h"

#include "kernels/simd.h"

#include <algorithm>

namespace xm {

void maxpool2x2_row(const float* r0, const float* r1, int64_t OW, float* y) {
  using D = simd::D;
  const D d;
  const int64_t L = (int64_t)hn::Lanes(d);
  int64_t ow = 0;
  for (; ow + L <= OW; ow += L) {
    hn::Vec<D> a0, a1, b0, b1;
    hn::LoadInterleaved2(d, r0 + 2 * ow, a0, a1);
    hn::LoadInterleaved2(d, r1 + 2 * ow, b0, b1);
    hn::StoreU(hn::Max(hn::Max(a0, a1), hn::Max(b0, b1)), d, y + ow);
  }
  for (; ow < OW; ++ow) {
    const float a = std::max(r0[2 * ow], r0[2 * ow + 1]), c = std::max(r1[2 * ow], r1[2 * ow + 1]);
    y[ow] = std::max(a, c);
  }
}

}  // namespace xm
