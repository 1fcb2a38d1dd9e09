// Backend: answers an explainer's queries on batches (DESIGN.md, "Data flow").
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
#pragma once
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
};

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
  virtual void set_relu_rule(ReluRule rule) {}
  // Threads this backend may use (1 = none).
  virtual void set_threads(int n) {}
};

}  // namespace xm
