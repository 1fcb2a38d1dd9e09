// liver_ct: an axial portal-venous abdominal CT slice drawn in Hounsfield
// units and shown in a soft-tissue window (level 50, width 400): body outline
// with subcutaneous fat, muscle wall, liver with vessels, spleen, stomach with
// an air-fluid level, kidneys, aorta, vertebra, table; correlated quantum noise.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("fp-contract=off")
#elif defined(__clang__)
#pragma clang fp contract(off)
#endif
#include "phantoms/phantom_scenarios.h"

namespace xm {
namespace phantom {

std::vector<PhantomKnob> liver_ct_knobs() {
  auto k = common_knobs("lesion");
  k.push_back({"count", -1, 4, -1, true, "number of lesions when present; -1 = 1 to 3 from the seed"});
  k.push_back({"pos_x", -1, 1, -1, false, "first lesion's centre as a fraction of the image width (moved into the liver); -1 = from the seed"});
  k.push_back({"pos_y", -1, 1, -1, false, "first lesion's centre as a fraction of the image height; -1 = from the seed"});
  return k;
}

namespace {
void paint_in(Canvas& c, const Blob& b, const Blob* clip, float value) {
  float ext = (b.rx > b.ry ? b.rx : b.ry) * 1.8f + 3.0f;
  for (int y = int(b.cy - ext); y <= int(b.cy + ext); ++y)
    for (int x = int(b.cx - ext); x <= int(b.cx + ext); ++x) {
      if (x < 0 || y < 0 || x >= c.w || y >= c.h) continue;
      float cv = b.coverage(float(x), float(y));
      if (clip) cv *= clip->coverage(float(x), float(y));
      if (cv > 0.0f) c.at(x, y) += (value - c.at(x, y)) * cv;
    }
}
}  // namespace

void liver_ct_draw(const Request& r, Drawing& d) {
  const int n = PHANTOM_SIZE;
  Rng a(r.seed, PHANTOM_STREAM_ANATOMY);
  Canvas hu(n, n, -1000.0f);

  float bcx = 64 + a.uniform(-3, 3), bcy = 60 + a.uniform(-3, 3);
  float brx = a.uniform(50, 59), bry = a.uniform(37, 45);
  // Patient table under the body.
  float ty = bcy + bry + a.uniform(3, 6);
  for (int i = 0; i < 12; ++i) {
    float x0 = 6 + float(i) * 9.7f, x1 = x0 + 9.7f;
    float y0 = ty + 0.0015f * (x0 - 64) * (x0 - 64), y1 = ty + 0.0015f * (x1 - 64) * (x1 - 64);
    paint_segment(hu, x0, y0, x1, y1, 1.0f, 1.0f, 300.0f, 0.8f);
  }
  Blob body = make_blob(a, {bcx, bcy, brx, bry, 0, 0.05f, 1.2f});
  paint_blob(hu, body, -105.0f);
  float fat = a.uniform(3, 8);
  Blob wall = body;
  wall.rx -= fat;
  wall.ry -= fat;
  paint_blob(hu, wall, 50.0f);
  Blob cavity = wall;
  cavity.rx -= a.uniform(2.5f, 4.0f);
  cavity.ry -= a.uniform(2.5f, 4.0f);
  paint_blob(hu, cavity, -90.0f);

  // Spine and paraspinal muscles (posterior, bottom centre).
  float sx = bcx + a.uniform(-2, 2), rvb = a.uniform(7.5f, 9.5f), sy = bcy + bry - fat - rvb - a.uniform(5, 8);
  for (int s = -1; s <= 1; s += 2) {
    Blob m = make_blob(a, {sx + float(s) * a.uniform(9, 12), sy + rvb + 3, a.uniform(7, 9), a.uniform(5, 7), 0, 0.1f, 1.2f});
    paint_in(hu, m, &body, 55.0f);
  }
  Blob vb = make_blob(a, {sx, sy, rvb, rvb * a.uniform(0.85f, 1.0f), 0, 0.04f, 1.0f});
  paint_blob(hu, vb, 650.0f);
  Blob vbi = vb;
  vbi.rx -= 1.6f;
  vbi.ry -= 1.6f;
  paint_blob(hu, vbi, a.uniform(180, 260));
  float cy = sy + rvb + 3.5f;
  paint_segment(hu, sx, cy, sx - 6, cy + 6, 1.6f, 1.3f, 600.0f, 1.0f);
  paint_segment(hu, sx, cy, sx + 6, cy + 6, 1.6f, 1.3f, 600.0f, 1.0f);
  paint_segment(hu, sx, cy + 2, sx, cy + 9, 1.5f, 1.2f, 600.0f, 1.0f);
  Blob canal = make_blob(a, {sx, cy, 3.0f, 2.6f, 0, 0.02f, 0.8f});
  paint_blob(hu, canal, 15.0f);

  // Vessels and kidneys.
  float ar = a.uniform(4, 5.5f);
  Blob aorta = make_blob(a, {sx + a.uniform(3, 7), sy - rvb - ar - 1, ar, ar, 0, 0.02f, 1.0f});
  paint_blob(hu, aorta, a.uniform(150, 190));
  Blob kid[2];
  for (int s = 0; s < 2; ++s) {
    float side = s ? 1.0f : -1.0f;
    kid[s] = make_blob(a, {sx + side * a.uniform(20, 26), sy - a.uniform(2, 7), a.uniform(6, 8), a.uniform(9, 12), side * a.uniform(0.2f, 0.6f), 0.08f, 1.0f});
  }

  // Liver (image left = patient's right), spleen, stomach, bowel.
  Blob liver = make_blob(a, {bcx - brx * a.uniform(0.3f, 0.42f), bcy - bry * a.uniform(0.05f, 0.2f), brx * a.uniform(0.48f, 0.58f),
                         bry * a.uniform(0.6f, 0.75f), a.uniform(-0.35f, 0.1f), 0.12f, 1.3f});
  float liver_hu = a.uniform(95, 120);
  Blob liver_in = liver;  // clipped to the abdominal cavity
  paint_in(hu, liver, &cavity, liver_hu);
  Blob ivc = make_blob(a, {sx - a.uniform(8, 12), sy - rvb - 3, a.uniform(3.5f, 4.5f), a.uniform(4, 5.5f), 0, 0.05f, 1.0f});
  paint_blob(hu, ivc, a.uniform(115, 140));
  Blob spleen = make_blob(a, {bcx + brx * a.uniform(0.55f, 0.68f), bcy + bry * a.uniform(0.0f, 0.2f), a.uniform(7, 10), a.uniform(11, 15), a.uniform(-0.6f, -0.2f), 0.1f, 1.2f});
  paint_in(hu, spleen, &cavity, a.uniform(100, 125));
  Blob stomach = make_blob(a, {bcx + brx * a.uniform(0.2f, 0.4f), bcy - bry * a.uniform(0.25f, 0.45f), a.uniform(9, 13), a.uniform(7, 10), a.uniform(-0.4f, 0.4f), 0.1f, 1.2f});
  paint_in(hu, stomach, &cavity, 55.0f);
  Blob lumen = stomach;
  lumen.rx -= 2.0f;
  lumen.ry -= 2.0f;
  float level = stomach.cy - a.uniform(-2, 4);
  for (int y = 0; y < n; ++y)
    for (int x = 0; x < n; ++x) {
      float c = lumen.coverage(float(x), float(y)) * cavity.coverage(float(x), float(y));
      if (c > 0.0f) hu.at(x, y) += ((float(y) < level ? -950.0f : 15.0f) - hu.at(x, y)) * c;
    }
  int loops = a.integer(4, 8);
  for (int i = 0; i < loops; ++i) {
    float lx = bcx + a.uniform(-10, 24), ly = bcy + a.uniform(-8, 12);
    Blob loop = make_blob(a, {lx, ly, a.uniform(3, 5.5f), a.uniform(3, 5.5f), 0, 0.15f, 1.0f});
    paint_in(hu, loop, &cavity, a.uniform(20, 60));
    if (a.chance(0.5f)) {
      Blob gas = make_blob(a, {lx, ly, loop.rx - 1.5f, loop.ry - 1.5f, 0, 0.1f, 0.8f});
      paint_in(hu, gas, &cavity, -900.0f);
    }
  }
  for (int s = 0; s < 2; ++s) {
    paint_in(hu, kid[s], &cavity, a.uniform(160, 200));
    Blob sinus = kid[s];
    sinus.rx *= 0.45f;
    sinus.ry *= 0.5f;
    sinus.cx += (s ? -1.0f : 1.0f) * kid[s].rx * 0.35f;
    paint_blob(hu, sinus, -40.0f, 0.7f);
  }

  // Liver parenchyma texture and enhancing portal/hepatic vein branches.
  Canvas tex = fbm(a, n, n, 10, 3);
  for (int y = 0; y < n; ++y)
    for (int x = 0; x < n; ++x) hu.at(x, y) += 8.0f * tex.at(x, y) * liver_in.coverage(float(x), float(y));
  Canvas vessel(n, n, 0.0f);
  float hilx = liver.cx + liver.rx * 0.35f, hily = liver.cy + liver.ry * 0.1f;
  int branches = a.integer(5, 8);
  for (int b = 0; b < branches; ++b) {
    float ang = a.uniform(0, 2 * PI), x = hilx, y = hily, w = a.uniform(1.2f, 1.9f);
    for (int s = 0; s < 6; ++s) {
      ang += a.uniform(-0.35f, 0.35f);
      float nx = x + pcos(ang) * 5.0f, ny = y + psin(ang) * 5.0f;
      max_segment(vessel, x, y, nx, ny, w, w * 0.8f);
      x = nx;
      y = ny;
      w *= 0.8f;
    }
  }
  float vessel_hu = a.uniform(140, 175);
  for (int y = 0; y < n; ++y)
    for (int x = 0; x < n; ++x) {
      float c = vessel.at(x, y) * liver_in.coverage(float(x), float(y)) * cavity.coverage(float(x), float(y));
      if (c > 0.0f) hu.at(x, y) += (vessel_hu - hu.at(x, y)) * c * 0.85f;
    }

  // Lesions: hypodense (metastasis-like) round foci inside the liver.
  Rng l(r.seed, PHANTOM_STREAM_LESION);
  int count = int(r.knob("count"));
  if (count < 0) count = l.integer(1, 3);
  float px = r.knob("pos_x"), py = r.knob("pos_y");
  if (r.label == 1) {
    if (count < 1) count = 1;
    for (int i = 0; i < count; ++i) {
      float rad = l.uniform(2.8f, 5.5f) * r.knob("size");
      if (rad < 0.9f) rad = 0.9f;
      float lx = 0, ly = 0;
      bool fixed = i == 0 && px >= 0 && py >= 0;
      if (fixed) {
        lx = px * float(n);
        ly = py * float(n);
        for (int k = 0; k < 40 && liver.sdf(lx, ly) > -1.0f; ++k) {  // move toward the liver centre until inside
          lx += (liver.cx - lx) * 0.1f;
          ly += (liver.cy - ly) * 0.1f;
        }
      } else {
        for (int k = 0; k < 60; ++k) {
          lx = liver.cx + l.uniform(-1, 1) * liver.rx;
          ly = liver.cy + l.uniform(-1, 1) * liver.ry;
          float margin = (rad < 6 ? rad : 6.0f) + 1.5f;
          if (liver.sdf(lx, ly) < -margin && cavity.sdf(lx, ly) < -margin) break;
        }
      }
      Blob les = make_blob(l, {lx, ly, rad * l.uniform(0.85f, 1.15f), rad * l.uniform(0.85f, 1.15f), l.uniform(0, PI), 0.15f, 1.3f});
      float delta = -l.uniform(35, 55) * r.knob("contrast");
      float ext = rad * 2.0f + 3.0f;
      for (int y = int(ly - ext); y <= int(ly + ext); ++y)
        for (int x = int(lx - ext); x <= int(lx + ext); ++x) {
          if (x < 0 || y < 0 || x >= n || y >= n) continue;
          float c = les.coverage(float(x), float(y));
          if (c <= 0.0f) continue;
          hu.at(x, y) += delta * c;
          if (c > d.evidence.at(x, y)) d.evidence.at(x, y) = c;
        }
    }
  }

  // Acquisition: partial volume, correlated quantum noise, window.
  blur(hu, 0.6f);
  Rng nz(r.seed, PHANTOM_STREAM_NOISE);
  Canvas noise(n, n, 0.0f);
  add_gaussian_noise(noise, nz, 1.0f);
  blur(noise, 0.7f);
  float sigma = 22.0f * r.knob("noise");  // ~11 HU after the blur
  Canvas img(n, n, 0.0f);
  for (size_t i = 0; i < img.v.size(); ++i) img.v[i] = (hu.v[i] + sigma * noise.v[i] - (50.0f - 200.0f)) / 400.0f;
  d.channels.push_back(img);
}

}  // namespace phantom
}  // namespace xm
