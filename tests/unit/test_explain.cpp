// Explainers against axioms and exact cases, on test backends with known answers.
#include <doctest/doctest.h>

#include <cmath>

#include "explain/explain_ops.h"
#include "explain/explainer.h"
#include "explain/rng.h"
#include "test_explain_backends.h"

using namespace xm;
using namespace xm_test;

namespace {

Tensor random_image(int64_t C, int64_t H, int64_t W, uint64_t seed) {
  Tensor x({1, C, H, W});
  Rng rng(seed);
  for (auto& v : x.data) v = float(rng.uniform());
  return x;
}

ExplainResult run_ok(Backend& b, const std::string& method, const ParamList& p, const Tensor& x, int target) {
  auto r = explain_run_to_end(b, method, p, x, target);
  INFO(method, ": ", (r ? std::string("ok") : r.error()));
  REQUIRE(r);
  return r.take();
}

std::string run_error(Backend& b, const std::string& method, const ParamList& p, const Tensor& x, int target) {
  auto r = explain_run_to_end(b, method, p, x, target);
  return r ? std::string("(no error)") : r.error();
}

double max_abs_diff(const std::vector<float>& a, const std::vector<float>& b) {
  REQUIRE(a.size() == b.size());
  double m = 0;
  for (size_t i = 0; i < a.size(); ++i) m = std::max(m, std::fabs(double(a[i]) - b[i]));
  return m;
}

}  // namespace

