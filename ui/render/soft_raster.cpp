// The software rasteriser (soft_raster.h).
//
// [SECTION] fixed point and pixel ranges
// [SECTION] colour arithmetic
// [SECTION] texture sampling
// [SECTION] SoftCanvas: resize, fill, draw
// [SECTION] axis-aligned quads (the fast path)
// [SECTION] general triangles
//
// Coverage is decided exactly on vertices snapped to 1/256 pixel (as GPUs snap
// to sub-pixel precision), with integer edge functions, so the top-left rule
// holds bit for bit and the quad fast path covers the very pixels the two
// triangles would. Colours are interpolated in floating point at pixel
// centres and rounded; blending is integer and rounds to nearest.
#include "render/soft_raster.h"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace xm {

// [SECTION] fixed point and pixel ranges

namespace {

constexpr int kSubBits = 8;
constexpr int64_t kSub = int64_t(1) << kSubBits;  // sub-pixel steps per pixel
constexpr int64_t kHalf = kSub / 2;               // a pixel centre's offset
// Farther than this from the origin a vertex is treated as garbage: 2^21
// pixels × 256 keeps every edge-function product below 2^61 in int64.
constexpr float kMaxCoord = float(1 << 21);

// Snaps a coordinate to the sub-pixel grid; false for NaN, inf and absurd values.
inline bool snap(float v, int64_t* out) {
  if (!(std::fabs(v) <= kMaxCoord)) return false;
  *out = int64_t(std::floor(double(v) * double(kSub) + 0.5));
  return true;
}

inline int64_t floor_div(int64_t a, int64_t b) {  // b > 0
  int64_t q = a / b;
  if ((a % b != 0) && (a < 0)) --q;
  return q;
}

// The first pixel index whose centre is at or right of (below) the fixed-point edge `e`.
inline int64_t first_centre_at_or_after(int64_t e) { return floor_div(e - kHalf + kSub - 1, kSub); }

inline int clamp_to_int(int64_t v, int lo, int hi) { return int(std::min<int64_t>(std::max<int64_t>(v, lo), hi)); }

}  // namespace

namespace soft_raster_detail {
// Pixels [x0, x1) × [y0, y1), already inside the canvas.
struct PixelRect {
  int x0 = 0, y0 = 0, x1 = 0, y1 = 0;
  bool empty() const { return x1 <= x0 || y1 <= y0; }
};
}  // namespace soft_raster_detail
using soft_raster_detail::PixelRect;

// [SECTION] colour arithmetic

