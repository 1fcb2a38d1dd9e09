// The generator core under every random stream of the core (core/xoshiro.h):
// the reference algorithm's own vectors, and the explainers' and the phantoms'
// samples pinned to the values they gave before the two shared this core, so
// that no stream moves by a bit.
#include <doctest/doctest.h>

#include "core/xoshiro.h"
#include "explain/rng.h"
#include "phantoms/phantom_util.h"

using namespace xm;

TEST_SUITE("xoshiro") {
  TEST_CASE("splitmix64 and xoshiro256** give the reference implementations' outputs") {
    uint64_t x = 0;
    CHECK(splitmix64(&x) == 0xe220a8397b1dcdafull);  // Vigna's splitmix64.c from state 0
    // xoshiro256starstar.c from the state {1, 2, 3, 4} (the vectors Rust's rand_xoshiro checks).
    Xoshiro256 g = Xoshiro256::from_state({1, 2, 3, 4});
    const uint64_t want[] = {11520ull, 0ull, 1509978240ull, 1215971899390074240ull};
    for (uint64_t w : want) CHECK(g.next() == w);
  }

  TEST_CASE("the explainers' Rng draws what it drew before it shared the core") {
    Rng r(42);
    CHECK(r.next() == 0x15780b2e0c2ec716ull);
    CHECK(r.next() == 0x6104d9866d113a7eull);
    CHECK(r.next() == 0xae17533239e499a1ull);
    CHECK(r.uniform() == 0.92469294532538759);
    CHECK(r.normal() == 0.46417731016247366);
    CHECK(r.normal() == 0.74097889168655617);  // the polar method's spare
    CHECK(r.below(1000) == 958);
  }

  TEST_CASE("the phantoms' Rng draws what it drew before it shared the core") {
    phantom::Rng p(0, 0);
    CHECK(p.next() == 0x99ec5f36cb75f2b4ull);
    CHECK(p.next() == 0xbf6e1f784956452aull);
    phantom::Rng q(7, 3);
    CHECK(q.next() == 0xd88d886bb833247cull);
    CHECK(q.uniform() == 0.792534411f);
    CHECK(q.gauss() == 2.065485f);
    CHECK(q.integer(-5, 5) == -1);
  }
}
