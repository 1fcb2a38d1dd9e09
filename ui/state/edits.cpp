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

}  // namespace

Tensor edits_apply(const Tensor& original, const EditList& edits) {
  Tensor img = original;
  if (original.rank() != 4 || edits.empty()) return img;
  for (const EditStroke& s : edits.strokes) {
    if (s.points.empty()) continue;
    dab(img, original, s, s.points[0].x, s.points[0].y);
    // Dabs every half radius along each segment, so a fast drag leaves no gaps.
    const double step = std::max(1.0, s.radius * 0.5);
    for (size_t i = 1; i < s.points.size(); ++i) {
      const EditPoint a = s.points[i - 1], b = s.points[i];
      const double len = std::hypot(double(b.x - a.x), double(b.y - a.y));
      const int n = std::max(1, int(std::ceil(len / step)));
      for (int k = 1; k <= n; ++k) {
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
