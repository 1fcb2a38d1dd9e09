// Localisation, complexity and similarity metrics (see metrics.h for the
// Quantus metric each follows and the conventions fixed here).
#include "evaluate/metrics.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

namespace xm {

namespace {

const double NaN = std::numeric_limits<double>::quiet_NaN();

// Pixel indices sorted by value, highest first; ties by index.
std::vector<int64_t> order_desc(const std::vector<double>& v) {
  std::vector<int64_t> idx(v.size());
  std::iota(idx.begin(), idx.end(), 0);
  std::stable_sort(idx.begin(), idx.end(), [&](int64_t a, int64_t b) { return v[size_t(a)] > v[size_t(b)]; });
  return idx;
}

struct MapAndMask {
  EvalMap map;
  std::vector<uint8_t> mask;
  int64_t mask_size = 0;
};

Result<MapAndMask> map_and_mask(const Tensor& attribution, const Tensor& mask) {
  MapAndMask r;
  auto m = eval_map(attribution);
  if (!m) return m.status();
  r.map = m.take();
  auto k = eval_mask(mask, r.map.h, r.map.w);
  if (!k) return k.status();
  r.mask = k.take();
  for (uint8_t b : r.mask) r.mask_size += b;
  return r;
}

// Average ranks (1-based), ties sharing the mean of their positions.
std::vector<double> average_ranks(const std::vector<double>& v) {
  std::vector<int64_t> idx(v.size());
  std::iota(idx.begin(), idx.end(), 0);
  std::stable_sort(idx.begin(), idx.end(), [&](int64_t a, int64_t b) { return v[size_t(a)] < v[size_t(b)]; });
  std::vector<double> r(v.size());
  for (size_t i = 0; i < idx.size();) {
    size_t j = i;
    while (j + 1 < idx.size() && v[size_t(idx[j + 1])] == v[size_t(idx[i])]) ++j;
    const double avg = 0.5 * double(i + j) + 1.0;
    for (size_t k = i; k <= j; ++k) r[size_t(idx[k])] = avg;
    i = j + 1;
  }
  return r;
}

}  // namespace

Result<EvalMap> eval_map(const Tensor& a) {
  int64_t C = 1, H = 0, W = 0;
  if (a.rank() == 4) {
    if (a.dim(0) != 1) return Status::error("evaluate: the attribution must hold one image [1,C,H,W], got " + shape_str(a.shape));
    C = a.dim(1), H = a.dim(2), W = a.dim(3);
  } else if (a.rank() == 3) {
    C = a.dim(0), H = a.dim(1), W = a.dim(2);
  } else if (a.rank() == 2) {
    H = a.dim(0), W = a.dim(1);
  } else {
    return Status::error("evaluate: the attribution must be [1,C,H,W], [C,H,W] or [H,W], got " + shape_str(a.shape));
  }
  if (C < 1 || H < 1 || W < 1 || int64_t(a.data.size()) != C * H * W)
    return Status::error("evaluate: the attribution " + shape_str(a.shape) + " is empty or its data does not fill it");
  EvalMap m;
  m.h = H, m.w = W;
  m.v.assign(size_t(H * W), 0.0);
  for (int64_t c = 0; c < C; ++c)
    for (int64_t i = 0; i < H * W; ++i) {
      const float x = a.data[size_t(c * H * W + i)];
      if (!std::isfinite(x)) return Status::error("evaluate: the attribution holds a NaN or infinite value");
      m.v[size_t(i)] += double(x);
    }
  return m;
}

Result<std::vector<uint8_t>> eval_mask(const Tensor& mask, int64_t h, int64_t w) {
  if (int64_t(mask.data.size()) != h * w || mask.data.empty())
    return Status::error("evaluate: the mask " + shape_str(mask.shape) + " does not match the map's " + std::to_string(h) +
                         "x" + std::to_string(w) + " pixels");
  std::vector<uint8_t> m(mask.data.size());
  for (size_t i = 0; i < m.size(); ++i) m[i] = mask.data[i] > 0.5f ? 1 : 0;
  return m;
}

Result<double> eval_pointing_game(const Tensor& attribution, const Tensor& mask) {
  auto mm = map_and_mask(attribution, mask);
  if (!mm) return mm.status();
  if (mm->mask_size == 0) return NaN;
  const double mx = *std::max_element(mm->map.v.begin(), mm->map.v.end());
  for (size_t i = 0; i < mm->map.v.size(); ++i)
    if (mm->map.v[i] == mx && mm->mask[i]) return 1.0;
  return 0.0;
}

Result<double> eval_energy_pointing_game(const Tensor& attribution, const Tensor& mask) {
  auto mm = map_and_mask(attribution, mask);
  if (!mm) return mm.status();
  if (mm->mask_size == 0) return NaN;
  double in = 0, total = 0;
  for (size_t i = 0; i < mm->map.v.size(); ++i) {
    const double p = std::max(0.0, mm->map.v[i]);
    total += p;
    if (mm->mask[i]) in += p;
  }
  return total > 0 ? in / total : NaN;
}

Result<double> eval_relevance_mass_accuracy(const Tensor& attribution, const Tensor& mask) {
  auto mm = map_and_mask(attribution, mask);
  if (!mm) return mm.status();
  if (mm->mask_size == 0) return NaN;
  double in = 0, total = 0;
  for (size_t i = 0; i < mm->map.v.size(); ++i) {
    total += mm->map.v[i];
    if (mm->mask[i]) in += mm->map.v[i];
  }
  return total != 0 ? in / total : NaN;
}

Result<double> eval_relevance_rank_accuracy(const Tensor& attribution, const Tensor& mask) {
  auto mm = map_and_mask(attribution, mask);
  if (!mm) return mm.status();
  if (mm->mask_size == 0) return NaN;
  const std::vector<int64_t> idx = order_desc(mm->map.v);
  int64_t hits = 0;
  for (int64_t k = 0; k < mm->mask_size; ++k) hits += mm->mask[size_t(idx[size_t(k)])];
  return double(hits) / double(mm->mask_size);
}

Result<double> eval_top_k_intersection(const Tensor& attribution, const Tensor& mask, int64_t k) {
  auto mm = map_and_mask(attribution, mask);
  if (!mm) return mm.status();
  if (k < 1 || k > int64_t(mm->map.v.size()))
    return Status::error("evaluate: top_k_intersection: k = " + std::to_string(k) + " must be in [1, " +
                         std::to_string(mm->map.v.size()) + "] (the number of pixels)");
  if (mm->mask_size == 0) return NaN;
  const std::vector<int64_t> idx = order_desc(mm->map.v);
  int64_t hits = 0;
  for (int64_t i = 0; i < k; ++i) hits += mm->mask[size_t(idx[size_t(i)])];
  return double(hits) / double(k);
}

Result<double> eval_auprc(const Tensor& attribution, const Tensor& mask) {
  auto mm = map_and_mask(attribution, mask);
  if (!mm) return mm.status();
  if (mm->mask_size == 0) return NaN;
  // Average precision: sum over distinct thresholds (high to low) of
  // (recall_n - recall_{n-1}) * precision_n; tied pixels enter together.
  const std::vector<int64_t> idx = order_desc(mm->map.v);
  double ap = 0, prev_recall = 0;
  int64_t tp = 0, seen = 0;
  for (size_t i = 0; i < idx.size();) {
    size_t j = i;
    while (j < idx.size() && mm->map.v[size_t(idx[j])] == mm->map.v[size_t(idx[i])]) {
      tp += mm->mask[size_t(idx[j])];
      ++seen;
      ++j;
    }
    const double recall = double(tp) / double(mm->mask_size), precision = double(tp) / double(seen);
    ap += (recall - prev_recall) * precision;
    prev_recall = recall;
    i = j;
  }
  return ap;
}

Result<double> eval_sparseness(const Tensor& attribution) {
  auto m = eval_map(attribution);
  if (!m) return m.status();
  std::vector<double> a = m->v;
  for (double& x : a) x = std::fabs(x) + 1e-7;
  std::sort(a.begin(), a.end());
  const double n = double(a.size());
  double num = 0, sum = 0;
  for (size_t k = 0; k < a.size(); ++k) {
    num += (2.0 * double(k + 1) - n - 1.0) * a[k];
    sum += a[k];
  }
  return num / (n * sum);
}

Result<double> eval_complexity(const Tensor& attribution) {
  auto m = eval_map(attribution);
  if (!m) return m.status();
  double sum = 0;
  for (double x : m->v) sum += std::fabs(x);
  if (sum == 0) return NaN;
  double h = 0;
  for (double x : m->v) {
    const double p = std::fabs(x) / sum;
    if (p > 0) h -= p * std::log(p);
  }
  return h;
}

double eval_pearson(const std::vector<double>& a, const std::vector<double>& b) {
  if (a.size() != b.size() || a.size() < 2) return NaN;
  const double n = double(a.size());
  double ma = 0, mb = 0;
  for (size_t i = 0; i < a.size(); ++i) ma += a[i], mb += b[i];
  ma /= n, mb /= n;
  double sab = 0, saa = 0, sbb = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    const double da = a[i] - ma, db = b[i] - mb;
    sab += da * db, saa += da * da, sbb += db * db;
  }
  if (saa <= 0 || sbb <= 0) return NaN;
  return sab / std::sqrt(saa * sbb);
}

