// The gradient family: saliency, input_x_gradient, guided_backprop,
// integrated_gradients, smoothgrad, vargrad. Each is a weighted sum of input
// gradients at some points; the points are sent to the backend in batches of
// up to info().max_batch images.
// [SECTION] single-gradient methods  [SECTION] integrated gradients  [SECTION] noise tunnel  [SECTION] registry
#include <algorithm>
#include <cmath>

#include "explain/explain_ops.h"
#include "explain/methods_internal.h"
#include "explain/rng.h"

namespace xm {

namespace {

// [SECTION] single-gradient methods

enum class SingleKind { SALIENCY, INPUT_X_GRADIENT, GUIDED_BACKPROP };

class SingleGradient : public Explainer {
public:
  SingleGradient(SingleKind kind, bool abs) : kind_(kind), abs_(abs) {}

protected:
  Status on_begin(Backend&) override {
    total_units_ = 1;
    return Status::ok();
  }
  Status on_step(Backend& b) override {
    Tensor logits, grad;
    if (kind_ == SingleKind::GUIDED_BACKPROP) {
      b.set_relu_rule(ReluRule::GUIDED);
      Status s = query_gradient(b, input_, &logits, &grad);
      b.set_relu_rule(ReluRule::GRADIENT);  // restored even when the query failed
      XM_TRY(s);
    } else {
      XM_TRY(query_gradient(b, input_, &logits, &grad));
    }
    Tensor& a = result_.attribution;
    a = std::move(grad);
    if (kind_ == SingleKind::SALIENCY && abs_)
      for (auto& v : a.data) v = std::fabs(v);
    if (kind_ == SingleKind::INPUT_X_GRADIENT)
      for (size_t i = 0; i < a.numel(); ++i) a.data[i] *= input_.data[i];
    result_.stats.values["f_input"] = logits.data[size_t(target_)];
    done_units_ = 1;
    finish();
    return Status::ok();
  }
  void fill_partial(Tensor* out) override { *out = Tensor(input_.shape); }

private:
  SingleKind kind_;
  bool abs_;
};

Result<std::unique_ptr<Explainer>> create_saliency(const Params& p) {
  bool abs = true;
  XM_TRY(p.get_bool("abs", &abs));
  return std::unique_ptr<Explainer>(new SingleGradient(SingleKind::SALIENCY, abs));
}
Result<std::unique_ptr<Explainer>> create_input_x_gradient(const Params&) {
  return std::unique_ptr<Explainer>(new SingleGradient(SingleKind::INPUT_X_GRADIENT, false));
}
Result<std::unique_ptr<Explainer>> create_guided_backprop(const Params&) {
  return std::unique_ptr<Explainer>(new SingleGradient(SingleKind::GUIDED_BACKPROP, false));
}

// [SECTION] integrated gradients

// Gauss-Legendre nodes and weights on [-1,1], ascending, as numpy.polynomial.legendre.leggauss(n).
void gauss_legendre(int n, std::vector<double>* x, std::vector<double>* w) {
  x->assign(size_t(n), 0.0);
  w->assign(size_t(n), 0.0);
  const double pi = 3.14159265358979323846;
  for (int i = 0; i < n; ++i) {
    double z = std::cos(pi * (double(i) + 0.75) / (double(n) + 0.5)), dp = 1.0;
    for (int it = 0; it < 100; ++it) {
      double p0 = 1.0, p1 = z;  // P_0, P_1
      for (int k = 2; k <= n; ++k) {
        const double pk = ((2.0 * k - 1.0) * z * p1 - (k - 1.0) * p0) / double(k);
        p0 = p1;
        p1 = pk;
      }
      if (n == 1) p0 = 1.0;
      dp = double(n) * (z * p1 - p0) / (z * z - 1.0);
      const double dz = p1 / dp;
      z -= dz;
      if (std::fabs(dz) < 1e-16) {
        // one more evaluation for the weight at the converged node
        p0 = 1.0, p1 = z;
        for (int k = 2; k <= n; ++k) {
          const double pk = ((2.0 * k - 1.0) * z * p1 - (k - 1.0) * p0) / double(k);
          p0 = p1;
          p1 = pk;
        }
        if (n == 1) p0 = 1.0;
        dp = double(n) * (z * p1 - p0) / (z * z - 1.0);
        break;
      }
    }
    (*x)[size_t(n - 1 - i)] = z;  // cos is decreasing in i: fill from the end for ascending order
    (*w)[size_t(n - 1 - i)] = 2.0 / ((1.0 - z * z) * dp * dp);
  }
}

// numpy.linspace(a, b, n) as float64.
std::vector<double> linspace(double a, double b, int n) {
  std::vector<double> v(static_cast<size_t>(n));
  if (n == 1) {
    v[0] = a;
    return v;
  }
  const double step = (b - a) / double(n - 1);
  for (int i = 0; i < n; ++i) v[size_t(i)] = a + double(i) * step;
  v[size_t(n - 1)] = b;
  return v;
}

class IntegratedGradients : public Explainer {
public:
  IntegratedGradients(int steps, std::string rule, double blur_sigma, uint64_t seed, Params p)
      : steps_(steps), rule_(std::move(rule)), blur_sigma_(blur_sigma), seed_(seed), params_(std::move(p)) {}

protected:
  Status on_begin(Backend&) override {
    XM_TRY(check_passes("steps=" + std::to_string(steps_), 2.0 * steps_ + 2));
    Result<Tensor> b = explain_make_baseline(params_, "baseline", input_, blur_sigma_, seed_);
    if (!b) return b.status();
    baseline_ = b.take();
    // Captum's approximation_methods: step sizes and alphas per rule (the trapezoid's
    // step sizes are Captum's 1/n with halved ends, summing to 1 - 1/n).
    const int n = steps_;
    if (rule_ == "gausslegendre") {
      std::vector<double> x, w;
      gauss_legendre(n, &x, &w);
      for (int i = 0; i < n; ++i) {
        alphas_.push_back(0.5 * (1.0 + x[size_t(i)]));
        step_sizes_.push_back(0.5 * w[size_t(i)]);
      }
    } else {
      step_sizes_.assign(size_t(n), 1.0 / n);
      if (rule_ == "riemann_trapezoid") {
        step_sizes_.front() /= 2;
        step_sizes_.back() /= 2;
        alphas_ = linspace(0, 1, n);
      } else if (rule_ == "riemann_left") {
        alphas_ = linspace(0, 1 - 1.0 / n, n);
      } else if (rule_ == "riemann_middle") {
        alphas_ = linspace(1.0 / (2 * n), 1 - 1.0 / (2 * n), n);
      } else {
        alphas_ = linspace(1.0 / n, 1, n);
      }
    }
    sum_.assign(input_.numel(), 0.0);
    total_units_ = n + 1;  // the last unit: F(input) and F(baseline) for the completeness gap
    return Status::ok();
  }

