// bench_soft_raster: milliseconds per frame of the software rasteriser
// (ui/render/soft_raster.h) on a synthetic but realistic ImGui frame, 1280×800:
// window backgrounds, ~5k oversampled glyphs, anti-aliased rounded widget
// frames and lines, a 128² scan magnified to 600² (nearest) with a heatmap
// alpha-blended on top, a gradient legend. Prints the median of a full redraw
// and of two typical partial repaints (~15% of the screen each), drawn as the
// app does (ui/render/render.cpp): clear the dirty rectangle, then every command
// clipped to it. A program, not a test: these machines are shared and noisy.
//
//   build/native/tools/bench_soft_raster/bench_soft_raster [iterations [frame.ppm]]
//   node build/wasm/bench_soft_raster.js [iterations]
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "render/soft_raster.h"

using namespace xm;

namespace {

constexpr int kW = 1280, kH = 800;

uint32_t col32(int r, int g, int b, int a) { return uint32_t(r) | uint32_t(g) << 8 | uint32_t(b) << 16 | uint32_t(a) << 24; }

struct Cmd {
  size_t idx_offset, count;
  SoftClip clip;
  const SoftTexture* tex;
};

// One ImGui draw list: a vertex buffer, an index buffer, commands.
struct List {
  std::vector<SoftVertex> vtx;
  std::vector<uint16_t> idx;
  std::vector<Cmd> cmds;
  size_t cmd_start = 0;
  SoftClip clip{};
  const SoftTexture* tex = nullptr;

