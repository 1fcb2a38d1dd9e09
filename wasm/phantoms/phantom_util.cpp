// Portable PRNG, math and drawing for the phantoms (see phantom_util.h).
#include "phantoms/phantom_util.h"

#include <cmath>

namespace xm {
namespace phantom {

namespace {
constexpr double LN2 = 0.693147180559945309417;
constexpr double TWO_PI = 6.283185307179586476925;
constexpr double HALF_PI = 1.570796326794896619231;
}  // namespace

float Rng::uniform() { return float(next() >> 40) * (1.0f / 16777216.0f); }

int Rng::integer(int lo, int hi) {
  uint64_t span = uint64_t(int64_t(hi) - int64_t(lo) + 1);
  return int(int64_t(lo) + int64_t(next() % span));
}

float Rng::gauss() {
  double u1 = (double(next() >> 11) + 1.0) * (1.0 / 9007199254740992.0);  // (0,1]
  double u2 = double(next() >> 11) * (1.0 / 9007199254740992.0);
  return float(psqrt(float(-2.0 * double(plog(float(u1))))) * pcos(float(TWO_PI * u2)));
}

float pexp(float xf) {
  double x = xf;
  if (x < -87.0) return 0.0f;
  if (x > 88.0) x = 88.0;
  double k = std::floor(x / LN2 + 0.5);
  double r = x - k * LN2;
  double p = 1.0 + r * (1.0 + r * (1.0 / 2 + r * (1.0 / 6 + r * (1.0 / 24 + r * (1.0 / 120 + r * (1.0 / 720 + r * (1.0 / 5040 + r * (1.0 / 40320))))))));
  return float(std::ldexp(p, int(k)));
}

float plog(float xf) {
  if (!(xf > 0.0f)) return -1e30f;
  int e = 0;
  double m = std::frexp(double(xf), &e);  // exact
  if (m < 0.70710678118654752) {
    m *= 2.0;
    e -= 1;
  }
  double s = (m - 1.0) / (m + 1.0), s2 = s * s;
  double series = s * (2.0 + s2 * (2.0 / 3 + s2 * (2.0 / 5 + s2 * (2.0 / 7 + s2 * (2.0 / 9 + s2 * (2.0 / 11 + s2 * (2.0 / 13)))))));
  return float(series + double(e) * LN2);
}

namespace {
// sin on [-pi/2, pi/2], Taylor to x^17.
double sin_core(double r) {
  double r2 = r * r;
  double p = 1.0 / 355687428096000.0;  // 1/17!
  const double c[] = {-1.0 / 1307674368000.0, 1.0 / 6227020800.0, -1.0 / 39916800.0, 1.0 / 362880.0,
                      -1.0 / 5040.0,          1.0 / 120.0,        -1.0 / 6.0,         1.0};
  for (double ci : c) p = p * r2 + ci;
  return p * r;
}
double psin_d(double x) {
  double k = std::floor(x / TWO_PI + 0.5);
  double r = x - k * TWO_PI;  // [-pi, pi]
  if (r > HALF_PI) r = (TWO_PI / 2) - r;
  else if (r < -HALF_PI) r = -(TWO_PI / 2) - r;
  return sin_core(r);
}
// atan on [-1,1] after two argument halvings to |t| <= 0.2.
double atan_core(double t) {
  for (int i = 0; i < 2; ++i) t = t / (1.0 + std::sqrt(1.0 + t * t));
  double t2 = t * t, p = 0.0;
  for (int k = 21; k >= 1; k -= 2) p = p * t2 + ((k / 2) % 2 ? -1.0 : 1.0) / double(k);
  return 4.0 * p * t;
}
}  // namespace

float psin(float x) { return float(psin_d(double(x))); }
float pcos(float x) { return float(psin_d(double(x) + HALF_PI)); }
float psqrt(float x) { return x > 0.0f ? std::sqrt(x) : 0.0f; }
float ppow(float x, float y) { return x > 0.0f ? pexp(y * plog(x)) : 0.0f; }

float patan2(float yf, float xf) {
  double y = yf, x = xf;
  if (x == 0.0 && y == 0.0) return 0.0f;
  double ax = std::fabs(x), ay = std::fabs(y), a;
  if (ay <= ax) a = atan_core(ay / ax);
  else a = HALF_PI - atan_core(ax / ay);
  if (x < 0.0) a = TWO_PI / 2 - a;
  return float(y < 0.0 ? -a : a);
}

float smoothstep(float e0, float e1, float x) {
  float t = clamp01((x - e0) / (e1 - e0));
  return t * t * (3.0f - 2.0f * t);
}

float Canvas::sample(float x, float y) const {
  if (x < 0) x = 0;
  if (y < 0) y = 0;
  if (x > float(w - 1)) x = float(w - 1);
  if (y > float(h - 1)) y = float(h - 1);
  int x0 = int(x), y0 = int(y);
  int x1 = x0 + 1 < w ? x0 + 1 : x0, y1 = y0 + 1 < h ? y0 + 1 : y0;
  float fx = x - float(x0), fy = y - float(y0);
  float a = at(x0, y0) + (at(x1, y0) - at(x0, y0)) * fx;
  float b = at(x0, y1) + (at(x1, y1) - at(x0, y1)) * fx;
  return a + (b - a) * fy;
}

namespace {
inline float catmull(float p0, float p1, float p2, float p3, float t) {
  return p1 + 0.5f * t * (p2 - p0 + t * (2.0f * p0 - 5.0f * p1 + 4.0f * p2 - p3 + t * (3.0f * (p1 - p2) + p3 - p0)));
}
}  // namespace

Canvas value_noise(Rng& rng, int w, int h, int cells) {
  int n = cells + 3;
  std::vector<float> g(size_t(n) * size_t(n));
  for (auto& v : g) v = rng.uniform(-1.0f, 1.0f);
  Canvas c(w, h, 0.0f);
  for (int y = 0; y < h; ++y) {
    float gy = (float(y) + 0.5f) * float(cells) / float(h);
    int iy = int(gy);
    float ty = gy - float(iy);
    for (int x = 0; x < w; ++x) {
      float gx = (float(x) + 0.5f) * float(cells) / float(w);
      int ix = int(gx);
      float tx = gx - float(ix);
      float rows[4];
      for (int j = 0; j < 4; ++j) {
        const float* r = &g[size_t(iy + j) * size_t(n) + size_t(ix)];
        rows[j] = catmull(r[0], r[1], r[2], r[3], tx);
      }
      c.at(x, y) = catmull(rows[0], rows[1], rows[2], rows[3], ty);
    }
  }
  return c;
}

Canvas fbm(Rng& rng, int w, int h, int cells, int octaves) {
  Canvas sum(w, h, 0.0f);
  float amp = 1.0f, total = 0.0f;
  for (int o = 0; o < octaves; ++o) {
    Canvas n = value_noise(rng, w, h, cells << o);
    for (size_t i = 0; i < sum.v.size(); ++i) sum.v[i] += amp * n.v[i];
    total += amp;
    amp *= 0.5f;
  }
  for (auto& v : sum.v) v /= total;
  return sum;
}

void blur(Canvas& c, float sigma) {
  if (sigma <= 0.0f) return;
  int r = int(sigma * 3.0f) + 1;
  std::vector<float> k(size_t(2 * r + 1));
  float s = 0.0f;
  for (int i = -r; i <= r; ++i) s += (k[size_t(i + r)] = pexp(-float(i * i) / (2.0f * sigma * sigma)));
  for (auto& v : k) v /= s;
  std::vector<float> tmp(c.v.size());
  for (int y = 0; y < c.h; ++y)
    for (int x = 0; x < c.w; ++x) {
      float a = 0.0f;
      for (int i = -r; i <= r; ++i) {
        int xx = x + i < 0 ? 0 : (x + i >= c.w ? c.w - 1 : x + i);
        a += k[size_t(i + r)] * c.at(xx, y);
      }
      tmp[size_t(y) * size_t(c.w) + size_t(x)] = a;
    }
  for (int y = 0; y < c.h; ++y)
    for (int x = 0; x < c.w; ++x) {
      float a = 0.0f;
      for (int i = -r; i <= r; ++i) {
        int yy = y + i < 0 ? 0 : (y + i >= c.h ? c.h - 1 : y + i);
        a += k[size_t(i + r)] * tmp[size_t(yy) * size_t(c.w) + size_t(x)];
      }
      c.at(x, y) = a;
    }
}

float Blob::sdf(float x, float y) const {
  float dx = x - cx, dy = y - cy;
  float u = (dx * cos_rot + dy * sin_rot) / rx;
  float v = (-dx * sin_rot + dy * cos_rot) / ry;
  float rho = psqrt(u * u + v * v);
  float R = 1.0f;
  if (rho > 1e-6f) {
    float c1 = u / rho, s1 = v / rho;
    float c2 = c1 * c1 - s1 * s1, s2 = 2.0f * s1 * c1;
    float c3 = c2 * c1 - s2 * s1, s3 = s2 * c1 + c2 * s1;
    float c4 = c2 * c2 - s2 * s2, s4 = 2.0f * s2 * c2;
    R += ca[0] * c2 + sa[0] * s2 + ca[1] * c3 + sa[1] * s3 + ca[2] * c4 + sa[2] * s4;
  }
  float mean_r = 0.5f * (rx + ry);
  return (rho - R) * mean_r;
}

float Blob::coverage(float x, float y) const { return clamp01(0.5f - sdf(x, y) / edge); }

Blob make_blob(Rng& rng, const BlobGeometry& g) {
  const float cx = g.cx, cy = g.cy, rx = g.rx, ry = g.ry, rot = g.rot, wobble = g.wobble, edge = g.edge;
  Blob b;
  b.cx = cx;
  b.cy = cy;
  b.rx = rx > 0.3f ? rx : 0.3f;
  b.ry = ry > 0.3f ? ry : 0.3f;
  b.cos_rot = pcos(rot);
  b.sin_rot = psin(rot);
  for (int k = 0; k < 3; ++k) {
    float a = wobble * rng.uniform(0.0f, 1.0f) / float(k + 1);
    float ph = rng.uniform(0.0f, 2.0f * PI);
    b.ca[k] = a * pcos(ph);
    b.sa[k] = a * psin(ph);
  }
  b.edge = edge > 0.05f ? edge : 0.05f;
  return b;
}

namespace {
template <class F>
void for_blob_box(const Canvas& c, const Blob& b, F f) {
  float ext = (b.rx > b.ry ? b.rx : b.ry) * 1.8f + b.edge + 2.0f;
  int x0 = int(std::floor(b.cx - ext)), x1 = int(std::ceil(b.cx + ext));
  int y0 = int(std::floor(b.cy - ext)), y1 = int(std::ceil(b.cy + ext));
  if (x0 < 0) x0 = 0;
  if (y0 < 0) y0 = 0;
  if (x1 > c.w - 1) x1 = c.w - 1;
  if (y1 > c.h - 1) y1 = c.h - 1;
  for (int y = y0; y <= y1; ++y)
    for (int x = x0; x <= x1; ++x) f(x, y, b.coverage(float(x), float(y)));
}

template <class F>
void for_segment_box(const Canvas& c, float x0, float y0, float x1, float y1, float r0, float r1, F f) {
  float rm = (r0 > r1 ? r0 : r1) + 1.5f;
  int bx0 = int(std::floor((x0 < x1 ? x0 : x1) - rm)), bx1 = int(std::ceil((x0 > x1 ? x0 : x1) + rm));
  int by0 = int(std::floor((y0 < y1 ? y0 : y1) - rm)), by1 = int(std::ceil((y0 > y1 ? y0 : y1) + rm));
  if (bx0 < 0) bx0 = 0;
  if (by0 < 0) by0 = 0;
  if (bx1 > c.w - 1) bx1 = c.w - 1;
  if (by1 > c.h - 1) by1 = c.h - 1;
  float dx = x1 - x0, dy = y1 - y0, len2 = dx * dx + dy * dy;
  for (int y = by0; y <= by1; ++y)
    for (int x = bx0; x <= bx1; ++x) {
      float px = float(x) - x0, py = float(y) - y0;
      float t = len2 > 0.0f ? clamp01((px * dx + py * dy) / len2) : 0.0f;
      float ex = px - t * dx, ey = py - t * dy;
      float d = psqrt(ex * ex + ey * ey);
      float r = r0 + (r1 - r0) * t;
      float cov = clamp01(r - d + 0.5f);
      if (cov > 0.0f) f(x, y, cov);
    }
}
}  // namespace

void paint_blob(Canvas& c, const Blob& b, float value, float alpha) {
  for_blob_box(c, b, [&](int x, int y, float cov) {
    float a = cov * alpha;
    if (a > 0.0f) c.at(x, y) += (value - c.at(x, y)) * a;
  });
}

void add_blob(Canvas& c, const Blob& b, float delta) {
  for_blob_box(c, b, [&](int x, int y, float cov) {
    if (cov > 0.0f) c.at(x, y) += delta * cov;
  });
}

void paint_segment(Canvas& c, float x0, float y0, float x1, float y1, float r0, float r1, float value, float alpha) {
  for_segment_box(c, x0, y0, x1, y1, r0, r1, [&](int x, int y, float cov) { c.at(x, y) += (value - c.at(x, y)) * cov * alpha; });
}

void max_segment(Canvas& c, float x0, float y0, float x1, float y1, float r0, float r1) {
  for_segment_box(c, x0, y0, x1, y1, r0, r1, [&](int x, int y, float cov) {
    if (cov > c.at(x, y)) c.at(x, y) = cov;
  });
}

}  // namespace phantom
}  // namespace xm