TEST_SUITE("explain_gradient") {
  TEST_CASE("on a linear model every gradient method's attribution is known exactly") {
    const int64_t C = 2, H = 5, W = 6;
    LinearBackend lin(C, H, W, 3, 7);
    const Tensor x = random_image(C, H, W, 1);
    const int t = 2;
    const int64_t n = C * H * W;
    auto sal = run_ok(lin, "saliency", {}, x, t);
    auto sal_signed = run_ok(lin, "saliency", {{"abs", "false"}}, x, t);
    auto ixg = run_ok(lin, "input_x_gradient", {}, x, t);
    auto gbp = run_ok(lin, "guided_backprop", {}, x, t);
    auto sg = run_ok(lin, "smoothgrad", {{"samples", "9"}, {"stdev", "0.3"}}, x, t);
    auto vg = run_ok(lin, "vargrad", {{"samples", "9"}}, x, t);
    REQUIRE(sal.attribution.shape == x.shape);
    for (int64_t i = 0; i < n; ++i) {
      const float w = lin.w(t, i);
      CHECK(sal.attribution.data[size_t(i)] == std::fabs(w));
      CHECK(sal_signed.attribution.data[size_t(i)] == w);
      CHECK(ixg.attribution.data[size_t(i)] == doctest::Approx(w * x.data[size_t(i)]).epsilon(1e-6));
      CHECK(gbp.attribution.data[size_t(i)] == w);  // no ReLU: guided = plain gradient
      CHECK(sg.attribution.data[size_t(i)] == doctest::Approx(std::fabs(w)).epsilon(1e-6));
      CHECK(std::fabs(vg.attribution.data[size_t(i)]) < 1e-6);
    }
    CHECK(sal.stats.forward_passes == 1);
    CHECK(sal.stats.backward_passes == 1);
    CHECK(sg.stats.backward_passes == 9);

    // IG = (x - baseline) * w * Σ step sizes, which is 1 except Captum's trapezoid (1 - 1/n).
    for (const char* rule : {"riemann_left", "riemann_right", "riemann_middle", "riemann_trapezoid", "gausslegendre"}) {
      for (const char* base : {"zero", "0.25"}) {
        CAPTURE(rule);
        CAPTURE(base);
        auto ig = run_ok(lin, "integrated_gradients", {{"steps", "10"}, {"rule", rule}, {"baseline", base}}, x, t);
        const double mass = std::string(rule) == "riemann_trapezoid" ? 0.9 : 1.0;
        const double b0 = std::string(base) == "zero" ? 0.0 : 0.25;
        for (int64_t i = 0; i < n; ++i)
          CHECK(ig.attribution.data[size_t(i)] ==
                doctest::Approx(mass * (x.data[size_t(i)] - b0) * lin.w(t, i)).epsilon(1e-5).scale(1e-6));
        if (mass == 1.0) CHECK(std::fabs(ig.stats.values["completeness_gap"]) < 1e-4);
        CHECK(ig.stats.backward_passes == 10);
        CHECK(ig.stats.forward_passes == 12);
      }
    }

    // Grad-CAM on the input itself: w_c = mean of W over the channel's pixels; map = Σ_c w_c x_c.
    auto cam = run_ok(lin, "grad_cam", {{"relu", "false"}}, x, t);
    REQUIRE(cam.attribution.shape == Shape({1, 1, H, W}));
    CHECK(cam.stats.layer == "input");
    for (int64_t p = 0; p < H * W; ++p) {
      double expect = 0;
      for (int64_t c = 0; c < C; ++c) {
        double wc = 0;
        for (int64_t q = 0; q < H * W; ++q) wc += lin.w(t, c * H * W + q);
        expect += wc / double(H * W) * x.data[size_t(c * H * W + p)];
      }
      CHECK(cam.attribution.data[size_t(p)] == doctest::Approx(expect).epsilon(1e-5));
    }
  }

  TEST_CASE("IG completeness within 1% at 64 steps on a nonlinear ReLU network") {
    // A ReLU network's path integrand has kinks, so no rule is exact; the default rule
    // (Gauss-Legendre, as Captum's) must close the gap to 1% at 64 steps, and both
    // rules to 0.5% at 256.
    for (uint64_t seed : {1, 2, 3, 4}) {
      TinyCnnBackend net = TinyCnnBackend::random(2, 8, 8, 3, seed);
      const Tensor x = random_image(2, 8, 8, seed + 10);
      struct Run { const char* rule; const char* steps; double tol; };
      for (const Run& run : {Run{"gausslegendre", "64", 0.01}, Run{"gausslegendre", "256", 0.005},
                             Run{"riemann_middle", "256", 0.005}}) {
        auto ig = run_ok(net, "integrated_gradients", {{"steps", run.steps}, {"rule", run.rule}}, x, 0);
        auto& v = ig.stats.values;
        double sum = 0;
        for (float a : ig.attribution.data) sum += a;
        CAPTURE(seed);
        CAPTURE(run.rule);
        CAPTURE(run.steps);
        CAPTURE(v["f_input"]);
        CAPTURE(v["f_baseline"]);
        CHECK(sum == doctest::Approx(v["sum_attribution"]).epsilon(1e-5));
        const double diff = v["f_input"] - v["f_baseline"];
        REQUIRE(std::fabs(diff) > 0.1);
        CHECK(std::fabs(sum - diff) <= run.tol * std::fabs(diff));
      }
    }
  }

  TEST_CASE("guided backpropagation switches the backend's ReLU rule and restores it") {
    TinyCnnBackend net = TinyCnnBackend::random(1, 6, 6, 2, 4);
    const Tensor x = random_image(1, 6, 6, 3);
    auto g = run_ok(net, "guided_backprop", {}, x, 1);
    auto s = run_ok(net, "saliency", {{"abs", "false"}}, x, 1);
    CHECK(net.rule() == ReluRule::GRADIENT);
    CHECK(max_abs_diff(g.attribution.data, s.attribution.data) > 1e-6);  // the rule did change the answer
  }

  TEST_CASE("smoothgrad: same seed, same map bit for bit; another seed, another map") {
    TinyCnnBackend net = TinyCnnBackend::random(1, 6, 6, 2, 4);
    const Tensor x = random_image(1, 6, 6, 3);
    auto a = run_ok(net, "smoothgrad", {{"samples", "6"}, {"seed", "11"}}, x, 0);
    auto b = run_ok(net, "smoothgrad", {{"samples", "6"}, {"seed", "11"}}, x, 0);
    auto c = run_ok(net, "smoothgrad", {{"samples", "6"}, {"seed", "12"}}, x, 0);
    CHECK(a.attribution.data == b.attribution.data);
    CHECK(a.attribution.data != c.attribution.data);
  }

  TEST_CASE("an incremental job reports progress, hands out partial maps and can be cancelled") {
    LinearBackend lin(1, 4, 4, 2, 3);  // max_batch 7
    const Tensor x = random_image(1, 4, 4, 2);
    auto job = explainer_create("integrated_gradients", {{"steps", "20"}, {"rule", "riemann_middle"}});
    REQUIRE(job);
    Explainer& e = **job;
    REQUIRE(e.begin(lin, x, 1));
    CHECK(e.progress() == 0.0f);
    REQUIRE(e.step(lin));
    CHECK(e.progress() == doctest::Approx(7.0 / 21.0));
    // The partial map is already the right estimate for a linear model (rescaled to the full path).
    const Tensor& p = e.partial();
    REQUIRE(p.shape == x.shape);
    CHECK(p.data[3] == doctest::Approx(x.data[3] * lin.w(1, 3)).epsilon(1e-5));
    e.cancel();
    CHECK(e.done());
    CHECK(!e.finished());
    REQUIRE(e.step(lin));  // a no-op
    CHECK(e.progress() < 1.0f);
  }
}

