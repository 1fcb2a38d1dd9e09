// Evaluation metrics (wasm/evaluate/): hand-computed cases for every metric
// (a map equal to the mask, its inverse, a constant map, a single hot pixel),
// invariances, faithfulness on a linear model whose curves are known exactly,
// Spearman/SSIM against hand-computed values, and the randomisation checks.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <numeric>

#include "engine/engine_backend.h"
#include "evaluate/evaluate.h"
#include "evaluate/faithfulness.h"
#include "evaluate/metrics.h"
#include "evaluate/sanity.h"
#include "image/npy.h"
#include "onnx/onnx_model.h"
#include "phantoms/phantom.h"
#include "image/model_card.h"
#include "state/evaluation.h"
#include "state/lab.h"
#include "test_explain_backends.h"

using namespace xm;

namespace {

// 4x4 mask with the 2x2 block at rows 1-2, columns 1-2 inside (4 of 16 pixels).
Tensor block_mask() {
  Tensor m({1, 1, 4, 4});
  for (int y = 1; y <= 2; ++y)
    for (int x = 1; x <= 2; ++x) m.data[size_t(y * 4 + x)] = 1;
  return m;
}

Tensor map_from(const std::vector<float>& v) {
  Tensor t({1, 1, 4, 4});
  t.data = v;
  return t;
}

// A [1,1,h,w] input with values uniform in [-1, 1), drawn from rng.
Tensor signed_input(Rng& rng, int64_t h, int64_t w) {
  Tensor x({1, 1, h, w});
  for (float& v : x.data) v = float(rng.uniform() * 2 - 1);
  return x;
}

double val(const Result<double>& r) {
  REQUIRE_MESSAGE(bool(r), r.error());
  return *r;
}

}  // namespace