namespace {

// round(x / 255) for x in [0, 255·255], exact (checked over the whole range).
inline uint32_t div255(uint32_t x) {
  x += 128;
  return (x + (x >> 8)) >> 8;
}

inline uint32_t pack(uint32_t r, uint32_t g, uint32_t b, uint32_t a) { return r | (g << 8) | (b << 16) | (a << 24); }

// Source-over of straight-alpha `s` (alpha `a`) onto opaque `d`, rounding to
// nearest: two channels per multiply (each 16-bit lane stays below 65536).
inline uint32_t blend(uint32_t d, uint32_t s, uint32_t a) {
  const uint32_t ia = 255 - a;
  uint32_t rb = (s & 0xFF00FFu) * a + (d & 0xFF00FFu) * ia + 0x00800080u;
  rb = ((rb + ((rb >> 8) & 0xFF00FFu)) >> 8) & 0xFF00FFu;
  uint32_t g = ((s >> 8) & 0xFFu) * a + ((d >> 8) & 0xFFu) * ia + 0x80u;
  g = (g + (g >> 8)) >> 8;
  return rb | (g << 8) | 0xFF000000u;
}

inline void blend_into(uint32_t* p, uint32_t s) {
  const uint32_t a = s >> 24;
  if (a == 255) *p = s;
  else if (a != 0) *p = blend(*p, s, a);
}

// Vertex colour × texel, each channel rounded.
inline uint32_t modulate(uint32_t t, uint32_t c) {
  if (c == 0xFFFFFFFFu) return t;
  if ((t | 0xFF000000u) == 0xFFFFFFFFu)  // white texel (the font atlas): only alpha changes
    return (c & 0x00FFFFFFu) | (div255((t >> 24) * (c >> 24)) << 24);
  return pack(div255((t & 0xFF) * (c & 0xFF)), div255(((t >> 8) & 0xFF) * ((c >> 8) & 0xFF)),
              div255(((t >> 16) & 0xFF) * ((c >> 16) & 0xFF)), div255((t >> 24) * (c >> 24)));
}

// Blends one colour over a run of pixels: the window backgrounds and frames.
void blend_span_const(uint32_t* p, int n, uint32_t s) {
  const uint32_t a = s >> 24;
  if (a == 0 || n <= 0) return;
  if (a == 255) {
    std::fill(p, p + n, s);
    return;
  }
  const uint32_t ia = 255 - a;
  const uint32_t srb = (s & 0xFF00FFu) * a + 0x00800080u, sg = ((s >> 8) & 0xFFu) * a + 0x80u;
  for (int i = 0; i < n; ++i) {
    const uint32_t d = p[i];
    uint32_t rb = (d & 0xFF00FFu) * ia + srb;
    rb = ((rb + ((rb >> 8) & 0xFF00FFu)) >> 8) & 0xFF00FFu;
    uint32_t g = ((d >> 8) & 0xFFu) * ia + sg;
    g = (g + (g >> 8)) >> 8;
    p[i] = rb | (g << 8) | 0xFF000000u;
  }
}

// Blends a row of source colours (each with its own alpha) over pixels.
// Branch-free (alpha 0 and 255 come out exact), so compilers vectorise it:
// 8 pixels per step with AVX2, 4 with WebAssembly SIMD128.
void blend_row(uint32_t* __restrict d, const uint32_t* __restrict s, int n) {
  for (int i = 0; i < n; ++i) {
    const uint32_t sv = s[i], dv = d[i], a = sv >> 24, ia = 255 - a;
    uint32_t rb = (sv & 0xFF00FFu) * a + (dv & 0xFF00FFu) * ia + 0x00800080u;
    rb = ((rb + ((rb >> 8) & 0xFF00FFu)) >> 8) & 0xFF00FFu;
    uint32_t g = ((sv >> 8) & 0xFFu) * a + ((dv >> 8) & 0xFFu) * ia + 0x80u;
    g = (g + (g >> 8)) >> 8;
    d[i] = rb | (g << 8) | 0xFF000000u;
  }
}

// A float channel (0..255 scale) rounded to a byte; NaN gives 0.
inline uint32_t to_byte(double v) {
  v = v > 0 ? (v < 255 ? v : 255) : 0;
  return uint32_t(v + 0.5);
}

}  // namespace

// [SECTION] texture sampling

namespace soft_raster_detail {
// A texture that can be sampled (or none: white). Texel centres at (i+0.5)/w.
struct Sampler {
  const uint8_t* rgba = nullptr;
  int w = 0, h = 0;
  bool nearest_magnify = false;
  bool valid() const { return rgba != nullptr; }
  uint32_t texel(int x, int y) const {
    uint32_t t;
    std::memcpy(&t, rgba + (size_t(y) * size_t(w) + size_t(x)) * 4, 4);
    return t;
  }
};
}  // namespace soft_raster_detail
using soft_raster_detail::Sampler;

