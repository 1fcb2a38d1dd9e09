// The explanation budget (EXPLAIN_MEMORY_BUDGET, EXPLAIN_WORK_BUDGET): parameters
// beyond it are refused by begin() with one line naming the parameter and the
// limit, before anything of their size is allocated; parameters at the limit begin.
#include <doctest/doctest.h>

#include "explain/explainer.h"
#include "explain/rng.h"
#include "image/npy.h"
#include "state/lab.h"
#include "test_explain_backends.h"

using namespace xm;
using namespace xm_test;

namespace {

Tensor random_image(int64_t C, int64_t H, int64_t W) {
  Tensor x({1, C, H, W});
  Rng rng(3);
  for (auto& v : x.data) v = float(rng.uniform());
  return x;
}

// begin()'s message, or "(begun)" when the job starts.
std::string begin_error(const std::string& method, const ParamList& p, int64_t C, int64_t H, int64_t W) {
  LinearBackend b(C, H, W, 2, 5);
  auto job = explainer_create(method, p);
  REQUIRE(job);
  Status s = (*job)->begin(b, random_image(C, H, W), 1);
  return s ? std::string("(begun)") : s.error();
}

}  // namespace

TEST_SUITE("explain_budget") {
  TEST_CASE("budget amounts read in binary units") {
    CHECK(explain_budget_amount(EXPLAIN_MEMORY_BUDGET, "B") == "256 MB");
    CHECK(explain_budget_amount(4.0 * 1024 * 1024 * 1024, "B") == "4 GB");
    CHECK(explain_budget_amount(1.5 * 1024, "B") == "1.5 KB");
    CHECK(explain_budget_amount(EXPLAIN_WORK_BUDGET, "") == "8 G");
  }

  TEST_CASE("surrogates refuse more features than the Gram matrix's budget allows") {
    // issue 18: features=grid:128 on cardiac_lge (128x128) aborted the wasm CLI.
    CHECK(begin_error("kernel_shap", {{"features", "grid:128"}}, 1, 128, 128) ==
          "kernel_shap: features=grid:128 gives 16384 features; at most 4033 with samples=500 (the Gram and design "
          "matrices would need 4.0 GB of the 256 MB budget)");
    // The Lasso keeps one d x d matrix, least squares two.
    CHECK(begin_error("lime", {{"features", "grid:128"}}, 1, 128, 128) ==
          "lime: features=grid:128 gives 16384 features; at most 5668 with samples=500 (the Gram and design matrices "
          "would need 2.0 GB of the 256 MB budget)");
    CHECK(begin_error("lime", {{"features", "grid:128"}, {"alpha", "0"}}, 1, 128, 128).find("at most 4033 with") !=
          std::string::npos);
    CHECK(begin_error("kernel_shap", {{"features", "grid:64"}}, 1, 64, 64).find("gives 4096 features; at most 4033") !=
          std::string::npos);
    CHECK(begin_error("kernel_shap", {{"features", "grid:63"}}, 1, 63, 63) == "(begun)");
  }

  TEST_CASE("surrogates refuse more samples than the design matrix's budget allows") {
    CHECK(begin_error("lime", {{"features", "grid:64"}, {"samples", "1000000"}}, 1, 64, 64) ==
          "lime: samples=1000000 with grid:64; at most 8184 (the design and Gram matrices would need 15 GB of the 256 MB "
          "budget)");
    CHECK(begin_error("lime", {{"features", "grid:64"}, {"samples", "8184"}}, 1, 64, 64) == "(begun)");
    CHECK(begin_error("lime", {{"features", "grid:64"}, {"samples", "8185"}}, 1, 64, 64).find("lime: samples=8185 ") == 0);
  }

  TEST_CASE("methods refuse more passes than the work budget allows") {
    CHECK(begin_error("rise", {{"masks", "1000000"}}, 1, 128, 128) ==
          "rise: masks=1000000 gives 1000000 passes of a 1x128x128 image; at most 524288 (the work budget is 8 G "
          "input values through the model)");
    CHECK(begin_error("rise", {{"masks", "524288"}}, 1, 128, 128) == "(begun)");
    CHECK(begin_error("kernel_shap", {{"samples", "1000000"}}, 1, 128, 128).find("kernel_shap: samples=1000000 ") == 0);
    CHECK(begin_error("smoothgrad", {{"samples", "100000"}}, 3, 224, 224) ==
          "smoothgrad: samples=100000 gives 200000 passes of a 3x224x224 image; at most 57065 (the work budget is 8 G "
          "input values through the model)");
    CHECK(begin_error("occlusion", {{"window", "1"}, {"stride", "1"}}, 1, 512, 512) ==
          "occlusion: window=1 stride=1 gives 262145 passes of a 1x512x512 image; at most 32768 (the work budget is "
          "8 G input values through the model)");
    CHECK(begin_error("occlusion", {{"window", "1"}, {"stride", "1"}}, 1, 128, 128) == "(begun)");
    CHECK(begin_error("feature_ablation", {{"window", "1"}}, 1, 512, 512).find("feature_ablation: window=1 gives") == 0);
  }

  TEST_CASE("an allowed large surrogate runs to the end") {
    LinearBackend b(1, 32, 32, 2, 5);
    auto r = explain_run_to_end(b, "kernel_shap", {{"features", "grid:32"}, {"samples", "64"}}, random_image(1, 32, 32),
                                1);
    REQUIRE(r);
    CHECK(r->stats.values.at("features") == 1024);
    CHECK(r->stats.forward_passes == 64);
  }

  TEST_CASE("the page refuses a run beyond the budget with the message and keeps the previous map") {
    // issue 18 row 5: run({method:'lime', params:{features:'grid:128'}}) killed the page.
    Lab lab;
    auto bytes = read_file_bytes(std::string(XMEDIA_SOURCE_DIR) + "/tests/golden/medical_cnn_o13/model.onnx", 1 << 24);
    REQUIRE_MESSAGE(bytes, bytes.error());
    REQUIRE(lab.load_model(bytes->data(), bytes->size(), "m.onnx", ""));
    REQUIRE(lab.start_run("saliency", {}, 1));
    for (int i = 0; i < 100000 && lab.busy(); ++i) lab.tick(50);
    REQUIRE_FALSE(lab.busy());
    const std::vector<float> before = lab.attribution().data;
    Status s = lab.start_run("lime", {{"features", "grid:32"}, {"samples", "1000000"}}, 1);
    CHECK(s.error() ==
          "lime: samples=1000000 with grid:32; at most 63240 (the design and Gram matrices would need 3.8 GB of the "
          "256 MB budget)");
    CHECK_FALSE(lab.busy());
    CHECK(lab.last_run()->method == "saliency");
    CHECK(lab.attribution().data == before);
  }
}