TEST_SUITE("evaluate") {

TEST_CASE("localisation and complexity: a map equal to the mask scores perfectly") {
  const Tensor m = block_mask();
  const Tensor a = m;
  CHECK(val(eval_pointing_game(a, m)) == 1);
  CHECK(val(eval_energy_pointing_game(a, m)) == doctest::Approx(1));
  CHECK(val(eval_relevance_mass_accuracy(a, m)) == doctest::Approx(1));
  CHECK(val(eval_relevance_rank_accuracy(a, m)) == doctest::Approx(1));
  CHECK(val(eval_top_k_intersection(a, m, 4)) == doctest::Approx(1));
  CHECK(val(eval_top_k_intersection(a, m, 8)) == doctest::Approx(0.5));  // only 4 of the top 8 can be inside
  CHECK(val(eval_auprc(a, m)) == doctest::Approx(1));
  // Gini of 4 ones and 12 zeros (+1e-7 each): sum_k (2k-17) a_k / (16 sum a), ones at k = 13..16.
  const double e = 1e-7, ones = 1 + e;
  double num = 0;
  for (int k = 1; k <= 12; ++k) num += (2 * k - 17) * e;
  for (int k = 13; k <= 16; ++k) num += (2 * k - 17) * ones;
  CHECK(val(eval_sparseness(a)) == doctest::Approx(num / (16 * (4 * ones + 12 * e))).epsilon(1e-9));
  CHECK(val(eval_complexity(a)) == doctest::Approx(std::log(4.0)));
}

TEST_CASE("localisation: the mask's inverse scores zero, AUPRC falls to the mask share") {
  const Tensor m = block_mask();
  Tensor a = m;
  for (float& v : a.data) v = 1 - v;
  CHECK(val(eval_pointing_game(a, m)) == 0);
  CHECK(val(eval_energy_pointing_game(a, m)) == doctest::Approx(0));
  CHECK(val(eval_relevance_mass_accuracy(a, m)) == doctest::Approx(0));
  CHECK(val(eval_relevance_rank_accuracy(a, m)) == doctest::Approx(0));
  CHECK(val(eval_top_k_intersection(a, m, 4)) == doctest::Approx(0));
  // Thresholds: value 1 (12 pixels, no hit): recall 0; value 0 (all 16): recall 1, precision 4/16.
  CHECK(val(eval_auprc(a, m)) == doctest::Approx(0.25));
  CHECK(val(eval_complexity(a)) == doctest::Approx(std::log(12.0)));
}

TEST_CASE("localisation: a constant map") {
  const Tensor m = block_mask();
  const Tensor a = map_from(std::vector<float>(16, 0.7f));
  CHECK(val(eval_pointing_game(a, m)) == 1);  // every pixel holds the maximum
  CHECK(val(eval_energy_pointing_game(a, m)) == doctest::Approx(0.25));
  CHECK(val(eval_relevance_mass_accuracy(a, m)) == doctest::Approx(0.25));
  CHECK(val(eval_relevance_rank_accuracy(a, m)) == doctest::Approx(0));  // ties by index: row 0 first
  CHECK(val(eval_auprc(a, m)) == doctest::Approx(0.25));
  CHECK(val(eval_sparseness(a)) == doctest::Approx(0).epsilon(1e-12));
  CHECK(val(eval_complexity(a)) == doctest::Approx(std::log(16.0)));
  // A zero map: nothing positive, no mass: undefined, not a crash.
  const Tensor z = map_from(std::vector<float>(16, 0.0f));
  CHECK(std::isnan(val(eval_energy_pointing_game(z, m))));
  CHECK(std::isnan(val(eval_relevance_mass_accuracy(z, m))));
  CHECK(std::isnan(val(eval_complexity(z))));
}

TEST_CASE("localisation: a single hot pixel, inside and outside") {
  const Tensor m = block_mask();
  std::vector<float> v(16, 0.0f);
  v[5] = 3;  // (1,1): inside
  const Tensor in = map_from(v);
  CHECK(val(eval_pointing_game(in, m)) == 1);
  CHECK(val(eval_energy_pointing_game(in, m)) == doctest::Approx(1));
  CHECK(val(eval_relevance_mass_accuracy(in, m)) == doctest::Approx(1));
  CHECK(val(eval_relevance_rank_accuracy(in, m)) == doctest::Approx(0.25));  // hot pixel, then zeros 0,1,2
  CHECK(val(eval_top_k_intersection(in, m, 1)) == doctest::Approx(1));
  // AP: threshold 3: recall 1/4 at precision 1; threshold 0: recall 1 at precision 4/16.
  CHECK(val(eval_auprc(in, m)) == doctest::Approx(0.25 * 1 + 0.75 * 0.25));
  // Gini: coefficients sum to -15 over the zeros, +15 for the hot pixel.
  const double e = 1e-7;
  CHECK(val(eval_sparseness(in)) == doctest::Approx((15 * (3 + e) - 15 * e) / (16 * (3 + 16 * e))).epsilon(1e-9));
  CHECK(val(eval_complexity(in)) == doctest::Approx(0));
  v[5] = 0, v[0] = 3;  // (0,0): outside
  const Tensor out = map_from(v);
  CHECK(val(eval_pointing_game(out, m)) == 0);
  CHECK(val(eval_energy_pointing_game(out, m)) == doctest::Approx(0));
  CHECK(val(eval_relevance_rank_accuracy(out, m)) == doctest::Approx(0));  // top 4: pixels 0 (hot), 1, 2, 3
}

TEST_CASE("invariances: rank metrics ignore monotone rescaling; channels are summed") {
  Rng rng(7);
  Tensor m({1, 1, 16, 16});
  for (int y = 4; y < 9; ++y)
    for (int x = 6; x < 12; ++x) m.data[size_t(y * 16 + x)] = 1;
  for (int trial = 0; trial < 20; ++trial) {
    Tensor a({1, 1, 16, 16});
    for (float& v : a.data) v = float(rng.uniform() * 2 - 1) + (trial % 2 ? 0.0f : 0.5f);
    Tensor b = a, c = a;
    for (float& v : b.data) v = 3 * v + 1;           // affine, increasing
    for (float& v : c.data) v = std::exp(2 * v);      // nonlinear, increasing
    CAPTURE(trial);
    for (const Tensor* t : {&b, &c}) {
      CHECK(val(eval_pointing_game(*t, m)) == val(eval_pointing_game(a, m)));
      CHECK(val(eval_relevance_rank_accuracy(*t, m)) == doctest::Approx(val(eval_relevance_rank_accuracy(a, m))));
      CHECK(val(eval_top_k_intersection(*t, m, 30)) == doctest::Approx(val(eval_top_k_intersection(a, m, 30))));
      CHECK(val(eval_auprc(*t, m)) == doctest::Approx(val(eval_auprc(a, m))));
    }
    // Positive scaling leaves the mass ratios, Gini and entropy unchanged.
    Tensor s = a;
    for (float& v : s.data) v *= 5;
    CHECK(val(eval_relevance_mass_accuracy(s, m)) == doctest::Approx(val(eval_relevance_mass_accuracy(a, m))));
    CHECK(val(eval_sparseness(s)) == doctest::Approx(val(eval_sparseness(a))).epsilon(1e-6));
    CHECK(val(eval_complexity(s)) == doctest::Approx(val(eval_complexity(a))));
  }
  // Two channels are summed before scoring: [+1 in the mask] + [0] hits; [+1] + [-2] there does not.
  Tensor two({1, 2, 4, 4});
  two.data[5] = 1;
  CHECK(val(eval_pointing_game(two, block_mask())) == 1);
  two.data[16 + 5] = -2;
  two.data[0] = 0.5f;
  CHECK(val(eval_pointing_game(two, block_mask())) == 0);
}

TEST_CASE("bad input: a clear error, never a crash") {
  const Tensor m = block_mask();
  CHECK_FALSE(eval_pointing_game(Tensor({1, 1, 5, 5}), m));  // mask of another size
  CHECK_FALSE(eval_pointing_game(Tensor({2, 1, 4, 4}), m));  // two images
  Tensor nan = m;
  nan.data[3] = std::nanf("");
  CHECK_FALSE(eval_sparseness(nan));
  CHECK_FALSE(eval_top_k_intersection(m, m, 0));
  CHECK_FALSE(eval_top_k_intersection(m, m, 17));
  CHECK(std::isnan(val(eval_pointing_game(m, Tensor({1, 1, 4, 4})))));  // empty mask: undefined
  std::vector<std::string> names;
  CHECK_FALSE(eval_parse_metrics("pointing_game,nope", &names));
  EvalRequest q;
  CHECK_FALSE(eval_set_options(&q, {{"steps", "0"}}));
  CHECK_FALSE(eval_set_options(&q, {{"stepz", "5"}}));
  CHECK_FALSE(eval_set_options(&q, {{"road_percentages", "10,abc"}}));
  // How xmedia evaluate tells a metric option from a method parameter in --param.
  CHECK(eval_is_option("steps"));
  CHECK(eval_is_option("road_noise"));
  CHECK_FALSE(eval_is_option("baseline"));
  CHECK_FALSE(eval_is_option("stepz"));
  Tensor x({1, 1, 4, 4});
  CHECK_FALSE(eval_baseline(x, "purple", 0));
}

TEST_CASE("spearman and SSIM against hand-computed values") {
  // d² = 0,1,1,0: rho = 1 - 6*2/(4*15) = 0.8.
  CHECK(eval_spearman({1, 2, 3, 4}, {1, 3, 2, 4}) == doctest::Approx(0.8));
  // Ties share ranks: [1, 2.5, 2.5, 4] against [1,2,3,4]: 4.5 / sqrt(4.5 * 5).
  CHECK(eval_spearman({1, 2, 2, 3}, {10, 20, 30, 40}) == doctest::Approx(4.5 / std::sqrt(22.5)));
  CHECK(eval_spearman({1, 2, 3, 4}, {4, 3, 2, 1}) == doctest::Approx(-1));
  CHECK(std::isnan(eval_spearman({1, 1, 1}, {1, 2, 3})));
  // SSIM of a 7x7 image (one window) with itself shifted by c: the contrast and
  // structure terms cancel, leaving (2 μ(μ+c) + C1) / (μ² + (μ+c)² + C1).
  EvalMap a, b;
  a.h = a.w = b.h = b.w = 7;
  Rng rng(3);
  for (int i = 0; i < 49; ++i) a.v.push_back(rng.uniform());
  const double mu = std::accumulate(a.v.begin(), a.v.end(), 0.0) / 49, c = 0.1, c1 = 1e-4, c2 = 9e-4;
  b.v = a.v;
  for (double& v : b.v) v += c;
  CHECK(eval_ssim(a, b, 1.0) == doctest::Approx((2 * mu * (mu + c) + c1) / (mu * mu + (mu + c) * (mu + c) + c1)));
  CHECK(eval_ssim(a, a, 1.0) == doctest::Approx(1));
  // b = 2μ - a: same mean, covariance -σ²: SSIM = (C2 - 2σ²) / (C2 + 2σ²) with σ² the sample variance.
  double var = 0;
  for (double v : a.v) var += (v - mu) * (v - mu);
  var /= 48;
  for (int i = 0; i < 49; ++i) b.v[size_t(i)] = 2 * mu - a.v[size_t(i)];
  CHECK(eval_ssim(a, b, 1.0) == doctest::Approx((c2 - 2 * var) / (c2 + 2 * var)));
}

TEST_CASE("deletion and insertion on a linear model: the curves are known exactly") {
  xm_test::LinearBackend lin(1, 4, 4, 2, 11);
  Rng rng(5);
  Tensor x = signed_input(rng, 4, 4);
  const int t = 1;
  // input x gradient: the exact contribution of each pixel to the logit.
  Tensor a({1, 1, 4, 4});
  for (int i = 0; i < 16; ++i) a.data[size_t(i)] = lin.w(t, i) * x.data[size_t(i)];
  std::vector<int> order(16);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](int p, int q) { return a.data[size_t(p)] > a.data[size_t(q)]; });
  for (bool morf : {true, false}) {
    CAPTURE(morf);
    CurveOptions o;
    o.morf = morf;
    o.steps = 16;
    o.output = EvalOutput::LOGIT;
    o.baseline = "zero";
    auto del = eval_deletion_curve(lin, x, t, a, o);
    auto ins = eval_insertion_curve(lin, x, t, a, o);
    REQUIRE(del);
    REQUIRE(ins);
    REQUIRE(del->y.size() == 17);
    double area_d = 0, area_i = 0, prev_d = 0, prev_i = 0;
    for (int k = 0; k <= 16; ++k) {
      // Deleted (zeroed) so far: the first k pixels of the order (reversed for LeRF).
      double kept = lin.b_[t], put = lin.b_[t];
      for (int j = 0; j < 16; ++j) {
        const int p = morf ? order[size_t(j)] : order[size_t(15 - j)];
        (j < k ? put : kept) += a.data[size_t(p)];
      }
      CHECK(del->x[size_t(k)] == doctest::Approx(k / 16.0));
      CHECK(del->y[size_t(k)] == doctest::Approx(kept).epsilon(1e-5));
      CHECK(ins->y[size_t(k)] == doctest::Approx(put).epsilon(1e-5));
      if (k) area_d += (kept + prev_d) / 32, area_i += (put + prev_i) / 32;
      prev_d = kept, prev_i = put;
    }
    CHECK(del->auc == doctest::Approx(area_d).epsilon(1e-5));
    CHECK(ins->auc == doctest::Approx(area_i).epsilon(1e-5));
    if (morf) CHECK(del->auc < ins->auc);  // MoRF deletion drops fastest for the exact map
  }
  // Steps that do not divide the pixels: 16 pixels in 5 steps of 4, the last one partial.
  CurveOptions o;
  o.steps = 5;
  auto c = eval_deletion_curve(lin, x, t, a, o);
  REQUIRE(c);
  CHECK(c->x == std::vector<double>{0, 0.25, 0.5, 0.75, 1, 1});
  for (double y : c->y) CHECK((y >= 0 && y <= 1));  // probabilities by default
}