namespace {

// One axis of a bilinear tap: texels i0, i1 (clamped to the edge) and the
// weight of i1 in 1/256.
struct Tap {
  int i0, i1, w;
};

inline Tap linear_tap(double coord, int n) {  // coord: u or v
  double s = coord * n - 0.5;
  if (!(s > -1.0)) s = -1.0;  // also NaN
  if (s > n) s = n;
  const double fl = std::floor(s);
  int i = int(fl), w = int((s - fl) * 256.0 + 0.5);
  if (w == 256) {
    ++i;
    w = 0;
  }
  return {std::clamp(i, 0, n - 1), std::clamp(i + 1, 0, n - 1), w};
}

inline int nearest_index(double coord, int n) {
  double s = coord * n;
  if (!(s > 0.0)) s = 0.0;
  if (s > n - 1) s = n - 1;
  return int(s);
}

// (a·(256−w) + b·w + 128) >> 8 per channel, two channels per multiply.
inline uint32_t lerp_texel(uint32_t a, uint32_t b, uint32_t w) {
  if (w == 0) return a;
  const uint32_t iw = 256 - w;
  const uint32_t rb = (((a & 0xFF00FFu) * iw + (b & 0xFF00FFu) * w + 0x00800080u) >> 8) & 0xFF00FFu;
  const uint32_t ag = ((((a >> 8) & 0xFF00FFu) * iw + ((b >> 8) & 0xFF00FFu) * w + 0x00800080u) >> 8) & 0xFF00FFu;
  return rb | (ag << 8);
}

inline uint32_t bilinear(const Sampler& t, const Tap& x, const Tap& y) {
  const uint32_t top = lerp_texel(t.texel(x.i0, y.i0), t.texel(x.i1, y.i0), uint32_t(x.w));
  if (y.w == 0) return top;
  const uint32_t bottom = lerp_texel(t.texel(x.i0, y.i1), t.texel(x.i1, y.i1), uint32_t(x.w));
  return lerp_texel(top, bottom, uint32_t(y.w));
}

inline uint32_t sample(const Sampler& t, double u, double v, bool nearest) {
  if (nearest) return t.texel(nearest_index(u, t.w), nearest_index(v, t.h));
  return bilinear(t, linear_tap(u, t.w), linear_tap(v, t.h));
}

// The pixels whose centres lie inside the half-open rectangle r, within [0,w)×[0,h).
PixelRect pixel_rect(const SoftClip& r, int w, int h) {
  // Clamp first (NaN becomes an empty side), then apply the centre rule.
  auto side = [](float v, int lo, int hi) -> int64_t {
    float c = v > float(lo) ? (v < float(hi) ? v : float(hi)) : float(lo);
    int64_t f = 0;
    snap(c, &f);
    return first_centre_at_or_after(f);
  };
  PixelRect p;
  if (w <= 0 || h <= 0 || !(r.x1 > r.x0) || !(r.y1 > r.y0)) return p;
  p.x0 = int(side(r.x0, 0, w));
  p.x1 = int(side(r.x1, 0, w));
  p.y0 = int(side(r.y0, 0, h));
  p.y1 = int(side(r.y1, 0, h));
  return p;
}

}  // namespace

// [SECTION] SoftCanvas: resize, fill, draw

void SoftCanvas::resize(int width, int height) {
  // 16384² is far beyond any canvas a browser allows; beyond it, nothing.
  if (width <= 0 || height <= 0 || width > 16384 || height > 16384) width = height = 0;
  width_ = width;
  height_ = height;
  // Allocated uninitialised and zeroed by memset: a per-pixel loop over a
  // full screen took 25-40 ms in the browser's baseline code (V8's Liftoff),
  // on the page's first frame.
  const size_t n = size_t(width_) * size_t(height_);
  pixels_.reset(n ? new uint32_t[n] : nullptr);
  if (n) std::memset(pixels_.get(), 0, n * sizeof(uint32_t));
}

void SoftCanvas::fill(const SoftClip& r, uint8_t red, uint8_t green, uint8_t blue) {
  const PixelRect p = pixel_rect(r, width_, height_);
  if (p.empty()) return;
  const uint32_t c = pack(red, green, blue, 255);
  for (int y = p.y0; y < p.y1; ++y) {
    uint32_t* row = pixels_.get() + size_t(y) * size_t(width_);
    std::fill(row + p.x0, row + p.x1, c);
  }
}

