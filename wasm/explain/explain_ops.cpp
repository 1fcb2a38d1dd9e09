// [SECTION] resize  [SECTION] blur  [SECTION] features  [SECTION] linear fit
#include "explain/explain_ops.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <limits>

namespace xm {

// [SECTION] resize

void resize_bilinear(const float* src, int64_t h, int64_t w, float* dst, int64_t H, int64_t W) {
  // PyTorch computes the scale and source coordinates in float for float tensors.
  const float sy = float(h) / float(H), sx = float(w) / float(W);
  std::vector<int64_t> x0(size_t(W), 0), x1(size_t(W), 0);
  std::vector<float> lx(size_t(W), 0.0f);
  for (int64_t X = 0; X < W; ++X) {
    float s = sx * (float(X) + 0.5f) - 0.5f;
    if (s < 0) s = 0;
    int64_t i = int64_t(s);
    x0[size_t(X)] = i;
    x1[size_t(X)] = i + (i < w - 1 ? 1 : 0);
    lx[size_t(X)] = s - float(i);
  }
  for (int64_t Y = 0; Y < H; ++Y) {
    float s = sy * (float(Y) + 0.5f) - 0.5f;
    if (s < 0) s = 0;
    const int64_t y0 = int64_t(s), y1 = y0 + (y0 < h - 1 ? 1 : 0);
    const float ly = s - float(y0), hy = 1.0f - ly;
    const float* r0 = src + y0 * w;
    const float* r1 = src + y1 * w;
    for (int64_t X = 0; X < W; ++X) {
      const float l = lx[size_t(X)], hx = 1.0f - l;
      const size_t a = size_t(x0[size_t(X)]), b = size_t(x1[size_t(X)]);
      dst[Y * W + X] = hy * (hx * r0[a] + l * r0[b]) + ly * (hx * r1[a] + l * r1[b]);
    }
  }
}

void resize_nearest(const float* src, int64_t h, int64_t w, float* dst, int64_t H, int64_t W) {
  const float sy = float(h) / float(H), sx = float(w) / float(W);
  for (int64_t Y = 0; Y < H; ++Y) {
    const int64_t y = std::min(int64_t(std::floor(float(Y) * sy)), h - 1);
    for (int64_t X = 0; X < W; ++X) {
      const int64_t x = std::min(int64_t(std::floor(float(X) * sx)), w - 1);
      dst[Y * W + X] = src[y * w + x];
    }
  }
}

// [SECTION] blur

static int64_t reflect_index(int64_t i, int64_t n) {
  if (n == 1) return 0;
  while (i < 0 || i >= n) i = i < 0 ? -i : 2 * (n - 1) - i;
  return i;
}

Tensor gaussian_blur(const Tensor& x, double sigma) {
  Tensor out = x;
  if (sigma <= 0) return out;
  const int64_t C = x.dim(1), H = x.dim(2), W = x.dim(3);
  const int64_t r = int64_t(std::ceil(3.0 * sigma));
  std::vector<double> k(static_cast<size_t>(2 * r + 1));
  double sum = 0;
  for (int64_t i = -r; i <= r; ++i) sum += k[size_t(i + r)] = std::exp(-0.5 * double(i * i) / (sigma * sigma));
  for (auto& v : k) v /= sum;
  std::vector<float> tmp(static_cast<size_t>(H * W));
  for (int64_t c = 0; c < C; ++c) {
    const float* s = x.ptr() + c * H * W;
    float* d = out.ptr() + c * H * W;
    for (int64_t y = 0; y < H; ++y)
      for (int64_t xx = 0; xx < W; ++xx) {
        double acc = 0;
        for (int64_t i = -r; i <= r; ++i) acc += k[size_t(i + r)] * s[y * W + reflect_index(xx + i, W)];
        tmp[size_t(y * W + xx)] = float(acc);
      }
    for (int64_t y = 0; y < H; ++y)
      for (int64_t xx = 0; xx < W; ++xx) {
        double acc = 0;
        for (int64_t i = -r; i <= r; ++i) acc += k[size_t(i + r)] * tmp[size_t(reflect_index(y + i, H) * W + xx)];
        d[y * W + xx] = float(acc);
      }
  }
  return out;
}

// [SECTION] features

FeatureMap features_grid(int64_t H, int64_t W, int64_t rows, int64_t cols) {
  FeatureMap f;
  f.H = H;
  f.W = W;
  f.count = int(rows * cols);
  f.label.resize(size_t(H * W));
  for (int64_t y = 0; y < H; ++y)
    for (int64_t x = 0; x < W; ++x) f.label[size_t(y * W + x)] = int32_t((y * rows / H) * cols + x * cols / W);
  return f;
}

FeatureMap features_slic(const Tensor& x, int segments) {
  const int64_t C = x.dim(1), H = x.dim(2), W = x.dim(3), N = H * W;
  // Range-normalised intensities, so the compactness means the same for any scaling.
  std::vector<float> img(static_cast<size_t>(C * N));
  for (int64_t c = 0; c < C; ++c) {
    const float* s = x.ptr() + c * N;
    float lo = s[0], hi = s[0];
    for (int64_t i = 0; i < N; ++i) lo = std::min(lo, s[i]), hi = std::max(hi, s[i]);
    const float scale = hi > lo ? 1.0f / (hi - lo) : 0.0f;
    for (int64_t i = 0; i < N; ++i) img[size_t(c * N + i)] = (s[i] - lo) * scale;
  }
  const double S = std::max(1.0, std::sqrt(double(N) / double(std::max(1, segments))));
  const double m = 0.1;  // compactness: colour distance vs spatial distance / S
  struct Center { double y, x; std::vector<double> c; };
  std::vector<Center> centers;
  for (double cy = S / 2; cy < double(H); cy += S)
    for (double cx = S / 2; cx < double(W); cx += S) {
      Center ce{cy, cx, std::vector<double>(size_t(C))};
      const int64_t iy = std::min(H - 1, int64_t(cy)), ix = std::min(W - 1, int64_t(cx));
      for (int64_t c = 0; c < C; ++c) ce.c[size_t(c)] = img[size_t(c * N + iy * W + ix)];
      centers.push_back(std::move(ce));
    }
  std::vector<int32_t> label(size_t(N), 0);
  std::vector<double> dist(static_cast<size_t>(N));
  const double inv_s2 = m * m / (S * S);
  for (int iter = 0; iter < 10; ++iter) {
    std::fill(dist.begin(), dist.end(), std::numeric_limits<double>::infinity());
    for (size_t k = 0; k < centers.size(); ++k) {
      const Center& ce = centers[k];
      const int64_t y0 = std::max<int64_t>(0, int64_t(ce.y - 2 * S)), y1 = std::min<int64_t>(H, int64_t(ce.y + 2 * S) + 1);
      const int64_t x0 = std::max<int64_t>(0, int64_t(ce.x - 2 * S)), x1 = std::min<int64_t>(W, int64_t(ce.x + 2 * S) + 1);
      for (int64_t y = y0; y < y1; ++y)
        for (int64_t xx = x0; xx < x1; ++xx) {
          const int64_t i = y * W + xx;
          double dc = 0;
          for (int64_t c = 0; c < C; ++c) {
            const double d = img[size_t(c * N + i)] - ce.c[size_t(c)];
            dc += d * d;
          }
          const double dy = double(y) - ce.y, dx = double(xx) - ce.x;
          const double D = dc + (dy * dy + dx * dx) * inv_s2;
          if (D < dist[size_t(i)]) dist[size_t(i)] = D, label[size_t(i)] = int32_t(k);
        }
    }
    std::vector<double> acc(centers.size() * size_t(C + 3), 0.0);
    for (int64_t i = 0; i < N; ++i) {
      double* a = &acc[size_t(label[size_t(i)]) * size_t(C + 3)];
      a[0] += 1;
      a[1] += double(i / W);
      a[2] += double(i % W);
      for (int64_t c = 0; c < C; ++c) a[3 + c] += img[size_t(c * N + i)];
    }
    for (size_t k = 0; k < centers.size(); ++k) {
      const double* a = &acc[k * size_t(C + 3)];
      if (a[0] == 0) continue;
      centers[k].y = a[1] / a[0];
      centers[k].x = a[2] / a[0];
      for (int64_t c = 0; c < C; ++c) centers[k].c[size_t(c)] = a[3 + c] / a[0];
    }
  }
  // Connectivity: relabel 4-connected components; a small one joins the
  // component met just before it in scan order (an already labelled neighbour).
  std::vector<int32_t> out(size_t(N), -1);
  std::vector<int64_t> queue;
  const int64_t min_size = std::max<int64_t>(1, int64_t(S * S / 4));
  int32_t next = 0;
  for (int64_t start = 0; start < N; ++start) {
    if (out[size_t(start)] >= 0) continue;
    int32_t adjacent = -1;
    const int64_t sy = start / W, sx = start % W;
    if (sx > 0) adjacent = out[size_t(start - 1)];
    else if (sy > 0) adjacent = out[size_t(start - W)];
    queue.clear();
    queue.push_back(start);
    out[size_t(start)] = next;
    for (size_t q = 0; q < queue.size(); ++q) {
      const int64_t i = queue[q], y = i / W, xx = i % W;
      const int64_t nb[4] = {xx > 0 ? i - 1 : -1, xx + 1 < W ? i + 1 : -1, y > 0 ? i - W : -1, y + 1 < H ? i + W : -1};
      for (int64_t j : nb)
        if (j >= 0 && out[size_t(j)] < 0 && label[size_t(j)] == label[size_t(i)]) {
          out[size_t(j)] = next;
          queue.push_back(j);
        }
    }
    if (int64_t(queue.size()) < min_size && adjacent >= 0) {
      for (int64_t i : queue) out[size_t(i)] = adjacent;
    } else {
      ++next;
    }
  }
  FeatureMap f;
  f.H = H;
  f.W = W;
  f.count = next;
  f.label = std::move(out);
  return f;
}

Result<FeatureMap> features_from_spec(const std::string& spec, const Tensor& x, const std::string& key) {
  const int64_t H = x.dim(2), W = x.dim(3);
  const size_t colon = spec.find(':');
  const std::string kind = spec.substr(0, colon);
  char* end = nullptr;
  const std::string num = colon == std::string::npos ? "" : spec.substr(colon + 1);
  const long long n = std::strtoll(num.c_str(), &end, 10);
  if ((kind != "grid" && kind != "slic") || num.empty() || *end != '\0')
    return Status::error(key + " wants grid:N (N×N cells) or slic:N (about N superpixels), got '" + spec + "'");
  if (kind == "grid") {
    if (n < 1 || n > std::min(H, W))
      return Status::error(key + "=grid:" + num + ": N must be from 1 to " + std::to_string(std::min(H, W)) +
                           " (the image is " + std::to_string(H) + "x" + std::to_string(W) + ")");
    return features_grid(H, W, n, n);
  }
  if (n < 1 || n > H * W / 4)
    return Status::error(key + "=slic:" + num + ": N must be from 1 to " + std::to_string(H * W / 4) +
                         " for a " + std::to_string(H) + "x" + std::to_string(W) + " image");
  return features_slic(x, int(n));
}

// [SECTION] linear fit

Status linear_fit(const std::vector<float>& X, const std::vector<double>& y, const std::vector<double>& w, int64_t n,
                  int64_t d, double alpha, LinearFit* out) {
  double sw = 0;
  for (int64_t i = 0; i < n; ++i) sw += w[size_t(i)];
  if (!(sw > 0)) return Status::error("linear fit: the sample weights sum to zero");
  std::vector<double> xm(size_t(d), 0.0);
  double ym = 0;
  for (int64_t i = 0; i < n; ++i) {
    const double wi = w[size_t(i)] / sw;
    ym += wi * y[size_t(i)];
    for (int64_t j = 0; j < d; ++j) xm[size_t(j)] += wi * X[size_t(i * d + j)];
  }
  // Weighted Gram matrix and moment vector of the centred data, divided by Σw.
  std::vector<double> G(size_t(d * d), 0.0), r(size_t(d), 0.0), xc(static_cast<size_t>(d));
  for (int64_t i = 0; i < n; ++i) {
    const double wi = w[size_t(i)] / sw, yc = y[size_t(i)] - ym;
    for (int64_t j = 0; j < d; ++j) xc[size_t(j)] = X[size_t(i * d + j)] - xm[size_t(j)];
    for (int64_t j = 0; j < d; ++j) {
      const double a = wi * xc[size_t(j)];
      if (a == 0) continue;
      r[size_t(j)] += a * yc;
      double* g = &G[size_t(j * d)];
      for (int64_t k = 0; k < d; ++k) g[k] += a * xc[size_t(k)];
    }
  }
  out->coef.assign(size_t(d), 0.0);
  if (alpha > 0) {
    // Coordinate descent on the covariance form, as scikit-learn's Lasso, run to a tight tolerance.
    std::vector<double>& b = out->coef;
    for (int sweep = 0; sweep < 20000; ++sweep) {
      double max_change = 0, max_b = 0;
      for (int64_t j = 0; j < d; ++j) {
        const double gjj = G[size_t(j * d + j)];
        if (gjj <= 0) continue;
        double rho = r[size_t(j)];
        for (int64_t k = 0; k < d; ++k)
          if (k != j) rho -= G[size_t(j * d + k)] * b[size_t(k)];
        const double nb = rho > alpha ? (rho - alpha) / gjj : rho < -alpha ? (rho + alpha) / gjj : 0.0;
        max_change = std::max(max_change, std::fabs(nb - b[size_t(j)]));
        b[size_t(j)] = nb;
        max_b = std::max(max_b, std::fabs(nb));
      }
      if (max_change <= 1e-12 * std::max(1.0, max_b)) break;
    }
  } else {
    // Cholesky of G + ridge·I.
    double tr = 0;
    for (int64_t j = 0; j < d; ++j) tr += G[size_t(j * d + j)];
    const double ridge = 1e-10 * std::max(tr / double(std::max<int64_t>(d, 1)), 1e-30);
    std::vector<double> L = G;
    for (int64_t j = 0; j < d; ++j) L[size_t(j * d + j)] += ridge;
    for (int64_t j = 0; j < d; ++j) {
      for (int64_t k = 0; k <= j; ++k) {
        double s = L[size_t(j * d + k)];
        for (int64_t p = 0; p < k; ++p) s -= L[size_t(j * d + p)] * L[size_t(k * d + p)];
        if (k == j) {
          if (!(s > 0)) s = ridge;  // a feature that never varies: its coefficient stays 0
          L[size_t(j * d + j)] = std::sqrt(s);
        } else {
          L[size_t(j * d + k)] = s / L[size_t(k * d + k)];
        }
      }
    }
    std::vector<double> z(static_cast<size_t>(d));
    for (int64_t j = 0; j < d; ++j) {
      double s = r[size_t(j)];
      for (int64_t p = 0; p < j; ++p) s -= L[size_t(j * d + p)] * z[size_t(p)];
      z[size_t(j)] = s / L[size_t(j * d + j)];
    }
    for (int64_t j = d - 1; j >= 0; --j) {
      double s = z[size_t(j)];
      for (int64_t p = j + 1; p < d; ++p) s -= L[size_t(p * d + j)] * out->coef[size_t(p)];
      out->coef[size_t(j)] = s / L[size_t(j * d + j)];
    }
  }
  out->intercept = ym;
  for (int64_t j = 0; j < d; ++j) out->intercept -= xm[size_t(j)] * out->coef[size_t(j)];
  for (double v : out->coef)
    if (!std::isfinite(v)) return Status::error("linear fit: the solution is not finite (degenerate samples)");
  return Status::ok();
}

}  // namespace xm