TEST_SUITE("explain_perturbation") {
  TEST_CASE("occlusion equals a hand-computed case") {
    // F = sum of pixels; x = 1..9 on 3x3; window 2, stride 1: window sums 12, 16, 24, 28.
    LinearBackend lin(1, 3, 3, 1, 0);
    std::fill(lin.W_.begin(), lin.W_.end(), 1.0f);
    lin.b_[0] = 0.5f;
    Tensor x({1, 1, 3, 3});
    for (int i = 0; i < 9; ++i) x.data[size_t(i)] = float(i + 1);
    auto r = run_ok(lin, "occlusion", {{"window", "2"}, {"stride", "1"}}, x, 0);
    const std::vector<float> expect = {12, 14, 16, 18, 20, 22, 24, 26, 28};
    CHECK(r.attribution.data == expect);
    CHECK(r.stats.forward_passes == 5);
    // Stride 2: only the window at (0,0) fits; pixels no window covers get 0.
    auto s = run_ok(lin, "occlusion", {{"window", "2"}, {"stride", "2"}}, x, 0);
    CHECK(s.attribution.data == std::vector<float>{12, 12, 0, 12, 12, 0, 0, 0, 0});
    // A constant baseline b: the drop is Σ (x - b) over the window.
    auto u = run_ok(lin, "occlusion", {{"window", "3"}, {"stride", "1"}, {"baseline", "1"}}, x, 0);
    CHECK(u.attribution.data == std::vector<float>(9, 36.0f));
  }

  TEST_CASE("feature ablation on a linear model gives each cell Σ w (x - baseline)") {
    LinearBackend lin(2, 6, 6, 2, 5);
    const Tensor x = random_image(2, 6, 6, 4);
    auto r = run_ok(lin, "feature_ablation", {{"features", "grid:3"}, {"baseline", "0.5"}}, x, 1);
    // Cell (1,2) covers rows 2..3, cols 4..5.
    double expect = 0;
    for (int64_t c = 0; c < 2; ++c)
      for (int64_t y = 2; y < 4; ++y)
        for (int64_t xx = 4; xx < 6; ++xx) {
          const int64_t i = (c * 6 + y) * 6 + xx;
          expect += lin.w(1, i) * (x.data[size_t(i)] - 0.5);
        }
    CHECK(r.attribution.at4(0, 0, 3, 5) == doctest::Approx(expect).epsilon(1e-5));
    CHECK(r.attribution.at4(0, 1, 2, 4) == doctest::Approx(expect).epsilon(1e-5));
    auto wnd = run_ok(lin, "feature_ablation", {{"window", "2"}, {"baseline", "0.5"}}, x, 1);
    CHECK(wnd.attribution.data == r.attribution.data);  // 2x2 patches on 6x6 = the 3x3 grid
  }

  TEST_CASE("RISE: all-ones masks give the probability everywhere; saliency follows the evidence") {
    LinearBackend lin(1, 8, 8, 2, 0);
    std::fill(lin.W_.begin(), lin.W_.end(), 0.0f);
    std::fill(lin.b_.begin(), lin.b_.end(), 0.0f);
    for (int64_t y = 0; y < 4; ++y)
      for (int64_t x = 0; x < 4; ++x) lin.W_[size_t(64 + y * 8 + x)] = 1.0f;  // output 1 sees the top-left quadrant
    Tensor x({1, 1, 8, 8}, 0.5f);
    auto ones = run_ok(lin, "rise", {{"masks", "3"}, {"cell", "4"}, {"p", "1"}}, x, 1);
    const double prob = 1.0 / (1.0 + std::exp(-16 * 0.5));  // logit 1 = 16 pixels × 0.5, logit 0 = 0
    for (float v : ones.attribution.data) CHECK(v == doctest::Approx(prob).epsilon(1e-5));
    auto r = run_ok(lin, "rise", {{"masks", "400"}, {"cell", "4"}, {"seed", "3"}}, x, 1);
    double in = 0, out = 0;
    for (int64_t y = 0; y < 8; ++y)
      for (int64_t xx = 0; xx < 8; ++xx) (y < 4 && xx < 4 ? in : out) += r.attribution.at4(0, 0, y, xx);
    CHECK(in / 16 > out / 48 + 0.02);
    auto r2 = run_ok(lin, "rise", {{"masks", "400"}, {"cell", "4"}, {"seed", "3"}}, x, 1);
    CHECK(r.attribution.data == r2.attribution.data);
  }

  TEST_CASE("KernelSHAP recovers the exact Shapley values of an additive model") {
    const int64_t C = 2, H = 8, W = 8;
    AdditiveBackend add(C, H, W, 2);
    const Tensor x = random_image(C, H, W, 21);
    for (const char* feats : {"grid:4", "slic:6"}) {
      CAPTURE(feats);
      auto r = run_ok(add, "kernel_shap", {{"samples", "300"}, {"features", feats}, {"seed", "5"}}, x, 1);
      auto fm = features_from_spec(feats, x, "features");
      REQUIRE(fm);
      std::vector<double> phi(size_t(fm->count), 0.0);
      for (int64_t c = 0; c < C; ++c)
        for (int64_t i = 0; i < H * W; ++i)
          phi[size_t(fm->label[size_t(i)])] += AdditiveBackend::g(1, x.data[size_t(c * H * W + i)]) - AdditiveBackend::g(1, 0.0);
      for (int64_t i = 0; i < H * W; ++i)
        CHECK(r.attribution.data[size_t(i)] == doctest::Approx(phi[size_t(fm->label[size_t(i)])]).epsilon(1e-4).scale(1e-3));
    }
  }

  TEST_CASE("LIME recovers a linear model's weights") {
    const int64_t C = 1, H = 8, W = 8;
    LinearBackend lin(C, H, W, 2, 13);
    const Tensor x = random_image(C, H, W, 8);
    auto r = run_ok(lin, "lime", {{"samples", "200"}, {"features", "grid:4"}, {"alpha", "0"}}, x, 0);
    // Each cell's coefficient: Σ_{p in cell} w_p x_p (baseline zero), the model's exact effect of the cell.
    auto fm = features_grid(H, W, 4, 4);
    std::vector<double> coef(16, 0.0);
    for (int64_t i = 0; i < H * W; ++i) coef[size_t(fm.label[size_t(i)])] += lin.w(0, i) * x.data[size_t(i)];
    for (int64_t i = 0; i < H * W; ++i)
      CHECK(r.attribution.data[size_t(i)] == doctest::Approx(coef[size_t(fm.label[size_t(i)])]).epsilon(1e-4).scale(1e-4));
    // Captum's default Lasso(alpha=0.01) shrinks, but keeps the ranking of large effects.
    auto l = run_ok(lin, "lime", {{"samples", "300"}, {"features", "grid:4"}}, x, 0);
    int same_sign = 0;
    for (int64_t k = 0; k < 16; ++k) {
      const int64_t p = (k / 4) * 2 * W + (k % 4) * 2;
      same_sign += (l.attribution.data[size_t(p)] > 0) == (coef[size_t(k)] > 0) || std::fabs(coef[size_t(k)]) < 0.05;
    }
    CHECK(same_sign == 16);
  }
}

