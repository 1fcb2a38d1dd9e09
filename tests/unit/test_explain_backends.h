// Small Backends with known answers for the explainer tests, independent of the engine:
//   LinearBackend   logits_k = b_k + Σ W[k,i] x_i (gradients exact; its one "layer" is the input)
//   AdditiveBackend logits_k = Σ_i g_k(x_i), a nonlinear but additive model (logits only)
//   TinyCnnBackend  conv3x3-ReLU-conv3x3-ReLU-avgpool2-linear with hand-written backward,
//                   the model of tools/golden_explain/make_golden.py
#pragma once
#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "backend/backend.h"
#include "explain/rng.h"

namespace xm_test {

using namespace xm;

// Largest absolute difference between got and ref, and ref's largest magnitude:
// the tests' "to 1e-4 of the reference's scale" is err <= 1e-4 * scale.
struct MaxError {
  double err = 0, scale = 0;
};
inline MaxError max_error(const std::vector<float>& got, const std::vector<float>& ref) {
  MaxError m;
  for (size_t i = 0; i < ref.size() && i < got.size(); ++i) {
    m.scale = std::max(m.scale, std::fabs(double(ref[i])));
    m.err = std::max(m.err, std::fabs(double(got[i]) - ref[i]));
  }
  return m;
}

class LinearBackend : public Backend {
public:
  LinearBackend(int64_t C, int64_t H, int64_t W, int K, uint64_t seed) : W_(size_t(K) * size_t(C * H * W)), b_(size_t(K)) {
    info_.name = "linear";
    info_.input_shape = {1, C, H, W};
    info_.num_outputs = K;
    info_.can_differentiate = true;
    info_.max_batch = 7;  // odd, so batches do not divide step counts evenly
    info_.layers_4d = {"input"};
    Rng rng(seed);
    for (auto& w : W_) w = float(rng.uniform() * 2 - 1);
    for (auto& b : b_) b = float(rng.uniform());
  }
  const BackendInfo& info() const override { return info_; }
  int64_t per() const { return shape_numel(info_.input_shape); }
  Status logits(const Tensor& x, Tensor* out) override {
    const int64_t B = x.dim(0), K = info_.num_outputs, n = per();
    *out = Tensor({B, K});
    for (int64_t b = 0; b < B; ++b)
      for (int64_t k = 0; k < K; ++k) {
        double s = b_[size_t(k)];
        for (int64_t i = 0; i < n; ++i) s += double(W_[size_t(k * n + i)]) * x.data[size_t(b * n + i)];
        out->data[size_t(b * K + k)] = float(s);
      }
    return Status::ok();
  }
  Status input_gradient(const Tensor& x, const Tensor& seed, Tensor* out, Tensor* grad) override {
    XM_TRY(logits(x, out));
    const int64_t B = x.dim(0), K = info_.num_outputs, n = per();
    *grad = Tensor(x.shape);
    for (int64_t b = 0; b < B; ++b)
      for (int64_t k = 0; k < K; ++k)
        for (int64_t i = 0; i < n; ++i) grad->data[size_t(b * n + i)] += seed.data[size_t(b * K + k)] * W_[size_t(k * n + i)];
    return Status::ok();
  }
  Status layer(const std::string& name, const Tensor& x, const Tensor& seed, LayerAnswer* out) override {
    if (name != "input") return Status::error("no layer " + name);
    out->activation = x;
    return input_gradient(x, seed, &out->logits, &out->gradient);
  }
  float w(int k, int64_t i) const { return W_[size_t(k * per() + i)]; }
  std::vector<float> W_, b_;
  BackendInfo info_;
};

// g_k(v) = (k+1) * sin(3v) + v² (each output a different additive function).
class AdditiveBackend : public Backend {
public:
  AdditiveBackend(int64_t C, int64_t H, int64_t W, int K) {
    info_.name = "additive";
    info_.input_shape = {1, C, H, W};
    info_.num_outputs = K;
    info_.max_batch = 16;
  }
  static double g(int k, double v) { return (k + 1) * std::sin(3 * v) + v * v; }
  const BackendInfo& info() const override { return info_; }
  Status logits(const Tensor& x, Tensor* out) override {
    const int64_t B = x.dim(0), K = info_.num_outputs, n = shape_numel(info_.input_shape);
    *out = Tensor({B, K});
    for (int64_t b = 0; b < B; ++b)
      for (int k = 0; k < K; ++k) {
        double s = 0;
        for (int64_t i = 0; i < n; ++i) s += g(k, x.data[size_t(b * n + i)]);
        out->data[size_t(b * K + k)] = float(s);
      }
    return Status::ok();
  }
  BackendInfo info_;
};

class TinyCnnBackend : public Backend {
public:
  // w1: [4,C,3,3], b1: [4], w2: [4,4,3,3], b2: [4], fc: [K, 4*(H/2)*(W/2)], fb: [K]
  TinyCnnBackend(int64_t C, int64_t H, int64_t W, Tensor w1, Tensor b1, Tensor w2, Tensor b2, Tensor fc, Tensor fb)
      : C_(C), H_(H), W_(W), w1_(std::move(w1)), b1_(std::move(b1)), w2_(std::move(w2)), b2_(std::move(b2)),
        fc_(std::move(fc)), fb_(std::move(fb)) {
    info_.name = "tiny_cnn";
    info_.input_shape = {1, C, H, W};
    info_.num_outputs = int(fb_.numel());
    info_.can_differentiate = true;
    info_.max_batch = 5;
    info_.layers_4d = {"relu1", "relu2", "pool"};
  }
  // Random weights from a seed (for axiom tests that need no PyTorch reference).
  static TinyCnnBackend random(int64_t C, int64_t H, int64_t W, int K, uint64_t seed) {
    Rng rng(seed);
    auto fill = [&](Shape s, double scale) {
      Tensor t(std::move(s));
      for (auto& v : t.data) v = float(scale * (2 * rng.uniform() - 1));
      return t;
    };
    // Named steps: the order in which function arguments are evaluated differs between g++ and clang.
    Tensor w1 = fill({4, C, 3, 3}, 0.6), b1 = fill({4}, 0.1), w2 = fill({4, 4, 3, 3}, 0.5), b2 = fill({4}, 0.1);
    Tensor fc = fill({int64_t(K), 4 * (H / 2) * (W / 2)}, 1.0), fb = fill({int64_t(K)}, 0.1);
    return TinyCnnBackend(C, H, W, std::move(w1), std::move(b1), std::move(w2), std::move(b2), std::move(fc), std::move(fb));
  }
  const BackendInfo& info() const override { return info_; }
  void set_relu_rule(ReluRule r) override { rule_ = r; }
  ReluRule rule() const { return rule_; }

