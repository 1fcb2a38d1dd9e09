// Xoshiro256: xoshiro256** (Blackman & Vigna, prng.di.unimi.it) seeded through
// splitmix64, the one generator core under both of the core's random streams:
// the explainers' Rng (explain/rng.h) and the phantoms' Rng
// (phantoms/phantom_util.h). Each turns the 64-bit words into its own samples;
// the words themselves are integer arithmetic, identical on every target.
//
//   Xoshiro256 g(seed);                   // state from four splitmix64 draws
//   uint64_t w = g.next();                // the next 64 random bits
//   Xoshiro256 r = Xoshiro256::from_state({1, 2, 3, 4});  // the reference's own vectors
#pragma once
#include <cstdint>

namespace xm {

// splitmix64: advances *x by the golden gamma and returns its mix.
inline uint64_t splitmix64(uint64_t* x) {
  uint64_t z = (*x += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

class Xoshiro256 {
public:
  explicit Xoshiro256(uint64_t seed) {
    uint64_t x = seed;
    for (auto& s : s_) s = splitmix64(&x);
  }
  static Xoshiro256 from_state(const uint64_t (&state)[4]) {
    Xoshiro256 g(0);
    for (int i = 0; i < 4; ++i) g.s_[i] = state[i];
    return g;
  }
  uint64_t next() {
    const uint64_t r = rotl(s_[1] * 5, 7) * 9;
    const uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return r;
  }

private:
  static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  uint64_t s_[4];
};

}  // namespace xm