TEST_CASE("faithfulness correlation, infidelity and max-sensitivity on a linear model") {
  xm_test::LinearBackend lin(1, 8, 8, 2, 13);
  Rng rng(9);
  Tensor x = signed_input(rng, 8, 8);
  const int t = 0;
  Tensor ixg({1, 1, 8, 8}), grad({1, 1, 8, 8}), noise({1, 1, 8, 8});
  for (int i = 0; i < 64; ++i) {
    ixg.data[size_t(i)] = lin.w(t, i) * x.data[size_t(i)];
    grad.data[size_t(i)] = lin.w(t, i);
    noise.data[size_t(i)] = float(rng.uniform());
  }
  // Zeroing a subset S drops the logit by exactly sum_S w x: correlation 1 (and -1 for the negated map).
  FaithfulnessCorrelationOptions fo;
  fo.runs = 30;
  fo.subset_size = 10;
  CHECK(val(eval_faithfulness_correlation(lin, x, t, ixg, fo)) == doctest::Approx(1));
  Tensor neg = ixg;
  for (float& v : neg.data) v = -v;
  CHECK(val(eval_faithfulness_correlation(lin, x, t, neg, fo)) == doctest::Approx(-1));
  CHECK(val(eval_faithfulness_correlation(lin, x, t, noise, fo)) < 0.9);
  // f(x) - f(x - I) = w·I: the gradient explains every perturbation (infidelity 0), with or without scaling.
  InfidelityOptions io;
  io.samples = 20;
  CHECK(val(eval_infidelity(lin, x, t, grad, io)) == doctest::Approx(0).epsilon(1e-6));
  io.normalize = false;
  CHECK(val(eval_infidelity(lin, x, t, grad, io)) == doctest::Approx(0).epsilon(1e-6));
  Tensor half = grad;
  for (float& v : half.data) v *= 0.5f;
  CHECK(val(eval_infidelity(lin, x, t, half, io)) > 1e-3);  // unnormalised: the scale matters
  io.normalize = true;
  CHECK(val(eval_infidelity(lin, x, t, half, io)) == doctest::Approx(0).epsilon(1e-6));  // normalised: it does not
  CHECK(val(eval_infidelity(lin, x, t, noise, io)) > 1e-3);
  // Saliency of a linear model is |w| whatever the input: sensitivity 0; input x gradient moves with x.
  MaxSensitivityOptions mo;
  mo.samples = 4;
  CHECK(val(eval_max_sensitivity(lin, x, t, "saliency", {}, mo)) == doctest::Approx(0));
  CHECK(val(eval_max_sensitivity(lin, x, t, "input_x_gradient", {}, mo)) > 0.01);
}