double eval_spearman(const std::vector<double>& a, const std::vector<double>& b) {
  if (a.size() != b.size()) return NaN;
  return eval_pearson(average_ranks(a), average_ranks(b));
}

double eval_ssim(const EvalMap& a, const EvalMap& b, double data_range) {
  const int64_t win = 7, H = a.h, W = a.w;
  if (a.h != b.h || a.w != b.w || H < win || W < win || !(data_range > 0)) return NaN;
  const double c1 = (0.01 * data_range) * (0.01 * data_range), c2 = (0.03 * data_range) * (0.03 * data_range);
  const double np = double(win * win), cov_norm = np / (np - 1.0);
  double total = 0;
  int64_t count = 0;
  // One SSIM value per window centred at (y, x), 3 pixels from every edge:
  // skimage computes it everywhere and averages only these.
  for (int64_t y = 0; y + win <= H; ++y)
    for (int64_t x = 0; x + win <= W; ++x) {
      double sa = 0, sb = 0, saa = 0, sbb = 0, sab = 0;
      for (int64_t dy = 0; dy < win; ++dy)
        for (int64_t dx = 0; dx < win; ++dx) {
          const double u = a.v[size_t((y + dy) * W + x + dx)], v = b.v[size_t((y + dy) * W + x + dx)];
          sa += u, sb += v, saa += u * u, sbb += v * v, sab += u * v;
        }
      const double ux = sa / np, uy = sb / np;
      const double vx = cov_norm * (saa / np - ux * ux), vy = cov_norm * (sbb / np - uy * uy);
      const double vxy = cov_norm * (sab / np - ux * uy);
      total += ((2 * ux * uy + c1) * (2 * vxy + c2)) / ((ux * ux + uy * uy + c1) * (vx + vy + c2));
      ++count;
    }
  return total / double(count);
}

Result<MapSimilarity> eval_map_similarity(const Tensor& a, const Tensor& b) {
  auto ma = eval_map(a);
  if (!ma) return ma.status();
  auto mb = eval_map(b);
  if (!mb) return mb.status();
  if (ma->h != mb->h || ma->w != mb->w)
    return Status::error("evaluate: maps of different sizes " + shape_str(a.shape) + " and " + shape_str(b.shape));
  MapSimilarity s;
  s.spearman_signed = eval_spearman(ma->v, mb->v);
  EvalMap aa = *ma, ab = *mb;
  double xa = 0, xb = 0;
  for (double& v : aa.v) v = std::fabs(v), xa = std::max(xa, v);
  for (double& v : ab.v) v = std::fabs(v), xb = std::max(xb, v);
  s.spearman_abs = eval_spearman(aa.v, ab.v);
  if (xa > 0)
    for (double& v : aa.v) v /= xa;
  if (xb > 0)
    for (double& v : ab.v) v /= xb;
  s.ssim = eval_ssim(aa, ab, 1.0);
  return s;
}

}  // namespace xm
