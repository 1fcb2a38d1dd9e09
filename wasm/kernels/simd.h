// The Highway prelude every SIMD kernel shares: one place for the target
// flags and the float vector types.
//
//   #include "kernels/simd.h"
//   namespace xm { namespace { using D = simd::D; ... hn::Load(D(), p) ... } }
//
// Static dispatch: AVX2+FMA natively, WebAssembly SIMD128 in the wasm build,
// a scalar fallback elsewhere.
#pragma once

// Highway 1.0's AVX2 target also requires the AES and CLMUL flags, which the
// build does not pass (AVX2+FMA only); we use neither, so don't ask for them.
#ifndef HWY_DISABLE_PCLMUL_AES
#define HWY_DISABLE_PCLMUL_AES
#endif
#include <hwy/highway.h>

namespace xm {
namespace hn = hwy::HWY_NAMESPACE;
namespace simd {
using D = hn::ScalableTag<float>;
using V = hn::Vec<D>;
constexpr int kL = (int)hn::MaxLanes(D());  // 8 on AVX2, 4 on SIMD128
}  // namespace simd
}  // namespace xm
