// Reproducible test data shared by the kernel and engine tests.
//
//   std::vector<float> w = xm::test::uniform_vector(16 * 3 * 9, 1600);  // values in [-1, 1)
#pragma once
#include <cstdint>
#include <random>
#include <vector>

namespace xm {
namespace test {

// n values drawn uniformly from [-1, 1) by a Mersenne Twister seeded with `seed`.
inline std::vector<float> uniform_vector(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> u(-1.0f, 1.0f);
  std::vector<float> v(n);
  for (float& x : v) x = u(rng);
  return v;
}

}  // namespace test
}  // namespace xm