  Status on_step(Backend& b) override {
    const int64_t per = int64_t(input_.numel());
    if (done_units_ < steps_) {
      const int64_t first = done_units_, count = std::min<int64_t>(batch_limit(b), steps_ - first);
      batch_.shape = {count, C_, H_, W_};
      batch_.data.resize(size_t(count * per));
      for (int64_t k = 0; k < count; ++k) {
        // Captum: baseline + alpha * (input - baseline), in float.
        const float a = float(alphas_[size_t(first + k)]);
        float* d = batch_.ptr() + k * per;
        for (int64_t i = 0; i < per; ++i) d[i] = baseline_.data[size_t(i)] + a * (input_.data[size_t(i)] - baseline_.data[size_t(i)]);
      }
      XM_TRY(query_gradient(b, batch_, &logits_, &grad_));
      for (int64_t k = 0; k < count; ++k) {
        const double s = step_sizes_[size_t(first + k)];
        const float* g = grad_.ptr() + k * per;
        for (int64_t i = 0; i < per; ++i) sum_[size_t(i)] += s * g[i];
        mass_ += s;
      }
      done_units_ += count;
      return Status::ok();
    }
    // Completeness: sum(attribution) should equal F(input) - F(baseline).
    batch_.shape = {2, C_, H_, W_};
    batch_.data.resize(size_t(2 * per));
    std::copy(input_.data.begin(), input_.data.end(), batch_.data.begin());
    std::copy(baseline_.data.begin(), baseline_.data.end(), batch_.data.begin() + per);
    XM_TRY(query_logits(b, batch_, &logits_));
    Tensor& a = result_.attribution;
    a = Tensor(input_.shape);
    double total = 0;
    for (int64_t i = 0; i < per; ++i) {
      a.data[size_t(i)] = float((input_.data[size_t(i)] - baseline_.data[size_t(i)]) * sum_[size_t(i)]);
      total += a.data[size_t(i)];
    }
    const double fx = logits_.data[size_t(target_)], fb = logits_.data[size_t(num_outputs_ + target_)];
    auto& v = result_.stats.values;
    v["f_input"] = fx;
    v["f_baseline"] = fb;
    v["sum_attribution"] = total;
    v["completeness_gap"] = total - (fx - fb);
    v["completeness_gap_relative"] = fx != fb ? (total - (fx - fb)) / std::fabs(fx - fb) : 0.0;
    done_units_ = total_units_;
    finish();
    return Status::ok();
  }