TEST_CASE("noisy linear imputation reproduces planes; ROAD plumbing") {
  // A linear ramp satisfies the weighted 8-neighbour mean exactly away from the border.
  Tensor x({1, 2, 8, 8});
  for (int c = 0; c < 2; ++c)
    for (int y = 0; y < 8; ++y)
      for (int xx = 0; xx < 8; ++xx) x.data[size_t((c * 8 + y) * 8 + xx)] = float(0.3 * y - 0.2 * xx + c);
  std::vector<uint8_t> rem(64, 0);
  for (int y = 1; y < 7; ++y)
    for (int xx = 1; xx < 7; ++xx) rem[size_t(y * 8 + xx)] = (y * 7 + xx) % 3 != 0;
  auto im = eval_noisy_linear_imputation(x, rem, 0.0, 1);
  REQUIRE(im);
  for (size_t i = 0; i < x.data.size(); ++i) CHECK(im->data[i] == doctest::Approx(x.data[i]).epsilon(1e-5));
  // With noise, the imputed pixels scatter around the plane with that spread.
  auto noisy = eval_noisy_linear_imputation(x, rem, 0.5, 1);
  REQUIRE(noisy);
  double ss = 0;
  int n = 0;
  for (size_t i = 0; i < 64; ++i)
    if (rem[i]) ss += std::pow(noisy->data[i] - x.data[i], 2), ++n;
  CHECK(std::sqrt(ss / n) == doctest::Approx(0.5).epsilon(0.35));
  // ROAD on a constant image: every imputation gives the image back, so the
  // probability stays that of the input at each percentage.
  xm_test::LinearBackend lin(1, 8, 8, 3, 2);
  Tensor flat({1, 1, 8, 8}, 0.4f), a({1, 1, 8, 8});
  for (size_t i = 0; i < 64; ++i) a.data[i] = float(i % 7);
  Tensor l;
  REQUIRE(lin.logits(flat, &l));
  double mx = *std::max_element(l.data.begin(), l.data.end()), sum = 0;
  for (float v : l.data) sum += std::exp(v - mx);
  RoadOptions ro;
  ro.noise = 0;
  auto r = eval_road(lin, flat, 2, a, ro);
  REQUIRE(r);
  REQUIRE(r->curve.y.size() == 9);
  CHECK(r->curve.x.front() == doctest::Approx(0.1));
  for (double y : r->curve.y) CHECK(y == doctest::Approx(std::exp(l.data[2] - mx) / sum).epsilon(1e-5));
}

