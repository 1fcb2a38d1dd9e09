// liver_ct: an axial portal-venous abdominal CT slice drawn in Hounsfield
// units and shown in a soft-tissue window (level 50, width 400): body outline
// with subcutaneous fat, muscle wall, liver with vessels, spleen, stomach with
// an air-fluid level, kidneys, aorta, vertebra, table; correlated quantum noise.
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
// In place: 0 stays 0, other pixels get their approximate Euclidean distance
// to the nearest 0 pixel (two-pass 3-4 chamfer, divided by 3).
void chamfer_distance(Canvas& c) {
  const float big = 1e6f;
  for (auto& v : c.v) v = v > 0.0f ? big : 0.0f;
  for (int y = 0; y < c.h; ++y)
    for (int x = 0; x < c.w; ++x) {
      float v = c.at(x, y);
      if (x > 0 && c.at(x - 1, y) + 3 < v) v = c.at(x - 1, y) + 3;
      if (y > 0 && c.at(x, y - 1) + 3 < v) v = c.at(x, y - 1) + 3;
      if (x > 0 && y > 0 && c.at(x - 1, y - 1) + 4 < v) v = c.at(x - 1, y - 1) + 4;
      if (x + 1 < c.w && y > 0 && c.at(x + 1, y - 1) + 4 < v) v = c.at(x + 1, y - 1) + 4;
      c.at(x, y) = v;
    }
  for (int y = c.h - 1; y >= 0; --y)
    for (int x = c.w - 1; x >= 0; --x) {
      float v = c.at(x, y);
      if (x + 1 < c.w && c.at(x + 1, y) + 3 < v) v = c.at(x + 1, y) + 3;
      if (y + 1 < c.h && c.at(x, y + 1) + 3 < v) v = c.at(x, y + 1) + 3;
      if (x + 1 < c.w && y + 1 < c.h && c.at(x + 1, y + 1) + 4 < v) v = c.at(x + 1, y + 1) + 4;
      if (x > 0 && y + 1 < c.h && c.at(x - 1, y + 1) + 4 < v) v = c.at(x - 1, y + 1) + 4;
      c.at(x, y) = v;
    }
  for (auto& v : c.v) v = v >= big ? 0.0f : v / 3.0f;
}

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
  // A curved carbon-fibre couch: a thin dense top sheet over a foam core and a
  // thin bottom sheet, drawn as one continuous band (max coverage, no seams).
  Canvas top(n, n, 0.0f), core(n, n, 0.0f);
  for (int i = 0; i < 32; ++i) {
    float x0 = 2 + float(i) * 3.875f, x1 = x0 + 3.875f;
    float y0 = ty + 0.0012f * (x0 - 64) * (x0 - 64), y1 = ty + 0.0012f * (x1 - 64) * (x1 - 64);
    max_segment(top, x0, y0, x1, y1, 1.0f, 1.0f);
    max_segment(top, x0, y0 + 5.0f, x1, y1 + 5.0f, 0.8f, 0.8f);
    max_segment(core, x0, y0 + 2.5f, x1, y1 + 2.5f, 2.0f, 2.0f);
  }
  for (size_t i = 0; i < hu.v.size(); ++i) {
    hu.v[i] += (-200.0f - hu.v[i]) * core.v[i] * 0.8f;
    hu.v[i] += (250.0f - hu.v[i]) * top.v[i];
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
  // Organs drawn over the liver blob: a lesion must not sit under them.
  std::vector<Blob> over = {vb, aorta, ivc, spleen, stomach, kid[0], kid[1]};
  int loops = a.integer(4, 8);
  for (int i = 0; i < loops; ++i) {
    float lx = bcx + a.uniform(-10, 24), ly = bcy + a.uniform(-8, 12);
    Blob loop = make_blob(a, {lx, ly, a.uniform(3, 5.5f), a.uniform(3, 5.5f), 0, 0.15f, 1.0f});
    float loop_hu = a.uniform(20, 60);
    bool gassy = a.chance(0.5f);
    Blob gas = make_blob(a, {lx, ly, loop.rx - 1.5f, loop.ry - 1.5f, 0, 0.1f, 0.8f});
    // Bowel lies beside the liver, never inside it (a fluid-filled loop in the
    // liver would look exactly like a hypodense lesion).
    if (liver.sdf(lx, ly) < loop.rx + 1.0f) continue;
    over.push_back(loop);
    paint_in(hu, loop, &cavity, loop_hu);
    if (gassy) paint_in(hu, gas, &cavity, -900.0f);
  }
  for (int s = 0; s < 2; ++s) {
    paint_in(hu, kid[s], &cavity, a.uniform(160, 200));
    Blob sinus = kid[s];
    sinus.rx *= 0.45f;
    sinus.ry *= 0.5f;
    sinus.cx += (s ? -1.0f : 1.0f) * kid[s].rx * 0.35f;
    paint_blob(hu, sinus, -40.0f, 0.7f);
  }

  // Where the liver parenchyma is visible: inside the liver and the cavity and
  // not under an organ drawn later (stomach, bowel, kidney, IVC, ...).
  Canvas vis(n, n, 0.0f);
  for (int y = 0; y < n; ++y)
    for (int x = 0; x < n; ++x) {
      float v = liver_in.coverage(float(x), float(y)) * cavity.coverage(float(x), float(y));
      for (size_t k = 0; k < over.size() && v > 0.0f; ++k) v *= 1.0f - over[k].coverage(float(x), float(y));
      vis.at(x, y) = v;
    }

  // Liver parenchyma texture and enhancing portal/hepatic vein branches.
  Canvas tex = fbm(a, n, n, 10, 3);
  for (int y = 0; y < n; ++y)
    for (int x = 0; x < n; ++x) hu.at(x, y) += 8.0f * tex.at(x, y) * vis.at(x, y);
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
      float c = vessel.at(x, y) * vis.at(x, y);
      if (c > 0.0f) hu.at(x, y) += (vessel_hu - hu.at(x, y)) * c * 0.85f;
    }

  // Lesions: focal, hypo-attenuating in the portal-venous phase (cyst-like:
  // near water, sharp; metastasis-like: 40-62 HU below the liver, softer edge,
  // sometimes a faintly enhancing rim). A lesion replaces the parenchyma it
  // occupies (vessels do not run through it), lies wholly inside the liver and
  // has a minimum size and contrast at the default knobs: a radiologist could
  // call every positive case, so a model can too.
  Rng l(r.seed, PHANTOM_STREAM_LESION);
  int count = int(r.knob("count"));
  if (count < 0) count = l.integer(1, 3);
  float px = r.knob("pos_x"), py = r.knob("pos_y");
  // `depth`: chamfer distance (pixels) to the nearest pixel that is not visible liver.
  Canvas depth_map(n, n, 0.0f);
  for (size_t i = 0; i < vis.v.size(); ++i) depth_map.v[i] = vis.v[i] >= 0.95f ? 1.0f : 0.0f;
  chamfer_distance(depth_map);
  auto depth = [&](float x, float y) {
    int ix = int(x + 0.5f), iy = int(y + 0.5f);
    return ix < 0 || iy < 0 || ix >= n || iy >= n ? 0.0f : depth_map.at(ix, iy);
  };
  float deep_x = liver.cx, deep_y = liver.cy, deep = 0.0f;
  for (int y = 0; y < n; ++y)
    for (int x = 0; x < n; ++x)
      if (depth_map.at(x, y) > deep) deep = depth_map.at(x, y), deep_x = float(x), deep_y = float(y);
  if (r.label == 1) {
    if (count < 1) count = 1;
    for (int i = 0; i < count; ++i) {
      bool cyst = l.chance(0.3f);
      float rad = l.uniform(3.2f, 5.8f) * r.knob("size");
      if (rad < 0.9f) rad = 0.9f;
      float lx = 0, ly = 0;
      bool fixed = i == 0 && px >= 0 && py >= 0;
      if (fixed) {
        lx = px * float(n);
        ly = py * float(n);
        for (int k = 0; k < 40 && depth(lx, ly) < 1.0f; ++k) {  // move toward the deepest point until inside
          lx += (deep_x - lx) * 0.1f;
          ly += (deep_y - ly) * 0.1f;
        }
      } else {
        // Keep the whole lesion inside the liver; a small liver gets a smaller lesion.
        float limit = deep - 1.5f;
        if (rad * 1.2f > limit) rad = limit / 1.2f > 0.9f ? limit / 1.2f : 0.9f;
        float margin = rad * 1.2f + 1.5f;
        lx = deep_x;
        ly = deep_y;
        for (int k = 0; k < 80; ++k) {
          float tx = liver.cx + l.uniform(-1, 1) * liver.rx, ty = liver.cy + l.uniform(-1, 1) * liver.ry;
          if (depth(tx, ty) >= margin) {
            lx = tx;
            ly = ty;
            break;
          }
        }
      }
      Blob les = make_blob(l, {lx, ly, rad * l.uniform(0.85f, 1.15f), rad * l.uniform(0.85f, 1.15f), l.uniform(0, PI),
                               cyst ? 0.04f : 0.15f, cyst ? 0.8f : 1.3f});
      // Attenuation below the liver at contrast 1: at least 40 HU (about 4x the noise).
      float delta = cyst ? -(liver_hu - l.uniform(5, 20)) : -l.uniform(40, 62);
      float rim = !cyst && l.chance(0.4f) ? l.uniform(15, 30) : 0.0f;  // enhancing rim of a metastasis
      float c = r.knob("contrast");
      float weight = c < 1.0f ? c : 1.0f;  // contrast 0: the image is the label-0 image
      float target = liver_hu + delta * c;
      float ext = rad * 2.0f + 3.0f;
      for (int y = int(ly - ext); y <= int(ly + ext); ++y)
        for (int x = int(lx - ext); x <= int(lx + ext); ++x) {
          if (x < 0 || y < 0 || x >= n || y >= n) continue;
          float cov = les.coverage(float(x), float(y));
          if (cov <= 0.0f) continue;
          hu.at(x, y) += (target - hu.at(x, y)) * cov * weight;
          if (rim > 0.0f) {  // a ring just inside the edge, less dark than the centre
            float sd = les.sdf(float(x), float(y));
            hu.at(x, y) += rim * c * smoothstep(-3.0f, -1.2f, sd) * cov;
          }
          if (cov > d.evidence.at(x, y)) d.evidence.at(x, y) = cov;
        }
    }
  }

  // Acquisition: partial volume, correlated quantum noise, window.
  blur(hu, 0.6f);
  const Canvas noise = correlated_noise(r.seed, n, 0.7f);
  float sigma = 22.0f * r.knob("noise");  // ~11 HU after the blur
  Canvas img(n, n, 0.0f);
  for (size_t i = 0; i < img.v.size(); ++i) img.v[i] = (hu.v[i] + sigma * noise.v[i] - (50.0f - 200.0f)) / 400.0f;
  d.channels.push_back(img);
}

}  // namespace phantom
}  // namespace xm