  void fill_partial(Tensor* out) override {
    // The integral so far, rescaled to the full step mass.
    *out = Tensor(input_.shape);
    double full = 0;
    for (double s : step_sizes_) full += s;
    const double scale = mass_ > 0 ? full / mass_ : 0.0;
    for (size_t i = 0; i < out->numel(); ++i)
      out->data[i] = float((input_.data[i] - baseline_.data[i]) * sum_[i] * scale);
  }

private:
  int steps_;
  std::string rule_;
  double blur_sigma_;
  uint64_t seed_;
  Params params_;
  Tensor baseline_, batch_, logits_, grad_;
  std::vector<double> alphas_, step_sizes_, sum_;
  double mass_ = 0;
};

Result<std::unique_ptr<Explainer>> create_integrated_gradients(const Params& p) {
  int64_t steps = 0, seed = 0;
  std::string rule;
  double sigma = 0;
  XM_TRY(p.get_choice("rule", &rule));
  // Captum asserts n > 1 for the Riemann rules and n > 0 for Gauss-Legendre.
  XM_TRY(p.get_int("steps", rule == "gausslegendre" ? 1 : 2, 4096, &steps));
  XM_TRY(p.get_double("blur_sigma", &sigma));
  XM_TRY(p.get_int("seed", &seed));
  const std::string& base = p.str("baseline");
  if (base.empty()) return p.bad("baseline", "must be zero, a number, blur, uniform or a .npy path");
  return std::unique_ptr<Explainer>(new IntegratedGradients(int(steps), rule, sigma, uint64_t(seed), p));
}

// [SECTION] noise tunnel

class NoiseTunnel : public Explainer {
public:
  NoiseTunnel(bool var, int samples, double stdev, uint64_t seed, bool abs)
      : var_(var), samples_(samples), stdev_(stdev), abs_(abs), rng_(seed) {}

protected:
  Status on_begin(Backend&) override {
    XM_TRY(check_passes("samples=" + std::to_string(samples_), 2.0 * samples_));
    float lo = input_.data[0], hi = input_.data[0];
    for (float v : input_.data) lo = std::min(lo, v), hi = std::max(hi, v);
    // stdev is a fraction of the input's range (SmoothGrad's noise level); a constant image counts as range 1.
    sigma_ = stdev_ * (hi > lo ? double(hi) - double(lo) : 1.0);
    sum_.assign(input_.numel(), 0.0);
    sum_sq_.assign(input_.numel(), 0.0);
    total_units_ = samples_;
    result_.stats.values["sigma"] = sigma_;
    return Status::ok();
  }
  Status on_step(Backend& b) override {
    const int64_t per = int64_t(input_.numel());
    const int64_t count = std::min<int64_t>(batch_limit(b), samples_ - done_units_);
    batch_.shape = {count, C_, H_, W_};
    batch_.data.resize(size_t(count * per));
    for (int64_t k = 0; k < count; ++k) {
      float* d = batch_.ptr() + k * per;
      for (int64_t i = 0; i < per; ++i) d[i] = input_.data[size_t(i)] + float(sigma_ * rng_.normal());
    }
    XM_TRY(query_gradient(b, batch_, &logits_, &grad_));
    for (int64_t k = 0; k < count; ++k) {
      const float* g = grad_.ptr() + k * per;
      for (int64_t i = 0; i < per; ++i) {
        const double a = abs_ ? std::fabs(double(g[i])) : double(g[i]);
        sum_[size_t(i)] += a;
        sum_sq_[size_t(i)] += a * a;
      }
    }
    done_units_ += count;
    if (done_units_ == samples_) {
      fill_partial(&result_.attribution);
      finish();
    }
    return Status::ok();
  }
  void fill_partial(Tensor* out) override {
    *out = Tensor(input_.shape);
    if (done_units_ == 0) return;
    const double n = double(done_units_);
    for (size_t i = 0; i < out->numel(); ++i) {
      const double m = sum_[i] / n;
      // Captum's vargrad: E[a²] - E[a]².
      out->data[i] = float(var_ ? std::max(0.0, sum_sq_[i] / n - m * m) : m);
    }
  }

private:
  bool var_;
  int samples_;
  double stdev_, sigma_ = 0;
  bool abs_;
  Rng rng_;
  Tensor batch_, logits_, grad_;
  std::vector<double> sum_, sum_sq_;
};

Result<std::unique_ptr<Explainer>> create_noise_tunnel(const Params& p, bool var) {
  int64_t samples = 0, seed = 0;
  double stdev = 0;
  bool abs = true;
  XM_TRY(p.get_int("samples", &samples));
  XM_TRY(p.get_double("stdev", &stdev));
  XM_TRY(p.get_int("seed", &seed));
  XM_TRY(p.get_bool("abs", &abs));
  return std::unique_ptr<Explainer>(new NoiseTunnel(var, int(samples), stdev, uint64_t(seed), abs));
}
Result<std::unique_ptr<Explainer>> create_smoothgrad(const Params& p) { return create_noise_tunnel(p, false); }
Result<std::unique_ptr<Explainer>> create_vargrad(const Params& p) { return create_noise_tunnel(p, true); }

}  // namespace

// [SECTION] registry

void explain_add_gradient_methods(std::vector<MethodInfo>* out) {
  // The noise of smoothgrad and vargrad (both a NoiseTunnel).
  const ParamSpec noise_samples = param_int("samples", "32", 1, 100000, "noisy copies").with_slider().logarithmic();
  const ParamSpec noise_stdev =
      param_float("stdev", "0.15", 0, 100, "noise standard deviation as a fraction of the input range").with_slider();
  out->push_back({"saliency",
                  "The gradient of the target output with respect to each input value, by default its absolute "
                  "value (Captum's Saliency, abs=True). Cost: 1 forward + 1 backward pass. Simonyan et al., "
                  "\"Deep Inside Convolutional Networks\", ICLR workshop 2014.",
                  {param_bool("abs", "true", "true: |gradient| (Captum's default); false: the signed gradient")},
                  create_saliency});
  out->push_back({"input_x_gradient",
                  "Input times the gradient of the target output, element by element (Captum's InputXGradient). "
                  "Cost: 1 forward + 1 backward pass. Shrikumar et al., \"Not Just a Black Box\", 2016.",
                  {},
                  create_input_x_gradient});
  out->push_back({"integrated_gradients",
                  "(input - baseline) times the path integral of the gradient along the straight line from the "
                  "baseline to the input, approximated with Captum's rules: Riemann left/right/middle with steps "
                  "1/n, Captum's trapezoid (steps 1/n with halved ends, alphas linspace(0,1,n)), or Gauss-Legendre "
                  "nodes on [0,1] (Captum's default). Reports the completeness gap sum(attribution) - "
                  "(F(input) - F(baseline)). Cost: steps forward + steps backward passes (batched) + 2 forward "
                  "passes for the gap. Sundararajan et al., \"Axiomatic Attribution for Deep Networks\", ICML 2017.",
                  {param_int("steps", "50", 1, 4096,
                             "integration points; at least 2 for the Riemann rules, as Captum asserts")
                       .with_slider()
                       .logarithmic(),
                   param_choice("rule", "gausslegendre",
                                {"riemann_left", "riemann_right", "riemann_middle", "riemann_trapezoid", "gausslegendre"},
                                "the quadrature rule along the path"),
                   param_open_choice("baseline", "zero", {"zero", "blur", "uniform"},
                                     "a number | a .npy path with the input's shape"),
                   param_float("blur_sigma", "5", 0, 1000, "Gaussian sigma in pixels for baseline=blur").with_slider(),
                   param_seed("seed", "0", "seed for baseline=uniform (noise over the input's value range)")},
                  create_integrated_gradients});
  out->push_back({"smoothgrad",
                  "The mean of saliency maps (|gradient|, Captum's Saliency default) over `samples` copies of the "
                  "input with Gaussian noise added; the noise's standard deviation is `stdev` times the input's "
                  "value range (max - min), as in the paper's noise level (Captum's NoiseTunnel takes an absolute "
                  "stdev: multiply by the range to compare). Cost: samples forward + samples backward passes. "
                  "Smilkov et al., \"SmoothGrad: removing noise by adding noise\", 2017.",
                  {noise_samples,
                   noise_stdev,
                   param_seed("seed", "0", "noise seed (same seed, same samples natively and as wasm)"),
                   param_bool("abs", "true", "take |gradient| before averaging (Captum's Saliency default)")},
                  create_smoothgrad});
  out->push_back({"vargrad",
                  "The variance E[a²] - E[a]² of saliency maps a (|gradient|) over noisy copies of the input, as "
                  "Captum's NoiseTunnel(nt_type='vargrad') over Saliency; noise as in smoothgrad. Cost: samples "
                  "forward + samples backward passes. Adebayo et al., \"Local Explanation Methods for Deep Neural "
                  "Networks Lack Sensitivity to Parameter Values\", ICLR workshop 2018.",
                  {noise_samples,
                   noise_stdev,
                   param_seed("seed", "0", "noise seed"),
                   param_bool("abs", "true", "take |gradient| first (Captum's Saliency default)")},
                  create_vargrad});
  out->push_back({"guided_backprop",
                  "The gradient of the target output computed with guided backpropagation's ReLU rule: only "
                  "positive gradients pass a ReLU (Captum's GuidedBackprop). Cost: 1 forward + 1 backward pass. "
                  "Springenberg et al., \"Striving for Simplicity: The All Convolutional Net\", ICLR workshop 2015.",
                  {},
                  create_guided_backprop});
}

}  // namespace xm
