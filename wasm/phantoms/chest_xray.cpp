// chest_xray: a frontal (PA) chest radiograph. Brightness is attenuation:
// soft tissue thicker in the middle, dark lung fields with vascular markings,
// heart and mediastinum, diaphragm domes, posterior and anterior ribs,
// clavicles, spine; a nodule is a faint round opacity in a lung. A burned-in
// side marker ("R") in the top-left corner can be switched on: real
// radiographs carry one, and a model trained where it goes with the label
// learns the marker instead of the nodule.
#include "phantoms/phantom_scenarios.h"

namespace xm {
namespace phantom {

std::vector<PhantomKnob> chest_xray_knobs() {
  auto k = common_knobs("nodule");
  k.push_back({"marker", 0, 1, 0, true, "burned-in side marker 'R' in the top-left corner (1 = on)"});
  k.push_back({"pos_x", -1, 1, -1, false, "nodule centre as a fraction of the image width (moved into a lung); -1 = from the seed"});
  k.push_back({"pos_y", -1, 1, -1, false, "nodule centre as a fraction of the image height; -1 = from the seed"});
  return k;
}

namespace {
// 5x7 glyph of the letter R, one row per byte, bit 4 = leftmost column.
const uint8_t GLYPH_R[7] = {0x1E, 0x11, 0x11, 0x1E, 0x14, 0x12, 0x11};

// Lung field: a blob cut by the diaphragm dome below.
struct Lung {
  Blob shape;
  float dome_y, dome_x, dome_k;
  float coverage(float x, float y) const {
    float dome = dome_y + dome_k * (x - dome_x) * (x - dome_x);
    return shape.coverage(x, y) * clamp01(dome - y + 0.5f);
  }
};
}  // namespace

void chest_xray_draw(const Request& r, Drawing& d) {
  const int n = PHANTOM_SIZE;
  Rng a(r.seed, PHANTOM_STREAM_ANATOMY);
  Canvas img(n, n, 0.03f);

  // Torso: thicker (brighter) in the middle; neck, sloping shoulders, arms.
  float cx = 64 + a.uniform(-3, 3);
  float half_w = a.uniform(50, 56), tissue = a.uniform(0.36f, 0.46f);
  float neck_y = a.uniform(2, 8), shoulder = a.uniform(0.35f, 0.55f);
  for (int y = 0; y < n; ++y)
    for (int x = 0; x < n; ++x) {
      float fy = float(y), ax = float(x) - cx;
      ax = ax < 0 ? -ax : ax;
      // The outline widens from the neck over the shoulders (slope `shoulder`).
      float w = 11.0f + (fy - neck_y + 6.0f) / shoulder;
      float edge = clamp01(w - ax + 0.5f);
      float u = ax / (half_w + 8.0f);
      float thick = psqrt(clamp01(1.0f - u * u));
      float arm = smoothstep(half_w - 2.0f, half_w + 6.0f, ax) * 0.25f;  // arms beside the chest wall
      img.at(x, y) += edge * tissue * (0.5f + 0.5f * thick + arm);
    }

  // Lungs (image left = patient's right, whose dome is higher: the liver).
  float sep = a.uniform(19, 24), ly = a.uniform(54, 62);
  Lung lung[2];
  for (int s = 0; s < 2; ++s) {
    float side = s ? 1.0f : -1.0f;
    float lrx = a.uniform(17, 21), lry = a.uniform(36, 42);
    lung[s].shape = make_blob(a, {cx + side * sep, ly, lrx, lry, side * a.uniform(-0.12f, 0.0f), 0.06f, 2.0f});
    lung[s].dome_x = cx + side * (sep + a.uniform(-2, 4));
    float dome = a.uniform(0.55f, 0.75f);  // separate statements: operands are unsequenced
    lung[s].dome_y = ly + lry * dome - (s ? 0.0f : a.uniform(1, 4));
    lung[s].dome_k = a.uniform(0.012f, 0.022f);
  }
  Canvas lungs(n, n, 0.0f);
  for (int y = 0; y < n; ++y)
    for (int x = 0; x < n; ++x) {
      float c = lung[0].coverage(float(x), float(y));
      float c1 = lung[1].coverage(float(x), float(y));
      lungs.at(x, y) = c > c1 ? c : c1;
    }
  blur(lungs, 1.2f);
  float air = a.uniform(0.2f, 0.26f);
  for (int y = 0; y < n; ++y)
    for (int x = 0; x < n; ++x) img.at(x, y) -= air * lungs.at(x, y) * (0.85f + 0.15f * float(y) / float(n));

  // Vascular markings fanning out of the hila.
  Canvas vessels(n, n, 0.0f);
  for (int s = 0; s < 2; ++s) {
    float side = s ? 1.0f : -1.0f;
    float hx = cx + side * (sep - a.uniform(6, 10)), hy = ly + a.uniform(-2, 6);
    int branches = a.integer(7, 11);
    for (int b = 0; b < branches; ++b) {
      float ang = (side > 0 ? 0.0f : PI) + side * a.uniform(-1.4f, 1.3f);
      float x = hx, y = hy, w = a.uniform(0.9f, 1.4f);
      for (int k = 0; k < 6; ++k) {
        ang += a.uniform(-0.3f, 0.3f);
        float len = a.uniform(4, 7);
        float nx = x + pcos(ang) * len, ny = y + psin(ang) * len;
        max_segment(vessels, x, y, nx, ny, w, w * 0.75f);
        x = nx;
        y = ny;
        w *= 0.75f;
        if (w < 0.3f) break;
      }
    }
  }
  for (size_t i = 0; i < img.v.size(); ++i) img.v[i] += 0.07f * vessels.v[i] * (0.3f + 0.7f * lungs.v[i]);

  // Mediastinum, spine, heart.
  Canvas dense(n, n, 0.0f);
  float med_w = a.uniform(8, 11);
  paint_segment(dense, cx, -5, cx + a.uniform(-1, 1), ly + 10, med_w, med_w + 3, 0.13f, 1.0f);
  for (int v = 0; v < 14; ++v) {  // vertebral bodies, faint through the mediastinum
    float vy = 2.0f + float(v) * 9.0f;
    paint_segment(dense, cx - 3.5f, vy, cx + 3.5f, vy, 3.0f, 3.0f, 0.22f, 0.5f);
  }
  Blob heart = make_blob(a, {cx + a.uniform(5, 10), ly + a.uniform(22, 30), a.uniform(20, 26), a.uniform(14, 18), a.uniform(-0.5f, -0.15f), 0.06f, 2.5f});
  paint_blob(dense, heart, 0.2f);
  Blob aortic_knob = make_blob(a, {cx + a.uniform(5, 8), ly - a.uniform(14, 20), a.uniform(4.5f, 6.5f), a.uniform(4, 5.5f), 0, 0.05f, 2.0f});
  paint_blob(dense, aortic_knob, 0.24f);
  blur(dense, 1.0f);
  for (size_t i = 0; i < img.v.size(); ++i) img.v[i] += dense.v[i] * (1.0f - 0.35f * lungs.v[i]) + 0.1f * dense.v[i] * lungs.v[i];
  // Below the domes: liver and stomach soft tissue (already tissue-dense).

  // Bones: posterior ribs (arc out and down), fainter anterior ribs, clavicles.
  Canvas bone(n, n, 0.0f);
  float rib0 = a.uniform(10, 16), rib_gap = a.uniform(8.2f, 9.6f);
  for (int s = 0; s < 2; ++s) {
    float side = s ? 1.0f : -1.0f;
    for (int i = 0; i < 10; ++i) {
      float y0 = rib0 + float(i) * rib_gap + a.uniform(-0.8f, 0.8f);
      float reach = half_w * a.uniform(0.8f, 0.9f), drop = a.uniform(16, 24);
      float px = cx + side * 5.0f, py = y0;
      for (int k = 1; k <= 12; ++k) {
        float t = float(k) / 12.0f;
        float qx = cx + side * (5.0f + t * reach), qy = y0 - 4.0f * t + drop * t * t;
        max_segment(bone, px, py, qx, qy, 2.0f, 2.0f);
        px = qx;
        py = qy;
      }
    }
    for (int i = 0; i < 6; ++i) {  // anterior ribs: medially downward, fainter
      float y0 = rib0 + 8.0f + float(i) * rib_gap * 1.25f;
      float px = cx + side * half_w * 0.85f, py = y0;
      for (int k = 1; k <= 8; ++k) {
        float t = float(k) / 8.0f;
        float qx = cx + side * half_w * (0.85f - 0.55f * t), qy = y0 + 12.0f * t;
        paint_segment(bone, px, py, qx, qy, 1.6f, 1.6f, 0.45f, 0.5f);
        px = qx;
        py = qy;
      }
    }
    float cl_y = a.uniform(14, 20);
    float c0x = cx + side * 6.0f, c1x = cx + side * a.uniform(38, 46);
    float c1y = cl_y - a.uniform(4, 8);
    for (int k = 0; k < 8; ++k) {
      float t0 = float(k) / 8.0f, t1 = float(k + 1) / 8.0f;
      float y0 = cl_y + (c1y - cl_y) * t0 + 3.0f * t0 * (1 - t0), y1 = cl_y + (c1y - cl_y) * t1 + 3.0f * t1 * (1 - t1);
      max_segment(bone, c0x + (c1x - c0x) * t0, y0, c0x + (c1x - c0x) * t1, y1, 2.6f, 2.6f);
    }
  }
  // Ribs show within the rib cage only: a dilated copy of the lung fields.
  Canvas cage = lungs;
  blur(cage, 4.0f);
  for (size_t i = 0; i < bone.v.size(); ++i) bone.v[i] *= clamp01(cage.v[i] * 2.2f);
  blur(bone, 0.6f);
  float bone_gain = a.uniform(0.05f, 0.075f);
  for (size_t i = 0; i < img.v.size(); ++i) img.v[i] += bone_gain * bone.v[i];

  // Nodule: a faint round opacity inside a lung field.
  Rng l(r.seed, PHANTOM_STREAM_LESION);
  if (r.label == 1) {
    float rad = l.uniform(2.8f, 4.5f) * r.knob("size");
    if (rad < 0.9f) rad = 0.9f;
    float px = r.knob("pos_x"), py = r.knob("pos_y");
    float nx = 0, ny = 0;
    int s = l.chance(0.5f) ? 1 : 0;
    if (px >= 0 && py >= 0) {
      nx = px * float(n);
      ny = py * float(n);
      s = nx > cx ? 1 : 0;
      for (int k = 0; k < 40 && lung[s].coverage(nx, ny) < 1.0f; ++k) {
        nx += (lung[s].shape.cx - nx) * 0.1f;
        ny += (lung[s].shape.cy - ny) * 0.1f;
      }
    } else {
      for (int k = 0; k < 80; ++k) {
        nx = lung[s].shape.cx + l.uniform(-0.8f, 0.8f) * lung[s].shape.rx;
        ny = lung[s].shape.cy + l.uniform(-0.85f, 0.6f) * lung[s].shape.ry;
        bool in = true;
        for (int j = 0; j < 5 && in; ++j) {
          float ang = float(j) * 1.2566f;
          in = lung[s].coverage(nx + pcos(ang) * (rad + 1), ny + psin(ang) * (rad + 1)) >= 1.0f;
        }
        if (in && lung[s].coverage(nx, ny) >= 1.0f) break;
      }
    }
    float delta = l.uniform(0.1f, 0.13f) * r.knob("contrast");
    for (int y = int(ny - rad - 3); y <= int(ny + rad + 3); ++y)
      for (int x = int(nx - rad - 3); x <= int(nx + rad + 3); ++x) {
        if (x < 0 || y < 0 || x >= n || y >= n) continue;
        float dx = float(x) - nx, dy = float(y) - ny;
        float dd = psqrt(dx * dx + dy * dy);
        float cov = clamp01(rad - dd + 0.5f);
        float thick = psqrt(clamp01(1.0f - (dd * dd) / ((rad + 0.5f) * (rad + 0.5f))));  // a sphere's projected thickness
        img.at(x, y) += delta * (0.35f * cov + 0.65f * thick);
        if (cov > d.evidence.at(x, y)) d.evidence.at(x, y) = cov;
      }
  }

  // Detector: unsharpness and quantum noise; then the burned-in marker.
  blur(img, 0.5f);
  const Canvas grain = correlated_noise(r.seed, n, 0.5f);
  float sigma = 0.02f * r.knob("noise");
  for (size_t i = 0; i < img.v.size(); ++i) img.v[i] = ppow(clamp01(img.v[i]) + 1e-4f, 0.9f) + sigma * grain.v[i];
  if (r.knob("marker") >= 0.5f) {
    Rng m(r.seed, PHANTOM_STREAM_MARKER);
    int ox = m.integer(3, 8), oy = m.integer(3, 8), scale = 2;
    float ink = m.uniform(0.9f, 1.0f);
    for (int gy = 0; gy < 7; ++gy)
      for (int gx = 0; gx < 5; ++gx)
        if (GLYPH_R[gy] & (0x10 >> gx))
          for (int sy = 0; sy < scale; ++sy)
            for (int sx = 0; sx < scale; ++sx) img.at(ox + gx * scale + sx, oy + gy * scale + sy) = ink;
  }
  d.channels.push_back(img);
}

}  // namespace phantom
}  // namespace xm