TEST_CASE("evaluation job: every metric, JSON, undefined values named") {
  xm_test::LinearBackend lin(1, 16, 16, 2, 3);
  Tensor x({1, 1, 16, 16});
  Rng rng(1);
  for (float& v : x.data) v = float(rng.uniform());
  EvalRequest q;
  q.input = x;
  q.target = 1;
  q.attribution = x;
  q.mask = Tensor({1, 1, 16, 16});
  q.mask.data[17] = 1;
  q.method = "saliency";
  REQUIRE(eval_parse_metrics("all", &q.metrics));
  REQUIRE(eval_set_options(&q, {{"steps", "8"}, {"fc_subset_size", "20"}, {"top_k", "10"}, {"ms_samples", "2"}}));
  auto r = evaluate_run_to_end(lin, q);
  REQUIRE_MESSAGE(bool(r), r.error());
  for (auto& m : eval_metrics()) {
    CAPTURE(m.name);
    REQUIRE(r->find(m.name));
    CHECK(std::isfinite(r->find(m.name)->value));
  }
  CHECK(r->curves.size() == 6);
  const std::string j = r->to_json();
  CHECK(j.find("\"deletion_auc\":{\"value\":") != std::string::npos);
  CHECK(j.find("\"insertion_morf\":{\"x\":[0,") != std::string::npos);
  // Without a mask, localisation is null with a note; the rest still runs.
  q.mask = Tensor();
  REQUIRE(eval_parse_metrics("pointing_game,sparseness", &q.metrics));
  auto r2 = evaluate_run_to_end(lin, q);
  REQUIRE(r2);
  CHECK(std::isnan(r2->find("pointing_game")->value));
  CHECK(r2->to_json().find("\"pointing_game\":{\"value\":null") != std::string::npos);
  q.target = 5;
  CHECK_FALSE(evaluate_run_to_end(lin, q));
}