  Status logits(const Tensor& x, Tensor* out) override {
    Tensor tmp;
    return run(x, nullptr, "", out, nullptr, nullptr);
  }
  Status input_gradient(const Tensor& x, const Tensor& seed, Tensor* out, Tensor* grad) override {
    return run(x, &seed, "", out, nullptr, grad);
  }
  Status layer(const std::string& name, const Tensor& x, const Tensor& seed, LayerAnswer* out) override {
    if (name != "relu1" && name != "relu2" && name != "pool") return Status::error("no layer " + name);
    out->activation = Tensor();
    return run(x, &seed, name, &out->logits, out, nullptr);
  }

private:
  // x: [B,Ci,H,W]; w: [Co,Ci,3,3]; pad 1
  static void conv(const float* x, int64_t Ci, int64_t Co, int64_t H, int64_t W, const Tensor& w, const Tensor& b, float* y) {
    for (int64_t o = 0; o < Co; ++o)
      for (int64_t yy = 0; yy < H; ++yy)
        for (int64_t xx = 0; xx < W; ++xx) {
          double s = b.data[size_t(o)];
          for (int64_t c = 0; c < Ci; ++c)
            for (int64_t ky = 0; ky < 3; ++ky)
              for (int64_t kx = 0; kx < 3; ++kx) {
                const int64_t iy = yy + ky - 1, ix = xx + kx - 1;
                if (iy < 0 || iy >= H || ix < 0 || ix >= W) continue;
                s += double(w.data[size_t(((o * Ci + c) * 3 + ky) * 3 + kx)]) * x[(c * H + iy) * W + ix];
              }
          y[(o * H + yy) * W + xx] = float(s);
        }
  }
  static void conv_back(const float* gy, int64_t Ci, int64_t Co, int64_t H, int64_t W, const Tensor& w, float* gx) {
    std::fill(gx, gx + Ci * H * W, 0.0f);
    for (int64_t o = 0; o < Co; ++o)
      for (int64_t yy = 0; yy < H; ++yy)
        for (int64_t xx = 0; xx < W; ++xx) {
          const float g = gy[(o * H + yy) * W + xx];
          for (int64_t c = 0; c < Ci; ++c)
            for (int64_t ky = 0; ky < 3; ++ky)
              for (int64_t kx = 0; kx < 3; ++kx) {
                const int64_t iy = yy + ky - 1, ix = xx + kx - 1;
                if (iy < 0 || iy >= H || ix < 0 || ix >= W) continue;
                gx[(c * H + iy) * W + ix] += w.data[size_t(((o * Ci + c) * 3 + ky) * 3 + kx)] * g;
              }
        }
  }
  void relu_back(const float* pre, float* g, int64_t n) const {
    for (int64_t i = 0; i < n; ++i) {
      g[i] = pre[i] > 0 ? g[i] : 0.0f;
      if (rule_ == ReluRule::GUIDED) g[i] = std::max(0.0f, g[i]);
    }
  }
  Status run(const Tensor& x, const Tensor* seed, const std::string& layer, Tensor* out, LayerAnswer* la, Tensor* grad) {
    const int64_t B = x.dim(0), K = info_.num_outputs, hw = H_ * W_, h2 = H_ / 2, w2 = W_ / 2, P = 4 * h2 * w2;
    *out = Tensor({B, K});
    if (grad) *grad = Tensor(x.shape);
    if (la) {
      const int64_t lh = layer == "pool" ? h2 : H_, lw = layer == "pool" ? w2 : W_;
      la->activation = Tensor({B, 4, lh, lw});
      la->gradient = Tensor({B, 4, lh, lw});
    }
    std::vector<float> z1(size_t(4 * hw)), a1(size_t(4 * hw)), z2(size_t(4 * hw)), a2(size_t(4 * hw)), p(static_cast<size_t>(P));
    std::vector<float> gp(static_cast<size_t>(P)), ga2(size_t(4 * hw)), ga1(size_t(4 * hw));
    for (int64_t b = 0; b < B; ++b) {
      const float* xb = x.ptr() + b * C_ * hw;
      conv(xb, C_, 4, H_, W_, w1_, b1_, z1.data());
      for (size_t i = 0; i < a1.size(); ++i) a1[i] = std::max(0.0f, z1[i]);
      conv(a1.data(), 4, 4, H_, W_, w2_, b2_, z2.data());
      for (size_t i = 0; i < a2.size(); ++i) a2[i] = std::max(0.0f, z2[i]);
      for (int64_t c = 0; c < 4; ++c)
        for (int64_t y = 0; y < h2; ++y)
          for (int64_t xx = 0; xx < w2; ++xx) {
            const float* r = &a2[size_t((c * H_ + 2 * y) * W_ + 2 * xx)];
            p[size_t((c * h2 + y) * w2 + xx)] = (r[0] + r[1] + r[W_] + r[W_ + 1]) * 0.25f;
          }
      for (int64_t k = 0; k < K; ++k) {
        double s = fb_.data[size_t(k)];
        for (int64_t i = 0; i < P; ++i) s += double(fc_.data[size_t(k * P + i)]) * p[size_t(i)];
        out->data[size_t(b * K + k)] = float(s);
      }
      if (!seed) continue;
      for (int64_t i = 0; i < P; ++i) {
        double s = 0;
        for (int64_t k = 0; k < K; ++k) s += double(seed->data[size_t(b * K + k)]) * fc_.data[size_t(k * P + i)];
        gp[size_t(i)] = float(s);
      }
      if (layer == "pool") {
        std::copy(p.begin(), p.end(), la->activation.ptr() + b * P);
        std::copy(gp.begin(), gp.end(), la->gradient.ptr() + b * P);
        continue;
      }
      for (int64_t c = 0; c < 4; ++c)
        for (int64_t y = 0; y < H_; ++y)
          for (int64_t xx = 0; xx < W_; ++xx)
            ga2[size_t((c * H_ + y) * W_ + xx)] = 0.25f * gp[size_t((c * h2 + y / 2) * w2 + xx / 2)];
      if (layer == "relu2") {
        std::copy(a2.begin(), a2.end(), la->activation.ptr() + b * 4 * hw);
        std::copy(ga2.begin(), ga2.end(), la->gradient.ptr() + b * 4 * hw);
        continue;
      }
      relu_back(z2.data(), ga2.data(), 4 * hw);
      conv_back(ga2.data(), 4, 4, H_, W_, w2_, ga1.data());
      if (layer == "relu1") {
        std::copy(a1.begin(), a1.end(), la->activation.ptr() + b * 4 * hw);
        std::copy(ga1.begin(), ga1.end(), la->gradient.ptr() + b * 4 * hw);
        continue;
      }
      relu_back(z1.data(), ga1.data(), 4 * hw);
      conv_back(ga1.data(), C_, 4, H_, W_, w1_, grad->ptr() + b * C_ * hw);
    }
    return Status::ok();
  }

  int64_t C_, H_, W_;
  Tensor w1_, b1_, w2_, b2_, fc_, fb_;
  BackendInfo info_;
  ReluRule rule_ = ReluRule::GRADIENT;
};

}  // namespace xm_test
