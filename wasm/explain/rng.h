// Rng: the explainers' one source of randomness. The words of xoshiro256**
// (core/xoshiro.h, shared with the phantoms), with uniform and normal sampling
// written here rather than taken from <random>, whose distributions differ
// between libstdc++ (native) and libc++ (Emscripten). Only IEEE-exact
// operations (+ - * / sqrt, frexp) are used, so a seed gives the same samples
// natively and as wasm; g++ contracts a*b+c into a fused multiply-add by
// default in C++ (wasm has none), so every product that meets an addition
// goes through fp_round first.
//
//   Rng rng(seed);
//   double u = rng.uniform();        // [0,1)
//   double z = rng.normal();         // N(0,1)
//   uint64_t k = rng.below(n);       // 0..n-1
#pragma once
#include <cmath>
#include <cstdint>

#include "core/xoshiro.h"

namespace xm {

// Forces x to be rounded to a double on its own, so that no FMA absorbs it.
inline double fp_round(double x) {
  volatile double v = x;
  return v;
}

class Rng : public Xoshiro256 {
public:
  explicit Rng(uint64_t seed) : Xoshiro256(seed) {}
  double uniform() { return double(next() >> 11) * (1.0 / 9007199254740992.0); }
  // Unbiased integer in [0, n) by rejection; n >= 1.
  uint64_t below(uint64_t n) {
    const uint64_t limit = ~uint64_t(0) - (~uint64_t(0) % n);
    uint64_t v;
    do v = next(); while (v >= limit);
    return v % n;
  }
  // Standard normal by Marsaglia's polar method; the spare value is kept.
  double normal() {
    if (has_spare_) {
      has_spare_ = false;
      return spare_;
    }
    double u, v, s;
    do {
      u = 2.0 * uniform() - 1.0;
      v = 2.0 * uniform() - 1.0;
      s = fp_round(u * u) + fp_round(v * v);
    } while (s >= 1.0 || s == 0.0);
    const double f = std::sqrt(-2.0 * exact_log(s) / s);
    spare_ = v * f;
    has_spare_ = true;
    return u * f;
  }

  // Natural log for 0 < x <= 1 from frexp and the atanh series: libm's log may
  // differ in the last bit between glibc and Emscripten's musl.
  static double exact_log(double x) {
    int e = 0;
    double m = std::frexp(x, &e);  // x = m * 2^e, m in [0.5, 1)
    if (m < 0.70710678118654752440) m *= 2.0, e -= 1;  // m in [sqrt(1/2), sqrt(2)): exact
    const double t = (m - 1.0) / (m + 1.0);  // |t| <= 0.1716, so 13 terms reach 1e-17
    const double t2 = t * t;
    double term = t, sum = 0.0;
    for (int k = 1; k <= 25; k += 2) {
      sum += term / double(k);
      term *= t2;
    }
    return fp_round(double(e) * 0.69314718055994530942) + 2.0 * sum;
  }

private:
  double spare_ = 0.0;
  bool has_spare_ = false;
};

}  // namespace xm
