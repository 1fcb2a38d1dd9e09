// Backend: answers an explainer's queries on batches (docs/ARCHITECTURE.md, data path).
// The native engine answers all three kinds; ONNX Runtime Web answers logits
// only. Explainers never know which backend they talk to.
//
//   Tensor logits;                                   // [B,K]
//   XM_TRY(backend.logits(batch, &logits));          // batch: [B,C,H,W]
//   Tensor seed({B, K}); seed.data[k] = 1;           // d(sum(out*seed))/d(input)
//   Tensor grad;                                     // [B,C,H,W]
//   XM_TRY(backend.input_gradient(batch, seed, &logits, &grad));
//   LayerAnswer la;                                  // activation and gradient at a tensor
//   XM_TRY(backend.layer("conv3_out", batch, seed, &la));
//   std::vector<InputPatch> p(1);                    // x with one rectangle replaced (occlusion)
//   p[0] = {y0, x0, h, w, values};                   // values: [C,h,w]
//   XM_TRY(backend.logits_patched(x, p, &logits));   // [P,K]
#pragma once
#include <algorithm>
#include <string>
#include <vector>

#include "core/status.h"
#include "tensor/tensor.h"

namespace xm {

// ReLU's backward rule: the true gradient, or guided backpropagation's
// (Springenberg et al. 2015: pass only positive gradients where the input was positive).
enum class ReluRule { GRADIENT, GUIDED };

struct LayerAnswer {
  Tensor logits;      // [B,K]
  Tensor activation;  // the named tensor, e.g. [B,C',H',W']
  Tensor gradient;    // d(sum(logits*seed))/d(activation), same shape
};

struct BackendInfo {
  std::string name;               // "native" or "ort"
  Shape input_shape;              // [1,C,H,W] (batch shown as 1)
  int num_outputs = 0;            // K, the width of the logits
  bool can_differentiate = false;
  int max_batch = 64;             // largest batch answered in one call
  std::vector<std::string> layers_4d;  // names of 4-D tensors on the way to the output, in order
  std::vector<Shape> layers_4d_shapes;  // their shapes for one image, same order; empty when unknown
};

// Layer-wise relevance propagation's rule, applied to every layer (Captum's LRP
// with EpsilonRule, or Alpha1_Beta0_Rule generalised to alpha - beta = 1; see
// engine/lrp.h for the exact definitions and the layers supported).
struct LrpRule {
  enum Kind { EPSILON, ALPHA_BETA };
  Kind kind = EPSILON;
  double epsilon = 1e-9;  // stabiliser: z + epsilon * sign(z), sign(0) = 1 (Captum's default 1e-9)
  double alpha = 1, beta = 0;  // ALPHA_BETA only
};

// An image that differs from a base image [1,C,H,W] only inside one rectangle
// (rows y0..y0+h, columns x0..x0+w, all channels): what occlusion sends.
struct InputPatch {
  int64_t y0 = 0, x0 = 0, h = 0, w = 0;
  std::vector<float> values;  // [C,h,w], the patched image's values inside the rectangle
};

// Copies `base` with `p` pasted into `dst` (C*H*W floats); false when p does not fit.
inline bool input_patch_apply(const Tensor& base, const InputPatch& p, float* dst) {
  if (base.shape.size() != 4) return false;
  const int64_t C = base.shape[1], H = base.shape[2], W = base.shape[3];
  if (p.y0 < 0 || p.x0 < 0 || p.h < 0 || p.w < 0 || p.y0 + p.h > H || p.x0 + p.w > W ||
      int64_t(p.values.size()) != C * p.h * p.w)
    return false;
  std::copy(base.data.begin(), base.data.begin() + C * H * W, dst);
  for (int64_t c = 0; c < C; ++c)
    for (int64_t y = 0; y < p.h; ++y)
      std::copy_n(p.values.data() + (c * p.h + y) * p.w, p.w, dst + (c * H + p.y0 + y) * W + p.x0);
  return true;
}

class Backend {
public:
  virtual ~Backend() = default;
  virtual const BackendInfo& info() const = 0;
  // logits: [B,K] for batch [B,C,H,W] (any B >= 1; split internally if above max_batch).
  virtual Status logits(const Tensor& batch, Tensor* logits) = 0;
  // Gradient of sum(logits * seed) with respect to the input; seed is [B,K].
  virtual Status input_gradient(const Tensor& batch, const Tensor& seed, Tensor* logits, Tensor* grad) {
    return Status::error(info().name + " backend cannot compute gradients");
  }
  // Activation of the named tensor and the gradient of sum(logits * seed) with respect to it.
  virtual Status layer(const std::string& name, const Tensor& batch, const Tensor& seed, LayerAnswer* out) {
    return Status::error(info().name + " backend cannot compute layer gradients");
  }
  // logits [P,K] of the P images `base` [1,C,H,W] with each patch pasted in. The
  // native engine recomputes only what a patch can change (engine/incremental.h);
  // this default builds the images and calls logits().
  virtual Status logits_patched(const Tensor& base, const std::vector<InputPatch>& patches, Tensor* out) {
    if (base.shape.size() != 4 || base.shape[0] != 1 || int64_t(base.data.size()) != shape_numel(base.shape))
      return Status::error(info().name + " backend: the base image must be [1,C,H,W], got " + shape_str(base.shape));
    const int64_t P = int64_t(patches.size()), per = int64_t(base.data.size());
    if (P == 0) {
      *out = Tensor({0, int64_t(info().num_outputs)});
      return Status::ok();
    }
    Shape s = base.shape;
    s[0] = P;
    Tensor batch(s);
    for (int64_t k = 0; k < P; ++k)
      if (!input_patch_apply(base, patches[size_t(k)], batch.data.data() + k * per))
        return Status::error(info().name + " backend: patch " + std::to_string(k) + " does not fit the image " + shape_str(base.shape));
    return logits(batch, out);
  }
  // LRP: relevance of each input value when the output's relevance starts as
  // logits * seed (Captum: the target output times a one-hot); seed is [B,K].
  virtual Status relevance(const Tensor& batch, const Tensor& seed, const LrpRule& rule, Tensor* logits, Tensor* relevance) {
    return Status::error(info().name + " backend cannot compute layer-wise relevance (LRP needs the native engine)");
  }
  virtual void set_relu_rule(ReluRule rule) {}
  // For callers that handle backend_pending() (backend/pending.h): one-off work
  // longer than `ms` (the engine's base pass for logits_patched) is split, and
  // the call answers pending until it is done. 0, the default, never splits.
  virtual void set_time_slice(double ms) {}
  // Threads this backend may use (1 = none).
  virtual void set_threads(int n) {}
};

}  // namespace xm
