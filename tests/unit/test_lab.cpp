// The page's logic without the page: load a model, switch cases, run, compare,
// and refuse bad input while keeping the previous state.
#include <doctest/doctest.h>

#include <cmath>

#include "engine/engine_backend.h"
#include "explain/explainer.h"
#include "image/image_io.h"
#include "image/npy.h"
#include "state/lab.h"

using namespace xm;

namespace {
const std::string kModel = std::string(XMEDIA_SOURCE_DIR) + "/tests/golden/medical_cnn_o13/model.onnx";

std::vector<uint8_t> model_bytes() {
  auto b = read_file_bytes(kModel, 1 << 24);
  REQUIRE_MESSAGE(b, b.error());
  return *b;
}

void run_to_end(Lab& lab) {
  for (int i = 0; i < 100000 && lab.busy(); ++i) lab.tick(50);
  REQUIRE_FALSE(lab.busy());
}
}  // namespace

TEST_SUITE("lab") {
  TEST_CASE("prediction is the softmax of the model on the preprocessed case") {
    Lab lab;
    lab.auto_rerun = false;
    auto bytes = model_bytes();
    REQUIRE(lab.load_model(bytes.data(), bytes.size(), "medical_cnn.onnx", ""));
    CHECK(lab.model_name() == "medical_cnn");
    CHECK(lab.model_input().shape == Shape{1, 1, 32, 32});
    // Independently: resize the phantom to the model's input and run the engine.
    auto ref = native_backend_from_bytes(bytes.data(), bytes.size(), "ref");
    REQUIRE(ref);
    Tensor x = resize_bilinear(convert_channels(lab.image01(), 1), 32, 32);
    Tensor logits;
    REQUIRE((*ref)->logits(x, &logits));
    double z = std::exp(double(logits.data[0])) + std::exp(double(logits.data[1]));
    REQUIRE(lab.probabilities().size() == 2);
    CHECK(lab.probabilities()[1] == doctest::Approx(std::exp(double(logits.data[1])) / z).epsilon(1e-5));
  }

  TEST_CASE("a run fills the map incrementally and ends with the method's result") {
    Lab lab;
    auto bytes = model_bytes();
    REQUIRE(lab.load_model(bytes.data(), bytes.size(), "m.onnx", ""));
    REQUIRE(lab.start_run("saliency", {}, 1));
    CHECK(lab.busy());
    run_to_end(lab);
    REQUIRE(lab.last_run());
    CHECK(lab.last_run()->method == "saliency");
    CHECK(lab.runs_finished() == 1);
    const Tensor& a = lab.attribution();
    CHECK(a.shape == Shape{1, 1, 32, 32});
    // Saliency is |d logit_1 / d x|.
    auto ref = native_backend_from_bytes(bytes.data(), bytes.size(), "ref");
    Tensor seed({1, 2});
    seed.data[1] = 1;
    Tensor logits, grad;
    REQUIRE((*ref)->input_gradient(lab.model_input(), seed, &logits, &grad));
    for (size_t i = 0; i < a.numel(); ++i) CHECK(a.data[i] == doctest::Approx(std::fabs(grad.data[i])).epsilon(1e-5));

    SUBCASE("changing the case re-runs the method when live") {
      lab.auto_rerun = true;
      REQUIRE(lab.set_seed(77));
      CHECK(lab.busy());
      run_to_end(lab);
      CHECK(lab.runs_finished() == 2);
    }
    SUBCASE("cancel stops the run and says so") {
      REQUIRE(lab.start_run("occlusion", {{"window", "4"}, {"stride", "2"}}, 0));
      lab.tick(0);
      lab.cancel();
      CHECK_FALSE(lab.busy());
      CHECK(lab.run_error() == "cancelled");
      CHECK(lab.last_run()->method == "saliency");
    }
  }

  TEST_CASE("occlusion's base pass is spread over ticks and the map is the core's") {
    Lab lab;
    lab.auto_rerun = false;
    auto bytes = model_bytes();
    REQUIRE(lab.load_model(bytes.data(), bytes.size(), "m.onnx", ""));
    lab.ui_slice_ms = 1e-9;  // one node of the base pass per tick
    const ParamList params = {{"window", "8"}, {"stride", "4"}};
    REQUIRE(lab.start_run("occlusion", params, 1));
    int ticks = 0;
    for (; ticks < 100000 && lab.busy(); ++ticks) {
      lab.tick(0);  // one step per tick
      if (ticks < 3) CHECK(lab.progress() == 0.0f);  // still the base pass: no window scored yet
    }
    REQUIRE_FALSE(lab.busy());
    CHECK(lab.run_error().empty());
    REQUIRE(lab.last_run());
    auto ref = native_backend_from_bytes(bytes.data(), bytes.size(), "ref");
    REQUIRE(ref);
    auto want = explain_run_to_end(**ref, "occlusion", params, lab.model_input(), 1);
    REQUIRE(want);
    // 49 windows in batches of ui_batch, after the base pass's slices.
    CHECK(ticks > (49 + lab.ui_batch - 1) / lab.ui_batch + 3);
    CHECK(lab.last_run()->stats.forward_passes == want->stats.forward_passes);
    const Tensor& a = lab.attribution();
    REQUIRE(a.data.size() == want->attribution.data.size());
    for (size_t i = 0; i < a.data.size(); ++i) CHECK(a.data[i] == doctest::Approx(want->attribution.data[i]).epsilon(1e-5));
  }

  TEST_CASE("every method gives the core's map, whatever images per step the page sends") {
    // The page starts a job at one image per step and adapts the count to the
    // step's time (Lab::adapt_batch); the maps must not depend on it.
    auto bytes = model_bytes();
    auto ref = native_backend_from_bytes(bytes.data(), bytes.size(), "ref");
    REQUIRE(ref);
    for (const MethodInfo& m : explain_methods()) {
      INFO("method ", m.name);
      ParamList params;
      if (std::string(m.name) == "occlusion") params = {{"window", "8"}, {"stride", "4"}};
      for (double budget : {0.0, 1.0, 50.0}) {  // one step per tick, a few, many
        INFO("budget ", budget);
        Lab lab;
        lab.auto_rerun = false;
        REQUIRE(lab.load_model(bytes.data(), bytes.size(), "m.onnx", ""));
        REQUIRE(lab.start_run(m.name, params, 1));
        for (int i = 0; i < 100000 && lab.busy(); ++i) lab.tick(budget);
        REQUIRE_FALSE(lab.busy());
        INFO(lab.run_error());
        REQUIRE(lab.last_run());
        auto want = explain_run_to_end(**ref, m.name, params, lab.model_input(), 1);
        REQUIRE(want);
        const Tensor& a = lab.attribution();
        REQUIRE(a.data.size() == want->attribution.data.size());
        double worst = 0, scale = 1e-12;
        for (size_t i = 0; i < a.data.size(); ++i) {
          worst = std::max(worst, double(std::fabs(a.data[i] - want->attribution.data[i])));
          scale = std::max(scale, double(std::fabs(want->attribution.data[i])));
        }
        CHECK(worst <= 1e-5 * scale);
      }
    }
  }

  TEST_CASE("a job's query for the predicted image is answered from the prediction") {
    // A backend that counts its forward passes and answers 1, 2, 3... per image.
    struct Counting : Backend {
      BackendInfo i;
      int calls = 0;
      Counting() {
        i.name = "counting";
        i.input_shape = {1, 1, 2, 2};
        i.num_outputs = 2;
        i.max_batch = 16;
      }
      const BackendInfo& info() const override { return i; }
      Status logits(const Tensor& x, Tensor* out) override {
        ++calls;
        *out = Tensor({x.dim(0), 2});
        for (float& v : out->data) v = float(calls);
        return Status::ok();
      }
    } inner;
    Tensor x({1, 1, 2, 2}), known({1, 2}), got;
    x.data = {0.1f, 0.2f, 0.3f, 0.4f};
    known.data = {7.0f, -7.0f};
    auto capped = backend_batch_capped(&inner, 4, &x, &known);
    CHECK(capped->info().max_batch == 4);
    REQUIRE(capped->logits(x, &got));
    CHECK(inner.calls == 0);
    CHECK(got.data == known.data);
    Tensor other = x;
    other.data[3] = 0.5f;  // any other image is a real forward pass
    REQUIRE(capped->logits(other, &got));
    CHECK(inner.calls == 1);
    Tensor two({2, 1, 2, 2});
    REQUIRE(capped->logits(two, &got));
    CHECK(inner.calls == 2);
    Tensor none;  // no current prediction
    auto plain = backend_batch_capped(&inner, 4, &x, &none);
    REQUIRE(plain->logits(x, &got));
    CHECK(inner.calls == 3);

    // In the lab: occlusion's score of the unperturbed image is the prediction's.
    Lab lab;
    lab.auto_rerun = false;
    auto bytes = model_bytes();
    REQUIRE(lab.load_model(bytes.data(), bytes.size(), "m.onnx", ""));
    REQUIRE(lab.start_run("occlusion", {{"window", "16"}, {"stride", "16"}}, 1));
    run_to_end(lab);
    REQUIRE(lab.last_run());
    auto ref = native_backend_from_bytes(bytes.data(), bytes.size(), "ref");
    REQUIRE(ref);
    Tensor logits;
    REQUIRE((*ref)->logits(lab.model_input(), &logits));
    CHECK(lab.last_run()->stats.values.at("f_input") == doctest::Approx(logits.data[1]).epsilon(1e-6));
  }

  TEST_CASE("bad input is refused and the previous state stays") {
    Lab lab;
    lab.auto_rerun = false;
    auto bytes = model_bytes();
    REQUIRE(lab.load_model(bytes.data(), bytes.size(), "good.onnx", ""));
    const std::string image_before = lab.image_name();
    std::vector<uint8_t> junk(300, 0x5a);
    Status s = lab.load_model(junk.data(), junk.size(), "junk.onnx", "");
    CHECK_FALSE(s);
    CHECK(s.error().find("junk.onnx") != std::string::npos);
    CHECK(lab.model_name() == "good");
    CHECK_FALSE(lab.load_image(junk.data(), junk.size(), "junk.png"));
    CHECK(lab.image_name() == image_before);
    CHECK_FALSE(lab.set_knob("no_such_knob", 1));
    CHECK_FALSE(lab.set_scenario("no_such_scenario"));
    CHECK_FALSE(lab.start_run("no_such_method", {}, -1));
    CHECK_FALSE(lab.start_run("integrated_gradients", {{"steps", "0"}}, -1));
    CHECK_FALSE(lab.start_run("saliency", {}, 5));
    CHECK_FALSE(lab.busy());
    CHECK_FALSE(lab.load_model(bytes.data(), bytes.size(), "bad-card.onnx", "{\"input\": 3"));
    CHECK(lab.model_name() == "good");
  }

  TEST_CASE("uploads: a PNG is resized to the model, a .npy of the model's shape is fed as it is") {
    Lab lab;
    lab.auto_rerun = false;
    auto bytes = model_bytes();
    REQUIRE(lab.load_model(bytes.data(), bytes.size(), "m.onnx", ""));
    Image8 img;
    img.width = 50;
    img.height = 40;
    img.channels = 3;
    img.pixels.assign(50 * 40 * 3, 200);
    auto png = png_encode(img);
    REQUIRE(lab.load_image(png.data(), png.size(), "scan.png"));
    CHECK(lab.image_name() == "scan.png");
    CHECK_FALSE(lab.has_phantom());
    CHECK(lab.model_input().shape == Shape{1, 1, 32, 32});
    CHECK(lab.model_input().data[100] == doctest::Approx(200.0f / 255.0f).epsilon(1e-4));
    Tensor x({1, 1, 32, 32}, -2.5f);  // outside [0,1]: only a model input can hold it
    auto npy = npy_encode(x);
    REQUIRE(lab.load_image(npy.data(), npy.size(), "x.npy"));
    CHECK(lab.model_input().data[0] == -2.5f);
    Tensor bad({7});
    auto badnpy = npy_encode(bad);
    CHECK_FALSE(lab.load_image(badnpy.data(), badnpy.size(), "bad.npy"));
  }

  TEST_CASE("compare runs each method in turn") {
    Lab lab;
    lab.auto_rerun = false;
    auto bytes = model_bytes();
    REQUIRE(lab.load_model(bytes.data(), bytes.size(), "m.onnx", ""));
    lab.queue_compare({"saliency", "input_x_gradient", "grad_cam"});
    for (int i = 0; i < 100000 && (lab.busy() || !lab.compare_queue.empty()); ++i) lab.tick(50);
    REQUIRE(lab.compare.size() == 3);
    CHECK(lab.compare[0].method == "saliency");
    CHECK(lab.compare[2].method == "grad_cam");
    CHECK(lab.compare[2].attribution.shape == Shape{1, 1, 32, 32});
  }
}