  // A new command (clip or texture change), as ImGui starts one.
  void begin(const SoftClip& c, const SoftTexture* t) {
    end();
    clip = c, tex = t, cmd_start = idx.size();
  }
  void end() {
    if (idx.size() > cmd_start) cmds.push_back({cmd_start, idx.size() - cmd_start, clip, tex});
    cmd_start = idx.size();
  }
  uint16_t base() const { return uint16_t(vtx.size()); }
  void quad(float x0, float y0, float x1, float y1, float u0, float v0, float u1, float v1, uint32_t c) {
    const uint16_t b = base();
    vtx.push_back({x0, y0, u0, v0, c});
    vtx.push_back({x1, y0, u1, v0, c});
    vtx.push_back({x1, y1, u1, v1, c});
    vtx.push_back({x0, y1, u0, v1, c});
    idx.insert(idx.end(), {b, uint16_t(b + 1), uint16_t(b + 2), b, uint16_t(b + 2), uint16_t(b + 3)});
  }
  // ImGui's anti-aliased convex fill: an inner polygon in `c` and a one-pixel
  // fringe fading to transparent (ImDrawList::AddConvexPolyFilled).
  void convex_aa(const std::vector<float>& pts, uint32_t c, float wu, float wv) {
    const size_t n = pts.size() / 2;
    const uint16_t b = base();
    const uint32_t trans = c & 0x00FFFFFFu;
    for (size_t i = 0; i < n; ++i) {
      const size_t p = (i + n - 1) % n, q = (i + 1) % n;
      float nx = (pts[2 * q + 1] - pts[2 * p + 1]), ny = -(pts[2 * q] - pts[2 * p]);
      const float len = std::sqrt(nx * nx + ny * ny);
      nx /= len, ny /= len;  // outward for a clockwise (y-down) polygon
      vtx.push_back({pts[2 * i] - nx * 0.5f, pts[2 * i + 1] - ny * 0.5f, wu, wv, c});
      vtx.push_back({pts[2 * i] + nx * 0.5f, pts[2 * i + 1] + ny * 0.5f, wu, wv, trans});
    }
    for (size_t i = 2; i < n; ++i) idx.insert(idx.end(), {b, uint16_t(b + 2 * (i - 1)), uint16_t(b + 2 * i)});
    for (size_t i = 0; i < n; ++i) {
      const uint16_t i0 = uint16_t(b + 2 * i), i1 = uint16_t(b + 2 * ((i + 1) % n));
      idx.insert(idx.end(), {i0, i1, uint16_t(i1 + 1), i0, uint16_t(i1 + 1), uint16_t(i0 + 1)});
    }
  }
  // An anti-aliased line: a core and two fringes (ImDrawList::AddPolyline, thickness 1).
  void line_aa(float x0, float y0, float x1, float y1, uint32_t c, float wu, float wv) {
    float dx = x1 - x0, dy = y1 - y0;
    const float len = std::sqrt(dx * dx + dy * dy);
    const float nx = -dy / len, ny = dx / len;
    const uint32_t trans = c & 0x00FFFFFFu;
    const uint16_t b = base();
    for (float o : {-1.0f, 0.0f, 1.0f})
      for (int e = 0; e < 2; ++e) {
        const float x = e ? x1 : x0, y = e ? y1 : y0;
        vtx.push_back({x + nx * o, y + ny * o, wu, wv, o == 0.0f ? c : trans});
      }
    for (int s = 0; s < 2; ++s) {
      const uint16_t a = uint16_t(b + 2 * s);
      idx.insert(idx.end(), {a, uint16_t(a + 1), uint16_t(a + 3), a, uint16_t(a + 3), uint16_t(a + 2)});
    }
  }
};

struct Atlas {
  int w = 512, h = 128;
  std::vector<uint8_t> px;
  float wu, wv;  // the white pixel's uv
  SoftTexture tex;
  Atlas() : px(size_t(w) * h * 4) {
    uint32_t s = 12345;
    for (int y = 0; y < h; ++y)
      for (int x = 0; x < w; ++x) {
        s = s * 1664525u + 1013904223u;
        uint8_t* p = &px[(size_t(y) * w + x) * 4];
        p[0] = p[1] = p[2] = 255;
        const int r = int(s >> 24);  // glyph coverage: about half empty, edges partial
        p[3] = uint8_t(r < 115 ? 0 : r < 140 ? (r - 115) * 10 : 255);
      }
    std::fill(px.begin(), px.begin() + 4 * 4, 255);  // the white pixels at (0..3, 0)
    wu = 1.5f / w, wv = 0.5f / h;
    tex = SoftTexture{w, h, px.data(), false};
  }
};

struct Frame {
  Atlas atlas;
  std::vector<uint8_t> scan, heat;
  SoftTexture scan_tex, heat_tex;
  std::vector<List> lists;
  size_t vertices = 0, indices = 0;
};

// Text as ImGui lays it with OversampleH = 2: glyphs 7 px wide from 14
// texels, x offsets at quarter pixels, rows 1:1.
void text(List& l, const Atlas& a, float x, float y, int chars, uint32_t c, int seed) {
  for (int i = 0; i < chars; ++i) {
    const int g = (seed * 31 + i * 17) % 96;
    if (g % 11 == 0) {  // a space: no quad
      x += 4;
      continue;
    }
    const int tx = 4 + (g % 32) * 15, ty = 2 + (g / 32) * 18;
    const float gx = x + 0.75f;
    l.quad(gx, y, gx + 7, y + 15, float(tx) / a.w, float(ty) / a.h, float(tx + 14) / a.w, float(ty + 15) / a.h, c);
    x += 8;
  }
}

std::vector<float> rounded_rect(float x0, float y0, float x1, float y1, float r) {
  std::vector<float> p;
  const float cx[4] = {x1 - r, x1 - r, x0 + r, x0 + r}, cy[4] = {y0 + r, y1 - r, y1 - r, y0 + r};
  for (int k = 0; k < 4; ++k)  // clockwise on screen, from the top-right corner
    for (int s = 0; s <= 4; ++s) {
      const float t = float(M_PI) * (-0.5f + 0.5f * k + 0.125f * s);
      p.push_back(cx[k] + r * std::cos(t));
      p.push_back(cy[k] + r * std::sin(t));
    }
  return p;
}

void build(Frame& f) {
  const Atlas& a = f.atlas;
  f.scan.resize(128 * 128 * 4);
  f.heat.resize(128 * 128 * 4);
  for (int y = 0; y < 128; ++y)
    for (int x = 0; x < 128; ++x) {
      uint8_t* s = &f.scan[(size_t(y) * 128 + x) * 4];
      const int v = (x * 3 + y * 5 + ((x * y) % 17)) % 256;
      s[0] = s[1] = s[2] = uint8_t(v), s[3] = 255;
      uint8_t* h = &f.heat[(size_t(y) * 128 + x) * 4];
      h[0] = uint8_t(x * 2), h[1] = uint8_t(64), h[2] = uint8_t(255 - y * 2), h[3] = uint8_t((x + y) % 200 + 40);
    }
  f.scan_tex = SoftTexture{128, 128, f.scan.data(), true};
  f.heat_tex = SoftTexture{128, 128, f.heat.data(), true};
  const uint32_t bg = col32(26, 28, 33, 255), frame_bg = col32(41, 74, 122, 138), text_col = col32(230, 230, 230, 255);
  const uint32_t border = col32(110, 110, 128, 128), title = col32(41, 74, 122, 255);

  // The menu bar and the left panel: widgets and their labels.
  f.lists.emplace_back();
  {
    List& l = f.lists.back();
    l.begin({0, 0, float(kW), float(kH)}, &a.tex);
    l.quad(0, 0, kW, 20, a.wu, a.wv, a.wu, a.wv, col32(36, 36, 36, 255));
    for (int i = 0; i < 8; ++i) text(l, a, 8 + i * 70, 2, 7, text_col, i);
    l.quad(0, 20, 320, 800, a.wu, a.wv, a.wu, a.wv, bg);
    l.quad(0, 20, 320, 39, a.wu, a.wv, a.wu, a.wv, title);
    text(l, a, 8, 22, 12, text_col, 99);
    l.line_aa(0.5f, 20, 0.5f, 800, border, a.wu, a.wv);
    l.line_aa(319.5f, 20, 319.5f, 800, border, a.wu, a.wv);
    l.begin({8, 40, 312, 792}, &a.tex);
    for (int w = 0; w < 36; ++w) {  // sliders, combos, buttons
      const float y = 44 + w * 20.5f;
      const std::vector<float> r = rounded_rect(8, y, 200, y + 19, 3);
      l.convex_aa(r, frame_bg, a.wu, a.wv);
      for (size_t k = 0; k < r.size() / 2; ++k) {  // the frame border
        const size_t q = (k + 1) % (r.size() / 2);
        l.line_aa(r[2 * k], r[2 * k + 1], r[2 * q], r[2 * q + 1], border, a.wu, a.wv);
      }
      l.quad(8 + (w * 37) % 180, y + 2, 18 + (w * 37) % 180, y + 17, a.wu, a.wv, a.wu, a.wv, col32(66, 150, 250, 255));
      text(l, a, 60, y + 2, 9, text_col, w);
      std::vector<float> circle;  // a radio button: filled and outlined circle
      for (int k = 0; k < 24; ++k) {
        const float t = float(k) / 24 * 6.2832f;
        circle.push_back(300 + 7 * std::cos(t));
        circle.push_back(y + 9.5f + 7 * std::sin(t));
      }
      l.convex_aa(circle, frame_bg, a.wu, a.wv);
      for (int k = 0; k < 24; ++k) {
        const int q = (k + 1) % 24;
        l.line_aa(circle[2 * k], circle[2 * k + 1], circle[2 * q], circle[2 * q + 1], border, a.wu, a.wv);
      }
      text(l, a, 208, y + 2, 10, text_col, w + 50);
    }
    l.end();
  }
  // The main window: the case, its heatmap and legend, the explanation text.
  f.lists.emplace_back();
  {
    List& l = f.lists.back();
    l.begin({320, 20, float(kW), float(kH)}, &a.tex);
    l.quad(320, 20, 1280, 800, a.wu, a.wv, a.wu, a.wv, bg);
    l.quad(320, 20, 1280, 39, a.wu, a.wv, a.wu, a.wv, title);
    text(l, a, 328, 22, 20, text_col, 7);
    l.begin({328, 40, 1272, 792}, &f.scan_tex);
    l.quad(336, 48, 936, 648, 0, 0, 1, 1, 0xFFFFFFFFu);
    l.begin({328, 40, 1272, 792}, &f.heat_tex);
    l.quad(336, 48, 936, 648, 0, 0, 1, 1, col32(255, 255, 255, 160));
    l.begin({328, 40, 1272, 792}, &a.tex);
    for (int s = 0; s < 16; ++s) {  // the legend: a colormap in 16 gradient quads
      const float y0 = 48 + s * 37.5f, y1 = y0 + 37.5f;
      const uint32_t c0 = col32(s * 16, 40, 255 - s * 16, 255), c1 = col32(s * 16 + 15, 40, 240 - s * 16, 255);
      const uint16_t b = l.base();
      l.vtx.push_back({944, y0, a.wu, a.wv, c0});
      l.vtx.push_back({964, y0, a.wu, a.wv, c0});
      l.vtx.push_back({964, y1, a.wu, a.wv, c1});
      l.vtx.push_back({944, y1, a.wu, a.wv, c1});
      l.idx.insert(l.idx.end(), {b, uint16_t(b + 1), uint16_t(b + 2), b, uint16_t(b + 2), uint16_t(b + 3)});
    }
    for (int i = 0; i < 24; ++i) {  // an outline and a probability plot: anti-aliased lines
      const float t0 = float(i) / 24 * 6.2832f, t1 = float(i + 1) / 24 * 6.2832f;
      l.line_aa(636 + 120 * std::cos(t0), 348 + 90 * std::sin(t0), 636 + 120 * std::cos(t1), 348 + 90 * std::sin(t1),
                col32(255, 255, 0, 255), a.wu, a.wv);
    }
    for (int i = 0; i < 60; ++i)
      l.line_aa(980 + i * 4.8f, 700 - 40 * std::sin(i * 0.3f), 984.8f + i * 4.8f, 700 - 40 * std::sin((i + 1) * 0.3f),
                col32(66, 150, 250, 255), a.wu, a.wv);
    for (int line = 0; line < 46; ++line)  // the method's help and the cost table
      text(l, a, 980, 48 + line * 16.0f, 36, text_col, line * 3);
    for (int line = 0; line < 8; ++line) text(l, a, 336, 656 + line * 16.0f, 74, text_col, line + 200);
    for (int b = 0; b < 6; ++b) {
      l.convex_aa(rounded_rect(336 + b * 100.0f, 784 - 18, 430 + b * 100.0f, 790, 3), frame_bg, a.wu, a.wv);
    }
    l.end();
  }
  // A floating compare window (WindowBg alpha 0.94): thumbnails, minified.
  f.lists.emplace_back();
  {
    List& l = f.lists.back();
    l.begin({0, 0, float(kW), float(kH)}, &a.tex);
    l.quad(960, 420, 1270, 790, a.wu, a.wv, a.wu, a.wv, col32(15, 15, 15, 240));
    l.quad(960, 420, 1270, 439, a.wu, a.wv, a.wu, a.wv, title);
    text(l, a, 968, 422, 14, text_col, 400);
    for (int t = 0; t < 3; ++t) {
      l.begin({968, 440, 1262, 782}, &f.heat_tex);
      l.quad(968 + t * 98.0f, 444, 1064 + t * 98.0f, 540, 0, 0, 1, 1, 0xFFFFFFFFu);
      l.begin({968, 440, 1262, 782}, &a.tex);
      text(l, a, 968 + t * 98.0f, 544, 11, text_col, 410 + t);
    }
    for (int line = 0; line < 13; ++line) text(l, a, 968, 570 + line * 16.0f, 36, text_col, line + 500);
    l.end();
  }
  // A lesson card over the image (alpha 0.97).
  f.lists.emplace_back();
  {
    List& l = f.lists.back();
    l.begin({0, 0, float(kW), float(kH)}, &a.tex);
    l.convex_aa(rounded_rect(340, 60, 700, 300, 6), col32(20, 22, 28, 247), a.wu, a.wv);
    for (int line = 0; line < 14; ++line) text(l, a, 348, 66 + line * 16.0f, 44, text_col, line + 600);
    l.end();
  }
  // A tooltip over the image (WindowBg alpha 0.94).
  f.lists.emplace_back();
  {
    List& l = f.lists.back();
    l.begin({0, 0, float(kW), float(kH)}, &a.tex);
    l.convex_aa(rounded_rect(700, 400, 1000, 520, 4), col32(20, 20, 20, 240), a.wu, a.wv);
    for (int line = 0; line < 7; ++line) text(l, a, 708, 404 + line * 16.0f, 35, text_col, line + 300);
    l.end();
  }
  for (const List& l : f.lists) f.vertices += l.vtx.size(), f.indices += l.idx.size();
}

// What render.cpp does for one dirty rectangle.
void repaint(SoftCanvas& c, const Frame& f, const SoftClip& d) {
  c.fill(d, 23, 26, 31);
  for (const List& l : f.lists)
    for (const Cmd& cmd : l.cmds) {
      const SoftClip clip{std::max(d.x0, cmd.clip.x0), std::max(d.y0, cmd.clip.y0), std::min(d.x1, cmd.clip.x1),
                          std::min(d.y1, cmd.clip.y1)};
      if (!(clip.x1 > clip.x0 && clip.y1 > clip.y0)) continue;
      c.draw(l.vtx.data(), l.idx.data() + cmd.idx_offset, cmd.count, clip, cmd.tex);
    }
}

template <class F>
void time_it(const char* what, int iters, double pixels, F&& f) {
  std::vector<double> ms;
  for (int i = 0; i < 5; ++i) f();  // warm up (and let the wasm engine tier up)
  for (int i = 0; i < iters; ++i) {
    const auto t0 = std::chrono::steady_clock::now();
    f();
    ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
  }
  std::sort(ms.begin(), ms.end());
  std::printf("%-34s %5.1f%% of the screen: median %7.3f ms, min %7.3f ms, p90 %7.3f ms\n", what,
              100.0 * pixels / (double(kW) * kH), ms[ms.size() / 2], ms.front(), ms[ms.size() * 9 / 10]);
}

}  // namespace

