// Surrogate models over interpretable features: lime and kernel_shap, with
// Captum's sampling, similarity kernels and linear fits (captum/attr/_core/lime.py,
// kernel_shap.py). A sample is a binary vector z over the features; the model
// sees the input where z is 1 and the baseline where it is 0.
#include <algorithm>
#include <cmath>

#include "explain/explain_ops.h"
#include "explain/methods_internal.h"
#include "explain/rng.h"

namespace xm {

namespace {

class Surrogate : public PerturbationJob {
public:
  Surrogate(bool shap, int64_t samples, double alpha, double kernel_width, double sigma, uint64_t seed, Params p)
      : shap_(shap), samples_(samples), alpha_(alpha), kernel_width_(kernel_width), sigma_(sigma), rng_(seed),
        params_(std::move(p)) {
    need_reference_ = false;
  }

protected:
  Status on_begin(Backend&) override {
    Result<FeatureMap> f = features_from_spec(params_.str("features"), input_, method_ + ": parameter 'features'");
    if (!f) return f.status();
    features_ = f.take();
    if (shap_ && features_.count < 2)
      return Status::error(method_ + ": parameter 'features' gives " + std::to_string(features_.count) +
                           " feature; KernelSHAP needs at least 2");
    const int64_t d = features_.count;
    XM_TRY(check_budget(d));
    Result<Tensor> base = explain_make_baseline(params_, "baseline", input_, sigma_, 0);
    if (!base) return base.status();
    baseline_ = base.take();
    if (shap_) {
      // Captum: coalition sizes k = 1..d-1 with probability ∝ (d-1) / (k (d-k)).
      size_cdf_.assign(size_t(d), 0.0);
      double acc = 0;
      for (int64_t k = 1; k < d; ++k) size_cdf_[size_t(k)] = acc += double(d - 1) / double(k * (d - k));
      for (auto& v : size_cdf_) v /= acc;
    }
    total_units_ = samples_;
    Z_.assign(size_t(samples_ * d), 0.0f);
    y_.assign(size_t(samples_), 0.0);
    w_.assign(size_t(samples_), 1.0);
    order_.resize(size_t(d));
    norm_x_ = 0;
    for (float v : input_.data) norm_x_ += double(v) * double(v);
    norm_x_ = std::sqrt(norm_x_);
    result_.stats.values["features"] = double(d);
    return Status::ok();
  }

  // Before anything d- or samples-sized is allocated: linear_fit's Gram matrix
  // d x d in doubles (and its Cholesky factor for least squares) and the design
  // matrix samples x d in floats with y and w must fit the memory budget
  // together. The features are named when their Gram matrix takes more than
  // half of it, else the samples; then the passes.
  Status check_budget(int64_t d) const {
    const double a = 8.0 * (!shap_ && alpha_ > 0 ? 1.0 : 2.0), n = double(samples_), B = EXPLAIN_MEMORY_BUDGET;
    const double gram = a * double(d) * double(d), per_sample = 4.0 * double(d) + 16.0;
    const double total = gram + n * per_sample;
    const std::string& spec = params_.str("features");
    if (gram > B / 2) {
      // The largest d with a d² + n (4 d + 16) <= B.
      const double d_max = (-4.0 * n + std::sqrt(16.0 * n * n + 4.0 * a * (B - 16.0 * n))) / (2.0 * a);
      XM_TRY(explain_check_memory(method_, "features=" + spec + " gives " + std::to_string(d) + " features",
                                  std::to_string(int64_t(std::max(0.0, d_max))) + " with samples=" +
                                      std::to_string(samples_),
                                  "the Gram and design matrices", total));
    }
    XM_TRY(explain_check_memory(method_, "samples=" + std::to_string(samples_) + " with " + spec,
                                std::to_string(int64_t((B - gram) / per_sample)), "the design and Gram matrices",
                                total));
    return check_passes("samples=" + std::to_string(samples_), n);
  }

  void make_image(int64_t unit, int64_t, float* dst) override {
    const int64_t d = features_.count;
    float* z = &Z_[size_t(unit * d)];
    if (shap_) {
      const double u = rng_.uniform();
      int64_t k = 1;
      while (k < d - 1 && size_cdf_[size_t(k)] <= u) ++k;
      // k distinct features uniformly at random: a partial Fisher-Yates shuffle.
      for (int64_t i = 0; i < d; ++i) order_[size_t(i)] = int32_t(i);
      for (int64_t i = 0; i < k; ++i) {
        const int64_t j = i + int64_t(rng_.below(uint64_t(d - i)));
        std::swap(order_[size_t(i)], order_[size_t(j)]);
        z[order_[size_t(i)]] = 1.0f;
      }
    } else {
      // Captum's Lime default_perturb_func: each feature kept with probability 0.5.
      for (int64_t i = 0; i < d; ++i) z[i] = rng_.uniform() < 0.5 ? 1.0f : 0.0f;
    }
    const int64_t hw = H_ * W_;
    double dot = 0, norm_p = 0;
    for (int64_t c = 0; c < C_; ++c)
      for (int64_t i = 0; i < hw; ++i) {
        const size_t j = size_t(c * hw + i);
        const float v = z[features_.label[size_t(i)]] != 0.0f ? input_.data[j] : baseline_.data[j];
        dst[j] = v;
        dot += double(v) * input_.data[j];
        norm_p += double(v) * v;
      }
    if (!shap_) {
      // Captum's default similarity: exp(-d² / (2 width²)) with d the cosine distance
      // between the input and the perturbed input (torch's cosine_similarity, eps 1e-8).
      const double cos = dot / std::max(norm_x_ * std::sqrt(norm_p), 1e-8);
      const double dist = 1.0 - cos;
      w_[size_t(unit)] = std::exp(-dist * dist / (2.0 * kernel_width_ * kernel_width_));
    }
  }
  void consume(int64_t unit, int64_t, double score) override { y_[size_t(unit)] = score; }