// Counts the images a backend is asked about (to check which passes are shared).
class CountingBackend : public Backend {
public:
  explicit CountingBackend(Backend& inner) : inner_(inner) {}
  const BackendInfo& info() const override { return inner_.info(); }
  Status logits(const Tensor& batch, Tensor* out) override {
    images += batch.dim(0);
    return inner_.logits(batch, out);
  }
  Status input_gradient(const Tensor& batch, const Tensor& seed, Tensor* logits, Tensor* grad) override {
    return inner_.input_gradient(batch, seed, logits, grad);
  }
  int64_t images = 0;

private:
  Backend& inner_;
};

TEST_CASE("shared draws: faithfulness correlation and infidelity on a linear model, by hand") {
  xm_test::LinearBackend lin(1, 8, 8, 2, 21);
  Rng rng(4);
  Tensor x = signed_input(rng, 8, 8);
  const int t = 1;
  // Zeroing subset S drops the logit by sum_S w x; f(x) - f(x - I) = w·I.
  FaithfulnessCorrelationOptions fo;
  fo.runs = 12;
  fo.subset_size = 9;
  auto fd = eval_faithfulness_correlation_draw(lin, x, t, fo);
  REQUIRE(fd);
  REQUIRE(fd->subsets.size() == 12);
  for (size_t r = 0; r < 12; ++r) {
    double want = 0;
    REQUIRE(fd->subsets[r].size() == 9);
    for (int64_t p : fd->subsets[r]) want += double(lin.w(t, p)) * x.data[size_t(p)];
    CHECK(fd->drop[r] == doctest::Approx(want).epsilon(1e-5));
  }
  InfidelityOptions io;
  io.samples = 7;
  auto id = eval_infidelity_draw(lin, x, t, io);
  REQUIRE(id);
  REQUIRE(id->noise.size() == 7 * 64);
  for (size_t s = 0; s < 7; ++s) {
    double want = 0;
    for (int64_t i = 0; i < 64; ++i) want += double(lin.w(t, i)) * id->noise[s * 64 + size_t(i)];
    CHECK(id->drop[s] == doctest::Approx(want).epsilon(1e-4));
  }
  // A map of another size is refused, not scored against the wrong pixels.
  CHECK_FALSE(eval_faithfulness_correlation_score(*fd, Tensor({1, 1, 4, 4}), Tensor({1, 1, 4, 4})));
  CHECK_FALSE(eval_infidelity_score(*id, Tensor({1, 1, 4, 4}), Tensor({1, 1, 4, 4}), true));
}

TEST_CASE("shared draws give the numbers of separate evaluations, with fewer passes") {
  xm_test::LinearBackend lin(1, 12, 12, 2, 5);
  CountingBackend counting(lin);
  Tensor x({1, 1, 12, 12});
  Rng rng(2);
  for (float& v : x.data) v = float(rng.uniform());
  EvalRequest q;
  q.input = x;
  q.target = 0;
  q.seed = 3;
  REQUIRE(eval_parse_metrics("faithfulness_correlation,infidelity,deletion_auc", &q.metrics));
  REQUIRE(eval_set_options(&q, {{"fc_runs", "20"}, {"fc_subset_size", "15"}, {"infidelity_samples", "9"}, {"steps", "6"}}));
  std::vector<Tensor> maps(3, Tensor({1, 1, 12, 12}));
  for (int64_t i = 0; i < 144; ++i) {
    maps[0].data[size_t(i)] = lin.w(0, i) * x.data[size_t(i)];
    maps[1].data[size_t(i)] = float(rng.uniform());
    maps[2].data[size_t(i)] = -lin.w(0, i);
  }
  std::vector<EvalReport> alone, together;
  for (auto& m : maps) {
    q.attribution = m;
    auto r = evaluate_run_to_end(counting, q);
    REQUIRE(r);
    alone.push_back(*r);
  }
  const int64_t images_alone = counting.images;
  counting.images = 0;
  EvalShared shared;
  REQUIRE(eval_shared_prepare(counting, q, &shared));
  CHECK(shared.draws == 2);
  for (auto& m : maps) {
    q.attribution = m;
    auto r = evaluate_run_to_end(counting, q, &shared);
    REQUIRE(r);
    together.push_back(*r);
  }
  CHECK(shared.draws == 2);  // drawn once for the three maps
  // Per map: deletion sends 2 x 7 images; faithfulness correlation 21 and infidelity 10 once.
  CHECK(images_alone == 3 * (14 + 21 + 10));
  CHECK(counting.images == 3 * 14 + 21 + 10);
  for (size_t k = 0; k < maps.size(); ++k)
    for (auto& s : alone[k].scores) {
      CAPTURE(s.name);
      CHECK(together[k].find(s.name)->value == s.value);  // the same arithmetic: bit for bit
    }
  CHECK(alone[0].find("faithfulness_correlation")->value == doctest::Approx(1));  // the exact map
  // Another input, seed or option: drawn again, still the separate evaluation's numbers.
  q.input.data[5] += 0.5f;
  q.attribution = maps[1];
  auto sep = evaluate_run_to_end(lin, q);
  auto sh = evaluate_run_to_end(lin, q, &shared);
  REQUIRE(sep);
  REQUIRE(sh);
  CHECK(shared.draws == 4);
  CHECK(sh->find("infidelity")->value == sep->find("infidelity")->value);
  REQUIRE(eval_set_options(&q, {{"fc_runs", "25"}}));
  sh = evaluate_run_to_end(lin, q, &shared);
  REQUIRE(sh);
  CHECK(shared.draws == 5);
  CHECK(sh->find("faithfulness_correlation")->value == evaluate_run_to_end(lin, q)->find("faithfulness_correlation")->value);
}

