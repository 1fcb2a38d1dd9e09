// Backends that answer later (backend/pending.h; ONNX Runtime Web in the
// browser): explainers ask the same query again and end with exactly the
// result a synchronous backend gives (random sampling does not advance
// twice), and the Lab falls back to such a backend when the engine refuses a
// model, waits for its answers, and refuses gradient methods with the reason.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <map>

#include "backend/pending.h"
#include "engine/engine_backend.h"
#include "explain/explainer.h"
#include "explain/method_kinds.h"
#include "image/npy.h"
#include "state/lab.h"

using namespace xm;

namespace {

const std::string kModel = std::string(XMEDIA_SOURCE_DIR) + "/tests/golden/medical_cnn_o13/model.onnx";
const std::string kLstm = std::string(XMEDIA_SOURCE_DIR) + "/tests/ort/lstm_image/model.onnx";

// Answers each new batch "pending" the first `delay` times it is asked, then
// the inner backend's answer; logits only, like ORT. Counts what it saw.
class SlowBackend : public Backend {
public:
  SlowBackend(std::unique_ptr<Backend> inner, int delay) : inner_(std::move(inner)), delay_(delay) {
    info_ = inner_->info();
    info_.name = "ort";
    info_.can_differentiate = false;
  }
  const BackendInfo& info() const override { return info_; }
  Status logits(const Tensor& batch, Tensor* out) override {
    const uint64_t h = backend_batch_hash(batch);
    if (asked_[h]++ < delay_) {
      ++pending_;
      return backend_pending();
    }
    asked_.erase(h);
    ++answered_;
    return inner_->logits(batch, out);
  }
  int pending_ = 0, answered_ = 0;

private:
  std::unique_ptr<Backend> inner_;
  BackendInfo info_;
  int delay_;
  std::map<uint64_t, int> asked_;
};

std::unique_ptr<Backend> native(const std::string& path) {
  auto b = native_backend_from_file(path);
  REQUIRE_MESSAGE(b, b.error());
  return b.take();
}

Tensor test_input(const Backend& b) {
  Shape s = b.info().input_shape;
  Tensor x(s);
  for (size_t i = 0; i < x.data.size(); ++i) x.data[i] = float((i * 7919) % 101) / 101.0f;
  return x;
}

// A fake ORT for the Lab: the engine's answers for the golden CNN, delayed;
// for any other bytes (the LSTM model) constant logits, also delayed.
class ConstBackend : public Backend {
public:
  explicit ConstBackend(BackendInfo info) : info_(std::move(info)) {}
  const BackendInfo& info() const override { return info_; }
  Status logits(const Tensor& batch, Tensor* out) override {
    *out = Tensor({batch.dim(0), int64_t(info_.num_outputs)});
    // The sum of the image's pixels in output 1: occluding any part changes it.
    for (int64_t b = 0; b < batch.dim(0); ++b) {
      double s = 0;
      const int64_t per = int64_t(batch.data.size()) / batch.dim(0);
      for (int64_t i = 0; i < per; ++i) s += batch.data[size_t(b * per + i)];
      out->data[size_t(b * info_.num_outputs + 1)] = float(s / double(per));
    }
    return Status::ok();
  }

private:
  BackendInfo info_;
};

int g_fake_created = 0;
Result<std::unique_ptr<Backend>> fake_ort(const uint8_t* data, size_t size, const std::string& name, int) {
  ++g_fake_created;
  auto n = native_backend_from_bytes(data, size, name);
  if (n) return std::unique_ptr<Backend>(new SlowBackend(n.take(), 2));
  BackendInfo info;
  info.name = "ort";
  info.input_shape = {1, 1, 32, 32};
  info.num_outputs = 2;
  return std::unique_ptr<Backend>(new SlowBackend(std::unique_ptr<Backend>(new ConstBackend(info)), 2));
}

}  // namespace

