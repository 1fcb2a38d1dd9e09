// Incremental inference for images that differ from a base image only inside
// a rectangle (occlusion's windows): the base's activations are computed once
// and kept; for each patched image every layer recomputes only the rectangle
// its changed input can reach (the receptive field through Conv, pooling and
// element-wise ops) and reads the base everywhere else. Global ops
// (GlobalAveragePool is updated by difference) and anything else run on the
// whole patched tensor. Nakandala et al., "Incremental and Approximate
// Inference for Faster Occlusion-based Deep CNN Explanations", SIGMOD 2019.
//
//   IncrementalRunner inc;
//   XM_TRY(inc.prepare(engine, x));            // x: [1,C,H,W]; one full forward, activations kept
//   // or, a slice at a time: bool done; XM_TRY(inc.prepare(engine, x, 4.0, &done)); until done
//   std::vector<InputPatch> p = ...;           // backend/backend.h: a rectangle and its new values
//   Tensor logits;
//   XM_TRY(inc.run(p, &logits));               // [P,K]: engine.run on each patched image, up to rounding
//
// Results equal the plain forward up to float rounding (a conv over a crop
// sums the same products; only GlobalAveragePool's difference update rounds
// differently).
#pragma once
#include <memory>
#include <vector>

#include "backend/backend.h"
#include "core/status.h"
#include "tensor/tensor.h"

namespace xm {

class Engine;

class IncrementalRunner {
public:
  IncrementalRunner();
  ~IncrementalRunner();
  // Plans the graph for base's shape and runs the base once. An error means
  // the model cannot be run here at all (the caller falls back to full passes).
  // With budget_ms > 0 the work stops between nodes once that much time has
  // passed (the plan counts: when it used the budget up, the first call runs no
  // node; later calls run at least one) and *done says whether it finished;
  // calling again with the same engine and base goes on from there (another
  // base starts over). The page uses this to spread the pass over frames.
  Status prepare(Engine& engine, const Tensor& base, double budget_ms = 0, bool* done = nullptr);
  // Was prepare() last called with this engine and exactly this base?
  bool prepared_for(const Engine& engine, const Tensor& base) const;
  // First output for each patched image: [P, ...] (the output's shape with batch P).
  Status run(const std::vector<InputPatch>& patches, Tensor* out);
  // Multiply-adds-free estimate of the work saved: the share of output elements
  // of windowed ops recomputed in the last run() (1 = everything).
  double last_recomputed_fraction() const;
  // Is the incremental path expected to beat full passes on this graph? False
  // when an op that needs its whole input (e.g. Resize, Pad) reads a large
  // spatial tensor, so every patch would materialise big tensors anyway.
  bool worthwhile() const;

  struct Impl;

private:
  Status plan(Engine& engine, const Tensor& base);
  std::unique_ptr<Impl> impl_;
};

}  // namespace xm