int main(int argc, char** argv) {
  const int iters = argc > 1 ? std::max(1, std::atoi(argv[1])) : 60;
  Frame f;
  build(f);
  SoftCanvas c;
  c.resize(kW, kH);
  std::printf("synthetic ImGui frame %dx%d: %zu vertices, %zu indices, %d iterations\n", kW, kH, f.vertices, f.indices,
              iters);
  {  // the very first frame: in the browser, wasm runs baseline code until the engine tiers up
    const auto t0 = std::chrono::steady_clock::now();
    repaint(c, f, {0, 0, float(kW), float(kH)});
    std::printf("%-34s %5.1f%% of the screen: %7.3f ms\n", "first full redraw (cold)", 100.0,
                std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
  }
  time_it("full redraw", iters, double(kW) * kH, [&] { repaint(c, f, {0, 0, float(kW), float(kH)}); });
  time_it("partial: the heatmap (400x384)", iters, 400.0 * 384, [&] { repaint(c, f, {436, 148, 836, 532}); });
  time_it("partial: the left panel (320x480)", iters, 320.0 * 480, [&] { repaint(c, f, {0, 200, 320, 680}); });
  time_it("partial: 12 small rects (160x80)", iters, 12 * 160.0 * 80, [&] {
    for (int i = 0; i < 12; ++i) repaint(c, f, {float(40 + i * 100), float(100 + (i % 4) * 160), float(200 + i * 100), float(180 + (i % 4) * 160)});
  });
  // A checksum, so the work cannot be optimised away and runs can be compared.
  repaint(c, f, {0, 0, float(kW), float(kH)});
  uint64_t h = 1469598103934665603ULL;
  for (size_t i = 0; i < size_t(kW) * kH * 4; ++i) h = (h ^ c.pixels()[i]) * 1099511628211ULL;
  std::printf("checksum %016llx\n", (unsigned long long)h);
  if (argc > 2) {  // the frame, to look at
    if (FILE* fp = std::fopen(argv[2], "wb")) {
      std::fprintf(fp, "P6\n%d %d\n255\n", kW, kH);
      for (size_t i = 0; i < size_t(kW) * kH; ++i) std::fwrite(c.pixels() + i * 4, 1, 3, fp);
      std::fclose(fp);
    }
  }
  return 0;
}