TEST_CASE("lerf=0 skips the least-relevant-first curves") {
  xm_test::LinearBackend lin(1, 8, 8, 2, 6);
  Tensor x({1, 1, 8, 8}, 0.5f);
  EvalRequest q;
  q.input = x;
  q.target = 1;
  q.attribution = x;
  REQUIRE(eval_parse_metrics("deletion_auc,insertion_auc,road", &q.metrics));
  auto both = evaluate_run_to_end(lin, q);
  REQUIRE(both);
  CHECK(both->curves.size() == 6);
  REQUIRE(eval_set_options(&q, {{"lerf", "0"}}));
  auto morf = evaluate_run_to_end(lin, q);
  REQUIRE(morf);
  CHECK(morf->curves.size() == 3);
  CHECK(morf->find("road_lerf") == nullptr);
  CHECK(morf->find("deletion_lerf_auc") == nullptr);
  for (auto& s : morf->scores) CHECK(both->find(s.name)->value == s.value);
  CHECK_FALSE(eval_set_options(&q, {{"lerf", "2"}}));
}

TEST_CASE("ROAD's warm-started solves give the separate imputations' curve") {
  xm_test::LinearBackend lin(2, 10, 10, 3, 8);
  Tensor x({1, 2, 10, 10}), a({1, 1, 10, 10});
  Rng rng(11);
  for (float& v : x.data) v = float(rng.uniform());
  for (float& v : a.data) v = float(rng.uniform());
  RoadOptions o;
  o.seed = 4;
  o.percentages = {5, 20, 45, 70, 95};
  auto r = eval_road(lin, x, 2, a, o);
  REQUIRE(r);
  // The same curve from independent solves (MoRF: the top p% by the map, ties by index).
  std::vector<int64_t> order(100);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](int64_t i, int64_t j) { return a.data[size_t(i)] > a.data[size_t(j)]; });
  for (size_t i = 0; i < o.percentages.size(); ++i) {
    std::vector<uint8_t> rem(100, 0);
    for (int64_t k = 0; k < int64_t(100 * o.percentages[i] / 100.0); ++k) rem[size_t(order[size_t(k)])] = 1;
    auto im = eval_noisy_linear_imputation(x, rem, o.noise, o.seed + i);
    REQUIRE(im);
    Tensor l;
    REQUIRE(lin.logits(*im, &l));
    double mx = *std::max_element(l.data.begin(), l.data.end()), sum = 0;
    for (float v : l.data) sum += std::exp(v - mx);
    CHECK(r->curve.y[i] == doctest::Approx(std::exp(l.data[2] - mx) / sum).epsilon(1e-5));
  }
}

TEST_CASE("the shortcut marker's mask is the marker") {
  auto spec = phantom_spec("chest_xray");
  REQUIRE(spec);
  auto m = eval_phantom_marker_mask(*spec, 3);
  REQUIRE(m);
  int64_t n = 0;
  for (int64_t y = 0; y < 128; ++y)
    for (int64_t x = 0; x < 128; ++x)
      if (m->data[size_t(y * 128 + x)] > 0.5f) {
        ++n;
        CHECK((x < 40 && y < 40));  // the marker sits in the top-left corner
      }
  CHECK(n > 20);   // a 5x7 glyph at scale 2
  CHECK(n <= 140);
  CHECK_FALSE(eval_phantom_marker_mask(*phantom_spec("cardiac_lge"), 3));  // no marker knob there
}

