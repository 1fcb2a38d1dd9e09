// Metrics that need only the map (and the ground-truth mask): localisation,
// complexity, and the map similarities the sanity checks use. Each follows a
// Quantus metric (Hedström et al. 2023, quantus 0.5) named below, so scores can
// be compared with the literature.
//
//   Tensor a = ...;    // attribution [1,C,H,W] (or [1,1,H,W] for Grad-CAM)
//   Tensor m = ...;    // mask [1,1,H,W], 0/1 (a phantom's PhantomCase::mask)
//   Result<double> pg = eval_pointing_game(a, m);          // 1 hit, 0 miss
//   Result<double> g = eval_sparseness(a);                  // Gini index in [0,1]
//   Result<double> rho = eval_spearman(map_a, map_b);      // rank correlation of two maps
//
// Conventions fixed for every metric here:
// - A map with C > 1 channels is reduced to [H,W] by SUMMING the channels (what
//   Quantus expects when explanations are summed over the channel axis before
//   evaluation, e.g. `Saliency(...).attribute(...).sum(axis=1)` in its examples).
// - No normalisation is applied (Quantus's normalise=True divides by max|a|,
//   which changes none of the scores below except where noted).
// - Ties among equal values are broken by pixel index (row-major, smaller first),
//   so every score is deterministic.
// - Undefined scores (a zero denominator, an empty mask) are NaN, printed as
//   null in JSON; a mask of the wrong size is an error Status.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "core/status.h"
#include "tensor/tensor.h"

namespace xm {

// [H,W] map: the channels of a [1,C,H,W] (or [C,H,W] / [H,W]) attribution summed.
struct EvalMap {
  int64_t h = 0, w = 0;
  std::vector<double> v;  // h*w, row-major
};
Result<EvalMap> eval_map(const Tensor& attribution);
// The mask as 0/1 bytes of size h*w (values > 0.5 are inside); must be h x w.
Result<std::vector<uint8_t>> eval_mask(const Tensor& mask, int64_t h, int64_t w);

// [SECTION] localisation (mask = where the evidence truly is)
// Quantus PointingGame (Zhang et al. 2018), no tolerance: 1 when a pixel holding
// the map's maximum lies inside the mask, else 0. A constant map "points" at
// every pixel, so it hits whenever the mask is not empty.
Result<double> eval_pointing_game(const Tensor& attribution, const Tensor& mask);
// Energy-based pointing game (Wang et al. 2020, Score-CAM), Quantus
// AttributionLocalisation with weighted=False: the share of the POSITIVE
// attribution that lies inside the mask. NaN when nothing is positive.
Result<double> eval_energy_pointing_game(const Tensor& attribution, const Tensor& mask);
// Quantus RelevanceMassAccuracy (Arras et al. 2022), abs=False: sum of the map
// inside the mask / sum of the whole map. NaN when the map sums to zero.
Result<double> eval_relevance_mass_accuracy(const Tensor& attribution, const Tensor& mask);
// Quantus RelevanceRankAccuracy (Arras et al. 2022): with K = mask size, the
// fraction of the K highest-valued pixels that lie inside the mask.
Result<double> eval_relevance_rank_accuracy(const Tensor& attribution, const Tensor& mask);
// Quantus TopKIntersection (Theiner et al. 2021), default k = 1000 as in Quantus:
// |top-k pixels ∩ mask| / k (so a mask smaller than k caps the score at |mask|/k).
Result<double> eval_top_k_intersection(const Tensor& attribution, const Tensor& mask, int64_t k = 1000);
// Area under the precision-recall curve of the map as a detector of mask
// pixels, as average precision (sklearn's average_precision_score): Quantus's
// AUC metric uses the ROC curve; precision-recall is the one that stays
// informative when the mask is a few percent of the image. Chance = mask share.
Result<double> eval_auprc(const Tensor& attribution, const Tensor& mask);

// [SECTION] complexity
// Quantus Sparseness (Chalasani et al. 2020): the Gini index of |a| (+1e-7 as
// Quantus adds), 0 = uniform, → 1 = a single pixel.
Result<double> eval_sparseness(const Tensor& attribution);
// Quantus Complexity (Bhatt et al. 2020): the entropy (natural log) of
// |a| / sum|a|; log(H*W) for a uniform map, 0 for a single pixel.
Result<double> eval_complexity(const Tensor& attribution);

// [SECTION] map similarity (randomisation sanity checks)
// Spearman rank correlation (Pearson's r of the ranks, ties get their average
// rank, as scipy.stats.spearmanr); NaN when a map is constant.
double eval_spearman(const std::vector<double>& a, const std::vector<double>& b);
double eval_pearson(const std::vector<double>& a, const std::vector<double>& b);
// SSIM (Wang et al. 2004) as skimage.metrics.structural_similarity with its
// defaults: 7x7 uniform window, K1 = 0.01, K2 = 0.03, sample covariance, the
// mean over windows that fit inside the image; `data_range` as given.
double eval_ssim(const EvalMap& a, const EvalMap& b, double data_range);

// The three similarities Adebayo et al. (2018) report between two maps of the
// same input: Spearman of |a| and |b|, Spearman of the signed maps, and SSIM
// of |a| and |b| each divided by its maximum (data range 1).
struct MapSimilarity {
  double spearman_abs = 0, spearman_signed = 0, ssim = 0;
};
Result<MapSimilarity> eval_map_similarity(const Tensor& a, const Tensor& b);

}  // namespace xm
