// maxpool2x2_row, maxpool2x2_backward_row: see pool.h. Even and odd columns
// come apart with LoadInterleaved2, so one vector of outputs costs four loads
// and three maxes; the backward replays the scalar scan's strict comparisons
// as masks and selects instead of branching on the data.
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

void maxpool2x2_backward_row(const float* r0, const float* r1, const float* gy, int64_t OW, PoolReluMask mask,
                             float* g0, float* g1) {
  using D = simd::D;
  const D d;
  const int64_t L = (int64_t)hn::Lanes(d);
  const auto zero = hn::Zero(d);
  int64_t ow = 0;
  for (; ow + L <= OW; ow += L) {
    hn::Vec<D> a, b, c, e;
    hn::LoadInterleaved2(d, r0 + 2 * ow, a, b);
    hn::LoadInterleaved2(d, r1 + 2 * ow, c, e);
    auto v = hn::LoadU(d, gy + ow);
    const auto m1 = hn::Gt(b, a);
    auto best = hn::IfThenElse(m1, b, a);
    const auto m2 = hn::Gt(c, best);
    best = hn::IfThenElse(m2, c, best);
    const auto m3 = hn::Gt(e, best);
    best = hn::IfThenElse(m3, e, best);
    if (mask != PoolReluMask::NONE) {
      auto keep = hn::Gt(best, zero);
      if (mask == PoolReluMask::GUIDED) keep = hn::And(keep, hn::Gt(v, zero));
      v = hn::IfThenElseZero(keep, v);
    }
    const auto m23 = hn::Or(m2, m3);
    hn::StoreInterleaved2(hn::IfThenZeroElse(hn::Or(m1, m23), v), hn::IfThenElseZero(hn::AndNot(m23, m1), v), d, g0 + 2 * ow);
    hn::StoreInterleaved2(hn::IfThenElseZero(hn::AndNot(m3, m2), v), hn::IfThenElseZero(m3, v), d, g1 + 2 * ow);
  }
  for (; ow < OW; ++ow) {
    const int64_t c = 2 * ow;
    int which = 0;
    float best = r0[c];
    if (r0[c + 1] > best) { best = r0[c + 1]; which = 1; }
    if (r1[c] > best) { best = r1[c]; which = 2; }
    if (r1[c + 1] > best) { best = r1[c + 1]; which = 3; }
    float v = gy[ow];
    if (mask != PoolReluMask::NONE && !(best > 0.0f && (mask == PoolReluMask::RELU || v > 0.0f))) v = 0.0f;
    g0[c] = which == 0 ? v : 0.0f;
    g0[c + 1] = which == 1 ? v : 0.0f;
    g1[c] = which == 2 ? v : 0.0f;
    g1[c + 1] = which == 3 ? v : 0.0f;
  }
}

}  // namespace xm
