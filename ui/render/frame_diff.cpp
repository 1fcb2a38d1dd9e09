#include "render/frame_diff.h"

#include <algorithm>
#include <cstring>

namespace xm {

namespace {

DiffRect unite(const DiffRect& a, const DiffRect& b) {
  if (a.empty()) return b;
  if (b.empty()) return a;
  return {std::min(a.x0, b.x0), std::min(a.y0, b.y0), std::max(a.x1, b.x1), std::max(a.y1, b.y1)};
}

DiffRect whole(const FrameSnapshot& f) { return {0, 0, float(f.width), float(f.height)}; }

// The triangles of `a` and `b` outside their common prefix and suffix.
DiffRect list_diff(const FrameList& a, const FrameList& b) {
  const size_t na = a.tris.size(), nb = b.tris.size();
  size_t pre = 0;
  while (pre < na && pre < nb && a.tris[pre].key == b.tris[pre].key) ++pre;
  size_t suf = 0;
  while (suf < na - pre && suf < nb - pre && a.tris[na - 1 - suf].key == b.tris[nb - 1 - suf].key) ++suf;
  DiffRect r;
  for (size_t i = pre; i < na - suf; ++i) r = unite(r, a.tris[i].box);
  for (size_t i = pre; i < nb - suf; ++i) r = unite(r, b.tris[i].box);
  return r;
}

}  // namespace

uint64_t frame_hash(const void* data, size_t n, uint64_t seed) {
  const unsigned char* p = static_cast<const unsigned char*>(data);
  uint64_t h = seed ^ (uint64_t(n) * 0x9E3779B97F4A7C15ULL);
  auto mix = [&](uint64_t w) {
    h ^= w * 0x9E3779B97F4A7C15ULL;
    h = ((h << 31) | (h >> 33)) * 0xBF58476D1CE4E5B9ULL;
  };
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    uint64_t w;
    std::memcpy(&w, p + i, 8);
    mix(w);
  }
  if (i < n) {
    uint64_t w = 0;
    std::memcpy(&w, p + i, n - i);
    mix(w ^ 0xFF);
  }
  h ^= h >> 29;
  return h * 0x94D049BB133111EBULL;
}

std::vector<DiffRect> frame_diff(const FrameSnapshot& before, const FrameSnapshot& after, int max_rects) {
  if (after.width <= 0 || after.height <= 0) return {};
  bool same_lists = before.width == after.width && before.height == after.height && before.lists.size() == after.lists.size();
  for (size_t i = 0; same_lists && i < after.lists.size(); ++i) same_lists = before.lists[i].owner == after.lists[i].owner;
  if (!same_lists) return {whole(after)};
  std::vector<DiffRect> rects;
  for (size_t i = 0; i < after.lists.size(); ++i) {
    DiffRect r = list_diff(before.lists[i], after.lists[i]);
    if (!r.empty()) rects.push_back(r);
  }
  // Merge overlapping rects (painting them separately would paint the overlap
  // twice), then the closest pairs until at most max_rects remain.
  const size_t cap = size_t(std::max(1, max_rects));
  for (bool merged = true; merged && rects.size() > 1;) {
    merged = false;
    size_t bi = 0, bj = 0;
    float best = 0;
    for (size_t i = 0; i < rects.size(); ++i)
      for (size_t j = i + 1; j < rects.size(); ++j) {
        // Extra area the union paints beyond the two rects; negative when they overlap.
        float extra = unite(rects[i], rects[j]).area() - rects[i].area() - rects[j].area();
        if (!merged || extra < best) {
          best = extra;
          bi = i;
          bj = j;
          merged = true;
        }
      }
    if (merged && (best < 0 || rects.size() > cap)) {
      rects[bi] = unite(rects[bi], rects[bj]);
      rects.erase(rects.begin() + long(bj));
    } else {
      merged = false;
    }
  }
  const DiffRect all = whole(after);
  std::vector<DiffRect> out;
  for (DiffRect r : rects) {
    r.x0 = std::max(r.x0, all.x0);
    r.y0 = std::max(r.y0, all.y0);
    r.x1 = std::min(r.x1, all.x1);
    r.y1 = std::min(r.y1, all.y1);
    if (!r.empty()) out.push_back(r);
  }
  return out;
}

}  // namespace xm
