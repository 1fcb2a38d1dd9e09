// A small software rasteriser for Dear ImGui's triangles, so the page can draw
// into a 2D canvas when the browser's WebGL is itself software (SwiftShader,
// headless, many school and remote-desktop machines) or missing. There, WebGL
// costs a shader compile at start and a full-canvas read-back every frame;
// this draws only the rectangles that changed (render/frame_diff.h) straight
// into pixels the page hands to putImageData. Plain data, no ImGui, no GPU,
// tested natively against hand-computed pixels.
//
// Semantics follow what ImGui's OpenGL 3 backend asks of the GPU:
//   - a pixel (x, y) is covered by a triangle when its centre (x+0.5, y+0.5)
//     is inside; pixels on a shared edge belong to exactly one of the two
//     triangles (top-left rule), so adjacent triangles never blend twice;
//   - colour = vertex colour (interpolated linearly) × texture sample
//     (white when there is no texture), blended source-over:
//     dst.rgb = src.rgb·a + dst.rgb·(1−a); the canvas stays opaque;
//   - textures sample bilinearly at the interpolated uv (texel centres at
//     (i+0.5)/w), clamped to the edge; a texture marked `nearest_magnify`
//     samples its nearest texel where it is shown larger than its texels
//     (a 128-pixel scan shown at 600 pixels keeps its pixels) — as GL decides
//     it: at most one texel per pixel step along x and along y, so exactly
//     1:1 counts as magnified;
//   - only pixels inside the clip rectangle (and the canvas) change.
// Vertices are snapped to 1/256 pixel (as GPUs snap), which makes coverage
// exact integer arithmetic; colours are interpolated at pixel centres and
// rounded; blending rounds to nearest. Vertices farther than 2^21 pixels from
// the origin are taken for garbage: their triangles draw nothing.
// ImGui's quads — (a,b,c),(a,c,d) forming an axis-aligned rectangle with one
// colour — take a fast path that gives the same pixels as the two triangles.
// Measured by tools/bench_soft_raster (a 1280×800 frame of ~30k vertices).
//
//   SoftCanvas canvas;
//   canvas.resize(1280, 800);
//   canvas.fill({0, 0, 1280, 800}, 23, 26, 31);                   // clear a rect
//   SoftTexture font{atlas_w, atlas_h, atlas_rgba, false};
//   canvas.draw(vertices, indices, index_count, clip, &font);     // ImDrawVert-compatible vertices
//   upload(canvas.pixels(), canvas.width(), canvas.height());     // RGBA8, rows top to bottom
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

namespace xm {

namespace soft_raster_detail {
struct PixelRect;  // a clip in whole pixels (soft_raster.cpp)
struct Sampler;    // a usable texture, or none
}  // namespace soft_raster_detail

// The same layout as ImDrawVert (pos, uv, col): the app passes ImGui's vertex
// buffers as they are. `col` is RGBA8 packed as ImGui packs it (R in the low
// byte, A in the high byte: IM_COL32).
struct SoftVertex {
  float x, y;
  float u, v;
  uint32_t col;
};

struct SoftTexture {
  int width = 0, height = 0;
  const uint8_t* rgba = nullptr;  // width*height*4 bytes, straight (not premultiplied) alpha
  bool nearest_magnify = false;
};

struct SoftClip {
  float x0 = 0, y0 = 0, x1 = 0, y1 = 0;  // canvas pixels; x1/y1 exclusive
};

class SoftCanvas {
 public:
  // Resizing keeps nothing (the pixels become transparent black, zero): the
  // caller repaints everything after a resize. A size ≤ 0 or above 16384 gives an empty canvas.
  void resize(int width, int height);
  int width() const { return width_; }
  int height() const { return height_; }
  // RGBA8, row-major, top row first, alpha always 255.
  const uint8_t* pixels() const { return reinterpret_cast<const uint8_t*>(pixels_.get()); }
  uint8_t* pixels() { return reinterpret_cast<uint8_t*>(pixels_.get()); }

  // Opaque fill of the pixels whose centres lie inside `r` (within the canvas).
  void fill(const SoftClip& r, uint8_t red, uint8_t green, uint8_t blue);

  // Draws triangles (idx[0], idx[1], idx[2]), (idx[3], ...) … for `index_count`
  // indices (a multiple of 3; a trailing partial triangle is ignored) into the
  // pixels inside `clip`, with `texture` (nullptr, or one without pixels:
  // untextured). Degenerate, off-canvas and fully clipped triangles cost next
  // to nothing; NaN or huge coordinates draw nothing and never crash. Every
  // index must name a vertex of `vtx` (the caller's buffers, as ImGui's are).
  // Not thread-safe: it reuses scratch rows held by the canvas.
  void draw(const SoftVertex* vtx, const uint16_t* idx, size_t index_count, const SoftClip& clip,
            const SoftTexture* texture);

 private:
  using PixelRect = soft_raster_detail::PixelRect;
  using Sampler = soft_raster_detail::Sampler;
  bool draw_quad(const SoftVertex* a, const SoftVertex* b, const SoftVertex* c, const SoftVertex* d,
                 const PixelRect& clip, const Sampler& tex);
  void draw_triangle(const SoftVertex& a, const SoftVertex& b, const SoftVertex& c, const PixelRect& clip,
                     const Sampler& tex);

  int width_ = 0, height_ = 0;
  std::unique_ptr<uint32_t[]> pixels_;  // RGBA8 in memory order (little-endian: R in the low byte)
  // Per-column texel taps and one row of source colours of the quad being
  // drawn: reused, so drawing allocates nothing.
  std::vector<int32_t> tap_i0_, tap_i1_, tap_w_;
  std::vector<uint32_t> row_;
};

}  // namespace xm