TEST_SUITE("backend_pending") {
  TEST_CASE("every perturbation method gives the same map when each answer comes late") {
    for (const char* method : {"occlusion", "feature_ablation", "rise", "lime", "kernel_shap"}) {
      const std::string name = method;
      CAPTURE(name);
      ParamList p;
      if (std::string(method) == "rise") p = {{"masks", "40"}, {"cell", "8"}};
      if (std::string(method) == "lime" || std::string(method) == "kernel_shap") p = {{"samples", "40"}, {"features", "grid:4"}};
      if (std::string(method) == "occlusion") p = {{"window", "8"}, {"stride", "4"}};
      auto direct = native(kModel);
      const Tensor x = test_input(*direct);
      auto ref = explain_run_to_end(*direct, method, p, x, 1);
      REQUIRE_MESSAGE(ref, ref.error());

      SlowBackend slow(native(kModel), 2);
      auto job = explainer_create(method, p);
      REQUIRE(job);
      REQUIRE((*job)->begin(slow, x, 1));
      int steps = 0;
      while (!(*job)->done() && steps < 100000) {
        Status s = (*job)->step(slow);
        REQUIRE_MESSAGE((s || backend_is_pending(s)), s.error());
        ++steps;
      }
      REQUIRE((*job)->finished());
      CHECK(slow.pending_ == 2 * slow.answered_);  // every batch was asked three times
      const ExplainResult& r = (*job)->result();
      CHECK(r.stats.forward_passes == ref->stats.forward_passes);  // pending asks are not passes
      REQUIRE(r.attribution.shape == ref->attribution.shape);
      if (name == "occlusion") {
        // The engine answers occlusion incrementally (engine/incremental.h), the
        // delayed backend with full passes: equal up to float rounding.
        double err = 0, scale = 0;
        for (size_t i = 0; i < r.attribution.data.size(); ++i) {
          err = std::max(err, double(std::fabs(r.attribution.data[i] - ref->attribution.data[i])));
          scale = std::max(scale, double(std::fabs(ref->attribution.data[i])));
        }
        CHECK(scale > 0);
        CHECK(err <= 1e-4 * scale);
      } else {
        CHECK(r.attribution.data == ref->attribution.data);  // bit for bit: no random draw repeated
      }
    }
  }

  TEST_CASE("method kinds: perturbation methods need only outputs") {
    for (const char* m : {"occlusion", "feature_ablation", "rise", "lime", "kernel_shap"}) CHECK_FALSE(explain_method_needs_gradients(m));
    for (const char* m : {"saliency", "integrated_gradients", "grad_cam", "smoothgrad", "guided_backprop"})
      CHECK(explain_method_needs_gradients(m));
    CHECK(explain_method_unavailable_reason("occlusion", "ort", false).empty());
    CHECK(explain_method_unavailable_reason("saliency", "native", true).empty());
    CHECK(explain_method_unavailable_reason("saliency", "ort", false).find("ONNX Runtime Web") != std::string::npos);
  }

  TEST_CASE("the lab falls back to ORT for a model with an LSTM, waits for its answers, refuses gradients") {
    auto bytes = read_file_bytes(kLstm, 1 << 24);
    REQUIRE_MESSAGE(bytes, bytes.error());
    Lab::ort_factory = nullptr;
    {
      Lab lab;
      Status s = lab.load_model(bytes->data(), bytes->size(), "lstm.onnx", "");
      REQUIRE_FALSE(s);  // no ORT: the engine's refusal, naming the op
      CHECK(s.error().find("LSTM") != std::string::npos);
    }
    Lab::ort_factory = fake_ort;
    Lab lab;
    REQUIRE(lab.load_model(bytes->data(), bytes->size(), "lstm.onnx", ""));
    CHECK(lab.backend_name() == "ort");
    CHECK_FALSE(lab.native_available());
    CHECK(lab.backend_note().find("ONNX Runtime Web") != std::string::npos);
    CHECK(lab.backend_note().find("LSTM") != std::string::npos);
    CHECK(lab.prediction_pending());
    AppState st;
    lab.fill_status(st);
    CHECK(st.backend == "ort");
    Status g = lab.start_run("saliency", {}, -1);
    REQUIRE_FALSE(g);
    CHECK(g.error().find("needs gradients") != std::string::npos);
    CHECK(lab.method_unavailable("grad_cam") != "");
    CHECK(lab.method_unavailable("occlusion") == "");
    // A run asked for before the prediction arrives starts once it does.
    REQUIRE(lab.start_run("occlusion", {{"window", "8"}, {"stride", "8"}}, -1));
    CHECK(lab.busy());
    for (int i = 0; i < 10000 && lab.busy(); ++i) lab.tick(5);
    REQUIRE_FALSE(lab.busy());
    REQUIRE(lab.last_run());
    CHECK(lab.run_error() == "");
    CHECK(lab.last_run()->stats.forward_passes == 1 + 16);
    CHECK(lab.predicted() == 1);
    // Occluding with zeros can only lower the mean of a non-negative image.
    const Tensor& a = lab.last_run()->attribution;
    REQUIRE(a.data.size() == 32 * 32);
    float hi = 0;
    for (float v : a.data) {
      CHECK(v >= -1e-6f);
      hi = std::max(hi, v);
    }
    CHECK(hi > 0);
    CHECK_FALSE(lab.set_backend("native"));  // the engine cannot run it
    CHECK_FALSE(lab.start_parity());
    Lab::ort_factory = nullptr;
  }

  TEST_CASE("a model only ORT can run is checked, not loaded, until the page has run it on ORT once") {
    // Issue 18, row 8: the page runs the model once on ONNX Runtime Web first;
    // until that has worked, the model in use stays.
    Lab::ort_factory = fake_ort;
    auto good = read_file_bytes(kModel, 1 << 24);
    auto lstm = read_file_bytes(kLstm, 1 << 24);
    REQUIRE(good);
    REQUIRE(lstm);
    Lab lab;
    Lab::OrtProbe probe;
    probe.input = {7};
    REQUIRE(lab.load_model(good->data(), good->size(), "m.onnx", "", &probe));
    CHECK(probe.input.empty());  // the engine runs it: loaded at once
    CHECK(lab.model_name() == "m");
    const std::vector<float> probs = lab.probabilities();
    REQUIRE(lab.load_model(lstm->data(), lstm->size(), "lstm.onnx", "", &probe));
    CHECK(probe.input == Shape{1, 1, 32, 32});
    CHECK(probe.refusal.find("LSTM") != std::string::npos);
    CHECK(lab.model_name() == "m");
    CHECK(lab.backend_name() == "native");
    CHECK(lab.probabilities() == probs);
    REQUIRE(lab.load_model(lstm->data(), lstm->size(), "lstm.onnx", ""));
    CHECK(lab.model_name() == "lstm");
    CHECK(lab.backend_name() == "ort");
    Lab::ort_factory = nullptr;
  }

  TEST_CASE("switching backends and the parity view on a model both can run") {
    Lab::ort_factory = fake_ort;
    auto bytes = read_file_bytes(kModel, 1 << 24);
    REQUIRE(bytes);
    Lab lab;
    REQUIRE(lab.load_model(bytes->data(), bytes->size(), "m.onnx", ""));
    CHECK(lab.backend_name() == "native");
    CHECK(lab.backend_note() == "");
    REQUIRE(lab.start_parity());
    for (int i = 0; i < 100 && lab.parity().running; ++i) lab.tick(5);
    REQUIRE(lab.parity().valid);
    CHECK(lab.parity().max_abs == 0.0);  // the fake ORT is the engine, delayed
    CHECK(lab.parity().native.size() == lab.parity().ort.size());
    const std::vector<float> probs = lab.probabilities();
    REQUIRE(lab.set_backend("ort"));
    CHECK(lab.backend_name() == "ort");
    for (int i = 0; i < 100 && lab.busy(); ++i) lab.tick(5);
    CHECK(lab.probabilities() == probs);
    CHECK_FALSE(lab.start_run("integrated_gradients", {}, -1));
    REQUIRE(lab.set_backend("native"));
    CHECK(lab.start_run("integrated_gradients", {{"steps", "4"}}, -1));
    for (int i = 0; i < 1000 && lab.busy(); ++i) lab.tick(5);
    CHECK(lab.last_run());
    Lab::ort_factory = nullptr;
  }
}
