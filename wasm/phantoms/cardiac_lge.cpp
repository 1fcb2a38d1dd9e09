// cardiac_lge: a short-axis late-gadolinium-enhancement MRI slice. Inversion
// recovery nulls healthy myocardium (dark), blood pool is bright, scar is
// brighter still; coil shading, a point-spread blur and Rician magnitude noise.
#include "phantoms/phantom_scenarios.h"

namespace xm {
namespace phantom {

std::vector<PhantomKnob> cardiac_lge_knobs() {
  auto k = common_knobs("scar");
  k.push_back({"angle", -1, 360, -1, false, "centre of the scar around the left ventricle in degrees (0 = image right, 90 = down); -1 = from the seed"});
  k.push_back({"transmural", -1, 1, -1, false, "scar depth as a fraction of the wall (0.2 = subendocardial, 1 = transmural); -1 = from the seed"});
  return k;
}

namespace {
// Paints `b` clipped to the inside of `clip` (soft coverages multiply).
void paint_clipped(Canvas& c, const Blob& b, const Blob& clip, float value) {
  float ext = (b.rx > b.ry ? b.rx : b.ry) * 1.8f + 3.0f;
  for (int y = int(b.cy - ext); y <= int(b.cy + ext); ++y)
    for (int x = int(b.cx - ext); x <= int(b.cx + ext); ++x) {
      if (x < 0 || y < 0 || x >= c.w || y >= c.h) continue;
      float a = b.coverage(float(x), float(y)) * clip.coverage(float(x), float(y));
      if (a > 0.0f) c.at(x, y) += (value - c.at(x, y)) * a;
    }
}
}  // namespace

void cardiac_lge_draw(const Request& r, Drawing& d) {
  const int n = PHANTOM_SIZE;
  Rng a(r.seed, PHANTOM_STREAM_ANATOMY);
  Canvas img(n, n, 0.0f);

  // Body: skin and subcutaneous fat (bright on T1: the inversion time nulls
  // myocardium, not fat), thicker at the sides and back; a darker muscle layer
  // (pectorals, intercostals) inside it; mediastinal soft tissue within.
  float bcx = 64 + a.uniform(-4, 4), bcy = 68 + a.uniform(-4, 4);
  float brx = a.uniform(54, 61), bry = a.uniform(40, 47);
  Blob body = make_blob(a, {bcx, bcy, brx, bry, a.uniform(-0.1f, 0.1f), 0.08f, 1.5f});
  float fat = a.uniform(2.5f, 6.0f);
  Blob muscle = body;
  muscle.rx -= fat * 1.3f;
  muscle.ry -= fat;
  Blob inner = muscle;
  inner.rx -= a.uniform(2.5f, 4.0f);
  inner.ry -= a.uniform(2.0f, 3.5f);
  paint_blob(img, body, a.uniform(0.62f, 0.8f));
  paint_blob(img, muscle, a.uniform(0.12f, 0.17f));
  paint_blob(img, inner, a.uniform(0.2f, 0.27f));
  Canvas tex = fbm(a, n, n, 8, 3);
  for (int y = 0; y < n; ++y)
    for (int x = 0; x < n; ++x) img.at(x, y) += 0.09f * tex.at(x, y) * muscle.coverage(float(x), float(y));

  // Heart position varies; lungs wrap around it (the heart indents the left
  // lung), liver below, spine with paraspinal muscles and aorta behind.
  float hx = 68 + a.uniform(-7, 7), hy = 60 + a.uniform(-6, 6);
  Blob lung_l = make_blob(a, {hx + a.uniform(22, 28), hy + a.uniform(2, 8), a.uniform(14, 18), a.uniform(22, 28), a.uniform(-0.3f, 0.3f), 0.12f, 1.5f});
  Blob lung_r = make_blob(a, {hx - a.uniform(34, 40), hy + a.uniform(-2, 6), a.uniform(13, 17), a.uniform(20, 26), a.uniform(-0.3f, 0.3f), 0.12f, 1.5f});
  Blob heart_space = make_blob(a, {hx + 2, hy + 2, a.uniform(25, 28), a.uniform(23, 26), 0, 0.05f, 2.0f});
  float sx = bcx + a.uniform(-3, 3), sy = bcy + bry - a.uniform(19, 23);
  Blob spine_space = make_blob(a, {sx, sy + 5, 19, 14, 0, 0.0f, 2.0f});
  Canvas lung_tex = fbm(a, n, n, 16, 2);
  for (int y = 0; y < n; ++y)
    for (int x = 0; x < n; ++x) {
      float fx = float(x), fy = float(y);
      float lc = lung_l.coverage(fx, fy);
      float rc = lung_r.coverage(fx, fy);
      float c = (lc > rc ? lc : rc) * inner.coverage(fx, fy) * (1.0f - heart_space.coverage(fx, fy)) * (1.0f - spine_space.coverage(fx, fy));
      if (c > 0.0f) img.at(x, y) += (0.035f + 0.02f * lung_tex.at(x, y) - img.at(x, y)) * c;
    }
  Blob liver = make_blob(a, {hx - a.uniform(14, 24), bcy + bry * a.uniform(0.45f, 0.6f), a.uniform(22, 30), a.uniform(12, 16), a.uniform(-0.3f, 0.1f), 0.1f, 1.5f});
  paint_clipped(img, liver, inner, a.uniform(0.26f, 0.34f));
  for (int s = -1; s <= 1; s += 2) {  // paraspinal muscles: dark on LGE
    Blob m = make_blob(a, {sx + float(s) * a.uniform(8, 10), sy + a.uniform(8, 10), a.uniform(7, 9), a.uniform(5, 6.5f), float(s) * 0.3f, 0.1f, 1.5f});
    paint_clipped(img, m, muscle, a.uniform(0.12f, 0.16f));
  }
  Blob vert = make_blob(a, {sx, sy, a.uniform(6.5f, 8), a.uniform(6, 7.5f), 0, 0.04f, 1.2f});
  paint_blob(img, vert, 0.3f);
  Blob vert_in = vert;
  vert_in.rx -= 1.5f;
  vert_in.ry -= 1.5f;
  paint_blob(img, vert_in, 0.42f);
  Blob canal = make_blob(a, {sx, sy + vert.ry + 2.5f, 2.6f, 2.2f, 0, 0.02f, 1.0f});  // cerebrospinal fluid: dark
  paint_blob(img, canal, 0.08f);
  Blob aorta = make_blob(a, {sx + a.uniform(8, 12), sy - a.uniform(9, 12), a.uniform(4, 5.5f), a.uniform(4, 5.5f), 0, 0.02f, 1.0f});
  paint_blob(img, aorta, 0.05f);  // dark vessel wall ring, then the bright lumen
  Blob lumen = aorta;
  lumen.rx -= 1.0f;
  lumen.ry -= 1.0f;
  paint_blob(img, lumen, a.uniform(0.5f, 0.62f));

  // Heart: epicardial fat, right ventricle (thin dark wall, bright blood), LV.
  float r_endo = a.uniform(9, 13.5f), wall = a.uniform(4.5f, 7.0f), r_epi = r_endo + wall;
  float blood = a.uniform(0.5f, 0.62f), myo = a.uniform(0.05f, 0.1f);
  // Epicardial fat: patchy, thickest in the grooves, bright like other fat.
  Blob epi_fat = make_blob(a, {hx, hy, r_epi + 3.0f, r_epi + 2.6f, a.uniform(0, PI), 0.2f, 1.5f});
  Canvas fat_tex = fbm(a, n, n, 10, 2);
  float fat_alpha = a.uniform(0.5f, 0.9f);
  for (int y = 0; y < n; ++y)
    for (int x = 0; x < n; ++x) {
      float c = epi_fat.coverage(float(x), float(y)) * clamp01(0.5f + 1.5f * fat_tex.at(x, y)) * fat_alpha;
      if (c > 0.0f) img.at(x, y) += (0.6f - img.at(x, y)) * c;
    }
  float rv_ang = a.uniform(2.6f, 3.6f);  // roughly image left, anterior
  float rvx = hx + pcos(rv_ang) * (r_epi + a.uniform(0, 3)), rvy = hy + psin(rv_ang) * (r_epi + a.uniform(0, 3)) - 2;
  Blob rv_wall = make_blob(a, {rvx, rvy, r_endo * a.uniform(0.5f, 0.75f) + 2, r_epi * a.uniform(0.95f, 1.2f) + 2, rv_ang, 0.1f, 1.2f});
  paint_blob(img, rv_wall, myo + 0.03f);
  Blob rv_blood = rv_wall;
  rv_blood.rx -= 2.0f;
  rv_blood.ry -= 2.0f;
  paint_blob(img, rv_blood, blood * a.uniform(0.85f, 1.0f));
  Blob epi = make_blob(a, {hx, hy, r_epi, r_epi * a.uniform(0.95f, 1.05f), 0, 0.03f, 1.2f});
  paint_blob(img, epi, myo);
  Blob endo = make_blob(a, {hx, hy, r_endo, r_endo * a.uniform(0.92f, 1.05f), a.uniform(0, PI), 0.05f, 1.2f});
  paint_blob(img, endo, blood);
  Canvas flow = fbm(a, n, n, 12, 2);
  for (int y = 0; y < n; ++y)
    for (int x = 0; x < n; ++x) img.at(x, y) += 0.05f * flow.at(x, y) * endo.coverage(float(x), float(y));
  for (int p = 0; p < 2; ++p) {  // papillary muscles: dark dots against the blood pool
    float ang = (p ? 0.6f : 2.3f) + a.uniform(-0.3f, 0.3f);
    Blob pap = make_blob(a, {hx + pcos(ang) * (r_endo - 3), hy + psin(ang) * (r_endo - 3), a.uniform(1.5f, 2.5f), a.uniform(1.5f, 2.5f), 0, 0.1f, 1.0f});
    paint_blob(img, pap, myo + 0.05f, 0.8f);
  }

  // Scar: a sector of the wall from the endocardium outward, tapered at its
  // ends, with patchy enhancement.
  Rng l(r.seed, PHANTOM_STREAM_LESION);
  float angle_knob = r.knob("angle"), trans_knob = r.knob("transmural");
  float theta = angle_knob >= 0 ? angle_knob * PI / 180.0f : l.uniform(0, 2 * PI);
  float half = l.uniform(0.45f, 0.95f) * r.knob("size");
  if (half > 3.0f) half = 3.0f;
  float trans = trans_knob >= 0 ? trans_knob : l.uniform(0.35f, 1.0f);
  if (trans < 0.15f) trans = 0.15f;
  Canvas patch = fbm(l, n, n, 16, 2);
  if (r.label == 1) {
    float gain = r.knob("contrast") * l.uniform(0.6f, 0.75f);
    int x0 = int(hx - r_epi - 3), x1 = int(hx + r_epi + 3), y0 = int(hy - r_epi - 3), y1 = int(hy + r_epi + 3);
    for (int y = y0; y <= y1; ++y)
      for (int x = x0; x <= x1; ++x) {
        if (x < 0 || y < 0 || x >= n || y >= n) continue;
        float dx = float(x) - hx, dy = float(y) - hy;
        float rad = psqrt(dx * dx + dy * dy);
        float dphi = patan2(dy, dx) - theta;
        while (dphi > PI) dphi -= 2 * PI;
        while (dphi < -PI) dphi += 2 * PI;
        float u = dphi / half;
        float ang_cov = smoothstep(1.0f, 0.8f, u < 0 ? -u : u);
        float outer = r_endo + wall * trans * (1.0f - 0.45f * u * u);
        float in_wall = epi.coverage(float(x), float(y)) * (1.0f - endo.coverage(float(x), float(y)) * 0.85f);
        float cov = ang_cov * clamp01(outer - rad + 0.5f) * in_wall;
        if (cov <= 0.0f) continue;
        if (cov > d.evidence.at(x, y)) d.evidence.at(x, y) = cov;
        float v = gain * (0.85f + 0.25f * patch.at(x, y));
        img.at(x, y) += v * cov;  // additive, so contrast 0 leaves the anatomy untouched
      }
  }

  // Acquisition: point-spread blur, coil sensitivity shading, Rician noise.
  blur(img, 0.7f);
  Canvas bias = value_noise(a, n, n, 2);
  for (int y = 0; y < n; ++y)
    for (int x = 0; x < n; ++x) img.at(x, y) *= 1.0f + 0.18f * bias.at(x, y) - 0.12f * float(y - 64) / 64.0f;
  Rng nz(r.seed, PHANTOM_STREAM_NOISE);
  float sigma = 0.03f * r.knob("noise");
  for (auto& v : img.v) {
    float re = v + sigma * nz.gauss(), im = sigma * nz.gauss();
    v = psqrt(re * re + im * im);
  }
  d.channels.push_back(img);
}

}  // namespace phantom
}  // namespace xm
