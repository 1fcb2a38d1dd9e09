// Which parts of the screen a new frame changes, so the page repaints only
// those (headless and many laptop browsers draw WebGL in software, where a
// full-screen repaint of the lab costs tens of milliseconds). A frame is its
// draw lists in back-to-front order; each list is a sequence of triangles, and
// each triangle has a key that hashes everything that decides its pixels
// (vertices, clip rectangle, texture and the texture's content version) and
// its screen box. Plain data, no ImGui, tested natively.
//
//   FrameSnapshot before = ..., after = ...;      // ui/render/render.cpp fills them from ImDrawData
//   std::vector<DiffRect> dirty = frame_diff(before, after, /*max_rects=*/3);
//   // empty: nothing to repaint; else repaint (clear + draw, clipped) inside each rect
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

namespace xm {

struct DiffRect {
  float x0 = 0, y0 = 0, x1 = 0, y1 = 0;  // screen pixels, x1/y1 exclusive
  bool empty() const { return !(x1 > x0 && y1 > y0); }
  float area() const { return empty() ? 0.0f : (x1 - x0) * (y1 - y0); }
};

struct FrameTriangle {
  uint64_t key = 0;  // everything that decides the triangle's pixels
  DiffRect box;      // the pixels it may touch (already clipped)
};

struct FrameList {
  uint64_t owner = 0;  // identifies the window the list belongs to
  std::vector<FrameTriangle> tris;
};

struct FrameSnapshot {
  int width = 0, height = 0;  // framebuffer size; a change repaints everything
  std::vector<FrameList> lists;
};

// Rectangles whose pixels may differ between `before` and `after` (at most
// max_rects, merged when there are more; clamped to the frame). Empty when the
// two frames paint the same pixels. The whole frame when the lists changed
// (a window opened, closed or came to the front) or the size changed.
// Why this is exact: outside the rects, every pixel is covered by the same
// triangles in the same order in both frames, so it blends to the same colour.
std::vector<DiffRect> frame_diff(const FrameSnapshot& before, const FrameSnapshot& after, int max_rects);

// A fast 64-bit hash of bytes (word-wise multiply-rotate), chainable via seed.
uint64_t frame_hash(const void* data, size_t n, uint64_t seed = 0x243F6A8885A308D3ULL);

}  // namespace xm