void SoftCanvas::draw(const SoftVertex* vtx, const uint16_t* idx, size_t index_count, const SoftClip& clip,
                      const SoftTexture* texture) {
  if (!vtx || !idx || index_count < 3) return;
  const PixelRect pc = pixel_rect(clip, width_, height_);
  if (pc.empty()) return;
  Sampler tex;
  if (texture && texture->rgba && texture->width > 0 && texture->height > 0 && texture->width <= 32768 &&
      texture->height <= 32768) {
    tex.rgba = texture->rgba;
    tex.w = texture->width;
    tex.h = texture->height;
    tex.nearest_magnify = texture->nearest_magnify;
  }
  // Whole pixels as floats, for the cheap rejection of triangles outside the clip.
  const float cx0 = float(pc.x0), cy0 = float(pc.y0), cx1 = float(pc.x1), cy1 = float(pc.y1);
  const size_t n = index_count - index_count % 3;  // complete triangles only
  for (size_t i = 0; i < n;) {
    const SoftVertex& a = vtx[idx[i]];
    const SoftVertex& b = vtx[idx[i + 1]];
    const SoftVertex& c = vtx[idx[i + 2]];
    // ImGui's quads: (a, b, c), (a, c, d).
    if (i + 6 <= n && idx[i + 3] == idx[i] && idx[i + 4] == idx[i + 2]) {
      const SoftVertex& d = vtx[idx[i + 5]];
      const float minx = std::min(std::min(a.x, b.x), std::min(c.x, d.x));
      const float maxx = std::max(std::max(a.x, b.x), std::max(c.x, d.x));
      const float miny = std::min(std::min(a.y, b.y), std::min(c.y, d.y));
      const float maxy = std::max(std::max(a.y, b.y), std::max(c.y, d.y));
      if (maxx < cx0 || minx > cx1 || maxy < cy0 || miny > cy1) {  // NaN falls through to the full checks
        i += 6;
        continue;
      }
      if (draw_quad(&a, &b, &c, &d, pc, tex)) {
        i += 6;
        continue;
      }
    }
    const float minx = std::min(std::min(a.x, b.x), c.x), maxx = std::max(std::max(a.x, b.x), c.x);
    const float miny = std::min(std::min(a.y, b.y), c.y), maxy = std::max(std::max(a.y, b.y), c.y);
    if (!(maxx < cx0 || minx > cx1 || maxy < cy0 || miny > cy1)) draw_triangle(a, b, c, pc, tex);
    i += 3;
  }
}

// [SECTION] axis-aligned quads (the fast path)

