// Winograd F(4x4,3x3) against a double-precision direct convolution: the
// forward (bias, fused ReLU, odd sizes, channel counts that are not a
// multiple of the micro-tile) and the adjoint (flipped, transposed kernels,
// accumulating into dx) against the explicit sum dx[c,h,w] = sum over m, i, j
// of dy[m, h-i+1, w-j+1] * w[m,c,i,j].
#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include "kernels/winograd.h"
#include "test_random.h"

using namespace xm;

namespace {

// y[m,h,w] = sum over c, i, j of x[c, h+i-1, w+j-1] * w[m,c,i,j] (zero outside).
double wino_ref_forward(const std::vector<float>& x, const std::vector<float>& w, int C, int H, int W, int m, int h,
                        int ww) {
  double acc = 0;
  for (int c = 0; c < C; ++c)
    for (int i = 0; i < 3; ++i)
      for (int j = 0; j < 3; ++j) {
        const int ih = h + i - 1, iw = ww + j - 1;
        if (ih < 0 || ih >= H || iw < 0 || iw >= W) continue;
        acc += double(x[((size_t)c * H + ih) * W + iw]) * w[(((size_t)m * C + c) * 3 + i) * 3 + j];
      }
  return acc;
}

}  // namespace

TEST_SUITE("kernels_winograd") {
  TEST_CASE("conv3x3_winograd equals a direct convolution (pad 1, stride 1)") {
    struct P { int C, M, H, W; bool bias, relu; };
    const P ps[] = {{8, 8, 4, 4, false, false}, {16, 32, 64, 64, true, true}, {9, 13, 7, 11, true, false},
                    {32, 64, 32, 32, true, true}, {8, 10, 33, 5, false, true}, {12, 8, 18, 40, true, false}};
    uint32_t seed = 700;
    for (const P& p : ps) {
      const size_t plane = (size_t)p.H * p.W;
      auto x = test::uniform_vector((size_t)p.C * plane, seed++), w = test::uniform_vector((size_t)p.M * p.C * 9, seed++);
      auto bias = test::uniform_vector((size_t)p.M, seed++);
      std::vector<float> u(winograd_weight_floats(p.C, p.M));
      winograd_weights(w.data(), p.M, p.C, false, u.data());
      std::vector<float> ws(winograd_workspace_floats(p.C, p.M, p.H, p.W), NAN);
      std::vector<float> y((size_t)p.M * plane + 1, NAN);
      y.back() = 42.0f;  // a guard: nothing may be written past the output
      conv3x3_winograd(x.data(), p.C, p.H, p.W, u.data(), p.M, p.bias ? bias.data() : nullptr, p.relu, false, y.data(),
                       ws.data());
      double err = 0;
      for (int m = 0; m < p.M; ++m)
        for (int h = 0; h < p.H; ++h)
          for (int ww = 0; ww < p.W; ++ww) {
            double r = wino_ref_forward(x, w, p.C, p.H, p.W, m, h, ww) + (p.bias ? bias[m] : 0.0f);
            if (p.relu) r = std::max(r, 0.0);
            const double v = y[(size_t)m * plane + (size_t)h * p.W + ww];
            err = std::isfinite(v) ? std::max(err, std::fabs(v - r)) : 1e30;
          }
      INFO("C=" << p.C << " M=" << p.M << " H=" << p.H << " W=" << p.W << " bias=" << p.bias << " relu=" << p.relu
                << " max abs err=" << err);
      CHECK(err < 2e-5 * std::sqrt(9.0 * p.C));
      CHECK(y.back() == 42.0f);
    }
  }

  TEST_CASE("conv3x3_winograd with flipped, transposed kernels is the adjoint and accumulates") {
    struct P { int C, M, H, W; };  // forward conv C -> M; its backward maps dy [M] to dx [C]
    const P ps[] = {{8, 16, 8, 8}, {16, 32, 17, 10}, {13, 9, 6, 31}};
    uint32_t seed = 900;
    for (const P& p : ps) {
      const size_t plane = (size_t)p.H * p.W;
      auto dy = test::uniform_vector((size_t)p.M * plane, seed++), w = test::uniform_vector((size_t)p.M * p.C * 9, seed++);
      auto dx = test::uniform_vector((size_t)p.C * plane, seed++);
      const auto dx0 = dx;
      std::vector<float> u(winograd_weight_floats(p.M, p.C));
      winograd_weights(w.data(), p.M, p.C, true, u.data());
      std::vector<float> ws(winograd_workspace_floats(p.M, p.C, p.H, p.W));
      conv3x3_winograd(dy.data(), p.M, p.H, p.W, u.data(), p.C, nullptr, false, true, dx.data(), ws.data());
      double err = 0;
      for (int c = 0; c < p.C; ++c)
        for (int h = 0; h < p.H; ++h)
          for (int ww = 0; ww < p.W; ++ww) {
            double acc = dx0[(size_t)c * plane + (size_t)h * p.W + ww];
            for (int m = 0; m < p.M; ++m)
              for (int i = 0; i < 3; ++i)
                for (int j = 0; j < 3; ++j) {
                  const int oh = h - i + 1, ow = ww - j + 1;
                  if (oh < 0 || oh >= p.H || ow < 0 || ow >= p.W) continue;
                  acc += double(dy[(size_t)m * plane + (size_t)oh * p.W + ow]) * w[(((size_t)m * p.C + c) * 3 + i) * 3 + j];
                }
            const double v = dx[(size_t)c * plane + (size_t)h * p.W + ww];
            err = std::isfinite(v) ? std::max(err, std::fabs(v - acc)) : 1e30;
          }
      INFO("C=" << p.C << " M=" << p.M << " H=" << p.H << " W=" << p.W << " max abs err=" << err);
      CHECK(err < 2e-5 * std::sqrt(9.0 * p.M));
    }
  }

  TEST_CASE("winograd is chosen only where it pays") {
    CHECK(conv3x3_winograd_supported(16, 32, 64, 64));
    CHECK_FALSE(conv3x3_winograd_supported(1, 16, 128, 128));  // a grey image's first layer
    CHECK_FALSE(conv3x3_winograd_supported(16, 1, 128, 128));  // that layer's backward
    CHECK_FALSE(conv3x3_winograd_supported(32, 32, 2, 2));
  }
}
