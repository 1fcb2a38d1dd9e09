#include "state/edits.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace xm {

const char* edit_mode_name(EditMode m) {
  switch (m) {
    case EditMode::PAINT: return "paint";
    case EditMode::HEAL: return "heal";
    case EditMode::RESTORE: return "restore";
  }
  return "?";
}

Status edits_validate(const EditList& edits) {
  size_t total = 0;
  for (size_t i = 0; i < edits.strokes.size(); ++i) {
    const EditStroke& s = edits.strokes[i];
    const std::string where = "edit stroke " + std::to_string(i + 1);
    if (s.radius < 1 || s.radius > EDIT_MAX_RADIUS)
      return Status::error(where + ": radius " + std::to_string(s.radius) + " is outside 1.." + std::to_string(EDIT_MAX_RADIUS));
    if (!(s.value >= 0.0f && s.value <= 1.0f)) return Status::error(where + ": value must be in [0, 1]");
    if (s.points.empty()) return Status::error(where + ": has no points");
    for (const EditPoint& p : s.points)
      if (std::abs(p.x) > 100000 || std::abs(p.y) > 100000) return Status::error(where + ": a point is far outside any image");
    total += s.points.size();
  }
  if (total > EDIT_MAX_POINTS)
    return Status::error("the edits have " + std::to_string(total) + " points; at most " + std::to_string(EDIT_MAX_POINTS));
  return Status::ok();
}

namespace {

// One disc at (cx, cy): the pixels whose centres lie within `radius`.
void dab(Tensor& img, const Tensor& original, const EditStroke& s, double cx, double cy) {
  const int C = int(img.dim(1)), H = int(img.dim(2)), W = int(img.dim(3));
  const double r = s.radius, r2 = r * r;
  const int x0 = std::max(0, int(std::floor(cx - r - 2))), x1 = std::min(W - 1, int(std::ceil(cx + r + 2)));
  const int y0 = std::max(0, int(std::floor(cy - r - 2))), y1 = std::min(H - 1, int(std::ceil(cy + r + 2)));
  if (x0 > x1 || y0 > y1) return;
  std::vector<float> fill(size_t(C), s.value);
  if (s.mode == EditMode::HEAL) {
    // The ring r < d <= r + 2 around the disc: what the neighbourhood looks like.
    std::vector<double> sum(size_t(C), 0.0);
    int n = 0;
    const double ro2 = (r + 2) * (r + 2);
    for (int y = y0; y <= y1; ++y)
      for (int x = x0; x <= x1; ++x) {
        const double d2 = (x - cx) * (x - cx) + (y - cy) * (y - cy);
        if (d2 <= r2 || d2 > ro2) continue;
        for (int c = 0; c < C; ++c) sum[size_t(c)] += img.at4(0, c, y, x);
        ++n;
      }
    if (n == 0) return;  // the whole ring is off the image: nothing to copy from
    for (int c = 0; c < C; ++c) fill[size_t(c)] = float(sum[size_t(c)] / n);
  }
  for (int y = y0; y <= y1; ++y)
    for (int x = x0; x <= x1; ++x) {
      if ((x - cx) * (x - cx) + (y - cy) * (y - cy) > r2) continue;
      for (int c = 0; c < C; ++c)
        img.at4(0, c, y, x) = s.mode == EditMode::RESTORE ? original.at4(0, c, y, x) : fill[size_t(c)];
    }
}

// The dabs k of 1..n along a→b (centre a + (b - a)·k/n) whose centre lies in
// [lo, hi]² around the image: a dab centred further out paints nothing (dab()
// returns at once), so skipping it changes the time, not the pixels. The range
// is widened by one dab at each end against rounding.
bool segment_dabs_near(EditPoint a, EditPoint b, int n, double lo_x, double hi_x, double lo_y, double hi_y, int* k0, int* k1) {
  double t0 = 0, t1 = 1;
  auto clip = [&](double p, double d, double lo, double hi) {
    if (d == 0) return p >= lo && p <= hi;
    double ta = (lo - p) / d, tb = (hi - p) / d;
    if (ta > tb) std::swap(ta, tb);
    t0 = std::max(t0, ta);
    t1 = std::min(t1, tb);
    return t0 <= t1;
  };
  if (!clip(a.x, b.x - a.x, lo_x, hi_x) || !clip(a.y, b.y - a.y, lo_y, hi_y)) return false;
  *k0 = std::max(1, int(std::floor(t0 * n)) - 1);
  *k1 = std::min(n, int(std::ceil(t1 * n)) + 1);
  return *k0 <= *k1;
}

double dab_step(const EditStroke& s) { return std::max(1.0, s.radius * 0.5); }

int segment_dab_count(const EditStroke& s, EditPoint a, EditPoint b) {
  const double len = std::hypot(double(b.x - a.x), double(b.y - a.y));
  return std::max(1, int(std::ceil(len / dab_step(s))));
}

// edits_work's cost of point i of a stroke: its first dab, or the dabs from
// the point before, counted along at most the diagonal of an
// EDIT_WORK_SPAN image with its margin; each dab visits a (2r + 6)² square.
double point_work(const EditStroke& s, size_t i) {
  const double side = 2.0 * s.radius + 6.0, area = side * side;
  if (i == 0) return area;
  const double span = 1.4143 * (EDIT_WORK_SPAN + 2.0 * (s.radius + 3));
  const double most = std::ceil(span / dab_step(s)) + 3;
  return std::min(double(segment_dab_count(s, s.points[i - 1], s.points[i])), most) * area;
}

}  // namespace

