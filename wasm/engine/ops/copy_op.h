// Ops whose output is their first input's data under another shape or name
// (Reshape, Flatten, Squeeze, Unsqueeze, Identity, Dropout): forward copies,
// backward adds dy to dx. Each op's file supplies only its shape rule (and its
// init); UnaryOp's same-shape rule is Identity's and Dropout's.
#pragma once
#include <cstring>

#include "engine/ops/op_util.h"

namespace xm {

class CopyOp : public UnaryOp {
public:
  bool backward_reads_input(int k) const override { return false; }
  bool backward_reads_output() const override { return false; }
  bool differentiable(int k) const override { return k == 0; }
  void forward(const OpRun& r) override {
    if (r.out[0] != r.in[0]) std::memcpy(r.out[0], r.in[0], size_t(shape_numel(r.in_shape[0])) * 4);
  }
  bool backward_assigns(int k) const override { return k == 0; }
  void backward(const OpRun& r) override {
    float* gx = r.gin[0];
    const float* gy = r.gout[0];
    if (r.gin_fresh && r.gin_fresh[0]) {
      std::memcpy(gx, gy, size_t(shape_numel(r.in_shape[0])) * sizeof(float));
      return;
    }
    parallel_elements(shape_numel(r.in_shape[0]), [&](int64_t b, int64_t e) {
      for (int64_t i = b; i < e; ++i) gx[i] += gy[i];
    });
  }
};

}  // namespace xm