// Draws (a, b, c), (a, c, d) when they form an axis-aligned rectangle with one
// colour and a texture mapping that follows the axes; false (nothing drawn)
// otherwise, and the caller draws the two triangles.
bool SoftCanvas::draw_quad(const SoftVertex* a, const SoftVertex* b, const SoftVertex* c, const SoftVertex* d,
                           const PixelRect& clip, const Sampler& tex) {
  if (a->col != b->col || a->col != c->col || a->col != d->col) return false;
  // Name the corners: left/right, top/bottom, with the uv at each side.
  float xl, xr, yt, yb, ul, ur, vt, vb;
  if (a->y == b->y && c->y == d->y && a->x == d->x && b->x == c->x) {  // a-b horizontal
    if (!(a->u == d->u && b->u == c->u && a->v == b->v && c->v == d->v)) return false;
    xl = a->x, xr = b->x, ul = a->u, ur = b->u, yt = a->y, yb = d->y, vt = a->v, vb = d->v;
  } else if (a->x == b->x && c->x == d->x && a->y == d->y && b->y == c->y) {  // a-b vertical
    if (!(a->u == b->u && c->u == d->u && a->v == d->v && b->v == c->v)) return false;
    xl = a->x, xr = d->x, ul = a->u, ur = d->u, yt = a->y, yb = b->y, vt = a->v, vb = b->v;
  } else {
    return false;
  }
  if (xl > xr) std::swap(xl, xr), std::swap(ul, ur);
  if (yt > yb) std::swap(yt, yb), std::swap(vt, vb);
  int64_t fx0, fx1, fy0, fy1;
  if (!snap(xl, &fx0) || !snap(xr, &fx1) || !snap(yt, &fy0) || !snap(yb, &fy1)) return true;  // garbage: nothing
  // Centres in [left, right) × [top, bottom): the top-left rule on the two triangles.
  const int x0 = clamp_to_int(first_centre_at_or_after(fx0), clip.x0, clip.x1);
  const int x1 = clamp_to_int(first_centre_at_or_after(fx1), clip.x0, clip.x1);
  const int y0 = clamp_to_int(first_centre_at_or_after(fy0), clip.y0, clip.y1);
  const int y1 = clamp_to_int(first_centre_at_or_after(fy1), clip.y0, clip.y1);
  if (x0 >= x1 || y0 >= y1) return true;
  const uint32_t col = a->col;
  const size_t stride = size_t(width_);
  uint32_t* const base = pixels_.get();

  if (!tex.valid() || (ul == ur && vt == vb)) {  // solid: one sample for the whole quad
    const uint32_t s = tex.valid() ? modulate(sample(tex, ul, vt, tex.nearest_magnify), col) : col;
    if ((s >> 24) == 0) return true;
    for (int y = y0; y < y1; ++y) blend_span_const(base + size_t(y) * stride + x0, x1 - x0, s);
    return true;
  }

  // Textured. The uv at pixel centres, as the triangles' planes give it.
  const double dudx = double(ur - ul) / (double(xr) - double(xl));
  const double dvdy = double(vb - vt) / (double(yb) - double(yt));
  const bool nearest = tex.nearest_magnify && std::fabs(dudx) * tex.w <= 1.0 && std::fabs(dvdy) * tex.h <= 1.0;
  const int n = x1 - x0;
  if (tap_i0_.size() < size_t(n)) {
    tap_i0_.resize(size_t(n));
    tap_i1_.resize(size_t(n));
    tap_w_.resize(size_t(n));
  }
  int32_t* ti0 = tap_i0_.data();
  int32_t* ti1 = tap_i1_.data();
  int32_t* tw = tap_w_.data();
  bool any_wx = false;
  for (int i = 0; i < n; ++i) {
    const double u = double(ul) + dudx * (double(x0 + i) + 0.5 - double(xl));
    if (nearest) {
      ti0[i] = nearest_index(u, tex.w);
    } else {
      const Tap t = linear_tap(u, tex.w);
      ti0[i] = t.i0, ti1[i] = t.i1, tw[i] = t.w;
      any_wx |= t.w != 0;
    }
  }
  if (row_.size() < size_t(n)) row_.resize(size_t(n));
  uint32_t* src = row_.data();
  // Rows that sample the same texels (a magnified image repeats each texel
  // row over several pixel rows) reuse the source colours computed for the last.
  int last_i0 = -1, last_i1 = -1, last_w = -1;
  uint32_t alpha_and = 0, alpha_or = 0;
  for (int y = y0; y < y1; ++y) {
    const double v = double(vt) + dvdy * (double(y) + 0.5 - double(yt));
    uint32_t* row = base + size_t(y) * stride + x0;
    const Tap ty = nearest ? Tap{nearest_index(v, tex.h), 0, 0} : linear_tap(v, tex.h);
    if (ty.i0 != last_i0 || ty.i1 != last_i1 || ty.w != last_w) {
      last_i0 = ty.i0, last_i1 = ty.i1, last_w = ty.w;
      const uint8_t* r0 = tex.rgba + size_t(ty.i0) * size_t(tex.w) * 4;
      const uint8_t* r1 = tex.rgba + size_t(ty.i1) * size_t(tex.w) * 4;
      if (nearest || (!any_wx && ty.w == 0)) {  // one texel per pixel: magnified, or 1:1 glyphs
        for (int i = 0; i < n; ++i) {
          uint32_t t;
          std::memcpy(&t, r0 + size_t(ti0[i]) * 4, 4);
          src[i] = t;
        }
      } else if (ty.w == 0) {  // one texel row: horizontally oversampled glyphs
        for (int i = 0; i < n; ++i) {
          uint32_t t0, t1;
          std::memcpy(&t0, r0 + size_t(ti0[i]) * 4, 4);
          std::memcpy(&t1, r0 + size_t(ti1[i]) * 4, 4);
          src[i] = lerp_texel(t0, t1, uint32_t(tw[i]));
        }
      } else {
        for (int i = 0; i < n; ++i) {
          uint32_t t00, t01, t10, t11;
          std::memcpy(&t00, r0 + size_t(ti0[i]) * 4, 4);
          std::memcpy(&t01, r0 + size_t(ti1[i]) * 4, 4);
          std::memcpy(&t10, r1 + size_t(ti0[i]) * 4, 4);
          std::memcpy(&t11, r1 + size_t(ti1[i]) * 4, 4);
          src[i] = lerp_texel(lerp_texel(t00, t01, uint32_t(tw[i])), lerp_texel(t10, t11, uint32_t(tw[i])),
                              uint32_t(ty.w));
        }
      }
      alpha_and = 0xFF000000u, alpha_or = 0;
      for (int i = 0; i < n; ++i) {
        const uint32_t m = modulate(src[i], col);
        src[i] = m;
        alpha_and &= m, alpha_or |= m;
      }
      alpha_and &= 0xFF000000u, alpha_or &= 0xFF000000u;
    }
    if (alpha_or == 0) continue;                                // nothing visible (glyph rows above the ink)
    if (alpha_and == 0xFF000000u) std::memcpy(row, src, size_t(n) * 4);  // opaque: the image itself
    else blend_row(row, src, n);
  }
  return true;
}