TEST_CASE("cascading randomisation changes the weights and decorrelates a gradient map") {
  const std::string path = std::string(XMEDIA_SOURCE_DIR) + "/tests/golden/medical_cnn_o13/model.onnx";
  auto model = onnx::load_file(path);
  REQUIRE_MESSAGE(bool(model), model.error());
  auto layers = sanity_layers(*model);
  REQUIRE(layers.size() >= 2);
  // Re-initialising a layer changes its weights (within PyTorch's default bound) and nothing else.
  onnx::Model copy = *model;
  REQUIRE(sanity_randomize_layer(copy, layers.back(), 42));
  size_t changed = 0;
  for (size_t i = 0; i < copy.graph.initializers.size(); ++i) {
    const auto& before = model->graph.initializers[i];
    const auto& after = copy.graph.initializers[i];
    bool is_param = std::find(layers.back().initializers.begin(), layers.back().initializers.end(), before.name) !=
                    layers.back().initializers.end();
    if (before.f != after.f) {
      ++changed;
      CHECK(is_param);
    }
  }
  CHECK(changed == layers.back().initializers.size());
  auto backend = native_backend_from_file(path);
  REQUIRE(backend);
  auto x = npy_read_file(std::string(XMEDIA_SOURCE_DIR) + "/tests/golden/medical_cnn_o13/input.npy");
  REQUIRE(x);
  Tensor x1 = *x;
  x1.shape[0] = 1;
  x1.data.resize(size_t(shape_numel(x1.shape)));
  SanityOptions o;
  o.method = "saliency";
  auto r = sanity_cascading(*model, x1, 0, o);
  REQUIRE_MESSAGE(bool(r), r.error());
  REQUIRE(r->steps.size() == layers.size());
  CHECK(r->steps.front().layer == layers.back().node);  // from the top
  for (auto& s : r->steps) CHECK(s.attribution.shape == r->original.shape);
  // Fully randomised, the map no longer ranks pixels as the trained model's does.
  CHECK(r->steps.back().similarity.spearman_abs < 0.8);
  CHECK(r->steps.back().similarity.spearman_abs < r->steps.front().similarity.spearman_abs + 1e-9);
  // The same model twice: identical maps.
  auto same = sanity_compare_models(**backend, **backend, x1, 0, "saliency", {});
  REQUIRE(same);
  CHECK(same->spearman_abs == doctest::Approx(1));
  CHECK(same->ssim == doctest::Approx(1));
}

}  // TEST_SUITE

TEST_SUITE("evaluate_lab") {

TEST_CASE("the evaluation panel's state scores the lab's map over several ticks") {
  auto bytes = read_file_bytes(std::string(XMEDIA_SOURCE_DIR) + "/tests/golden/medical_cnn_o13/model.onnx", 1 << 24);
  REQUIRE(bytes);
  Lab lab;
  LabEvaluation ev;
  CHECK_FALSE(ev.start(lab, {"pointing_game"}, false));  // no model yet: a message, no crash
  REQUIRE(lab.load_model(bytes->data(), bytes->size(), "m.onnx", ""));
  REQUIRE(lab.set_scenario("cardiac_lge"));
  REQUIRE(lab.set_knob("label", 1));
  REQUIRE(lab.start_run("saliency", {}, 1));
  for (int i = 0; i < 10000 && lab.busy(); ++i) lab.tick(50);
  REQUIRE(lab.last_run());
  std::vector<std::string> metrics;
  REQUIRE(eval_parse_metrics("pointing_game,auprc,deletion_auc,sparseness", &metrics));
  REQUIRE(ev.start(lab, metrics, true));
  int ticks = 0;
  while (ev.busy() && ticks < 10000) ev.tick(0), ++ticks;
  CHECK(ticks >= 5);  // one metric or one layer per tick with no time budget
  CHECK(ev.error() == "");
  REQUIRE(ev.has_report());
  // The same numbers as the core on the same map and mask (resized to the model's 32x32 input).
  const Tensor mask = resize_bilinear(lab.mask(), 32, 32);
  CHECK(ev.report().find("auprc")->value == doctest::Approx(*eval_auprc(lab.last_run()->attribution, mask)));
  CHECK(ev.report().curves.size() == 2);
  REQUIRE(ev.has_sanity());
  CHECK(ev.sanity().steps.size() == sanity_layers(*onnx::parse_model(bytes->data(), bytes->size(), "m")).size());
  const std::string j = ev.to_json();
  CHECK(j.find("\"busy\":false") != std::string::npos);
  CHECK(j.find("\"sanity\":{\"layers\":[") != std::string::npos);
}

}  // TEST_SUITE
