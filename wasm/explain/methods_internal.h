// Internal to wasm/explain/: each family of methods appends its MethodInfo
// entries to the registry (an explicit list, because a static library drops
// objects that only self-register).
#pragma once
#include <vector>

#include "explain/explainer.h"

namespace xm {

void explain_add_gradient_methods(std::vector<MethodInfo>* out);
void explain_add_cam_methods(std::vector<MethodInfo>* out);
void explain_add_perturbation_methods(std::vector<MethodInfo>* out);
void explain_add_surrogate_methods(std::vector<MethodInfo>* out);
void explain_add_lrp_methods(std::vector<MethodInfo>* out);

// The baseline image [1,C,H,W] that IG and the perturbation methods share, from the
// value of parameter `key`: "zero", a number, "blur" (Gaussian blur of x with
// blur_sigma pixels), "uniform" (noise over x's value range, seeded) or a .npy path.
Result<Tensor> explain_make_baseline(const Params& p, const std::string& key, const Tensor& x, double blur_sigma,
                                     uint64_t seed);

// Base of the perturbation methods: `total_units_` perturbed images, each made
// by make_image() and scored by the target's logit (or its softmax probability),
// sent in batches of up to max_batch. When `need_reference` is set the first
// step also scores the unperturbed input (stored in f_input_).
class PerturbationJob : public Explainer {
protected:
  virtual void make_image(int64_t unit, int64_t slot, float* dst) = 0;
  virtual void consume(int64_t unit, int64_t slot, double score) = 0;
  virtual void complete() = 0;  // fills result_.attribution
  // A unit whose image differs from the input only inside one rectangle may
  // describe it as a patch instead (when use_patches_ is set): the batch then
  // goes to Backend::logits_patched, which the native engine answers by
  // recomputing only what the rectangle changes (engine/incremental.h).
  virtual bool make_patch(int64_t unit, InputPatch* patch) { return false; }
  Status on_step(Backend& b) override;

  bool use_patches_ = false;

  bool need_reference_ = true;
  bool use_probability_ = false;
  double f_input_ = 0;

private:
  double score_of(const float* logits_row) const;
  Tensor batch_, logits_;
  std::vector<InputPatch> patches_;
  bool have_reference_ = false;
  bool batch_built_ = false;  // batch_ holds the images of the unanswered step
};

}  // namespace xm
