// Faithfulness metrics (see faithfulness.h for the definitions and which
// Quantus metric each follows).
#include "evaluate/faithfulness.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <numeric>

#include "evaluate/metrics.h"
#include "explain/rng.h"

namespace xm {

namespace {

const double NaN = std::numeric_limits<double>::quiet_NaN();

Status check_input(const Tensor& x) {
  if (x.rank() != 4 || x.dim(0) != 1 || x.dim(1) < 1 || x.dim(2) < 1 || x.dim(3) < 1 ||
      int64_t(x.data.size()) != shape_numel(x.shape))
    return Status::error("evaluate: the input must be one image [1,C,H,W], got " + shape_str(x.shape));
  return Status::ok();
}

Result<EvalMap> map_for(const Tensor& x, const Tensor& attribution) {
  XM_TRY(check_input(x));
  auto m = eval_map(attribution);
  if (!m) return m.status();
  if (m->h != x.dim(2) || m->w != x.dim(3))
    return Status::error("evaluate: the attribution " + shape_str(attribution.shape) + " does not match the input " +
                         shape_str(x.shape));
  return m;
}

Status check_target(const Backend& b, int target) {
  if (target < 0 || target >= b.info().num_outputs)
    return Status::error("evaluate: target " + std::to_string(target) + " is outside the model's " +
                         std::to_string(b.info().num_outputs) + " outputs");
  return Status::ok();
}

// Pixel indices in the map's order: MoRF highest first, LeRF lowest first; ties by index.
std::vector<int64_t> pixel_order(const EvalMap& m, bool morf) {
  std::vector<int64_t> idx(m.v.size());
  std::iota(idx.begin(), idx.end(), 0);
  if (morf)
    std::stable_sort(idx.begin(), idx.end(), [&](int64_t a, int64_t b) { return m.v[size_t(a)] > m.v[size_t(b)]; });
  else
    std::stable_sort(idx.begin(), idx.end(), [&](int64_t a, int64_t b) { return m.v[size_t(a)] < m.v[size_t(b)]; });
  return idx;
}

// Reads the target's output for every image made by `fill(k, dst)`, k in [0, n),
// sending batches of up to max_batch images.
template <class Fill>
Status outputs_for(Backend& b, const Tensor& x, int target, int64_t n, EvalOutput out, Fill fill, std::vector<double>* y,
                   std::vector<int>* argmax = nullptr) {
  const int64_t per = int64_t(x.data.size()), K = b.info().num_outputs;
  const int64_t mb = std::max(1, b.info().max_batch);
  y->assign(size_t(n), 0.0);
  if (argmax) argmax->assign(size_t(n), 0);
  for (int64_t k0 = 0; k0 < n; k0 += mb) {
    const int64_t B = std::min(mb, n - k0);
    Shape s = x.shape;
    s[0] = B;
    Tensor batch(s);
    for (int64_t j = 0; j < B; ++j) fill(k0 + j, batch.data.data() + j * per);
    Tensor logits;
    XM_TRY(b.logits(batch, &logits));
    if (int64_t(logits.data.size()) != B * K) return Status::error("evaluate: the backend returned logits of shape " + shape_str(logits.shape));
    for (int64_t j = 0; j < B; ++j) {
      const float* l = logits.data.data() + j * K;
      double v = l[target];
      if (out == EvalOutput::PROBABILITY) {
        double mx = l[0], sum = 0;
        for (int64_t c = 1; c < K; ++c) mx = std::max(mx, double(l[c]));
        for (int64_t c = 0; c < K; ++c) sum += std::exp(double(l[c]) - mx);
        v = std::exp(double(l[target]) - mx) / sum;
      }
      (*y)[size_t(k0 + j)] = v;
      if (argmax) {
        int best = 0;
        for (int64_t c = 1; c < K; ++c)
          if (l[c] > l[best]) best = int(c);
        (*argmax)[size_t(k0 + j)] = best;
      }
    }
  }
  return Status::ok();
}

double trapezoid(const std::vector<double>& x, const std::vector<double>& y) {
  double a = 0;
  for (size_t i = 1; i < x.size(); ++i) a += 0.5 * (x[i] - x[i - 1]) * (y[i] + y[i - 1]);
  return a;
}

Result<Curve> perturbation_curve(Backend& b, const Tensor& x, int target, const Tensor& attribution, const CurveOptions& o,
                                 bool deletion) {
  auto m = map_for(x, attribution);
  if (!m) return m.status();
  XM_TRY(check_target(b, target));
  const int64_t N = m->h * m->w, C = x.dim(1);
  if (o.steps < 1 || o.steps > N)
    return Status::error("evaluate: steps = " + std::to_string(o.steps) + " must be in [1, " + std::to_string(N) + "]");
  auto base = eval_baseline(x, o.baseline.empty() ? (deletion ? "zero" : "blur") : o.baseline, o.seed);
  if (!base) return base.status();
  const std::vector<int64_t> order = pixel_order(*m, o.morf);
  const int64_t per_step = (N + o.steps - 1) / o.steps;
  Curve c;
  for (int64_t k = 0; k <= o.steps; ++k) c.x.push_back(double(std::min(N, k * per_step)) / double(N));
  // Image k: the first n_k pixels in order come from `to`, the rest from `from`.
  const Tensor& from = deletion ? x : *base;
  const Tensor& to = deletion ? *base : x;
  auto fill = [&](int64_t k, float* dst) {
    std::copy(from.data.begin(), from.data.end(), dst);
    const int64_t n = std::min(N, k * per_step);
    for (int64_t i = 0; i < n; ++i) {
      const int64_t p = order[size_t(i)];
      for (int64_t ch = 0; ch < C; ++ch) dst[ch * N + p] = to.data[size_t(ch * N + p)];
    }
  };
  XM_TRY(outputs_for(b, x, target, o.steps + 1, o.output, fill, &c.y));
  c.auc = trapezoid(c.x, c.y);
  return c;
}

}  // namespace

Result<Tensor> eval_baseline(const Tensor& x, const std::string& baseline, uint64_t seed) {
  XM_TRY(check_input(x));
  const int64_t C = x.dim(1), H = x.dim(2), W = x.dim(3), N = H * W;
  Tensor b(x.shape);
  if (baseline == "zero") return b;
  if (baseline == "min" || baseline == "mean") {
    for (int64_t c = 0; c < C; ++c) {
      const float* p = x.data.data() + c * N;
      double v = baseline == "min" ? double(*std::min_element(p, p + N)) : std::accumulate(p, p + N, 0.0) / double(N);
      std::fill(b.data.begin() + c * N, b.data.begin() + (c + 1) * N, float(v));
    }
    return b;
  }
  if (baseline == "uniform") {
    Rng rng(seed);
    const float lo = *std::min_element(x.data.begin(), x.data.end()), hi = *std::max_element(x.data.begin(), x.data.end());
    for (float& v : b.data) v = float(lo + (hi - lo) * rng.uniform());
    return b;
  }
  if (baseline == "blur") {
    // Petsiuk et al.'s insertion baseline: Gaussian kernel of 11 taps, sigma 5, edges clamped.
    const int r = 5;
    double k[2 * r + 1], ks = 0;
    for (int i = -r; i <= r; ++i) ks += (k[i + r] = std::exp(-0.5 * double(i * i) / 25.0));
    for (double& v : k) v /= ks;
    std::vector<double> tmp(static_cast<size_t>(N));
    for (int64_t c = 0; c < C; ++c) {
      const float* p = x.data.data() + c * N;
      for (int64_t y = 0; y < H; ++y)
        for (int64_t xx = 0; xx < W; ++xx) {
          double s = 0;
          for (int i = -r; i <= r; ++i) s += k[i + r] * p[y * W + std::min(W - 1, std::max<int64_t>(0, xx + i))];
          tmp[size_t(y * W + xx)] = s;
        }
      float* q = b.data.data() + c * N;
      for (int64_t y = 0; y < H; ++y)
        for (int64_t xx = 0; xx < W; ++xx) {
          double s = 0;
          for (int i = -r; i <= r; ++i) s += k[i + r] * tmp[size_t(std::min(H - 1, std::max<int64_t>(0, y + i)) * W + xx)];
          q[y * W + xx] = float(s);
        }
    }
    return b;
  }
  char* end = nullptr;
  const double v = std::strtod(baseline.c_str(), &end);
  if (baseline.empty() || !end || *end != '\0' || !std::isfinite(v))
    return Status::error("evaluate: baseline '" + baseline + "' is not one of zero, min, mean, blur, uniform or a number");
  std::fill(b.data.begin(), b.data.end(), float(v));
  return b;
}

Result<Curve> eval_deletion_curve(Backend& b, const Tensor& x, int target, const Tensor& attribution, const CurveOptions& o) {
  return perturbation_curve(b, x, target, attribution, o, true);
}

Result<Curve> eval_insertion_curve(Backend& b, const Tensor& x, int target, const Tensor& attribution, const CurveOptions& o) {
  return perturbation_curve(b, x, target, attribution, o, false);
}

Result<FaithfulnessCorrelationDraws> eval_faithfulness_correlation_draw(Backend& b, const Tensor& x, int target,
                                                                        const FaithfulnessCorrelationOptions& o) {
  XM_TRY(check_input(x));
  XM_TRY(check_target(b, target));
  const int64_t C = x.dim(1), N = x.dim(2) * x.dim(3);
  if (o.runs < 2 || o.runs > 100000) return Status::error("evaluate: faithfulness_correlation runs must be in [2, 100000]");
  if (o.subset_size < 1 || o.subset_size >= N)
    return Status::error("evaluate: faithfulness_correlation subset_size = " + std::to_string(o.subset_size) +
                         " must be in [1, " + std::to_string(N - 1) + "]");
  auto base = eval_baseline(x, o.baseline, o.seed);
  if (!base) return base.status();
  // Subsets drawn without replacement (a partial Fisher-Yates shuffle per run).
  FaithfulnessCorrelationDraws d;
  d.pixels = N;
  Rng rng(o.seed);
  d.subsets.resize(size_t(o.runs));
  std::vector<int64_t> perm(static_cast<size_t>(N));
  std::iota(perm.begin(), perm.end(), 0);
  for (int r = 0; r < o.runs; ++r) {
    for (int64_t i = 0; i < o.subset_size; ++i) {
      const int64_t j = i + int64_t(rng.below(uint64_t(N - i)));
      std::swap(perm[size_t(i)], perm[size_t(j)]);
    }
    d.subsets[size_t(r)].assign(perm.begin(), perm.begin() + o.subset_size);
  }
  // The unperturbed image rides in the same batches as the perturbed ones (image 0).
  auto fill = [&](int64_t r, float* dst) {
    std::copy(x.data.begin(), x.data.end(), dst);
    if (r == 0) return;
    for (int64_t p : d.subsets[size_t(r - 1)])
      for (int64_t ch = 0; ch < C; ++ch) dst[ch * N + p] = base->data[size_t(ch * N + p)];
  };
  std::vector<double> y;
  XM_TRY(outputs_for(b, x, target, int64_t(o.runs) + 1, EvalOutput::LOGIT, fill, &y));
  d.drop.resize(size_t(o.runs));
  for (int r = 0; r < o.runs; ++r) d.drop[size_t(r)] = y[0] - y[size_t(r + 1)];
  return d;
}

Result<double> eval_faithfulness_correlation_score(const FaithfulnessCorrelationDraws& d, const Tensor& x,
                                                   const Tensor& attribution) {
  auto m = map_for(x, attribution);
  if (!m) return m.status();
  if (int64_t(m->v.size()) != d.pixels || d.subsets.size() != d.drop.size())
    return Status::error("evaluate: faithfulness_correlation draws were made for another image size");
  std::vector<double> att(d.subsets.size(), 0.0);
  for (size_t r = 0; r < d.subsets.size(); ++r)
    for (int64_t p : d.subsets[r]) att[r] += m->v[size_t(p)];
  return eval_pearson(att, d.drop);
}

Result<double> eval_faithfulness_correlation(Backend& b, const Tensor& x, int target, const Tensor& attribution,
                                             const FaithfulnessCorrelationOptions& o) {
  XM_TRY(map_for(x, attribution).status());
  auto d = eval_faithfulness_correlation_draw(b, x, target, o);
  if (!d) return d.status();
  return eval_faithfulness_correlation_score(*d, x, attribution);
}

namespace {

// The imputation proper; `warm` (may be null) is a starting guess for the
// solver, e.g. the previous, smaller removal's noise-free result, and `clean`
// (may be null) receives the noise-free result. Neither changes the answer
// beyond the solver's tolerance.
Result<Tensor> noisy_linear_imputation(const Tensor& x, const std::vector<uint8_t>& remove, double noise, uint64_t seed,
                                       const Tensor* warm, Tensor* clean) {
  XM_TRY(check_input(x));
  const int64_t C = x.dim(1), H = x.dim(2), W = x.dim(3), N = H * W;
  if (int64_t(remove.size()) != N) return Status::error("evaluate: imputation mask size does not match the image");
  if (!(noise >= 0) || noise > 1e3) return Status::error("evaluate: imputation noise must be in [0, 1000]");
  // Unknowns U: the removed pixels. For each u: sum_j w_uj (x_u - x_j) = 0 over
  // in-image neighbours j; known neighbours move to the right-hand side. The
  // matrix (a weighted graph Laplacian restricted to U) is symmetric positive
  // definite when every group of unknowns touches a known pixel.
  std::vector<int64_t> unk;
  std::vector<int64_t> where(size_t(N), -1);
  for (int64_t i = 0; i < N; ++i)
    if (remove[size_t(i)]) where[size_t(i)] = int64_t(unk.size()), unk.push_back(i);
  if (warm && warm->shape != x.shape) return Status::error("evaluate: imputation start does not match the image");
  Tensor out = x;
  if (clean) *clean = x;
  const int64_t U = int64_t(unk.size());
  if (U == 0) return out;
  if (U == N) {
    // Nothing to interpolate from: the per-channel mean plus noise.
    Rng rng(seed);
    for (int64_t c = 0; c < C; ++c) {
      const double mean = std::accumulate(x.data.begin() + c * N, x.data.begin() + (c + 1) * N, 0.0) / double(N);
      for (int64_t i = 0; i < N; ++i) {
        if (clean) clean->data[size_t(c * N + i)] = float(mean);
        out.data[size_t(c * N + i)] = float(mean + noise * rng.normal());
      }
    }
    return out;
  }
  static const int DY[8] = {-1, 1, 0, 0, -1, -1, 1, 1}, DX[8] = {0, 0, -1, 1, -1, 1, -1, 1};
  static const double WT[8] = {1.0 / 6, 1.0 / 6, 1.0 / 6, 1.0 / 6, 1.0 / 12, 1.0 / 12, 1.0 / 12, 1.0 / 12};
  std::vector<double> diag(size_t(U), 0.0);
  for (int64_t u = 0; u < U; ++u) {
    const int64_t y = unk[size_t(u)] / W, xx = unk[size_t(u)] % W;
    for (int k = 0; k < 8; ++k) {
      const int64_t ny = y + DY[k], nx = xx + DX[k];
      if (ny >= 0 && ny < H && nx >= 0 && nx < W) diag[size_t(u)] += WT[k];
    }
  }
  // The unknown neighbours of each unknown (index into the unknowns, or U: a
  // slot that reads 0), found once: the solver applies the matrix hundreds of times.
  if (U >= (int64_t(1) << 30)) return Status::error("evaluate: imputation: the image is too large");
  std::vector<int32_t> nb(size_t(U) * 8, int32_t(U));
  for (int64_t u = 0; u < U; ++u) {
    const int64_t y = unk[size_t(u)] / W, xx = unk[size_t(u)] % W;
    for (int k = 0; k < 8; ++k) {
      const int64_t ny = y + DY[k], nx = xx + DX[k];
      if (ny < 0 || ny >= H || nx < 0 || nx >= W) continue;
      const int64_t j = where[size_t(ny * W + nx)];
      if (j >= 0) nb[size_t(u * 8 + k)] = int32_t(j);
    }
  }
  // v has U + 1 entries, the last one 0.
  auto apply = [&](const std::vector<double>& v, std::vector<double>* av) {
    const int32_t* n = nb.data();
    for (int64_t u = 0; u < U; ++u, n += 8) {
      double s = diag[size_t(u)] * v[size_t(u)];
      for (int k = 0; k < 8; ++k) s -= WT[k] * v[size_t(n[k])];
      (*av)[size_t(u)] = s;
    }
  };
  Rng rng(seed);
  std::vector<double> sol(static_cast<size_t>(U + 1), 0.0), rhs(static_cast<size_t>(U)), r(static_cast<size_t>(U)),
      p(static_cast<size_t>(U + 1), 0.0), ap(static_cast<size_t>(U));
  for (int64_t c = 0; c < C; ++c) {
    const float* src = x.data.data() + c * N;
    double known_mean = 0;
    for (int64_t i = 0; i < N; ++i)
      if (!remove[size_t(i)]) known_mean += src[i];
    known_mean /= double(N - U);
    for (int64_t u = 0; u < U; ++u) {
      const int64_t y = unk[size_t(u)] / W, xx = unk[size_t(u)] % W;
      double s = 0;
      for (int k = 0; k < 8; ++k) {
        const int64_t ny = y + DY[k], nx = xx + DX[k];
        if (ny < 0 || ny >= H || nx < 0 || nx >= W || where[size_t(ny * W + nx)] >= 0) continue;
        s += WT[k] * src[ny * W + nx];
      }
      rhs[size_t(u)] = s;
      // A start closer than zero: the caller's guess, else the known pixels' mean.
      sol[size_t(u)] = warm ? double(warm->data[size_t(c * N + unk[size_t(u)])]) : known_mean;
    }
    // Conjugate gradients to a relative residual of 1e-6 (at most 2000 iterations).
    apply(sol, &ap);
    double rr = 0, bb = 0;
    for (int64_t u = 0; u < U; ++u) {
      r[size_t(u)] = rhs[size_t(u)] - ap[size_t(u)];
      p[size_t(u)] = r[size_t(u)];
      rr += r[size_t(u)] * r[size_t(u)];
      bb += rhs[size_t(u)] * rhs[size_t(u)];
    }
    const double tol = 1e-12 * std::max(bb, 1e-30);
    for (int it = 0; it < 2000 && rr > tol; ++it) {
      apply(p, &ap);
      double pap = 0;
      for (int64_t u = 0; u < U; ++u) pap += p[size_t(u)] * ap[size_t(u)];
      if (!(pap > 0)) break;
      const double alpha = rr / pap;
      double rr2 = 0;
      for (int64_t u = 0; u < U; ++u) {
        sol[size_t(u)] += alpha * p[size_t(u)];
        r[size_t(u)] -= alpha * ap[size_t(u)];
        rr2 += r[size_t(u)] * r[size_t(u)];
      }
      const double beta = rr2 / rr;
      rr = rr2;
      for (int64_t u = 0; u < U; ++u) p[size_t(u)] = r[size_t(u)] + beta * p[size_t(u)];
    }
    float* dst = out.data.data() + c * N;
    if (clean)
      for (int64_t u = 0; u < U; ++u) clean->data[size_t(c * N + unk[size_t(u)])] = float(sol[size_t(u)]);
    for (int64_t u = 0; u < U; ++u) dst[unk[size_t(u)]] = float(sol[size_t(u)] + noise * rng.normal());
  }
  return out;
}

}  // namespace

Result<Tensor> eval_noisy_linear_imputation(const Tensor& x, const std::vector<uint8_t>& remove, double noise, uint64_t seed) {
  return noisy_linear_imputation(x, remove, noise, seed, nullptr, nullptr);
}

Result<RoadResult> eval_road(Backend& b, const Tensor& x, int target, const Tensor& attribution, const RoadOptions& o) {
  auto m = map_for(x, attribution);
  if (!m) return m.status();
  XM_TRY(check_target(b, target));
  std::vector<double> pct = o.percentages;
  if (pct.empty())
    for (int p = 10; p <= 90; p += 10) pct.push_back(p);
  if (pct.size() > 200) return Status::error("evaluate: road takes at most 200 percentages");
  for (double p : pct)
    if (!(p >= 0 && p <= 100)) return Status::error("evaluate: road percentages must be in [0, 100]");
  const int64_t N = m->h * m->w;
  const std::vector<int64_t> order = pixel_order(*m, o.morf);
  std::vector<Tensor> imgs;
  // Each solve starts from the previous percentage's noise-free result: the
  // removed sets grow, so most unknowns start near their answer (about half
  // the solver's iterations; the same answers to its tolerance).
  Tensor prev, clean;
  for (size_t i = 0; i < pct.size(); ++i) {
    std::vector<uint8_t> rem(size_t(N), 0);
    const int64_t n = int64_t(double(N) * pct[i] / 100.0);
    for (int64_t k = 0; k < n; ++k) rem[size_t(order[size_t(k)])] = 1;
    auto im = noisy_linear_imputation(x, rem, o.noise, o.seed + i, i ? &prev : nullptr, &clean);
    if (!im) return im.status();
    imgs.push_back(im.take());
    std::swap(prev, clean);
  }
  RoadResult r;
  for (double p : pct) r.curve.x.push_back(p / 100.0);
  std::vector<int> am;
  auto fill = [&](int64_t k, float* dst) { std::copy(imgs[size_t(k)].data.begin(), imgs[size_t(k)].data.end(), dst); };
  XM_TRY(outputs_for(b, x, target, int64_t(pct.size()), EvalOutput::PROBABILITY, fill, &r.curve.y, &am));
  double s = 0;
  for (double v : r.curve.y) s += v;
  r.curve.auc = s / double(r.curve.y.size());
  for (int a : am) r.accuracy.push_back(a == target ? 1.0 : 0.0);
  return r;
}

Result<InfidelityDraws> eval_infidelity_draw(Backend& b, const Tensor& x, int target, const InfidelityOptions& o) {
  XM_TRY(check_input(x));
  XM_TRY(check_target(b, target));
  if (o.samples < 1 || o.samples > 100000) return Status::error("evaluate: infidelity samples must be in [1, 100000]");
  if (!(o.stdev > 0) || o.stdev > 1e3) return Status::error("evaluate: infidelity stdev must be in (0, 1000]");
  const int64_t per = int64_t(x.data.size());
  if (int64_t(o.samples) * per > (int64_t(1) << 28))
    return Status::error("evaluate: infidelity: " + std::to_string(o.samples) + " samples of " + std::to_string(per) +
                         " values would not fit in memory");
  InfidelityDraws d;
  d.shape = x.shape;
  Rng rng(o.seed);
  d.noise.resize(size_t(o.samples * per));
  for (float& v : d.noise) v = float(o.stdev * rng.normal());
  // Image 0 is x itself, sent in the same batches as the perturbed ones.
  auto fill = [&](int64_t s, float* dst) {
    if (s == 0) {
      std::copy(x.data.begin(), x.data.end(), dst);
      return;
    }
    const float* n = d.noise.data() + (s - 1) * per;
    for (int64_t i = 0; i < per; ++i) dst[i] = x.data[size_t(i)] - n[i];
  };
  std::vector<double> y;
  XM_TRY(outputs_for(b, x, target, int64_t(o.samples) + 1, EvalOutput::LOGIT, fill, &y));
  d.drop.resize(size_t(o.samples));
  for (int s = 0; s < o.samples; ++s) d.drop[size_t(s)] = y[0] - y[size_t(s + 1)];
  return d;
}

Result<double> eval_infidelity_score(const InfidelityDraws& d, const Tensor& x, const Tensor& attribution, bool normalize) {
  XM_TRY(check_input(x));
  if (d.shape != x.shape) return Status::error("evaluate: infidelity draws were made for another image size");
  const int64_t C = x.dim(1), H = x.dim(2), W = x.dim(3), N = H * W, per = C * N;
  const int64_t samples = int64_t(d.drop.size());
  if (samples < 1 || int64_t(d.noise.size()) != samples * per) return Status::error("evaluate: infidelity draws are incomplete");
  // Φ per channel: the map itself when it has the input's channels, else its channel sum repeated.
  std::vector<double> phi(static_cast<size_t>(per));
  if (attribution.rank() == 4 && attribution.dim(0) == 1 && attribution.dim(1) == C && attribution.dim(2) == H &&
      attribution.dim(3) == W) {
    for (size_t i = 0; i < phi.size(); ++i) phi[i] = attribution.data[i];
  } else {
    auto m = map_for(x, attribution);
    if (!m) return m.status();
    for (int64_t c = 0; c < C; ++c)
      for (int64_t i = 0; i < N; ++i) phi[size_t(c * N + i)] = m->v[size_t(i)];
  }
  for (double v : phi)
    if (!std::isfinite(v)) return Status::error("evaluate: the attribution holds a NaN or infinite value");
  std::vector<double> dots(size_t(samples), 0.0);
  for (int64_t s = 0; s < samples; ++s) {
    const float* n = d.noise.data() + s * per;
    double acc = 0;
    for (int64_t i = 0; i < per; ++i) acc += double(n[i]) * phi[size_t(i)];
    dots[size_t(s)] = acc;
  }
  double beta = 1;
  if (normalize) {
    // β = E[(I·Φ) Δf] / E[(I·Φ)²] minimises E[(β I·Φ − Δf)²].
    double num = 0, den = 0;
    for (int64_t s = 0; s < samples; ++s) num += dots[size_t(s)] * d.drop[size_t(s)], den += dots[size_t(s)] * dots[size_t(s)];
    beta = den > 0 ? num / den : 0;
  }
  double loss = 0;
  for (int64_t s = 0; s < samples; ++s) {
    const double e = beta * dots[size_t(s)] - d.drop[size_t(s)];
    loss += e * e;
  }
  return loss / double(samples);
}

Result<double> eval_infidelity(Backend& b, const Tensor& x, int target, const Tensor& attribution, const InfidelityOptions& o) {
  XM_TRY(check_input(x));
  for (float v : attribution.data)
    if (!std::isfinite(v)) return Status::error("evaluate: the attribution holds a NaN or infinite value");
  auto d = eval_infidelity_draw(b, x, target, o);
  if (!d) return d.status();
  return eval_infidelity_score(*d, x, attribution, o.normalize);
}

Result<double> eval_max_sensitivity(Backend& b, const Tensor& x, int target, const std::string& method, const ParamList& params,
                                    const MaxSensitivityOptions& o) {
  XM_TRY(check_input(x));
  XM_TRY(check_target(b, target));
  if (o.samples < 1 || o.samples > 10000) return Status::error("evaluate: max_sensitivity samples must be in [1, 10000]");
  if (!(o.radius > 0) || o.radius > 1e3) return Status::error("evaluate: max_sensitivity radius must be in (0, 1000]");
  auto normalised = [](const Tensor& a) {
    std::vector<double> v(a.data.begin(), a.data.end());
    double mx = 0;
    for (double u : v) mx = std::max(mx, std::fabs(u));
    if (mx > 0)
      for (double& u : v) u /= mx;
    return v;
  };
  auto a0 = explain_run_to_end(b, method, params, x, target);
  if (!a0) return a0.status();
  const std::vector<double> ref = normalised(a0->attribution);
  double ref_norm = 0;
  for (double v : ref) ref_norm += v * v;
  ref_norm = std::sqrt(ref_norm);
  if (ref_norm == 0) return NaN;
  Rng rng(o.seed);
  double worst = 0;
  for (int s = 0; s < o.samples; ++s) {
    Tensor xp = x;
    for (float& v : xp.data) v = float(v + o.radius * (2.0 * rng.uniform() - 1.0));
    auto a = explain_run_to_end(b, method, params, xp, target);
    if (!a) return a.status();
    const std::vector<double> v = normalised(a->attribution);
    if (v.size() != ref.size()) return Status::error("evaluate: max_sensitivity: the method returned maps of different sizes");
    double d = 0;
    for (size_t i = 0; i < v.size(); ++i) d += (v[i] - ref[i]) * (v[i] - ref[i]);
    worst = std::max(worst, std::sqrt(d) / ref_norm);
  }
  return worst;
}

}  // namespace xm