double edits_work(const EditList& edits) {
  double w = 0;
  for (const EditStroke& s : edits.strokes)
    for (size_t i = 0; i < s.points.size(); ++i) w += point_work(s, i);
  return w;
}

std::string edits_fit_budget(EditList* edits) {
  double w = 0;
  size_t total = 0, kept = 0;
  for (const EditStroke& s : edits->strokes) total += s.points.size();
  for (size_t si = 0; si < edits->strokes.size(); ++si) {
    EditStroke& s = edits->strokes[si];
    for (size_t i = 0; i < s.points.size(); ++i) {
      w += point_work(s, i);
      if (w <= EDIT_MAX_WORK) {
        ++kept;
        continue;
      }
      s.points.resize(i);
      edits->strokes.resize(s.points.empty() ? si : si + 1);
      return "edits: kept the first " + std::to_string(kept) + " of " + std::to_string(total) +
             " points; the rest would take too long to paint";
    }
  }
  return "";
}

Tensor edits_apply(const Tensor& original, const EditList& edits) {
  Tensor img = original;
  if (original.rank() != 4 || edits.empty()) return img;
  const double W = double(original.dim(3)), H = double(original.dim(2));
  for (const EditStroke& s : edits.strokes) {
    if (s.points.empty()) continue;
    dab(img, original, s, s.points[0].x, s.points[0].y);
    // Dabs every half radius along each segment, so a fast drag leaves no gaps.
    const double m = s.radius + 3.0;
    for (size_t i = 1; i < s.points.size(); ++i) {
      const EditPoint a = s.points[i - 1], b = s.points[i];
      const int n = segment_dab_count(s, a, b);
      int k0 = 0, k1 = 0;
      if (!segment_dabs_near(a, b, n, -m, W - 1 + m, -m, H - 1 + m, &k0, &k1)) continue;
      for (int k = k0; k <= k1; ++k) {
        const double t = double(k) / n;
        dab(img, original, s, a.x + (b.x - a.x) * t, a.y + (b.y - a.y) * t);
      }
    }
  }
  return img;
}

std::string edits_encode(const EditList& edits) {
  std::string out;
  for (size_t i = 0; i < edits.strokes.size(); ++i) {
    const EditStroke& s = edits.strokes[i];
    if (i) out += ';';
    out += s.mode == EditMode::PAINT ? 'p' : s.mode == EditMode::HEAL ? 'h' : 'r';
    out += ',' + std::to_string(s.radius) + ',';
    char v[32];
    std::snprintf(v, sizeof v, "%.9g", double(s.value));  // 9 digits: the float comes back exactly
    out += v;
    for (const EditPoint& p : s.points) out += ',' + std::to_string(p.x) + ',' + std::to_string(p.y);
  }
  return out;
}

Result<EditList> edits_decode(const std::string& text) {
  EditList list;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find(';', pos);
    if (end == std::string::npos) end = text.size();
    const std::string part = text.substr(pos, end - pos);
    pos = end + 1;
    const std::string where = "edit stroke " + std::to_string(list.strokes.size() + 1);
    std::vector<std::string> f;
    size_t q = 0;
    while (q <= part.size()) {
      size_t c = part.find(',', q);
      if (c == std::string::npos) c = part.size();
      f.push_back(part.substr(q, c - q));
      q = c + 1;
    }
    if (f.size() < 5 || (f.size() - 3) % 2 != 0)
      return Status::error(where + ": expected mode,radius,value followed by x,y pairs, got '" + part.substr(0, 60) + "'");
    EditStroke s;
    if (f[0] == "p") s.mode = EditMode::PAINT;
    else if (f[0] == "h") s.mode = EditMode::HEAL;
    else if (f[0] == "r") s.mode = EditMode::RESTORE;
    else return Status::error(where + ": unknown mode '" + f[0] + "' (p, h or r)");
    auto to_long = [&](const std::string& t, long* v) {
      if (t.empty() || t.size() > 7) return false;
      char* e = nullptr;
      *v = std::strtol(t.c_str(), &e, 10);
      return e && *e == 0;
    };
    long r = 0;
    if (!to_long(f[1], &r)) return Status::error(where + ": radius '" + f[1] + "' is not a whole number");
    s.radius = int(r);
    char* e = nullptr;
    s.value = std::strtof(f[2].c_str(), &e);
    if (f[2].empty() || !e || *e) return Status::error(where + ": value '" + f[2] + "' is not a number");
    for (size_t i = 3; i + 1 < f.size(); i += 2) {
      long x = 0, y = 0;
      if (!to_long(f[i], &x) || !to_long(f[i + 1], &y))
        return Status::error(where + ": point '" + f[i] + "," + f[i + 1] + "' is not two whole numbers");
      s.points.push_back({int(x), int(y)});
    }
    list.strokes.push_back(std::move(s));
    if (list.strokes.size() > EDIT_MAX_POINTS) break;
  }
  XM_TRY(edits_validate(list));
  return list;
}

}  // namespace xm