// [SECTION] general triangles

namespace {

// Edge function of the directed edge p→q at a point, in sub-pixel units²:
// positive on the inside once the triangle is oriented (see draw_triangle).
struct Edge {
  int64_t dx, dy;  // q − p
  int64_t px, py;
  int64_t bias;    // 0 for top and left edges (they own the pixels on them), 1 otherwise
  double inv_step;

  void init(int64_t ax, int64_t ay, int64_t bx, int64_t by) {
    dx = bx - ax, dy = by - ay, px = ax, py = ay;
    // Oriented clockwise on screen (y down): a top edge runs right, a left edge runs up.
    bias = (dy < 0 || (dy == 0 && dx > 0)) ? 0 : 1;
    inv_step = dy != 0 ? 1.0 / double(-dy * kSub) : 0.0;
  }
  // Narrows [lo, hi) to the pixels of the row whose centre y is `cy` (sub-pixel
  // units) on the inside: E(x) = C − 256·dy·x must be ≥ bias.
  void narrow(int64_t cy, int64_t* lo, int64_t* hi) const {
    const int64_t c = dx * (cy - py) - dy * (kHalf - px) - bias;
    const int64_t step = -dy * kSub;  // E(x+1) − E(x)
    if (*lo >= *hi) return;
    // The bound by floating point, then made exact with the integers (an
    // int64 division per edge and row costs more than the pixels of a fringe).
    auto inside = [&](int64_t x) { return c + step * x >= 0; };  // x within the canvas: no overflow
    if (step > 0) {  // inside from some x on
      const double e = std::ceil(-double(c) * inv_step);
      int64_t x = e <= double(*lo) ? *lo : e >= double(*hi) ? *hi : int64_t(e);
      while (x < *hi && !inside(x)) ++x;
      while (x > *lo && inside(x - 1)) --x;
      *lo = x;
    } else if (step < 0) {  // inside up to some x
      const double e = std::floor(-double(c) * inv_step) + 1;
      int64_t x = e <= double(*lo) ? *lo : e >= double(*hi) ? *hi : int64_t(e);
      while (x > *lo && !inside(x - 1)) --x;
      while (x < *hi && inside(x)) ++x;
      *hi = x;
    } else if (c < 0) {
      *hi = *lo;
    }
  }
};

// A linear function of the pixel centre: value = at_origin + ddx·x + ddy·y.
struct Plane {
  double at_origin = 0, ddx = 0, ddy = 0;
};

}  // namespace

