// frame_diff (ui/render/frame_diff.h) against ground truth: a tiny rasteriser
// paints each "triangle" (its box) by folding its key into the pixels it
// covers, in order, so the picture depends on contents, positions and drawing
// order as blending does. Every pixel that differs between two frames must lie
// inside a returned rectangle; identical frames must return none.
#include <doctest/doctest.h>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "render/frame_diff.h"

using namespace xm;

namespace {

constexpr int W = 64, H = 48;

std::vector<uint64_t> paint(const FrameSnapshot& f) {
  std::vector<uint64_t> px(size_t(W) * H, 7);
  for (const FrameList& l : f.lists)
    for (const FrameTriangle& t : l.tris)
      for (int y = int(t.box.y0); y < int(t.box.y1); ++y)
        for (int x = int(t.box.x0); x < int(t.box.x1); ++x)
          if (x >= 0 && y >= 0 && x < W && y < H) {
            uint64_t& p = px[size_t(y) * W + size_t(x)];
            p = (p ^ t.key) * 0x9E3779B97F4A7C15ULL + 1;  // order-dependent, like blending
          }
  return px;
}

FrameTriangle random_tri(std::mt19937& rng) {
  std::uniform_int_distribution<int> xs(-4, W + 4), ys(-4, H + 4), sz(1, 14);
  FrameTriangle t;
  t.key = rng();
  t.box.x0 = float(xs(rng));
  t.box.y0 = float(ys(rng));
  t.box.x1 = t.box.x0 + float(sz(rng));
  t.box.y1 = t.box.y0 + float(sz(rng));
  return t;
}

FrameSnapshot random_frame(std::mt19937& rng) {
  FrameSnapshot f;
  f.width = W;
  f.height = H;
  int lists = 1 + int(rng() % 4);
  for (int i = 0; i < lists; ++i) {
    FrameList l;
    l.owner = uint64_t(100 + i);
    int n = int(rng() % 30);
    for (int k = 0; k < n; ++k) l.tris.push_back(random_tri(rng));
    f.lists.push_back(l);
  }
  return f;
}

// What the UI does between frames: edit, insert or delete triangles, change a
// texture (many keys), move a window to the front, resize.
FrameSnapshot mutate(FrameSnapshot f, std::mt19937& rng, std::string* what) {
  int edits = 1 + int(rng() % 3);
  for (int e = 0; e < edits; ++e) {
    FrameList& l = f.lists[rng() % f.lists.size()];
    switch (rng() % 6) {
      case 0:
        if (!l.tris.empty()) l.tris[rng() % l.tris.size()].key ^= 1, *what += "key ";
        break;
      case 1:
        l.tris.insert(l.tris.begin() + long(rng() % (l.tris.size() + 1)), random_tri(rng)), *what += "insert ";
        break;
      case 2:
        if (!l.tris.empty()) l.tris.erase(l.tris.begin() + long(rng() % l.tris.size())), *what += "erase ";
        break;
      case 3:
        if (!l.tris.empty()) {  // a moved triangle has other vertices, so another key (the contract)
          FrameTriangle& t = l.tris[rng() % l.tris.size()];
          t.box.x0 -= 3;
          t.key = frame_hash(&t.box, sizeof t.box, t.key);
          *what += "move ";
        }
        break;
      case 4:
        if (f.lists.size() > 1) std::swap(f.lists.front(), f.lists.back()), *what += "reorder ";
        break;
      default:
        if (l.tris.size() > 1) std::swap(l.tris.front(), l.tris.back()), *what += "swap ";
    }
  }
  return f;
}

bool inside(const std::vector<DiffRect>& rects, int x, int y) {
  for (const DiffRect& r : rects)
    if (float(x) >= r.x0 && float(x) < r.x1 && float(y) >= r.y0 && float(y) < r.y1) return true;
  return false;
}

}  // namespace

TEST_SUITE("frame_diff") {
  TEST_CASE("identical frames repaint nothing; a new size or window set repaints everything") {
    std::mt19937 rng(5);
    FrameSnapshot a = random_frame(rng);
    CHECK(frame_diff(a, a, 3).empty());
    FrameSnapshot b = a;
    b.width = W + 1;
    auto r = frame_diff(a, b, 3);
    REQUIRE(r.size() == 1);
    CHECK(r[0].area() == float((W + 1) * H));
    FrameSnapshot c = a;
    c.lists.push_back(FrameList{999, {}});
    r = frame_diff(a, c, 3);
    REQUIRE(r.size() == 1);
    CHECK(r[0].area() == float(W * H));
  }

  TEST_CASE("one changed triangle repaints its box, not the frame") {
    FrameSnapshot a;
    a.width = W;
    a.height = H;
    a.lists.push_back(FrameList{1, {{11, {0, 0, 64, 48}}, {12, {10, 10, 20, 20}}, {13, {30, 5, 40, 9}}}});
    FrameSnapshot b = a;
    b.lists[0].tris[1].key = 99;
    auto r = frame_diff(a, b, 3);
    REQUIRE(r.size() == 1);
    CHECK(r[0].x0 == 10);
    CHECK(r[0].y0 == 10);
    CHECK(r[0].x1 == 20);
    CHECK(r[0].y1 == 20);
  }

  TEST_CASE("every changed pixel is inside a returned rect (random frames and edits)") {
    std::mt19937 rng(20261127);
    int repaint_less = 0;
    for (int trial = 0; trial < 400; ++trial) {
      FrameSnapshot a = random_frame(rng);
      std::string what;
      FrameSnapshot b = mutate(a, rng, &what);
      const int max_rects = 1 + trial % 4;
      auto rects = frame_diff(a, b, max_rects);
      CHECK(int(rects.size()) <= max_rects);
      auto pa = paint(a), pb = paint(b);
      float area = 0;
      for (auto& r : rects) area += r.area();
      if (area < float(W * H)) repaint_less++;
      for (int y = 0; y < H; ++y)
        for (int x = 0; x < W; ++x)
          if (pa[size_t(y) * W + size_t(x)] != pb[size_t(y) * W + size_t(x)])
            REQUIRE_MESSAGE(inside(rects, x, y), "trial ", trial, " (", what, ") pixel ", x, ",", y, " changed outside ",
                            rects.size(), " rects");
    }
    CHECK(repaint_less > 200);  // and it does save work
  }

  TEST_CASE("frame_hash tells bytes apart") {
    const char a[] = "abcdefghij", b[] = "abcdefghik";
    CHECK(frame_hash(a, 10) == frame_hash(a, 10));
    CHECK(frame_hash(a, 10) != frame_hash(b, 10));
    CHECK(frame_hash(a, 9) != frame_hash(a, 10));
    CHECK(frame_hash(a, 10, 1) != frame_hash(a, 10, 2));
  }
}