TEST_SUITE("explain_params") {
  TEST_CASE("bad parameters get a clear error naming the parameter") {
    LinearBackend lin(1, 8, 8, 2, 1);
    const Tensor x = random_image(1, 8, 8, 1);
    struct Case { const char* method; ParamList p; const char* expect; };
    const std::vector<Case> cases = {
        {"integrated_gradients", {{"steps", "0"}}, "'steps'"},
        {"integrated_gradients", {{"steps", "many"}}, "'steps' must be an integer"},
        {"integrated_gradients", {{"rule", "simpson"}}, "'rule' must be one of"},
        {"integrated_gradients", {{"baseline", "nope"}}, "'baseline'"},
        {"integrated_gradients", {{"baseline", "/nonexistent/b.npy"}}, "/nonexistent/b.npy"},
        {"integrated_gradients", {{"stepz", "3"}}, "unknown parameter 'stepz'; known: steps"},
        {"integrated_gradients", {{"steps", "3"}, {"steps", "4"}}, "given twice"},
        {"smoothgrad", {{"samples", "-5"}}, "'samples'"},
        {"smoothgrad", {{"stdev", "nan"}}, "'stdev'"},
        {"kernel_shap", {{"samples", "-1"}}, "'samples'"},
        {"lime", {{"features", "grid:0"}}, "grid:0"},
        {"lime", {{"features", "grid:99"}}, "grid:99"},
        {"lime", {{"features", "hex:3"}}, "'features'"},
        {"occlusion", {{"window", "9"}}, "window 9x9 is larger than the image 8x8"},
        {"occlusion", {{"window", "0"}}, "'window'"},
        {"occlusion", {{"stride", "2x"}}, "'stride'"},
        {"feature_ablation", {{"window", "4x9"}}, "larger than the image"},
        {"rise", {{"cell", "12"}}, "cell 12 is larger"},
        {"rise", {{"p", "0"}}, "'p'"},
        {"grad_cam", {{"layer", "conv9"}}, "unknown layer 'conv9'"},
        {"grad_cam", {{"relu", "maybe"}}, "'relu' must be true or false"},
        {"saliency", {{"steps", "3"}}, "unknown parameter 'steps'"},
        {"input_x_gradient", {{"x", "1"}}, "takes none"},
        {"deeplift", {}, "unknown method 'deeplift'"},
    };
    for (auto& c : cases) {
      const std::string e = run_error(lin, c.method, c.p, x, 1);
      INFO(c.method, ": ", e);
      CHECK(e.find(c.expect) != std::string::npos);
    }
    CHECK(run_error(lin, "saliency", {}, x, 2).find("target 2 is out of range") != std::string::npos);
    CHECK(run_error(lin, "saliency", {}, random_image(1, 4, 8, 1), 0).find("does not fit") != std::string::npos);
    AdditiveBackend add(1, 8, 8, 2);
    CHECK(run_error(add, "saliency", {}, x, 0).find("cannot compute gradients") != std::string::npos);
  }

  TEST_CASE("every method has help text naming its cost and parameters") {
    CHECK(explain_methods().size() >= 14);
    for (auto& m : explain_methods()) {
      const std::string h = explain_method_help(m);
      INFO(h);
      CHECK(h.find("Cost") != std::string::npos);
      for (auto& p : m.params) CHECK(h.find(p.key) != std::string::npos);
    }
  }
}