void SoftCanvas::draw_triangle(const SoftVertex& va, const SoftVertex& vb, const SoftVertex& vc, const PixelRect& clip,
                               const Sampler& tex) {
  int64_t ax, ay, bx, by, cx, cy;
  if (!snap(va.x, &ax) || !snap(va.y, &ay) || !snap(vb.x, &bx) || !snap(vb.y, &by) || !snap(vc.x, &cx) ||
      !snap(vc.y, &cy))
    return;
  const int64_t area = (bx - ax) * (cy - ay) - (by - ay) * (cx - ax);
  if (area == 0) return;
  Edge e[3];
  if (area > 0) {
    e[0].init(ax, ay, bx, by), e[1].init(bx, by, cx, cy), e[2].init(cx, cy, ax, ay);
  } else {  // the other winding: walk it backwards so the inside is positive
    e[0].init(ax, ay, cx, cy), e[1].init(cx, cy, bx, by), e[2].init(bx, by, ax, ay);
  }
  // Rows and columns whose centres lie in the bounding box, within the clip:
  // a triangle a billion pixels wide costs only its visible rows.
  const int64_t minx = std::min({ax, bx, cx}), maxx = std::max({ax, bx, cx});
  const int64_t miny = std::min({ay, by, cy}), maxy = std::max({ay, by, cy});
  const int x_lo = clamp_to_int(first_centre_at_or_after(minx), clip.x0, clip.x1);
  const int x_hi = clamp_to_int(first_centre_at_or_after(maxx + 1), clip.x0, clip.x1);
  const int y_lo = clamp_to_int(first_centre_at_or_after(miny), clip.y0, clip.y1);
  const int y_hi = clamp_to_int(first_centre_at_or_after(maxy + 1), clip.y0, clip.y1);
  if (x_lo >= x_hi || y_lo >= y_hi) return;

  // Attribute planes from the unsnapped positions, evaluated at pixel centres.
  const double x0 = va.x, y0 = va.y, x1 = vb.x - x0, y1 = vb.y - y0, x2 = vc.x - x0, y2 = vc.y - y0;
  const double det = x1 * y2 - x2 * y1, inv_det = det != 0 ? 1.0 / det : 0.0;
  auto plane = [&](double a0, double a1, double a2) {
    Plane p;
    p.ddx = ((a1 - a0) * y2 - (a2 - a0) * y1) * inv_det;
    p.ddy = ((a2 - a0) * x1 - (a1 - a0) * x2) * inv_det;
    p.at_origin = a0 + p.ddx * (0.5 - x0) + p.ddy * (0.5 - y0);  // centre of pixel (0, 0)
    return p;
  };
  // Only the channels that differ between the vertices are interpolated (an
  // anti-aliasing fringe varies alpha alone).
  const uint32_t varying = (va.col ^ vb.col) | (va.col ^ vc.col);
  const bool const_col = varying == 0;
  const bool textured = tex.valid() && !(va.u == vb.u && va.u == vc.u && va.v == vb.v && va.v == vc.v);
  uint32_t solid = va.col;
  if (tex.valid() && !textured) solid = modulate(sample(tex, va.u, va.v, tex.nearest_magnify), va.col);
  Plane pc[4], pu, pv;
  int vary_k[4], n_vary = 0;
  uint32_t fixed_bits = va.col;
  for (int k = 0; k < 4; ++k)
    if ((varying >> (8 * k)) & 0xFF) {
      pc[n_vary] = plane((va.col >> (8 * k)) & 0xFF, (vb.col >> (8 * k)) & 0xFF, (vc.col >> (8 * k)) & 0xFF);
      vary_k[n_vary++] = 8 * k;
      fixed_bits &= ~(0xFFu << (8 * k));
    }
  bool nearest = false;
  if (textured) {
    pu = plane(va.u, vb.u, vc.u);
    pv = plane(va.v, vb.v, vc.v);
    // Texels per pixel along x and along y (GL's ρ): at most one is magnification.
    const double rx = std::hypot(pu.ddx * tex.w, pv.ddx * tex.h), ry = std::hypot(pu.ddy * tex.w, pv.ddy * tex.h);
    nearest = tex.nearest_magnify && rx <= 1.0 && ry <= 1.0;
  }
  const size_t stride = size_t(width_);
  for (int y = y_lo; y < y_hi; ++y) {
    int64_t lo = x_lo, hi = x_hi;
    const int64_t centre_y = int64_t(y) * kSub + kHalf;
    for (const Edge& ed : e) ed.narrow(centre_y, &lo, &hi);
    if (lo >= hi) continue;
    uint32_t* row = pixels_.get() + size_t(y) * stride;
    if (const_col && !textured) {
      blend_span_const(row + lo, int(hi - lo), solid);
      continue;
    }
    double cr[4], ur = 0, vr = 0;
    for (int k = 0; k < n_vary; ++k) cr[k] = pc[k].at_origin + pc[k].ddy * y;
    if (textured) ur = pu.at_origin + pu.ddy * y, vr = pv.at_origin + pv.ddy * y;
    for (int64_t x = lo; x < hi; ++x) {
      const double xd = double(x);
      uint32_t col = solid;
      if (!const_col) {
        col = fixed_bits;
        for (int k = 0; k < n_vary; ++k) col |= to_byte(cr[k] + pc[k].ddx * xd) << vary_k[k];
      }
      if (textured) col = modulate(sample(tex, ur + pu.ddx * xd, vr + pv.ddx * xd, nearest), col);
      blend_into(row + x, col);
    }
  }
}

}  // namespace xm