  void complete() override {
    LinearFit fit;
    Status s = linear_fit(Z_, y_, w_, samples_, features_.count, shap_ ? 0.0 : alpha_, &fit);
    if (!s) fit.coef.assign(size_t(features_.count), 0.0);  // degenerate samples: reported below as zero map
    result_.stats.values["intercept"] = fit.intercept;
    result_.stats.values["fit_ok"] = s ? 1.0 : 0.0;
    coef_ = fit.coef;
    fill_partial(&result_.attribution);
  }
  void fill_partial(Tensor* out) override {
    *out = Tensor({1, C_, H_, W_});
    if (coef_.empty()) return;  // a linear fit only exists at the end
    const int64_t hw = H_ * W_;
    for (int64_t c = 0; c < C_; ++c)
      for (int64_t i = 0; i < hw; ++i) out->data[size_t(c * hw + i)] = float(coef_[size_t(features_.label[size_t(i)])]);
  }

private:
  bool shap_;
  int64_t samples_;
  double alpha_, kernel_width_, sigma_;
  Rng rng_;
  Params params_;
  FeatureMap features_;
  Tensor baseline_;
  std::vector<double> size_cdf_, y_, w_, coef_;
  std::vector<float> Z_;
  std::vector<int32_t> order_;
  double norm_x_ = 0;
};

Result<std::unique_ptr<Explainer>> create_surrogate(const Params& p, bool shap) {
  int64_t samples = 0, seed = 0;
  double alpha = 0, width = 1, sigma = 0;
  XM_TRY(p.get_int("samples", &samples));
  XM_TRY(p.get_int("seed", &seed));
  XM_TRY(p.get_double("blur_sigma", &sigma));
  if (!shap) {
    XM_TRY(p.get_double("alpha", &alpha));
    XM_TRY(p.get_double("kernel_width", &width));
  }
  const std::string& f = p.str("features");
  if (f.compare(0, 5, "grid:") != 0 && f.compare(0, 5, "slic:") != 0)
    return p.bad("features", "must be grid:N or slic:N");
  return std::unique_ptr<Explainer>(new Surrogate(shap, samples, alpha, width, sigma, uint64_t(seed), p));
}

}  // namespace

void explain_add_surrogate_methods(std::vector<MethodInfo>* out) {
  out->push_back({"lime",
                  "Fits a weighted sparse linear model to the target's output over random binary feature vectors "
                  "(each feature kept with probability 0.5, else replaced by the baseline); a sample's weight is "
                  "exp(-d²/(2 kernel_width²)) with d the cosine distance between the input and the perturbed "
                  "input; the fit is scikit-learn's Lasso(alpha) with sample weights and an intercept, by "
                  "coordinate descent (Captum's Lime defaults: SkLearnLasso(alpha=0.01), cosine kernel of width "
                  "1); alpha=0 gives weighted least squares. Each pixel gets its feature's coefficient. Cost: "
                  "samples forward passes. Ribeiro et al., \"Why Should I Trust You?\", KDD 2016.",
                  {param_int("samples", "500", 1, 1000000, "perturbed images").with_slider().logarithmic(),
                   param_text("features", "grid:8", "grid:N (N x N cells) | slic:N (about N SLIC superpixels)"),
                   param_seed("seed", "0", "sampling seed"),
                   param_float("alpha", "0.01", 0, 1e6, "L1 penalty of the Lasso fit, 0 = weighted least squares"),
                   param_float("kernel_width", "1", 1e-6, 1e6, "width of the exponential similarity kernel"),
                   param_open_choice("baseline", "zero", {"zero", "blur"},
                                     "a number | a .npy path; the value of a removed feature"),
                   param_float("blur_sigma", "5", 0, 1000, "Gaussian sigma in pixels for baseline=blur")},
                  [](const Params& p) { return create_surrogate(p, false); }});
  out->push_back({"kernel_shap",
                  "Approximates Shapley values of the features: coalition sizes k are drawn with probability "
                  "proportional to (d-1)/(k(d-k)) for k = 1..d-1 (the Shapley kernel), k features chosen "
                  "uniformly, and an ordinary least-squares linear model with intercept fitted to the target's "
                  "output, all samples weighted 1 (Captum's KernelShap). For an additive model the result is "
                  "exact. Cost: samples forward passes. Lundberg & Lee, \"A Unified Approach to Interpreting "
                  "Model Predictions\", NeurIPS 2017.",
                  {param_int("samples", "500", 1, 1000000, "coalitions sampled").with_slider().logarithmic(),
                   param_text("features", "grid:8", "grid:N (N x N cells) | slic:N (about N SLIC superpixels)"),
                   param_seed("seed", "0", "sampling seed"),
                   param_open_choice("baseline", "zero", {"zero", "blur"},
                                     "a number | a .npy path; the value of a removed feature"),
                   param_float("blur_sigma", "5", 0, 1000, "Gaussian sigma in pixels for baseline=blur")},
                  [](const Params& p) { return create_surrogate(p, true); }});
}

}  // namespace xm
