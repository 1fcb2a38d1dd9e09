// The perturbation family: occlusion, feature_ablation, rise. Each perturbed
// image only needs the model's output, so these also run on a logits-only backend.
// [SECTION] PerturbationJob  [SECTION] occlusion  [SECTION] feature ablation  [SECTION] RISE  [SECTION] registry
#include <algorithm>
#include <cmath>

#include "explain/explain_ops.h"
#include "explain/methods_internal.h"
#include "explain/rng.h"

namespace xm {

// [SECTION] PerturbationJob

double PerturbationJob::score_of(const float* row) const {
  if (!use_probability_) return row[target_];
  double mx = row[0];
  for (int k = 1; k < num_outputs_; ++k) mx = std::max(mx, double(row[k]));
  double sum = 0;
  for (int k = 0; k < num_outputs_; ++k) sum += std::exp(double(row[k]) - mx);
  return std::exp(double(row[target_]) - mx) / sum;
}

Status PerturbationJob::on_step(Backend& b) {
  const int64_t per = int64_t(input_.numel());
  if (need_reference_ && !have_reference_) {
    XM_TRY(query_logits(b, input_, &logits_));
    f_input_ = score_of(logits_.ptr());
    result_.stats.values["f_input"] = f_input_;
    have_reference_ = true;
  }
  const int64_t first = done_units_, count = std::min<int64_t>(batch_limit(b), total_units_ - first);
  // Patches are deterministic (no random draws), so a pending answer simply rebuilds them.
  bool patched = use_patches_ && count > 0;
  if (patched) {
    patches_.resize(size_t(count));
    for (int64_t k = 0; k < count && patched; ++k) patched = make_patch(first + k, &patches_[size_t(k)]);
  }
  if (patched) {
    XM_TRY(b.logits_patched(input_, patches_, &logits_));
    if (logits_.shape.size() != 2 || logits_.shape[0] != count || logits_.shape[1] != num_outputs_)
      return Status::error(method_ + ": the backend answered " + shape_str(logits_.shape) + " for " +
                           std::to_string(count) + " patched images");
    result_.stats.forward_passes += count;
    for (int64_t k = 0; k < count; ++k) consume(first + k, k, score_of(logits_.ptr() + k * num_outputs_));
    done_units_ += count;
  } else if (count > 0) {
    // The batch is built once: when the backend answers "pending" (backend/pending.h)
    // the same batch is sent again, and make_image (which may draw random numbers) is not re-run.
    if (!batch_built_) {
      batch_.shape = {count, C_, H_, W_};
      batch_.data.resize(size_t(count * per));
      for (int64_t k = 0; k < count; ++k) make_image(first + k, k, batch_.ptr() + k * per);
      batch_built_ = true;
    }
    XM_TRY(query_logits(b, batch_, &logits_));
    batch_built_ = false;
    for (int64_t k = 0; k < count; ++k) consume(first + k, k, score_of(logits_.ptr() + k * num_outputs_));
    done_units_ += count;
  }
  if (done_units_ == total_units_) {
    complete();
    finish();
  }
  return Status::ok();
}

namespace {

// Spreads a per-pixel map [H*W] over the input's channels.
Tensor broadcast_channels(const std::vector<double>& map, int64_t C, int64_t H, int64_t W) {
  Tensor t({1, C, H, W});
  for (int64_t c = 0; c < C; ++c)
    for (int64_t i = 0; i < H * W; ++i) t.data[size_t(c * H * W + i)] = float(map[size_t(i)]);
  return t;
}

// [SECTION] occlusion

class Occlusion : public PerturbationJob {
public:
  Occlusion(int64_t wh, int64_t ww, int64_t sh, int64_t sw, double sigma, uint64_t seed, bool incremental, Params p)
      : wh_(wh), ww_(ww), sh_(sh), sw_(sw), sigma_(sigma), seed_(seed), params_(std::move(p)) {
    use_patches_ = incremental;
  }

protected:
  Status on_begin(Backend&) override {
    if (wh_ > H_ || ww_ > W_)
      return Status::error(method_ + ": window " + std::to_string(wh_) + "x" + std::to_string(ww_) +
                           " is larger than the image " + std::to_string(H_) + "x" + std::to_string(W_));
    // Captum: 1 + floor((size - window) / stride) positions per axis, from 0.
    ny_ = 1 + (H_ - wh_) / sh_;
    nx_ = 1 + (W_ - ww_) / sw_;
    XM_TRY(check_passes("window=" + params_.str("window") + " stride=" + params_.str("stride"),
                        1.0 + double(ny_ * nx_)));
    Result<Tensor> base = explain_make_baseline(params_, "baseline", input_, sigma_, seed_);
    if (!base) return base.status();
    baseline_ = base.take();
    total_units_ = ny_ * nx_;
    total_.assign(size_t(H_ * W_), 0.0);
    count_.assign(size_t(H_ * W_), 0);
    result_.stats.values["windows"] = double(total_units_);
    return Status::ok();
  }
  void make_image(int64_t unit, int64_t, float* dst) override {
    std::copy(input_.data.begin(), input_.data.end(), dst);
    const int64_t y0 = (unit / nx_) * sh_, x0 = (unit % nx_) * sw_;
    for (int64_t c = 0; c < C_; ++c)
      for (int64_t y = y0; y < y0 + wh_; ++y) {
        const size_t row = size_t((c * H_ + y) * W_);
        std::copy(baseline_.data.begin() + long(row + x0), baseline_.data.begin() + long(row + x0 + ww_), dst + row + x0);
      }
  }
  bool make_patch(int64_t unit, InputPatch* p) override {
    p->y0 = (unit / nx_) * sh_;
    p->x0 = (unit % nx_) * sw_;
    p->h = wh_;
    p->w = ww_;
    p->values.resize(size_t(C_ * wh_ * ww_));
    for (int64_t c = 0; c < C_; ++c)
      for (int64_t y = 0; y < wh_; ++y)
        std::copy_n(baseline_.data.begin() + long((c * H_ + p->y0 + y) * W_ + p->x0), ww_,
                    p->values.begin() + long((c * wh_ + y) * ww_));
    return true;
  }
  void consume(int64_t unit, int64_t, double score) override {
    const int64_t y0 = (unit / nx_) * sh_, x0 = (unit % nx_) * sw_;
    const double diff = f_input_ - score;
    for (int64_t y = y0; y < y0 + wh_; ++y)
      for (int64_t x = x0; x < x0 + ww_; ++x) {
        total_[size_t(y * W_ + x)] += diff;
        count_[size_t(y * W_ + x)] += 1;
      }
  }
  void complete() override { fill_partial(&result_.attribution); }
  void fill_partial(Tensor* out) override {
    // Mean drop over the windows covering each pixel; a pixel no window covers gets 0 (Captum: 0/0).
    std::vector<double> m(size_t(H_ * W_), 0.0);
    for (size_t i = 0; i < m.size(); ++i) m[i] = count_[i] ? total_[i] / count_[i] : 0.0;
    *out = broadcast_channels(m, C_, H_, W_);
  }

private:
  int64_t wh_, ww_, sh_, sw_, ny_ = 0, nx_ = 0;
  double sigma_;
  uint64_t seed_;
  Params params_;
  Tensor baseline_;
  std::vector<double> total_;
  std::vector<int32_t> count_;
};

Result<std::unique_ptr<Explainer>> create_occlusion(const Params& p) {
  int64_t wh = 0, ww = 0, sh = 0, sw = 0, seed = 0;
  double sigma = 0;
  XM_TRY(p.get_size2("window", &wh, &ww));
  XM_TRY(p.get_size2("stride", &sh, &sw));
  XM_TRY(p.get_double("blur_sigma", &sigma));
  XM_TRY(p.get_int("seed", &seed));
  bool incremental = true;
  XM_TRY(p.get_bool("incremental", &incremental));
  return std::unique_ptr<Explainer>(new Occlusion(wh, ww, sh, sw, sigma, uint64_t(seed), incremental, p));
}

// [SECTION] feature ablation

class FeatureAblation : public PerturbationJob {
public:
  FeatureAblation(double sigma, uint64_t seed, Params p) : sigma_(sigma), seed_(seed), params_(std::move(p)) {}

protected:
  Status on_begin(Backend&) override {
    const std::string& win = params_.str("window");
    if (win != "none") {
      int64_t wh = 0, ww = 0;
      XM_TRY(params_.get_size2("window", &wh, &ww));
      if (wh > H_ || ww > W_)
        return Status::error(method_ + ": window " + std::to_string(wh) + "x" + std::to_string(ww) +
                             " is larger than the image " + std::to_string(H_) + "x" + std::to_string(W_));
      const int64_t rows = (H_ + wh - 1) / wh, cols = (W_ + ww - 1) / ww;
      features_.H = H_;
      features_.W = W_;
      features_.count = int(rows * cols);
      features_.label.resize(size_t(H_ * W_));
      for (int64_t y = 0; y < H_; ++y)
        for (int64_t x = 0; x < W_; ++x) features_.label[size_t(y * W_ + x)] = int32_t((y / wh) * cols + x / ww);
    } else {
      Result<FeatureMap> f = features_from_spec(params_.str("features"), input_, method_ + ": parameter 'features'");
      if (!f) return f.status();
      features_ = f.take();
    }
    XM_TRY(check_passes(win != "none" ? "window=" + win : "features=" + params_.str("features"),
                        1.0 + features_.count));
    Result<Tensor> base = explain_make_baseline(params_, "baseline", input_, sigma_, seed_);
    if (!base) return base.status();
    baseline_ = base.take();
    total_units_ = features_.count;
    diff_.assign(size_t(features_.count), 0.0);
    result_.stats.values["features"] = features_.count;
    return Status::ok();
  }
  void make_image(int64_t unit, int64_t, float* dst) override {
    const int64_t hw = H_ * W_;
    for (int64_t c = 0; c < C_; ++c)
      for (int64_t i = 0; i < hw; ++i) {
        const size_t j = size_t(c * hw + i);
        dst[j] = features_.label[size_t(i)] == unit ? baseline_.data[j] : input_.data[j];
      }
  }
  void consume(int64_t unit, int64_t, double score) override { diff_[size_t(unit)] = f_input_ - score; }
  void complete() override { fill_partial(&result_.attribution); }
  void fill_partial(Tensor* out) override {
    std::vector<double> m(static_cast<size_t>(H_ * W_));
    for (size_t i = 0; i < m.size(); ++i) m[i] = diff_.empty() ? 0.0 : diff_[size_t(features_.label[i])];
    *out = broadcast_channels(m, C_, H_, W_);
  }

private:
  double sigma_;
  uint64_t seed_;
  Params params_;
  FeatureMap features_;
  Tensor baseline_;
  std::vector<double> diff_;
};

Result<std::unique_ptr<Explainer>> create_feature_ablation(const Params& p) {
  int64_t seed = 0, wh = 0, ww = 0;
  double sigma = 0;
  XM_TRY(p.get_double("blur_sigma", &sigma));
  XM_TRY(p.get_int("seed", &seed));
  if (p.str("window") != "none") XM_TRY(p.get_size2("window", &wh, &ww));
  return std::unique_ptr<Explainer>(new FeatureAblation(sigma, uint64_t(seed), p));
}

// [SECTION] RISE

class Rise : public PerturbationJob {
public:
  Rise(int64_t masks, int64_t cell, double p, uint64_t seed) : masks_(masks), cell_(cell), p_(p), rng_(seed) {
    need_reference_ = false;
    use_probability_ = true;
  }

protected:
  Status on_begin(Backend& b) override {
    if (cell_ > std::min(H_, W_))
      return Status::error(method_ + ": cell " + std::to_string(cell_) + " is larger than the image " +
                           std::to_string(H_) + "x" + std::to_string(W_));
    XM_TRY(check_passes("masks=" + std::to_string(masks_), double(masks_)));
    gh_ = (H_ + cell_ - 1) / cell_;
    gw_ = (W_ + cell_ - 1) / cell_;
    total_units_ = masks_;
    sum_.assign(size_t(H_ * W_), 0.0);
    slots_.assign(size_t(batch_limit(b)) * size_t(H_ * W_), 0.0f);
    small_.resize(size_t((gh_ + 1) * (gw_ + 1)));
    big_.resize(size_t((gh_ + 1) * cell_ * (gw_ + 1) * cell_));
    return Status::ok();
  }
  void make_image(int64_t, int64_t slot, float* dst) override {
    // Petsiuk et al.: a (gh+1)x(gw+1) binary grid, bilinearly upsampled to (gh+1)*cell and
    // cropped at a random shift in [0, cell) on each axis.
    for (auto& v : small_) v = rng_.uniform() < p_ ? 1.0f : 0.0f;
    const int64_t BH = (gh_ + 1) * cell_, BW = (gw_ + 1) * cell_;
    resize_bilinear(small_.data(), gh_ + 1, gw_ + 1, big_.data(), BH, BW);
    const int64_t dy = int64_t(rng_.below(uint64_t(cell_))), dx = int64_t(rng_.below(uint64_t(cell_)));
    // The backend's batch may grow during a job (the page adapts it to the frame time).
    if (slots_.size() < size_t((slot + 1) * H_ * W_)) slots_.resize(size_t((slot + 1) * H_ * W_));
    float* m = &slots_[size_t(slot * H_ * W_)];
    for (int64_t y = 0; y < H_; ++y)
      for (int64_t x = 0; x < W_; ++x) m[y * W_ + x] = big_[size_t((y + dy) * BW + x + dx)];
    for (int64_t c = 0; c < C_; ++c)
      for (int64_t i = 0; i < H_ * W_; ++i) dst[c * H_ * W_ + i] = input_.data[size_t(c * H_ * W_ + i)] * m[i];
  }
  void consume(int64_t, int64_t slot, double score) override {
    const float* m = &slots_[size_t(slot * H_ * W_)];
    for (int64_t i = 0; i < H_ * W_; ++i) sum_[size_t(i)] += score * m[i];
  }
  void complete() override { fill_partial(&result_.attribution); }
  void fill_partial(Tensor* out) override {
    // Saliency = Σ_i score_i · M_i / (N · p), with N the masks seen so far.
    std::vector<double> m(size_t(H_ * W_), 0.0);
    if (done_units_ > 0)
      for (size_t i = 0; i < m.size(); ++i) m[i] = sum_[i] / (double(done_units_) * p_);
    *out = broadcast_channels(m, C_, H_, W_);
  }

private:
  int64_t masks_, cell_, gh_ = 0, gw_ = 0;
  double p_;
  Rng rng_;
  std::vector<double> sum_;
  std::vector<float> slots_, small_, big_;
};

Result<std::unique_ptr<Explainer>> create_rise(const Params& p) {
  int64_t masks = 0, cell = 0, seed = 0;
  double prob = 0;
  XM_TRY(p.get_int("masks", &masks));
  XM_TRY(p.get_int("cell", &cell));
  XM_TRY(p.get_double("p", &prob));
  if (prob <= 0) return p.bad("p", "must be above 0 (the share of cells kept)");  // the spec's above_lo()
  XM_TRY(p.get_int("seed", &seed));
  return std::unique_ptr<Explainer>(new Rise(masks, cell, prob, uint64_t(seed)));
}

}  // namespace

// [SECTION] registry

void explain_add_perturbation_methods(std::vector<MethodInfo>* out) {
  out->push_back({"occlusion",
                  "Slides a window (spanning all channels) over the image at positions 0, stride, 2*stride... "
                  "while it fits, replaces it with the baseline, and gives each pixel the mean drop F(input) - "
                  "F(occluded) over the windows covering it (Captum's Occlusion; a pixel no window covers gets 0 "
                  "where Captum divides 0 by 0). Cost: 1 + windows forward passes, no backward. Zeiler & Fergus, "
                  "\"Visualizing and Understanding Convolutional Networks\", ECCV 2014.",
                  {param_size("window", "16", "window size, at most the image size"),
                   param_size("stride", "8", "step between windows"),
                   param_open_choice("baseline", "zero", {"zero", "blur", "uniform"},
                                     "a number | a .npy path"),
                   param_float("blur_sigma", "5", 0, 1000, "Gaussian sigma in pixels for baseline=blur"),
                   param_seed("seed", "0", "seed for baseline=uniform"),
                   param_bool("incremental", "true",
                              "true: the native engine recomputes only what each window changes (Nakandala et al., "
                              "SIGMOD 2019; same result); false: full passes")},
                  create_occlusion});
  out->push_back({"feature_ablation",
                  "Replaces one feature (a group of pixels, all channels) at a time with the baseline and gives "
                  "its pixels the drop F(input) - F(ablated) (Captum's FeatureAblation with a feature mask). "
                  "Features: non-overlapping window x window patches when `window` is set, else `features`. "
                  "Cost: 1 + features forward passes.",
                  {param_text("features", "grid:8", "grid:N (N x N cells) | slic:N (about N SLIC superpixels)"),
                   param_text("window", "none", "none, or a patch size 8 or 8x6 that overrides features"),
                   param_open_choice("baseline", "zero", {"zero", "blur", "uniform"},
                                     "a number | a .npy path"),
                   param_float("blur_sigma", "5", 0, 1000, "Gaussian sigma in pixels for baseline=blur"),
                   param_seed("seed", "0", "seed for baseline=uniform")},
                  create_feature_ablation});
  out->push_back({"rise",
                  "Randomized Input Sampling: the image times `masks` random smooth masks (a grid of cells kept "
                  "with probability p, bilinearly upsampled to cell pixels per cell and shifted at random); each "
                  "pixel's saliency is the mean of the target's softmax probability weighted by the mask, divided "
                  "by p. Not in Captum. Cost: masks forward passes. Petsiuk et al., \"RISE: Randomized Input "
                  "Sampling for Explanation of Black-box Models\", BMVC 2018.",
                  {param_int("masks", "1000", 1, 1000000, "number of masks").with_slider().logarithmic(),
                   param_int("cell", "16", 1, 65536,
                             "cell size in pixels (the grid is ceil(H/cell) x ceil(W/cell)), at most the image side")
                       .up_to_image_side(),
                   param_float("p", "0.5", 0, 1, "probability that a cell is kept").above_lo().with_slider(),
                   param_seed("seed", "0", "mask seed")},
                  create_rise});
}

}  // namespace xm
