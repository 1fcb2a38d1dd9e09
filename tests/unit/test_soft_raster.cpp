// soft_raster (ui/render/soft_raster.h) against hand-computed pixels: coverage
// by pixel centres, the top-left rule (shared edges blend once), source-over
// with rounding, colour interpolation, texture sampling (1:1 copy, nearest
// magnification, bilinear at half texels, clamp to edge), clipping, the quad
// fast path against the general triangle path, and hostile input.
#include <doctest/doctest.h>

#include <chrono>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "render/soft_raster.h"

using namespace xm;

namespace {

struct Rgb {
  int r, g, b;
};

uint32_t col32(int r, int g, int b, int a) { return uint32_t(r) | uint32_t(g) << 8 | uint32_t(b) << 16 | uint32_t(a) << 24; }

Rgb at(const SoftCanvas& c, int x, int y) {
  const uint8_t* p = c.pixels() + (size_t(y) * size_t(c.width()) + size_t(x)) * 4;
  return {p[0], p[1], p[2]};
}
uint8_t alpha_at(const SoftCanvas& c, int x, int y) { return c.pixels()[(size_t(y) * size_t(c.width()) + size_t(x)) * 4 + 3]; }

bool same(Rgb a, Rgb b) { return a.r == b.r && a.g == b.g && a.b == b.b; }
std::string str(Rgb a) { return std::to_string(a.r) + "," + std::to_string(a.g) + "," + std::to_string(a.b); }

// The reference blend, in real numbers: round(src·a/255 + dst·(255−a)/255).
int ref_blend(int s, int d, int a) { return int(std::lround((double(s) * a + double(d) * (255 - a)) / 255.0)); }

// An axis-aligned quad as ImGui sends it: corners (x0,y0) (x1,y0) (x1,y1) (x0,y1).
struct Quad {
  SoftVertex v[4];
};
Quad quad(float x0, float y0, float x1, float y1, uint32_t col, float u0 = 0, float v0 = 0, float u1 = 0, float v1 = 0) {
  return {{{x0, y0, u0, v0, col}, {x1, y0, u1, v0, col}, {x1, y1, u1, v1, col}, {x0, y1, u0, v1, col}}};
}
const uint16_t kQuadIdx[6] = {0, 1, 2, 0, 2, 3};     // ImGui's split: the fast path
const uint16_t kOtherDiag[6] = {0, 1, 3, 1, 2, 3};   // the other diagonal: general triangles only

SoftCanvas canvas(int w, int h, Rgb bg) {
  SoftCanvas c;
  c.resize(w, h);
  c.fill({0, 0, float(w), float(h)}, uint8_t(bg.r), uint8_t(bg.g), uint8_t(bg.b));
  return c;
}
SoftClip whole(const SoftCanvas& c) { return {0, 0, float(c.width()), float(c.height())}; }

}  // namespace

