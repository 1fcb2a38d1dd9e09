// Building blocks shared by the explainers: resizing as PyTorch does it,
// blurring, interpretable features (grid cells, SLIC superpixels) and the
// weighted linear fits behind LIME and KernelSHAP.
//
//   std::vector<float> up(H * W);
//   resize_bilinear(cam.data(), h, w, up.data(), H, W);      // F.interpolate(mode="bilinear", align_corners=False)
//   Result<FeatureMap> f = features_from_spec("slic:50", x); // labels per pixel
//   LinearFit fit; XM_TRY(linear_fit(X, y, w, n, d, /*alpha=*/0.01, &fit));
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "core/status.h"
#include "tensor/tensor.h"

namespace xm {

// src: [h,w] → dst: [H,W]; ref: PyTorch upsample_bilinear2d with align_corners=False
// (scale = in/out in float, source = scale*(dst+0.5)-0.5 clamped at 0).
void resize_bilinear(const float* src, int64_t h, int64_t w, float* dst, int64_t H, int64_t W);
// ref: PyTorch's legacy mode="nearest": source = min(floor(dst*in/out), in-1).
void resize_nearest(const float* src, int64_t h, int64_t w, float* dst, int64_t H, int64_t W);
// Separable Gaussian blur of each channel of x [1,C,H,W]; radius ceil(3*sigma), edges reflected.
Tensor gaussian_blur(const Tensor& x, double sigma);

// Interpretable features: a label 0..count-1 for every pixel (shared by the channels).
struct FeatureMap {
  int64_t H = 0, W = 0;
  int count = 0;
  std::vector<int32_t> label;  // [H*W]
};
// "grid:N" (N×N cells; boundaries at floor(i*H/N)) or "slic:N" (about N SLIC superpixels).
Result<FeatureMap> features_from_spec(const std::string& spec, const Tensor& x, const std::string& key);
FeatureMap features_grid(int64_t H, int64_t W, int64_t rows, int64_t cols);
// SLIC (Achanta et al., TPAMI 2012) on range-normalised intensities of x [1,C,H,W]:
// compactness 0.1, 10 iterations, then connected components smaller than a
// quarter of the expected segment are merged into a neighbour.
FeatureMap features_slic(const Tensor& x, int segments);

// y ≈ intercept + X·coef, minimising (1/(2 Σw)) Σ w_i (y_i - intercept - x_i·coef)² + alpha·|coef|₁,
// i.e. scikit-learn's Lasso(alpha) with sample_weight (Captum's Lime default, alpha 0.01)
// by coordinate descent; alpha = 0 is weighted least squares (Captum's KernelShap
// uses ordinary least squares), solved by Cholesky with a 1e-10 relative ridge so
// that rank-deficient designs (fewer samples than features) still give an answer.
struct LinearFit {
  std::vector<double> coef;
  double intercept = 0.0;
};
// X: [n,d] row-major; y, w: [n].
Status linear_fit(const std::vector<float>& X, const std::vector<double>& y, const std::vector<double>& w, int64_t n,
                  int64_t d, double alpha, LinearFit* out);

}  // namespace xm
