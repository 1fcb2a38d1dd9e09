// Faithfulness metrics: does the model's output move the way the map says it
// should when the pixels it ranks high (or low) are changed? All perturbed
// images go through backend.logits in batches of up to info().max_batch.
//
//   CurveOptions o;                       // order morf, baseline zero, 50 steps
//   Result<Curve> del = eval_deletion_curve(backend, x, target, attribution, o);
//   del->auc;                             // area under the target probability, x in [0,1]
//   Result<double> fc = eval_faithfulness_correlation(backend, x, target, attribution, {});
//   Result<double> ms = eval_max_sensitivity(backend, x, target, "saliency", {}, {});
//
// Fixed conventions (the same as metrics.h): the map is reduced to [H,W] by
// summing channels; "removing" a pixel changes all its channels; ranks break
// ties by pixel index. Inputs are the model's (normalised) input tensors, and
// baselines are values in that space.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "backend/backend.h"
#include "core/status.h"
#include "explain/explainer.h"
#include "tensor/tensor.h"

namespace xm {

// What a curve reads from the model: the softmax probability of the target
// (Petsiuk et al. 2018, the RISE paper's deletion and insertion), or its logit.
enum class EvalOutput { PROBABILITY, LOGIT };

struct CurveOptions {
  bool morf = true;              // most relevant first (MoRF); false: least relevant first (LeRF)
  std::string baseline;          // zero | min | mean | blur | uniform | a number; "" = the curve's default
  int steps = 50;                // points after the start; ceil(H*W/steps) pixels change per step
  EvalOutput output = EvalOutput::PROBABILITY;
  uint64_t seed = 0;             // for baseline "uniform"
};

struct Curve {
  std::vector<double> x;  // fraction of pixels changed, 0..1 (steps + 1 points)
  std::vector<double> y;  // the model's output for the target at each point
  double auc = 0;         // trapezoidal area under y over x
};

// Baseline image for x [1,C,H,W]: zero (0 in the model's input space), min
// (x's minimum per channel: black), mean (x's mean per channel), blur
// (Gaussian, sigma 5 px, as Petsiuk et al.'s insertion), uniform (noise in
// [min, max] of x, seeded), or a number.
Result<Tensor> eval_baseline(const Tensor& x, const std::string& baseline, uint64_t seed);

// Deletion (Petsiuk et al. 2018; Quantus PixelFlipping for MoRF and
// RegionPerturbation's "morf"/"lerf" orders with single-pixel regions): start
// from x and replace pixels by the baseline (default zero) in the map's order.
// MoRF: a faithful map makes the curve drop fast (low area is good).
Result<Curve> eval_deletion_curve(Backend& backend, const Tensor& x, int target, const Tensor& attribution,
                                  const CurveOptions& o);
// Insertion (Petsiuk et al. 2018): start from the baseline (default blur) and
// put x's pixels back in the map's order. MoRF: a faithful map makes it rise fast.
Result<Curve> eval_insertion_curve(Backend& backend, const Tensor& x, int target, const Tensor& attribution,
                                   const CurveOptions& o);

// Quantus FaithfulnessCorrelation (Bhatt et al. 2020) with Quantus's defaults:
// nr_runs 100 random subsets of subset_size 224 pixels set to the baseline
// ("black" = zero here); the Pearson correlation between the summed
// attribution of each subset and the drop of the target's logit. Higher is better.
struct FaithfulnessCorrelationOptions {
  int runs = 100;
  int subset_size = 224;
  std::string baseline = "zero";
  uint64_t seed = 0;
};
Result<double> eval_faithfulness_correlation(Backend& backend, const Tensor& x, int target, const Tensor& attribution,
                                             const FaithfulnessCorrelationOptions& o);
// The random subsets and the model's answers do not depend on the map: several
// maps of one input, target and seed share one draw (eval_faithfulness_correlation
// = _draw then _score, the same numbers).
struct FaithfulnessCorrelationDraws {
  int64_t pixels = 0;                         // H*W of the image drawn for
  std::vector<std::vector<int64_t>> subsets;  // pixel indices of each run
  std::vector<double> drop;                   // target logit: f(x) - f(x with the subset at the baseline)
};
Result<FaithfulnessCorrelationDraws> eval_faithfulness_correlation_draw(Backend& backend, const Tensor& x, int target,
                                                                        const FaithfulnessCorrelationOptions& o);
Result<double> eval_faithfulness_correlation_score(const FaithfulnessCorrelationDraws& d, const Tensor& x,
                                                   const Tensor& attribution);

// Noisy linear imputation (Rong et al. 2022, ROAD): the pixels where
// remove[i] != 0 get the value that makes each of them the weighted mean of its
// 8 neighbours (weight 1/6 direct, 1/12 diagonal, only neighbours inside the
// image), solved per channel by conjugate gradients, plus N(0, noise^2) noise.
Result<Tensor> eval_noisy_linear_imputation(const Tensor& x, const std::vector<uint8_t>& remove, double noise, uint64_t seed);

// Quantus ROAD (Rong et al. 2022): remove the top p% (MoRF) or bottom p% (LeRF)
// pixels by noisy linear imputation (noise 0.01, Quantus's default) for p in
// `percentages` (default 10..90 by 10, the paper's figures; Quantus's default
// is 1..99 by 2) and read the target's probability; `auc` is the mean over
// the percentages. Also reports whether the prediction still equals the target.
struct RoadOptions {
  std::vector<double> percentages;  // empty: 10, 20, ..., 90
  bool morf = true;
  double noise = 0.01;
  uint64_t seed = 0;
};
struct RoadResult {
  Curve curve;                   // x: percentages / 100; y: target probability
  std::vector<double> accuracy;  // 1 where the arg-max is still the target
};
Result<RoadResult> eval_road(Backend& backend, const Tensor& x, int target, const Tensor& attribution, const RoadOptions& o);

// Infidelity (Yeh et al. 2019), named as Quantus Infidelity, with the paper's
// Gaussian perturbation I ~ N(0, stdev^2) on every pixel (Quantus's default
// patch replacement would cost H*W/16 passes per sample): the mean over
// `samples` of (I·Φ − (f(x) − f(x − I)))², f the target's logit, Φ the map
// (a one-channel map is repeated over the channels, as Quantus does). With
// `normalize` the map is first scaled by the optimal β (Captum's
// infidelity(normalize=True)), which makes the score independent of the map's
// scale; lower is better.
struct InfidelityOptions {
  int samples = 64;
  double stdev = 0.1;
  bool normalize = true;
  uint64_t seed = 0;
};
Result<double> eval_infidelity(Backend& backend, const Tensor& x, int target, const Tensor& attribution,
                               const InfidelityOptions& o);
// The perturbations I and the drops f(x) − f(x − I) do not depend on the map:
// several maps of one input, target and seed share one draw
// (eval_infidelity = _draw then _score, the same numbers).
struct InfidelityDraws {
  Shape shape;               // the input's shape [1,C,H,W]
  std::vector<float> noise;  // samples x C*H*W
  std::vector<double> drop;  // per sample, target logit
};
Result<InfidelityDraws> eval_infidelity_draw(Backend& backend, const Tensor& x, int target, const InfidelityOptions& o);
Result<double> eval_infidelity_score(const InfidelityDraws& d, const Tensor& x, const Tensor& attribution, bool normalize);

// Quantus MaxSensitivity (Yeh et al. 2019): the largest ||Φ(x+δ) − Φ(x)|| / ||Φ(x)||
// (Frobenius norms, both maps divided by their max |value|, Quantus's
// normalise_by_max) over `samples` draws of δ ~ U(-radius, radius) per pixel
// (Quantus: uniform noise, lower_bound 0.2). Quantus draws 200 samples; the
// default here is 10 so that one case stays within the browser's time budget.
// Lower is better.
struct MaxSensitivityOptions {
  int samples = 10;
  double radius = 0.2;
  uint64_t seed = 0;
};
Result<double> eval_max_sensitivity(Backend& backend, const Tensor& x, int target, const std::string& method,
                                    const ParamList& params, const MaxSensitivityOptions& o);

}  // namespace xm