TEST_SUITE("soft_raster") {
  TEST_CASE("fill and a solid rect at fractional coordinates cover exactly the pixels whose centres are inside") {
    const Rgb bg{10, 20, 30};
    for (const uint16_t* idx : {kQuadIdx, kOtherDiag}) {
      SoftCanvas c = canvas(10, 8, bg);
      const Quad q = quad(2.3f, 1.6f, 7.5f, 5.5f, col32(255, 0, 0, 255));
      c.draw(q.v, idx, 6, whole(c), nullptr);
      // Centres x+0.5 in [2.3, 7.5): x = 2..6; y+0.5 in [1.6, 5.5): y = 2..4.
      for (int y = 0; y < 8; ++y)
        for (int x = 0; x < 10; ++x) {
          const bool in = x >= 2 && x <= 6 && y >= 2 && y <= 4;
          CAPTURE(x); CAPTURE(y); CAPTURE(idx == kQuadIdx);
          CHECK(same(at(c, x, y), in ? Rgb{255, 0, 0} : bg));
          CHECK(alpha_at(c, x, y) == 255);
        }
    }
    SoftCanvas c = canvas(6, 4, {0, 0, 0});
    c.fill({0.6f, 0.4f, 3.5f, 2.51f}, 1, 2, 3);  // x = 1, 2; y = 0, 1, 2
    for (int y = 0; y < 4; ++y)
      for (int x = 0; x < 6; ++x) CHECK(same(at(c, x, y), (x >= 1 && x <= 2 && y <= 2) ? Rgb{1, 2, 3} : Rgb{0, 0, 0}));
  }

  TEST_CASE("50% alpha over a known background gives the rounded formula") {
    SoftCanvas c = canvas(4, 4, {40, 200, 100});
    const Quad q = quad(0, 0, 2, 4, col32(255, 0, 0, 128));
    c.draw(q.v, kQuadIdx, 6, whole(c), nullptr);
    // r = round((255·128 + 40·127)/255) = round(147.92), g = round(99.61), b = round(49.80).
    CHECK(same(at(c, 0, 0), {148, 100, 50}));
    CHECK(same(at(c, 1, 3), {148, 100, 50}));
    CHECK(same(at(c, 2, 0), {40, 200, 100}));
    CHECK(alpha_at(c, 1, 1) == 255);  // the canvas stays opaque
    // Every alpha and channel value against the real-number formula.
    SoftCanvas d = canvas(256, 1, {0, 0, 0});
    for (int a = 0; a < 256; ++a) {
      const Quad qa = quad(float(a), 0, float(a + 1), 1, col32(255, 0, 0, a));
      d.fill({float(a), 0, float(a + 1), 1}, 3, 128, 254);
      d.draw(qa.v, kQuadIdx, 6, whole(d), nullptr);
      CAPTURE(a);
      CHECK(same(at(d, a, 0), {ref_blend(255, 3, a), ref_blend(0, 128, a), ref_blend(0, 254, a)}));
    }
  }

  TEST_CASE("two triangles of a quad blend every pixel exactly once") {
    const Rgb bg{0, 0, 0};
    const int once = ref_blend(200, 0, 128), twice = ref_blend(200, once, 128);
    REQUIRE(once != twice);
    for (const uint16_t* idx : {kQuadIdx, kOtherDiag})
      for (float off : {0.0f, 0.25f, 0.5f}) {  // 0.5: every vertex on a pixel centre
        SoftCanvas c = canvas(12, 12, bg);
        const Quad q = quad(1 + off, 2 + off, 9 + off, 11 + off, col32(200, 200, 200, 128));
        c.draw(q.v, idx, 6, whole(c), nullptr);
        int n_once = 0;
        for (int y = 0; y < 12; ++y)
          for (int x = 0; x < 12; ++x) {
            const int v = at(c, x, y).r;
            CAPTURE(x); CAPTURE(y); CAPTURE(off);
            CHECK((v == 0 || v == once));
            n_once += v == once;
          }
        CHECK(n_once == 8 * 9);
      }
  }

  TEST_CASE("two triangles sharing an arbitrary diagonal blend each pixel once, centres on the edge included") {
    // Convex A, Q, B, P split along A–B, which passes through pixel centres
    // (3.5, 2.5), (6.5, 4.5), (9.5, 6.5).
    const float ax = 0.5f, ay = 0.5f, qx = 13.7f, qy = 0.2f, bx = 12.5f, by = 8.5f, px = 0.1f, py = 9.9f;
    const uint32_t col = col32(100, 100, 100, 128);
    const SoftVertex v[4] = {{ax, ay, 0, 0, col}, {qx, qy, 0, 0, col}, {bx, by, 0, 0, col}, {px, py, 0, 0, col}};
    const int once = ref_blend(100, 0, 128);
    auto cross = [](double x0, double y0, double x1, double y1, double x, double y) {
      return (x1 - x0) * (y - y0) - (y1 - y0) * (x - x0);
    };
    for (int order = 0; order < 2; ++order) {
      // Both windings: (A,Q,B)+(A,B,P), then (B,Q,A)+(P,B,A).
      const uint16_t idx[2][6] = {{0, 1, 2, 0, 2, 3}, {2, 1, 0, 3, 2, 0}};
      SoftCanvas c = canvas(16, 12, {0, 0, 0});
      c.draw(v, idx[order], 6, whole(c), nullptr);
      int on_diagonal = 0;
      for (int y = 0; y < 12; ++y)
        for (int x = 0; x < 16; ++x) {
          const double cx = x + 0.5, cy = y + 0.5;
          const double e[4] = {cross(ax, ay, qx, qy, cx, cy), cross(qx, qy, bx, by, cx, cy),
                               cross(bx, by, px, py, cx, cy), cross(px, py, ax, ay, cx, cy)};
          const bool inside = e[0] > 1e-9 && e[1] > 1e-9 && e[2] > 1e-9 && e[3] > 1e-9;
          const bool outside = e[0] < -1e-9 || e[1] < -1e-9 || e[2] < -1e-9 || e[3] < -1e-9;
          CAPTURE(x); CAPTURE(y); CAPTURE(order);
          if (inside) CHECK(at(c, x, y).r == once);
          if (outside) CHECK(at(c, x, y).r == 0);
          if (inside && std::fabs(cross(ax, ay, bx, by, cx, cy)) < 1e-9) ++on_diagonal;
        }
      CHECK(on_diagonal == 3);
    }
  }

  TEST_CASE("a vertex colour gradient equals the linear formula at pixel centres") {
    // Colours linear in position (R = 255·x/16, G = 255·y/8, B = 77), so each
    // triangle's interpolation is that plane.
    SoftVertex v[4] = {{0, 0, 0, 0, col32(0, 0, 77, 255)},
                       {16, 0, 0, 0, col32(255, 0, 77, 255)},
                       {16, 8, 0, 0, col32(255, 255, 77, 255)},
                       {0, 8, 0, 0, col32(0, 255, 77, 255)}};
    SoftCanvas c = canvas(16, 8, {0, 0, 0});
    c.draw(v, kQuadIdx, 6, whole(c), nullptr);
    for (int y = 0; y < 8; ++y)
      for (int x = 0; x < 16; ++x) {
        const Rgb p = at(c, x, y);
        CAPTURE(x); CAPTURE(y); CAPTURE(str(p));
        CHECK(std::abs(p.r - 255.0 * (x + 0.5) / 16) <= 1.0);
        CHECK(std::abs(p.g - 255.0 * (y + 0.5) / 8) <= 1.0);
        CHECK(p.b == 77);
      }
    // An anti-aliasing fringe: white, alpha 255 → 0 over 8 pixels, on black.
    SoftVertex f[4] = {{0, 0, 0, 0, col32(255, 255, 255, 255)},
                       {8, 0, 0, 0, col32(255, 255, 255, 0)},
                       {8, 2, 0, 0, col32(255, 255, 255, 0)},
                       {0, 2, 0, 0, col32(255, 255, 255, 255)}};
    SoftCanvas d = canvas(8, 2, {0, 0, 0});
    d.draw(f, kQuadIdx, 6, whole(d), nullptr);
    for (int y = 0; y < 2; ++y)
      for (int x = 0; x < 8; ++x) {
        CAPTURE(x); CAPTURE(y);
        CHECK(std::abs(at(d, x, y).g - 255.0 * (1 - (x + 0.5) / 8)) <= 1.0);
      }
  }

  TEST_CASE("a 1:1 textured quad copies texels exactly, blended by their alpha") {
    const int tw = 8, th = 4;
    std::vector<uint8_t> tex(size_t(tw) * th * 4);
    for (size_t i = 0; i < tex.size(); ++i) tex[i] = uint8_t((i * 37 + 11) % 256);
    for (int i = 0; i < tw * th; i += 5) tex[size_t(i) * 4 + 3] = (i % 2) ? 255 : 0;  // some opaque, some empty
    const SoftTexture t{tw, th, tex.data(), false};
    const Rgb bg{90, 60, 30};
    for (int placement = 0; placement < 2; ++placement) {
      // Whole texture at (3, 2); then texels (2..5, 1..3) of it, as a glyph in an atlas.
      const Quad q = placement == 0 ? quad(3, 2, 11, 6, 0xFFFFFFFFu, 0, 0, 1, 1)
                                    : quad(3, 2, 7, 4, 0xFFFFFFFFu, 2.0f / tw, 1.0f / th, 6.0f / tw, 3.0f / th);
      const int tx0 = placement == 0 ? 0 : 2, ty0 = placement == 0 ? 0 : 1, w = placement == 0 ? 8 : 4,
                h = placement == 0 ? 4 : 2;
      SoftCanvas c = canvas(14, 8, bg);
      c.draw(q.v, kQuadIdx, 6, whole(c), &t);
      for (int y = 0; y < 8; ++y)
        for (int x = 0; x < 14; ++x) {
          CAPTURE(x); CAPTURE(y); CAPTURE(placement);
          const bool in = x >= 3 && x < 3 + w && y >= 2 && y < 2 + h;
          if (!in) {
            CHECK(same(at(c, x, y), bg));
            continue;
          }
          const uint8_t* s = &tex[(size_t(ty0 + y - 2) * tw + size_t(tx0 + x - 3)) * 4];
          CHECK(same(at(c, x, y), {ref_blend(s[0], bg.r, s[3]), ref_blend(s[1], bg.g, s[3]), ref_blend(s[2], bg.b, s[3])}));
        }
    }
  }

  TEST_CASE("a 4x magnified nearest_magnify image repeats each texel in 4x4 blocks") {
    std::vector<uint8_t> tex(4 * 4 * 4);
    for (int i = 0; i < 16; ++i) {
      tex[size_t(i) * 4 + 0] = uint8_t(i * 16);
      tex[size_t(i) * 4 + 1] = uint8_t(255 - i * 13);
      tex[size_t(i) * 4 + 2] = uint8_t((i * 71) % 256);
      tex[size_t(i) * 4 + 3] = 255;
    }
    for (const uint16_t* idx : {kQuadIdx, kOtherDiag}) {
      const SoftTexture t{4, 4, tex.data(), true};
      SoftCanvas c = canvas(16, 16, {0, 0, 0});
      const Quad q = quad(0, 0, 16, 16, 0xFFFFFFFFu, 0, 0, 1, 1);
      c.draw(q.v, idx, 6, whole(c), &t);
      for (int y = 0; y < 16; ++y)
        for (int x = 0; x < 16; ++x) {
          const uint8_t* s = &tex[(size_t(y / 4) * 4 + size_t(x / 4)) * 4];
          CAPTURE(x); CAPTURE(y);
          CHECK(same(at(c, x, y), {s[0], s[1], s[2]}));
        }
      // The same texture without the flag is filtered: the block edges blur.
      const SoftTexture smooth{4, 4, tex.data(), false};
      c.draw(q.v, idx, 6, whole(c), &smooth);
      CHECK(at(c, 3, 0).r != tex[0]);
    }
  }

  TEST_CASE("bilinear sampling: half-texel offsets average neighbours, edges clamp") {
    // Texels A = (0,100,200), B = (100,200,0), opaque.
    const uint8_t two[8] = {0, 100, 200, 255, 100, 200, 0, 255};
    const SoftTexture t{2, 1, two, false};
    {  // one pixel showing the whole texture: u = 0.5 at its centre, halfway between the texels
      SoftCanvas c = canvas(1, 1, {0, 0, 0});
      const Quad q = quad(0, 0, 1, 1, 0xFFFFFFFFu, 0, 0, 1, 1);
      c.draw(q.v, kQuadIdx, 6, whole(c), &t);
      CHECK(same(at(c, 0, 0), {50, 150, 100}));
    }
    {  // stretched over 4 pixels: u = 1/8, 3/8, 5/8, 7/8 → A (clamped), ¾A+¼B, ¼A+¾B, B (clamped)
      SoftCanvas c = canvas(4, 1, {0, 0, 0});
      const Quad q = quad(0, 0, 4, 1, 0xFFFFFFFFu, 0, 0, 1, 1);
      c.draw(q.v, kQuadIdx, 6, whole(c), &t);
      CHECK(same(at(c, 0, 0), {0, 100, 200}));
      CHECK(same(at(c, 1, 0), {25, 125, 150}));
      CHECK(same(at(c, 2, 0), {75, 175, 50}));
      CHECK(same(at(c, 3, 0), {100, 200, 0}));
    }
    {  // 2×2 texture, its centre: the mean of all four
      const uint8_t four[16] = {0, 0, 0, 255, 200, 0, 0, 255, 0, 200, 0, 255, 0, 0, 200, 255};
      const SoftTexture t4{2, 2, four, false};
      SoftCanvas c = canvas(1, 1, {0, 0, 0});
      const Quad q = quad(0, 0, 1, 1, 0xFFFFFFFFu, 0, 0, 1, 1);
      c.draw(q.v, kQuadIdx, 6, whole(c), &t4);
      CHECK(same(at(c, 0, 0), {50, 50, 50}));
    }
    {  // a general (non-axis-aligned) triangle samples the same way: u = 0.5 at every centre
      SoftCanvas c = canvas(4, 4, {0, 0, 0});
      const SoftVertex v[3] = {{0, 0, 0.5f, 0.5f, 0xFFFFFFFFu}, {4, 1, 0.5f, 0.5f, 0xFFFFFFFFu}, {1, 4, 0.5f, 0.5f, 0xFFFFFFFFu}};
      const uint16_t idx[3] = {0, 1, 2};
      c.draw(v, idx, 3, whole(c), &t);
      CHECK(same(at(c, 1, 1), {50, 150, 100}));
    }
  }

  TEST_CASE("clip rect and canvas borders are respected") {
    const Rgb bg{1, 2, 3};
    for (const uint16_t* idx : {kQuadIdx, kOtherDiag}) {
      SoftCanvas c = canvas(10, 8, bg);
      const Quad q = quad(-5, -5, 50, 50, col32(9, 8, 7, 255));
      c.draw(q.v, idx, 6, {2, 3, 6, 7}, nullptr);
      for (int y = 0; y < 8; ++y)
        for (int x = 0; x < 10; ++x) {
          CAPTURE(x); CAPTURE(y);
          CHECK(same(at(c, x, y), (x >= 2 && x < 6 && y >= 3 && y < 7) ? Rgb{9, 8, 7} : bg));
        }
      // A clip beyond the canvas: the whole canvas, and not one byte more.
      SoftCanvas d = canvas(10, 8, bg);
      d.draw(q.v, idx, 6, {-100, -100, 100, 100}, nullptr);
      for (int y = 0; y < 8; ++y)
        for (int x = 0; x < 10; ++x) CHECK(same(at(d, x, y), {9, 8, 7}));
    }
    SoftCanvas c = canvas(10, 8, bg);  // a textured quad sticking out on every side
    const uint8_t white[4] = {255, 255, 255, 255};
    const SoftTexture t{1, 1, white, true};
    const Quad q = quad(-3, -3, 13, 11, 0xFFFFFFFFu, 0, 0, 1, 1);
    c.draw(q.v, kQuadIdx, 6, {0, 0, 10, 1}, &t);
    for (int x = 0; x < 10; ++x) CHECK(same(at(c, x, 0), {255, 255, 255}));
    for (int x = 0; x < 10; ++x) CHECK(same(at(c, x, 1), bg));
  }

  TEST_CASE("the quad fast path and the general triangle path give the same pixels") {
    std::mt19937 rng(12345);
    auto uni = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
    std::vector<uint8_t> tex(8 * 8 * 4);
    for (uint8_t& b : tex) b = uint8_t(uni(0, 255));
    int compared = 0;
    for (int iter = 0; iter < 300; ++iter) {
      // Coordinates in 1/8 pixels and uv in 1/16: exact in float, so both paths
      // compute identical sample positions (else they may differ in the last bit).
      float x0 = uni(-40, 300) / 8.0f, x1 = uni(-40, 300) / 8.0f, y0 = uni(-40, 260) / 8.0f, y1 = uni(-40, 260) / 8.0f;
      const int kind = iter % 3;  // 0 solid, 1 bilinear, 2 nearest_magnify
      if (kind != 0) {  // power-of-two sizes keep du/dx exact too
        x1 = x0 + float((iter % 2 ? 1 : -1) * (1 << uni(0, 5)));
        y1 = y0 + float((iter % 5 < 2 ? 1 : -1) * (1 << uni(0, 5)));
      }
      const uint32_t col = kind == 0 ? col32(uni(0, 255), uni(0, 255), uni(0, 255), uni(0, 255))
                                     : (iter % 2 ? 0xFFFFFFFFu : col32(uni(0, 255), uni(0, 255), uni(0, 255), uni(0, 255)));
      const float u0 = uni(-4, 20) / 16.0f, u1 = uni(-4, 20) / 16.0f, v0 = uni(-4, 20) / 16.0f, v1 = uni(-4, 20) / 16.0f;
      Quad q = quad(x0, y0, x1, y1, col, u0, v0, u1, v1);
      if (iter % 4 == 1) {  // start from the other corner and go round the other way (a–b vertical)
        const Quad r = q;
        q.v[0] = r.v[0], q.v[1] = r.v[3], q.v[2] = r.v[2], q.v[3] = r.v[1];
      }
      const SoftTexture t{8, 8, tex.data(), kind == 2};
      const SoftClip clip{float(uni(0, 10)), float(uni(0, 10)), float(uni(20, 40)), float(uni(20, 30))};
      SoftCanvas a = canvas(40, 30, {33, 66, 99}), b = canvas(40, 30, {33, 66, 99});
      a.draw(q.v, kQuadIdx, 6, clip, kind ? &t : nullptr);
      b.draw(q.v, kOtherDiag, 6, clip, kind ? &t : nullptr);
      int diff = 0, drawn = 0;
      for (int y = 0; y < 30; ++y)
        for (int x = 0; x < 40; ++x) {
          diff += !same(at(a, x, y), at(b, x, y));
          drawn += !same(at(a, x, y), {33, 66, 99});
        }
      CAPTURE(iter); CAPTURE(x0); CAPTURE(y0); CAPTURE(x1); CAPTURE(y1); CAPTURE(u0); CAPTURE(u1); CAPTURE(v0); CAPTURE(v1);
      CHECK(diff == 0);
      compared += drawn > 0;
    }
    CHECK(compared > 150);  // most quads did draw something
  }

  TEST_CASE("hostile input draws nothing, never crashes") {
    const Rgb bg{5, 6, 7};
    const float nan = std::numeric_limits<float>::quiet_NaN(), inf = std::numeric_limits<float>::infinity();
    const uint32_t red = col32(255, 0, 0, 255);
    const uint16_t tri[3] = {0, 1, 2};
    auto untouched = [&](const SoftCanvas& c) {
      for (int y = 0; y < c.height(); ++y)
        for (int x = 0; x < c.width(); ++x)
          if (!same(at(c, x, y), bg)) return false;
      return true;
    };
    for (float bad : {nan, inf, -inf, 1e30f, -1e30f, 5e8f}) {
      CAPTURE(bad);
      SoftCanvas c = canvas(8, 8, bg);
      const SoftVertex v[3] = {{bad, 1, 0, 0, red}, {7, 1, 0, 0, red}, {4, 7, 0, 0, red}};
      c.draw(v, tri, 3, whole(c), nullptr);
      CHECK(untouched(c));
      const Quad q = quad(1, 1, bad, 6, red);
      c.draw(q.v, kQuadIdx, 6, whole(c), nullptr);
      c.draw(q.v, kOtherDiag, 6, whole(c), nullptr);
      CHECK(untouched(c));
      const Quad ok = quad(1, 1, 6, 6, red);
      for (const SoftClip& clip : {SoftClip{nan, 0, 8, 8}, SoftClip{0, 0, nan, 8}, SoftClip{5, 0, 2, 8}, SoftClip{0, 0, 0, 0}})
        c.draw(ok.v, kQuadIdx, 6, clip, nullptr);
      CHECK(untouched(c));
      c.fill({bad, bad, bad, bad}, 0, 0, 0);
      c.fill({nan, 0, 8, 8}, 0, 0, 0);
      CHECK(untouched(c));
    }
    {  // a triangle ~1.8e9 pixels in area: clipped before iterating, so instant
      SoftCanvas c = canvas(64, 64, bg);
      const SoftVertex v[3] = {{-30000, -30000, 0, 0, red}, {30000, -30000, 0, 0, red}, {0, 30000, 0, 0, red}};
      const auto t0 = std::chrono::steady_clock::now();
      for (int i = 0; i < 100; ++i) c.draw(v, tri, 3, {10, 10, 20, 20}, nullptr);
      const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
      CHECK(ms < 200.0);
      CHECK(same(at(c, 10, 10), {255, 0, 0}));
      CHECK(same(at(c, 9, 10), bg));
    }
    {  // index_count not a multiple of 3: only the complete triangles; 5 indices is not a quad
      SoftCanvas c = canvas(8, 8, bg);
      const Quad q = quad(0, 0, 8, 8, red);
      c.draw(q.v, kQuadIdx, 5, whole(c), nullptr);
      CHECK(same(at(c, 7, 0), {255, 0, 0}));  // in (0,1,2): above the diagonal
      CHECK(same(at(c, 0, 7), bg));           // in (0,2,3): not drawn
      c.draw(q.v, kQuadIdx, 2, whole(c), nullptr);
      c.draw(nullptr, kQuadIdx, 6, whole(c), nullptr);
      c.draw(q.v, nullptr, 6, whole(c), nullptr);
      CHECK(same(at(c, 0, 7), bg));
    }
    {  // degenerate triangles: nothing
      SoftCanvas c = canvas(8, 8, bg);
      const SoftVertex v[3] = {{1, 1, 0, 0, red}, {4, 4, 0, 0, red}, {7, 7, 0, 0, red}};
      c.draw(v, tri, 3, whole(c), nullptr);
      const Quad q = quad(2, 2, 2, 7, red);
      c.draw(q.v, kQuadIdx, 6, whole(c), nullptr);
      CHECK(untouched(c));
    }
    {  // textures that cannot be sampled are white; NaN uv clamps to an edge texel
      SoftCanvas c = canvas(8, 8, bg);
      const SoftTexture none{16, 16, nullptr, false}, zero{0, 0, nullptr, true};
      const Quad q = quad(0, 0, 4, 4, col32(10, 20, 30, 255), 0.1f, 0.2f, 0.9f, 0.8f);
      c.draw(q.v, kQuadIdx, 6, whole(c), nullptr);
      c.draw(q.v, kQuadIdx, 6, whole(c), &none);
      c.draw(q.v, kQuadIdx, 6, whole(c), &zero);
      CHECK(same(at(c, 1, 1), {10, 20, 30}));
      const uint8_t px[4] = {40, 50, 60, 255};
      const SoftTexture one{1, 1, px, false};
      const Quad qn = quad(4, 4, 8, 8, 0xFFFFFFFFu, nan, inf, -inf, nan);
      c.draw(qn.v, kQuadIdx, 6, whole(c), &one);
      c.draw(qn.v, kOtherDiag, 6, whole(c), &one);
      CHECK(same(at(c, 5, 5), {40, 50, 60}));
    }
    {  // zero-size and absurd canvases
      SoftCanvas c;
      const Quad q = quad(0, 0, 8, 8, red);
      c.draw(q.v, kQuadIdx, 6, {0, 0, 8, 8}, nullptr);
      c.fill({0, 0, 8, 8}, 1, 2, 3);
      c.resize(0, 0);
      c.draw(q.v, kQuadIdx, 6, {0, 0, 8, 8}, nullptr);
      c.resize(-4, 9);
      CHECK(c.width() == 0);
      c.draw(q.v, kQuadIdx, 6, {0, 0, 8, 8}, nullptr);
      c.resize(1, 1);
      c.draw(q.v, kQuadIdx, 6, {0, 0, 8, 8}, nullptr);
      CHECK(same(at(c, 0, 0), {255, 0, 0}));
    }
  }
}
