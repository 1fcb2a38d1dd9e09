// Randomisation sanity checks (Adebayo et al. 2018, "Sanity checks for
// saliency maps"): a map that does not change when the model's weights are
// randomised, or when the model was trained on shuffled labels, cannot be
// explaining what the model learned.
//
//   Result<onnx::Model> m = onnx::load_file("models/cardiac_lge.onnx");
//   SanityOptions o;  o.method = "saliency";  o.seed = 42;
//   Result<SanityResult> r = sanity_cascading(*m, x, /*target=*/1, o);
//   for (auto& s : r->steps) printf("%s %.3f\n", s.layer.c_str(), s.similarity.spearman_abs);
//
//   // Data randomisation: the same method on two models, same input and target.
//   Result<MapSimilarity> d = sanity_compare_models(backend_a, backend_b, x, 1, "saliency", {});
//
// Follows Quantus ModelParameterRandomisation with layer_order="top_down"
// (cascading), similarity_func = Spearman, seed 42: the model's parameterised
// layers (Conv, ConvTranspose, Gemm, MatMul with a weight initializer,
// BatchNormalization), in graph order, are re-initialised from the output
// down, cumulatively, layer k with seed + k, as PyTorch's reset_parameters
// does (what Quantus calls): weights and biases ~ U(-1/sqrt(fan_in), 1/sqrt(fan_in))
// (kaiming_uniform with a = sqrt(5)); BatchNorm scale 1, shift 0, running
// mean 0, variance 1. Each randomised model is loaded into a fresh engine.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "backend/backend.h"
#include "core/json_writer.h"
#include "core/status.h"
#include "evaluate/metrics.h"
#include "explain/explainer.h"
#include "onnx/onnx_model.h"
#include "tensor/tensor.h"

namespace xm {

struct SanityLayer {
  std::string node;                       // node label (its name, or its first output)
  std::string op_type;
  std::vector<std::string> initializers;  // the parameters re-initialised
};

// The parameterised layers in graph order (input side first).
std::vector<SanityLayer> sanity_layers(const onnx::Model& model);
// Re-initialises one layer's parameters in `model` (see the header comment).
Status sanity_randomize_layer(onnx::Model& model, const SanityLayer& layer, uint64_t seed);

struct SanityOptions {
  std::string method = "saliency";
  ParamList params;
  uint64_t seed = 42;
  int max_layers = 0;  // 0: every layer; else stop after this many (from the top)
  int threads = 1;
};

struct SanityStep {
  std::string layer;         // the last layer randomised (all above it are too)
  Tensor attribution;        // the map on the model randomised down to this layer
  MapSimilarity similarity;  // against the original map
};

struct SanityResult {
  Tensor original;  // the map on the trained model
  std::vector<SanityStep> steps;
  // "layers": [...], "spearman_abs": [...], "spearman_signed": [...], "ssim": [...]
  // into an object `w` has open (the CLI's model_randomisation, the page's sanity).
  void write_members(JsonWriter& w) const;
};

// Incremental form, for the UI (one layer per step) and the CLI.
class SanityJob {
public:
  Status begin(const onnx::Model& model, const Tensor& x, int target, const SanityOptions& o);
  Status step();
  bool done() const { return next_ >= int(layers_.size()); }
  float progress() const { return layers_.empty() ? 1.0f : float(next_) / float(layers_.size()); }
  const SanityResult& result() const { return result_; }
  const std::vector<SanityLayer>& layers() const { return layers_; }  // top first

private:
  onnx::Model model_;
  Tensor x_;
  int target_ = 0;
  SanityOptions o_;
  std::vector<SanityLayer> layers_;
  int next_ = 0;
  SanityResult result_;
};

Result<SanityResult> sanity_cascading(const onnx::Model& model, const Tensor& x, int target, const SanityOptions& o);

// Data randomisation test: the maps of the same method on two models (e.g.
// cardiac_lge and cardiac_lge_random_labels) for the same input and target.
Result<MapSimilarity> sanity_compare_models(Backend& a, Backend& b, const Tensor& x, int target, const std::string& method,
                                            const ParamList& params, Tensor* map_a = nullptr, Tensor* map_b = nullptr);

}  // namespace xm
