// conv2d_3x3_narrow against double-precision sums written out by hand: the
// forward y[o,h,w] = sum over i, a, b of x[i, h+a-1, w+b-1] * w[o,i,a,b] and the
// data gradient of a conv with weight w [M,C,3,3],
// dx[c,h,w] = sum over m, a, b of dy[m, h-a+1, w-b+1] * w[m,c,a,b] (zero outside),
// on odd sizes (borders on every side, widths that are not a multiple of the
// vector step, 1x1 images), every supported output count, assigning and
// accumulating, and for 1 and 2 threads (bit-identical).
#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include "kernels/conv_narrow.h"
#include "kernels/thread_pool.h"
#include "test_random.h"

using namespace xm;

namespace {

struct NarrowCase { int N, cin, H, W, cout; };

const NarrowCase kNarrowCases[] = {{1, 3, 7, 9, 1},  {2, 5, 7, 9, 2},  {1, 16, 11, 13, 1}, {1, 5, 1, 1, 3},
                                   {2, 3, 9, 4, 4},  {1, 1, 5, 17, 1}, {1, 7, 2, 33, 2},   {1, 16, 128, 128, 1}};

}  // namespace

TEST_SUITE("kernels_conv_narrow") {
  TEST_CASE("conv2d_3x3_narrow forward equals the hand-written sum (pad 1, stride 1)") {
    uint32_t seed = 1100;
    for (const NarrowCase& p : kNarrowCases) {
      const size_t plane = (size_t)p.H * p.W;
      auto x = test::uniform_vector((size_t)p.N * p.cin * plane, seed++), w = test::uniform_vector((size_t)p.cout * p.cin * 9, seed++);
      std::vector<float> y((size_t)p.N * p.cout * plane + 1, NAN);
      y.back() = 42.0f;  // a guard: nothing may be written past the output
      REQUIRE(conv2d_3x3_narrow_supported(p.cin, p.cout));
      conv2d_3x3_narrow(x.data(), p.N, p.cin, p.H, p.W, w.data(), p.cout, false, false, y.data());
      double err = 0;
      for (int n = 0; n < p.N; ++n)
        for (int o = 0; o < p.cout; ++o)
          for (int h = 0; h < p.H; ++h)
            for (int c = 0; c < p.W; ++c) {
              double acc = 0;
              for (int i = 0; i < p.cin; ++i)
                for (int a = 0; a < 3; ++a)
                  for (int b = 0; b < 3; ++b) {
                    const int ih = h + a - 1, iw = c + b - 1;
                    if (ih < 0 || ih >= p.H || iw < 0 || iw >= p.W) continue;
                    acc += double(x[(((size_t)n * p.cin + i) * p.H + ih) * p.W + iw]) *
                           w[(((size_t)o * p.cin + i) * 3 + a) * 3 + b];
                  }
              const double v = y[(((size_t)n * p.cout + o) * p.H + h) * p.W + c];
              err = std::isfinite(v) ? std::max(err, std::fabs(v - acc)) : 1e30;
            }
      INFO("N=" << p.N << " cin=" << p.cin << " H=" << p.H << " W=" << p.W << " cout=" << p.cout << " max abs err=" << err);
      CHECK(err < 2e-6 * std::sqrt(9.0 * p.cin));
      CHECK(y.back() == 42.0f);
    }
  }

  TEST_CASE("conv2d_3x3_narrow with flipped, transposed kernels is the data gradient; assigns or accumulates") {
    uint32_t seed = 1200;
    for (const NarrowCase& p : kNarrowCases)
      for (bool accumulate : {false, true}) {
        // The forward conv maps C = p.cout channels to M = p.cin; its gradient maps dy [M] to dx [C].
        const int M = p.cin, C = p.cout;
        const size_t plane = (size_t)p.H * p.W;
        auto dy = test::uniform_vector((size_t)p.N * M * plane, seed++), w = test::uniform_vector((size_t)M * C * 9, seed++);
        auto dx = test::uniform_vector((size_t)p.N * C * plane, seed++);
        if (!accumulate) std::fill(dx.begin(), dx.end(), NAN);  // assigning must not read dx
        const auto dx0 = dx;
        conv2d_3x3_narrow(dy.data(), p.N, M, p.H, p.W, w.data(), C, true, accumulate, dx.data());
        double err = 0;
        for (int n = 0; n < p.N; ++n)
          for (int c = 0; c < C; ++c)
            for (int h = 0; h < p.H; ++h)
              for (int col = 0; col < p.W; ++col) {
                const size_t at = (((size_t)n * C + c) * p.H + h) * p.W + col;
                double acc = accumulate ? dx0[at] : 0.0;
                for (int m = 0; m < M; ++m)
                  for (int a = 0; a < 3; ++a)
                    for (int b = 0; b < 3; ++b) {
                      const int oh = h - a + 1, ow = col - b + 1;
                      if (oh < 0 || oh >= p.H || ow < 0 || ow >= p.W) continue;
                      acc += double(dy[(((size_t)n * M + m) * p.H + oh) * p.W + ow]) * w[(((size_t)m * C + c) * 3 + a) * 3 + b];
                    }
                const double v = dx[at];
                err = std::isfinite(v) ? std::max(err, std::fabs(v - acc)) : 1e30;
              }
        INFO("N=" << p.N << " M=" << M << " H=" << p.H << " W=" << p.W << " C=" << C << " accumulate=" << accumulate
                  << " max abs err=" << err);
        CHECK(err < 2e-6 * std::sqrt(9.0 * M) + (accumulate ? 1e-6 : 0.0));
      }
  }

  TEST_CASE("conv2d_3x3_narrow is bit-identical for 1, 2 and 3 threads") {
    const int before = num_threads();
    const NarrowCase p{2, 6, 37, 21, 2};
    const size_t plane = (size_t)p.H * p.W;
    auto dy = test::uniform_vector((size_t)p.N * p.cin * plane, 1300), w = test::uniform_vector((size_t)p.cin * p.cout * 9, 1301);
    std::vector<std::vector<float>> outs;
    for (int threads : {1, 2, 3}) {
      set_num_threads(threads);
      std::vector<float> dx((size_t)p.N * p.cout * plane, NAN);
      conv2d_3x3_narrow(dy.data(), p.N, p.cin, p.H, p.W, w.data(), p.cout, true, false, dx.data());
      outs.push_back(dx);
    }
    set_num_threads(before);
    CHECK(outs[0] == outs[1]);
    CHECK(outs[0] == outs[2]);
  }

  TEST_CASE("conv2d_3x3_narrow_supported: few outputs only") {
    CHECK(conv2d_3x3_narrow_supported(16, 1));
    CHECK(conv2d_3x3_narrow_supported(3, 4));
    CHECK_FALSE(conv2d_3x3_narrow_supported(16, 5));
    CHECK_FALSE(conv2d_3x3_narrow_supported(0, 1));
    CHECK_FALSE(conv2d_3x3_narrow_supported(4, 0));
  }
}
