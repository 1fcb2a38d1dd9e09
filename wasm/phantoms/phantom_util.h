// Internal toolkit of the phantom generators: a portable PRNG, portable math,
// smooth noise fields and soft-edged drawing on float canvases.
//
//   Rng rng(seed, PHANTOM_STREAM_ANATOMY);
//   Canvas c(128, 128, 0.0f);
//   Field tex = fbm_field(rng, 128, 128, /*cells=*/8, /*octaves=*/3);
//   c.blend_disk(64, 64, 10, 1.5f, 0.8f);   // soft-edged disk, partial volume
//
// Why our own math: the same seed must give the same bytes natively (glibc)
// and in WebAssembly (musl). std:: distributions and libm's exp/log/sin are
// not specified bit for bit, so everything here uses only +, -, *, / and sqrt
// (IEEE-exact everywhere) plus polynomial approximations built on them, and the
// generators build without fused multiply-adds (-ffp-contract=off,
// wasm/CMakeLists.txt), which wasm does not have.
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/xoshiro.h"

namespace xm {
namespace phantom {

// Independent random streams, so that turning one knob (lesion size, noise)
// does not reshuffle the anatomy drawn from another stream.
enum PhantomStream : uint64_t {
  PHANTOM_STREAM_LABEL = 1,
  PHANTOM_STREAM_ANATOMY = 2,
  PHANTOM_STREAM_LESION = 3,
  PHANTOM_STREAM_NOISE = 4,
  PHANTOM_STREAM_MARKER = 5,
};

// The words of xoshiro256** (core/xoshiro.h, shared with the explainers),
// seeded from the seed and the stream, with float samples of their own.
class Rng : public Xoshiro256 {
public:
  Rng(uint64_t seed, uint64_t stream) : Xoshiro256(seed ^ (stream * 0xD1B54A32D192ED03ull)) {}
  float uniform();                     // [0,1), 24 random bits, exact
  float uniform(float lo, float hi) { return lo + (hi - lo) * uniform(); }
  int integer(int lo, int hi);         // [lo, hi] inclusive
  bool chance(float p) { return uniform() < p; }
  float gauss();                       // standard normal (Box-Muller on portable log/cos)
};

// Portable math (relative error ~1e-7, identical bits on every IEEE-754 target).
float pexp(float x);
float plog(float x);                   // x > 0
float psin(float x);
float pcos(float x);
float patan2(float y, float x);
float psqrt(float x);
float ppow(float x, float y);          // x > 0
inline float clamp01(float v) { return v < 0.0f ? 0.0f : (v > 1.0f ? 1.0f : v); }
inline float lerp(float a, float b, float t) { return a + (b - a) * t; }
float smoothstep(float e0, float e1, float x);
constexpr float PI = 3.14159265358979f;

// A single-channel float image, row-major.
struct Canvas {
  int w = 0, h = 0;
  std::vector<float> v;
  Canvas() = default;
  Canvas(int w_, int h_, float fill) : w(w_), h(h_), v(size_t(w_) * size_t(h_), fill) {}
  float& at(int x, int y) { return v[size_t(y) * size_t(w) + size_t(x)]; }
  float at(int x, int y) const { return v[size_t(y) * size_t(w) + size_t(x)]; }
  float sample(float x, float y) const;  // bilinear, clamped to the border
};

// Smooth value noise in about [-1,1]: random values on a (cells+3)^2 lattice,
// Catmull-Rom interpolated; fbm sums octaves with halving amplitude.
Canvas value_noise(Rng& rng, int w, int h, int cells);
Canvas fbm(Rng& rng, int w, int h, int cells, int octaves);

// Separable Gaussian blur (partial-volume / point-spread function).
void blur(Canvas& c, float sigma);

// A star-shaped blob: radius(theta) = r * (1 + sum_k a_k cos(k theta + phi_k)),
// k = 2..4; `coverage` gives the soft membership in [0,1] of a point.
struct Blob {
  float cx = 0, cy = 0, rx = 1, ry = 1;
  float cos_rot = 1, sin_rot = 0;
  float ca[3] = {0, 0, 0}, sa[3] = {0, 0, 0};  // harmonic coefficients for k = 2, 3, 4
  float edge = 1.0f;                           // soft edge width in pixels
  // Signed distance-like value: < 0 inside, > 0 outside (in pixels, approximate).
  float sdf(float x, float y) const;
  float coverage(float x, float y) const;
};
// Callers pass the geometry as a braced list so that random draws inside it
// happen left to right (function arguments are unsequenced: g++ and clang
// would draw them in different orders and the bytes would differ).
struct BlobGeometry {
  float cx, cy, rx, ry, rot, wobble, edge;
};
Blob make_blob(Rng& rng, const BlobGeometry& g);

// Mixes `value` into the canvas with weight coverage(x,y) * alpha.
void paint_blob(Canvas& c, const Blob& b, float value, float alpha = 1.0f);
// Adds `delta * coverage` instead of mixing.
void add_blob(Canvas& c, const Blob& b, float delta);
// Soft capsule (thick line segment) from (x0,y0) to (x1,y1) with radii r0..r1;
// mixes `value` with weight coverage * alpha and returns nothing.
void paint_segment(Canvas& c, float x0, float y0, float x1, float y1, float r0, float r1, float value, float alpha);
// The same, but keeping the maximum coverage in a mask-like canvas.
void max_segment(Canvas& c, float x0, float y0, float x1, float y1, float r0, float r1);

}  // namespace phantom
}  // namespace xm
