// The Conv op's fast paths for 3x3, pad 1, stride 1 convolutions, through the
// engine: the direct first-layer forward (1-2 input channels), Winograd
// F(4x4,3x3) forward and data gradient (8+ channels in and out), and the
// narrow direct data gradient (to at most 4 channels). Outputs and input
// gradients are checked against double-precision sums written out by hand,
//   y[n,m,h,w] = b[m] + sum over c, a, e of x[n,c,h+a-1,w+e-1] * w[m,c,a,e]
//   dx[n,c,h,w] = sum over m, a, e of s[n,m,h-a+1,w-e+1] * w[m,c,a,e]
// (s the seed of y), on odd sizes, for 1 and 2 threads; and a graph where
// the input feeds two Convs, so one backward assigns dx and the other adds.
#include <doctest/doctest.h>

#include <cmath>
#include <random>

#include "engine/engine.h"
#include "onnx/onnx_model.h"
#include "onnx_builder.h"
#include "test_random.h"

using namespace xm;
using namespace xm::test;

namespace {

struct ConvCase { int N, C, M, H, W; const char* path; };

// Reference forward of one conv (weights w [M,C,3,3], bias b) at every output.
std::vector<double> fast_ref_forward(const ConvCase& p, const std::vector<float>& x, const std::vector<float>& w,
                                     const std::vector<float>& b) {
  std::vector<double> y((size_t)p.N * p.M * p.H * p.W);
  for (int n = 0; n < p.N; ++n)
    for (int m = 0; m < p.M; ++m)
      for (int h = 0; h < p.H; ++h)
        for (int c0 = 0; c0 < p.W; ++c0) {
          double acc = b[m];
          for (int c = 0; c < p.C; ++c)
            for (int a = 0; a < 3; ++a)
              for (int e = 0; e < 3; ++e) {
                const int ih = h + a - 1, iw = c0 + e - 1;
                if (ih < 0 || ih >= p.H || iw < 0 || iw >= p.W) continue;
                acc += double(x[(((size_t)n * p.C + c) * p.H + ih) * p.W + iw]) * w[(((size_t)m * p.C + c) * 3 + a) * 3 + e];
              }
          y[(((size_t)n * p.M + m) * p.H + h) * p.W + c0] = acc;
        }
  return y;
}

// Reference data gradient of one conv for seed s [N,M,H,W].
std::vector<double> fast_ref_grad(const ConvCase& p, const std::vector<float>& s, const std::vector<float>& w) {
  std::vector<double> dx((size_t)p.N * p.C * p.H * p.W);
  for (int n = 0; n < p.N; ++n)
    for (int c = 0; c < p.C; ++c)
      for (int h = 0; h < p.H; ++h)
        for (int c0 = 0; c0 < p.W; ++c0) {
          double acc = 0;
          for (int m = 0; m < p.M; ++m)
            for (int a = 0; a < 3; ++a)
              for (int e = 0; e < 3; ++e) {
                const int oh = h - a + 1, ow = c0 - e + 1;
                if (oh < 0 || oh >= p.H || ow < 0 || ow >= p.W) continue;
                acc += double(s[(((size_t)n * p.M + m) * p.H + oh) * p.W + ow]) * w[(((size_t)m * p.C + c) * 3 + a) * 3 + e];
              }
          dx[(((size_t)n * p.C + c) * p.H + h) * p.W + c0] = acc;
        }
  return dx;
}

// max |got - ref| / max |ref|
double fast_rel_err(const std::vector<float>& got, const std::vector<double>& ref) {
  REQUIRE(got.size() == ref.size());
  double scale = 1e-30, err = 0;
  for (size_t i = 0; i < ref.size(); ++i) {
    scale = std::max(scale, std::fabs(ref[i]));
    err = std::isfinite(got[i]) ? std::max(err, std::fabs(double(got[i]) - ref[i])) : 1e30;
  }
  return err / scale;
}

std::vector<onnx::Attribute> fast_attrs() { return {ints("kernel_shape", {3, 3}), ints("pads", {1, 1, 1, 1})}; }

}  // namespace

