// Layer-wise relevance propagation (LRP) on the engine's graph: a forward pass
// that keeps every activation, then a backward sweep in which each layer hands
// its output's relevance to its inputs by a rule instead of by the chain rule.
// Semantics follow Captum's LRP (captum/attr/_core/lrp.py, _utils/lrp_rules.py),
// with the rule chosen for every layer of the ONNX graph (each op's OpDef::lrp
// and OpParams in engine/op_table.cpp):
//
//   Rule layers (Conv, ConvTranspose, Gemm, MatMul, BatchNormalization, MaxPool,
//   GlobalMaxPool, AveragePool, GlobalAveragePool, ReduceMean, Add), input a,
//   output z = f(a), output relevance R:
//     epsilon:     R_a = a * J_f^T (R / (z + eps*sign(z)))   (sign(0) = 1)
//   and for the weighted layers (Conv, ConvTranspose, Gemm, MatMul) under alpha-beta:
//     alpha-beta:  R_a = alpha * a * J_f+^T (R / (z+ + eps*sign(z+)))
//                      - beta  * a * J_f-^T (R / (z- + eps*sign(z-)))
//       where f+ is f with its weights clamped at 0 from below and the bias kept
//       (Captum's Alpha1_Beta0_Rule: z+ = W+ a + b) and f- has the weights
//       clamped from above and no bias (z- = W- a). BatchNormalization, pooling
//       and Add keep the epsilon rule (Captum's default rule for them; a sign
//       split on BatchNorm's one-input units would hand on alpha * R). J^T is the
//       op's own backward, so MaxPool sends relevance to the window's winner and
//       Add splits it in proportion to each input's share of the sum.
//   Pass-through layers: Relu, Tanh, Dropout, Identity hand R on unchanged
//   (Captum's backward_hook_activation); Reshape, Flatten, Squeeze, Unsqueeze,
//   Transpose, Concat and Pad move it with their gradient (a re-indexing).
//   Anything else (Softmax, Sigmoid, Mul, ...) is refused with the op named.
//
//   LrpRule rule;                                        // backend/backend.h
//   rule.kind = LrpRule::EPSILON;  rule.epsilon = 1e-9;
//   Tensor logits, rel;
//   XM_TRY(engine_lrp(engine, x, seed, rule, &logits, &rel));
//   // x: [B,C,H,W]; seed: [B,K] (one-hot at the target); output relevance = logits * seed
//   // rel: [B,C,H,W]; with eps -> 0, zero biases and ReLUs, sum(rel) = logits[target].
#pragma once
#include <memory>
#include <vector>

#include "backend/backend.h"
#include "core/status.h"
#include "tensor/tensor.h"

namespace xm {

class Engine;

// Checks a rule's numbers: epsilon in (0, 1e6], alpha and beta finite, beta >= 0,
// alpha - beta = 1 for ALPHA_BETA (so relevance is conserved).
Status lrp_check_rule(const LrpRule& rule);

// Buffers kept between calls (activations, relevances, workspace), so repeated
// calls neither allocate nor fault pages in; one per caller, not shared by threads.
struct LrpScratch {
  std::vector<std::vector<float>> act, rel, tmp_g;
  std::vector<float> tmp_z, tmp_s;
  std::unique_ptr<float[]> ws;
  size_t ws_size = 0;
};

// The relevance of input 0 for a model with one graph input; the relevance
// starts at the first output as output * seed. logits: the first output as [B,K].
Status engine_lrp(Engine& engine, const Tensor& x, const Tensor& seed, const LrpRule& rule, Tensor* logits,
                  Tensor* relevance, LrpScratch* scratch = nullptr);

}  // namespace xm
