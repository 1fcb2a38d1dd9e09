// fundus: a colour photograph of the retina. Orange-red fundus with choroidal
// mottling inside a circular field of view, vignetting toward the rim, a pale
// optic disc with a cup, a darker macula with a foveal reflex, arcades of
// veins and arteries branching from the disc; lesions are micro-aneurysms
// (dark red dots), haemorrhages (dark red blots) or hard exudates (yellow).
#include "phantoms/phantom_scenarios.h"

namespace xm {
namespace phantom {

std::vector<PhantomKnob> fundus_knobs() {
  auto k = common_knobs("lesions");
  k.push_back({"count", -1, 30, -1, true, "number of lesions when present; -1 = 3 to 10 from the seed"});
  k.push_back({"kind", -1, 2, -1, true, "lesion kind: 0 micro-aneurysms, 1 haemorrhages, 2 exudates; -1 = a mix from the seed"});
  return k;
}

namespace {
struct Rgb {
  float r, g, b;
};

void mix(std::vector<Canvas>& ch, int x, int y, Rgb c, float a) {
  ch[0].at(x, y) += (c.r - ch[0].at(x, y)) * a;
  ch[1].at(x, y) += (c.g - ch[1].at(x, y)) * a;
  ch[2].at(x, y) += (c.b - ch[2].at(x, y)) * a;
}

// A vessel and its branches as a random walk; curvature bends the temporal
// arcades around the macula.
void grow(Rng& a, Canvas& cov, float x, float y, float ang, float w, float curv, int depth, float fx, float fy, float fr) {
  for (int step = 0; step < 40; ++step) {
    float nx = x + pcos(ang) * 3.0f, ny = y + psin(ang) * 3.0f;
    float ddx = nx - fx, ddy = ny - fy;
    if (ddx * ddx + ddy * ddy > fr * fr) return;
    max_segment(cov, x, y, nx, ny, w, w * 0.985f);
    x = nx;
    y = ny;
    w *= 0.985f;
    ang += curv + a.uniform(-0.14f, 0.14f);
    if (w < 0.35f) return;
    if (depth < 3 && step > 2 && a.chance(0.13f)) {
      float side = a.chance(0.5f) ? 1.0f : -1.0f;
      float turn = a.uniform(0.5f, 1.0f);  // drawn in order: call arguments are unsequenced
      float thin = a.uniform(0.55f, 0.75f);
      grow(a, cov, x, y, ang + side * turn, w * thin, curv * 0.3f, depth + 1, fx, fy, fr);
      w *= 0.85f;
    }
  }
}
}  // namespace

void fundus_draw(const Request& r, Drawing& d) {
  const int n = PHANTOM_SIZE;
  Rng a(r.seed, PHANTOM_STREAM_ANATOMY);
  std::vector<Canvas> ch(3, Canvas(n, n, 0.0f));

  float fx = 64 + a.uniform(-2, 2), fy = 64 + a.uniform(-2, 2), fr = a.uniform(57, 62);
  Rgb base = {a.uniform(0.78f, 0.92f), a.uniform(0.3f, 0.42f), a.uniform(0.1f, 0.2f)};
  Canvas chor = fbm(a, n, n, 12, 3);
  Canvas shade = value_noise(a, n, n, 2);
  for (int y = 0; y < n; ++y)
    for (int x = 0; x < n; ++x) {
      float dx = float(x) - fx, dy = float(y) - fy;
      float rr = psqrt(dx * dx + dy * dy) / fr;
      float vig = (1.0f - 0.5f * rr * rr * rr) * (1.0f + 0.12f * shade.at(x, y));
      float t = chor.at(x, y);
      ch[0].at(x, y) = (base.r + 0.06f * t) * vig;
      ch[1].at(x, y) = (base.g + 0.035f * t) * vig;
      ch[2].at(x, y) = (base.b + 0.02f * t) * vig;
    }

  // Optic disc on the nasal side (left or right eye), macula temporal to it.
  float side = a.chance(0.5f) ? 1.0f : -1.0f;
  float dx0 = fx + side * a.uniform(26, 33), dy0 = fy + a.uniform(-5, 5), dr = a.uniform(7, 9);
  float mx = dx0 - side * a.uniform(36, 42), my = dy0 + a.uniform(2, 6);
  for (int y = 0; y < n; ++y)
    for (int x = 0; x < n; ++x) {
      float ddx = float(x) - mx, ddy = float(y) - my, d2 = ddx * ddx + ddy * ddy;
      float dark = 0.38f * pexp(-d2 / (2 * 8.0f * 8.0f));
      for (int c = 0; c < 3; ++c) ch[size_t(c)].at(x, y) *= 1.0f - dark;
      float reflex = 0.12f * pexp(-d2 / (2 * 0.9f * 0.9f));
      for (int c = 0; c < 3; ++c) ch[size_t(c)].at(x, y) += reflex;
      float ex = float(x) - dx0, ey = float(y) - dy0;
      float e2 = ex * ex + ey * ey;
      float glow = 0.35f * pexp(-e2 / (2 * (dr * 1.4f) * (dr * 1.4f)));
      mix(ch, x, y, {1.0f, 0.75f, 0.45f}, glow);
    }
  Blob disc = make_blob(a, {dx0, dy0, dr, dr * a.uniform(1.0f, 1.15f), 0, 0.04f, 1.6f});
  Blob cup = make_blob(a, {dx0 - side * 1.0f, dy0, dr * a.uniform(0.3f, 0.5f), dr * a.uniform(0.35f, 0.55f), 0, 0.05f, 2.0f});
  for (int y = 0; y < n; ++y)
    for (int x = 0; x < n; ++x) {
      mix(ch, x, y, {0.98f, 0.78f, 0.5f}, disc.coverage(float(x), float(y)) * 0.9f);
      mix(ch, x, y, {1.0f, 0.92f, 0.72f}, cup.coverage(float(x), float(y)) * 0.8f);
    }

  // Vessel trees: veins (darker, wider) and arteries (lighter, thinner).
  for (int tree = 0; tree < 2; ++tree) {
    Canvas cov(n, n, 0.0f);
    float w0 = tree == 0 ? a.uniform(1.5f, 1.9f) : a.uniform(1.1f, 1.4f);
    float temporal = side > 0 ? PI : 0.0f;  // direction from disc toward macula
    float arc = a.uniform(0.75f, 1.05f);
    float bend = side * a.uniform(0.045f, 0.06f);
    grow(a, cov, dx0, dy0, temporal - arc * (side > 0 ? -1.0f : 1.0f), w0, bend, 0, fx, fy, fr);
    grow(a, cov, dx0, dy0, temporal + arc * (side > 0 ? -1.0f : 1.0f), w0, -bend, 0, fx, fy, fr);
    grow(a, cov, dx0, dy0, temporal + PI - a.uniform(0.5f, 1.0f), w0 * 0.7f, 0.0f, 1, fx, fy, fr);
    grow(a, cov, dx0, dy0, temporal + PI + a.uniform(0.5f, 1.0f), w0 * 0.7f, 0.0f, 1, fx, fy, fr);
    Rgb col = tree == 0 ? Rgb{0.48f, 0.08f, 0.06f} : Rgb{0.66f, 0.16f, 0.1f};
    for (int y = 0; y < n; ++y)
      for (int x = 0; x < n; ++x)
        if (cov.at(x, y) > 0.0f) {
          float vig = ch[0].at(x, y) / (base.r + 1e-3f);
          Rgb c = {col.r * vig, col.g * vig, col.b * vig};
          mix(ch, x, y, c, cov.at(x, y) * 0.85f);
        }
  }

  // Lesions, mostly around the posterior pole, never on the disc.
  Rng l(r.seed, PHANTOM_STREAM_LESION);
  if (r.label == 1) {
    int count = int(r.knob("count"));
    if (count < 0) count = l.integer(3, 10);
    if (count < 1) count = 1;
    int kind_knob = int(r.knob("kind"));
    float alpha = clamp01(0.85f * r.knob("contrast"));
    float size = r.knob("size");
    for (int i = 0; i < count; ++i) {
      int kind = kind_knob >= 0 ? kind_knob : l.integer(0, 2);
      float lx = 0, ly = 0;
      for (int k = 0; k < 50; ++k) {
        float ang = l.uniform(0, 2 * PI), rad = 32.0f * psqrt(l.uniform());
        lx = (mx + dx0) * 0.5f + pcos(ang) * rad - side * 4.0f;
        ly = my + psin(ang) * rad;
        float ex = lx - dx0, ey = ly - dy0, fxd = lx - fx, fyd = ly - fy;
        if (ex * ex + ey * ey > (dr + 5) * (dr + 5) && fxd * fxd + fyd * fyd < (fr - 8) * (fr - 8)) break;
      }
      float rad = kind == 0 ? l.uniform(0.9f, 1.3f) : kind == 1 ? l.uniform(1.8f, 3.4f) : l.uniform(1.0f, 2.0f);
      rad *= size;
      if (rad < 0.8f) rad = 0.8f;
      Rgb col = kind == 2 ? Rgb{0.98f, 0.88f, 0.45f} : Rgb{0.42f, 0.05f, 0.04f};
      int blobs = kind == 2 ? l.integer(2, 4) : 1;
      for (int b = 0; b < blobs; ++b) {
        float bx = lx + (b ? l.uniform(-4, 4) : 0.0f), by = ly + (b ? l.uniform(-4, 4) : 0.0f);
        Blob les = make_blob(l, {bx, by, rad * l.uniform(0.8f, 1.2f), rad * l.uniform(0.8f, 1.2f), l.uniform(0, PI), kind == 1 ? 0.3f : 0.1f, 0.9f});
        int ext = int(rad * 2.2f) + 3;
        for (int y = int(by) - ext; y <= int(by) + ext; ++y)
          for (int x = int(bx) - ext; x <= int(bx) + ext; ++x) {
            if (x < 0 || y < 0 || x >= n || y >= n) continue;
            float c = les.coverage(float(x), float(y));
            if (c <= 0.0f) continue;
            float vig = kind == 2 ? 1.0f : ch[0].at(x, y) / (base.r + 1e-3f) + 0.2f;
            mix(ch, x, y, {col.r * vig, col.g * vig, col.b * vig}, c * alpha);
            if (c > d.evidence.at(x, y)) d.evidence.at(x, y) = c;
          }
      }
    }
  }

  // Camera: field-of-view stop, blur, sensor noise.
  for (int y = 0; y < n; ++y)
    for (int x = 0; x < n; ++x) {
      float dx = float(x) - fx, dy = float(y) - fy;
      float in = clamp01(fr - psqrt(dx * dx + dy * dy) + 0.5f);
      for (int c = 0; c < 3; ++c) ch[size_t(c)].at(x, y) *= in;
      d.evidence.at(x, y) *= in;
    }
  Rng nz(r.seed, PHANTOM_STREAM_NOISE);
  float sigma = 0.012f * r.knob("noise");
  for (int c = 0; c < 3; ++c) {
    blur(ch[size_t(c)], 0.55f);
    add_gaussian_noise(ch[size_t(c)], nz, sigma);
  }
  d.channels = std::move(ch);
}

}  // namespace phantom
}  // namespace xm