TEST_SUITE("explain_ops") {
  TEST_CASE("bilinear resize matches F.interpolate(align_corners=False)") {
    // torch: F.interpolate(tensor([[[[1.,2.],[3.,4.]]]]), size=(4,4), mode='bilinear', align_corners=False)
    const float src[4] = {1, 2, 3, 4};
    float dst[16];
    resize_bilinear(src, 2, 2, dst, 4, 4);
    const float expect[16] = {1, 1.25f, 1.75f, 2, 1.5f, 1.75f, 2.25f, 2.5f, 2.5f, 2.75f, 3.25f, 3.5f, 3, 3.25f, 3.75f, 4};
    for (int i = 0; i < 16; ++i) CHECK(dst[i] == doctest::Approx(expect[i]));
    // Nearest (legacy): 3 → 7 picks floor(i*3/7).
    const float s3[3] = {10, 20, 30};
    float d7[7];
    resize_nearest(s3, 1, 3, d7, 1, 7);
    const float e7[7] = {10, 10, 10, 20, 20, 30, 30};
    for (int i = 0; i < 7; ++i) CHECK(d7[i] == e7[i]);
  }

  TEST_CASE("weighted Lasso with one feature is the soft-thresholded slope") {
    // x = 0,1,0,1, y = 2x + 1: var(x) = 1/4, cov = 1/2; alpha 0.1 → slope (0.5 - 0.1)/0.25 = 1.6.
    const std::vector<float> X = {0, 1, 0, 1};
    const std::vector<double> y = {1, 3, 1, 3}, w = {1, 1, 1, 1};
    LinearFit f;
    REQUIRE(linear_fit(X, y, w, 4, 1, 0.1, &f));
    CHECK(f.coef[0] == doctest::Approx(1.6));
    CHECK(f.intercept == doctest::Approx(1.2));
    REQUIRE(linear_fit(X, y, w, 4, 1, 0.0, &f));
    CHECK(f.coef[0] == doctest::Approx(2.0));
    CHECK(f.intercept == doctest::Approx(1.0));
  }

  TEST_CASE("SLIC segments follow an edge and are connected") {
    Tensor x({1, 1, 16, 16});
    for (int64_t y = 0; y < 16; ++y)
      for (int64_t xx = 0; xx < 16; ++xx) x.at4(0, 0, y, xx) = xx < 7 ? 0.1f : 0.9f;
    FeatureMap f = features_slic(x, 8);
    CHECK(f.count >= 2);
    for (int64_t y = 0; y < 16; ++y)
      for (int64_t xx = 0; xx < 16; ++xx) {
        REQUIRE(f.label[size_t(y * 16 + xx)] >= 0);
        REQUIRE(f.label[size_t(y * 16 + xx)] < f.count);
      }
    // No segment straddles the edge between columns 6 and 7.
    std::vector<int> side(size_t(f.count), -1);
    bool straddle = false;
    for (int64_t y = 0; y < 16; ++y)
      for (int64_t xx = 0; xx < 16; ++xx) {
        int& s = side[size_t(f.label[size_t(y * 16 + xx)])];
        const int here = xx < 7 ? 0 : 1;
        if (s >= 0 && s != here) straddle = true;
        s = here;
      }
    CHECK(!straddle);
  }

  TEST_CASE("the normal sampler has mean 0 and variance 1; exact_log matches log") {
    Rng rng(42);
    double s = 0, s2 = 0;
    const int n = 200000;
    for (int i = 0; i < n; ++i) {
      const double z = rng.normal();
      s += z;
      s2 += z * z;
    }
    CHECK(std::fabs(s / n) < 0.01);
    CHECK(std::fabs(s2 / n - 1) < 0.01);
    for (double v : {1e-300, 1e-5, 0.1, 0.5, 0.7, 0.999999, 1.0}) CHECK(Rng::exact_log(v) == doctest::Approx(std::log(v)).epsilon(1e-14));
  }
}