TEST_SUITE("ops_conv_fast_paths") {
  TEST_CASE("3x3 pad-1 Conv: output and input gradient equal the hand-written sums on every fast path") {
    const ConvCase cases[] = {{1, 1, 16, 9, 7, "direct forward, narrow backward"},
                              {2, 3, 16, 7, 9, "im2col forward, narrow backward"},
                              {2, 16, 8, 10, 13, "winograd forward and backward"},
                              {1, 8, 12, 5, 6, "winograd, one tile row and a half"},
                              {1, 16, 1, 11, 9, "im2col forward (1 output), sgemm + col2im backward"},
                              {1, 2, 4, 33, 17, "direct forward, narrow backward (4 channels)"}};
    uint32_t seed = 1500;
    for (int threads : {1, 2})
      for (const ConvCase& p : cases) {
        auto w = test::uniform_vector((size_t)p.M * p.C * 9, seed++), b = test::uniform_vector((size_t)p.M, seed++);
        std::vector<In> ins = {{"x", {p.N, p.C, p.H, p.W}}, {"w", {p.M, p.C, 3, 3}, false, w}, {"b", {p.M}, false, b}};
        auto e = Engine::load(one_node("Conv", ins, fast_attrs()), "conv");
        REQUIRE_MESSAGE(e, e.error());
        (*e)->set_threads(threads);
        Tensor x({p.N, p.C, p.H, p.W});
        x.data = test::uniform_vector(x.numel(), seed++);
        Tensor s({p.N, p.M, p.H, p.W});
        s.data = test::uniform_vector(s.numel(), seed++);
        RunRequest req;
        req.inputs = {&x};
        req.seeds = {&s};
        RunResult res;
        Status st = (*e)->run(req, &res);
        REQUIRE_MESSAGE(st, st.error());
        const double ey = fast_rel_err(res.outputs[0].data, fast_ref_forward(p, x.data, w, b));
        const double eg = fast_rel_err(res.input_grads[0].data, fast_ref_grad(p, s.data, w));
        INFO(std::string(p.path) << ": N=" << p.N << " C=" << p.C << " M=" << p.M << " H=" << p.H << " W=" << p.W
                    << " threads=" << (*e)->threads() << " output rel err=" << ey << " gradient rel err=" << eg);
        CHECK(ey < 2e-5);
        CHECK(eg < 2e-5);
      }
  }

  TEST_CASE("3x3 pad-1 Conv whose weights are a graph input: Winograd weights made per pass") {
    const ConvCase p{2, 9, 10, 6, 7, "winograd, runtime weights"};
    std::vector<In> ins = {{"x", {p.N, p.C, p.H, p.W}}, {"w", {p.M, p.C, 3, 3}}, {"b", {p.M}}};
    auto e = Engine::load(one_node("Conv", ins, fast_attrs()), "conv_runtime_w");
    REQUIRE_MESSAGE(e, e.error());
    Tensor x({p.N, p.C, p.H, p.W}), w({p.M, p.C, 3, 3}), b({p.M});
    x.data = test::uniform_vector(x.numel(), 1700);
    w.data = test::uniform_vector(w.numel(), 1701);
    b.data = test::uniform_vector(b.numel(), 1702);
    RunRequest req;
    req.inputs = {&x, &w, &b};
    RunResult res;
    for (int pass = 0; pass < 2; ++pass) {  // the second pass with other weights: nothing cached from the first
      Status st = (*e)->run(req, &res);
      REQUIRE_MESSAGE(st, st.error());
      const double ey = fast_rel_err(res.outputs[0].data, fast_ref_forward(p, x.data, w.data, b.data));
      INFO("pass " << pass << " output rel err=" << ey);
      CHECK(ey < 2e-5);
      w.data = test::uniform_vector(w.numel(), 1703);
    }
  }

  TEST_CASE("an input feeding two 3x3 Convs gets the sum of both gradients (assign, then accumulate)") {
    // x [1,3,8,11] -> Conv A (3 -> 16) -> ya;  x -> Conv B (3 -> 12) -> yb.
    const ConvCase pa{1, 3, 16, 8, 11, "A"}, pb{1, 3, 12, 8, 11, "B"};
    auto wa = test::uniform_vector(16 * 3 * 9, 1600), wb = test::uniform_vector(12 * 3 * 9, 1601);
    onnx::Model m = empty_model();
    add_input(m, "x");
    add_initializer(m, "wa", {16, 3, 3, 3}, wa);
    add_initializer(m, "wb", {12, 3, 3, 3}, wb);
    add_node(m, "Conv", {"x", "wa"}, "ya", fast_attrs());
    add_node(m, "Conv", {"x", "wb"}, "yb", fast_attrs());
    add_output(m, "ya");
    add_output(m, "yb");
    auto e = Engine::load(m, "two_convs");
    REQUIRE_MESSAGE(e, e.error());
    Tensor x({1, 3, 8, 11});
    x.data = test::uniform_vector(x.numel(), 1602);
    Tensor sa({1, 16, 8, 11}), sb({1, 12, 8, 11});
    sa.data = test::uniform_vector(sa.numel(), 1603);
    sb.data = test::uniform_vector(sb.numel(), 1604);
    RunRequest req;
    req.inputs = {&x};
    req.seeds = {&sa, &sb};
    RunResult res;
    Status st = (*e)->run(req, &res);
    REQUIRE_MESSAGE(st, st.error());
    auto ga = fast_ref_grad(pa, sa.data, wa), gb = fast_ref_grad(pb, sb.data, wb);
    for (size_t i = 0; i < ga.size(); ++i) ga[i] += gb[i];
    const double eg = fast_rel_err(res.input_grads[0].data, ga);
    INFO("gradient rel err=" << eg);
    CHECK(eg < 2e-5);
    // Either conv alone would be far off: the test sees both contributions.
    CHECK(fast_rel_err(res.input_grads[0].data, fast_ref_grad(pa, sa.data, wa)) > 0.1);
  }
}
