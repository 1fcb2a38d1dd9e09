// Lab: the page's working state and everything it does, without ImGui: the
// current case (a phantom with its knobs, or an uploaded image), the current
// model (native engine), the prediction, the running explainer job and its
// result, and the comparison grid. Panels read it and call its actions; the
// test API calls the same actions. Runs natively in unit tests.
//
//   Lab lab;
//   XM_TRY(lab.load_model(bytes.data(), bytes.size(), "cardiac_lge.onnx", card_text));
//   XM_TRY(lab.set_scenario("cardiac_lge"));
//   XM_TRY(lab.start_run("integrated_gradients", {{"steps", "32"}}, -1));  // -1: predicted class
//   while (lab.busy()) lab.tick(/*budget_ms=*/10);                          // one call per frame
//   const Tensor& a = lab.attribution();
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "backend/backend.h"
#include "explain/explainer.h"
#include "image/model_card.h"
#include "phantoms/phantom.h"
#include "state/app_state.h"
#include "state/edits.h"
#include "tensor/tensor.h"

namespace xm {

// The two backends' outputs on one input (Lab::start_parity).
struct LabParity {
  bool running = false, valid = false;
  double max_abs = 0, max_rel = 0;  // relative to max |native output|
  std::vector<float> native, ort;
  std::string error;
};

// A finished run, as the page lists it (and the comparison grid shows it).
struct LabRun {
  std::string method;
  ParamList params;
  int target = 0;
  Tensor attribution;  // [1,C,H,W] or [1,1,H,W]
  ExplainStats stats;
  double ms = 0;
};

class Lab {
public:
  Lab();
  ~Lab();

  // [SECTION] case
  Status set_scenario(const std::string& scenario);  // default knobs, keeps the seed
  Status set_knob(const std::string& name, float value);
  Status set_seed(uint64_t seed);
  // PNG, JPEG, BMP, or .npy ([1,C,H,W], [C,H,W] or [H,W]; fed to the model as is
  // when it already has the model's input shape, else treated as an image in [0,1]).
  Status load_image(const uint8_t* data, size_t size, const std::string& name);
  const std::string& scenario() const { return scenario_; }
  const PhantomSpec& spec() const { return spec_; }
  uint64_t seed() const { return seed_; }
  bool has_phantom() const { return !uploaded_; }
  const std::string& image_name() const { return image_name_; }
  const Tensor& image01() const { return image01_; }  // what the user sees, [1,C,H,W] in [0,1]
  const Tensor& mask() const { return mask_; }        // ground truth, empty for uploads
  int true_label() const { return label_; }           // -1 for uploads

  // [SECTION] what-if edits (lab_whatif.cpp)
  // Replaces the strokes painted on the image; the prediction and the map follow.
  // Kept when a knob turns, dropped with a new case, seed or upload.
  Status set_edits(const EditList& edits);
  const EditList& edits() const { return edits_; }
  const Tensor& original01() const { return original01_; }  // the image before the edits
  // Class probabilities with a size x size square centred at image pixel (x, y)
  // set to `fill` in [0,1]: one forward pass (the occlusion probe).
  Status probe_occlusion(int x, int y, int size, float fill, std::vector<float>* probs);

  // [SECTION] model
  // `card_json` may be empty (an uploaded model without a card: 1-channel input
  // of the model's declared size, no normalisation).
  // With `ort_probe`, a model our engine refuses is checked but not loaded:
  // ort_probe->input gets the input [1,C,H,W] to run it with once on ONNX
  // Runtime Web (the page does, asynchronously), ->refusal the engine's
  // reason, and only a second call, without `ort_probe`, replaces the current
  // model. For a model the engine runs, ->input stays empty and it is loaded.
  struct OrtProbe {
    Shape input;
    std::string refusal;
  };
  Status load_model(const uint8_t* data, size_t size, const std::string& name, const std::string& card_json,
                    OrtProbe* ort_probe = nullptr);
  bool has_model() const { return backend_ != nullptr; }
  const ModelCard& card() const { return card_; }
  const std::string& model_name() const { return model_name_; }
  const Backend* backend() const { return backend_.get(); }
  const std::vector<float>& probabilities() const { return probs_; }
  int predicted() const;
  const Tensor& model_input() const { return input_; }  // preprocessed [1,C,H,W]
  // The loaded model's ONNX bytes (the evaluation's sanity checks re-load randomised copies).
  const std::vector<uint8_t>& model_bytes() const { return model_bytes_; }

  // [SECTION] backends (lab_backend.cpp)
  // How the lab opens ONNX Runtime Web (platform/ort_backend.h); set by the app,
  // null natively (no ORT) or a fake in tests. threads 0 = automatic.
  using OrtFactory = Result<std::unique_ptr<Backend>> (*)(const uint8_t* data, size_t size, const std::string& name,
                                                          int threads);
  static OrtFactory ort_factory;
  const std::string& backend_name() const;  // "native" | "ort" ("" without a model)
  bool native_available() const { return native_ok_; }  // the engine accepted the model
  const std::string& native_refusal() const { return native_refusal_; }
  bool ort_available() const;
  // Why the model runs where it runs (e.g. the automatic fall-back to ORT), for the model panel.
  const std::string& backend_note() const { return backend_note_; }
  Status set_backend(const std::string& which);  // "native" | "ort"; re-predicts
  // "" when `method` can run on the current backend, else the reason (gradients on ORT).
  std::string method_unavailable(const std::string& method) const;
  bool prediction_pending() const { return predict_pending_; }
  // Both backends' outputs on the current input: the largest absolute and relative difference.
  Status start_parity();
  const LabParity& parity() const { return parity_; }

  // [SECTION] explain
  // target -1: the predicted class. Fails (message for the user) on unknown
  // method, bad parameters, no model, or a method the backend cannot answer.
  Status start_run(const std::string& method, const ParamList& params, int target);
  void cancel();
  // Advances the running job by steps for at most about budget_ms (a step is
  // not started when the last one, repeated, would overrun it; at least one
  // step runs); returns true while busy.
  bool tick(double budget_ms);
  bool busy() const { return job_ != nullptr || deferred_.active || predict_pending_; }
  double progress() const;
  // The current map: the partial one while running, else the last result.
  const Tensor& attribution() const;
  const LabRun* last_run() const { return has_last_ ? &last_ : nullptr; }
  // Set when the last run failed or was cancelled (user-facing).
  const std::string& run_error() const { return run_error_; }
  // Monotonic counters for the UI to know when to refresh textures.
  uint64_t image_version() const { return image_version_; }
  uint64_t map_version() const { return map_version_; }
  // Runs finished since start (the test API waits for this to grow).
  uint64_t runs_finished() const { return runs_finished_; }
  // Re-run the last method automatically when the case or model changes.
  bool auto_rerun = true;
  // Largest batch a single step sends (keeps frames short in the browser);
  // on our engine a job starts at one image a step and adapts (adapt_batch).
  int ui_batch = 4;
  // Longest slice of one-off backend work in a tick (Backend::set_time_slice).
  double ui_slice_ms = 4;

  // [SECTION] compare
  std::vector<LabRun> compare;  // finished runs shown side by side
  std::vector<std::pair<std::string, ParamList>> compare_queue;
  void queue_compare(const std::vector<std::string>& methods);

  // [SECTION] status
  // Fills the parts of AppState that the lab owns.
  void fill_status(AppState& s) const;

private:
  Status regenerate();
  Status refresh_input();  // preprocess + predict (+ auto re-run)
  Status predict();
  Tensor preprocess(const Tensor& img01) const;
  std::vector<float> softmax(const Tensor& logits) const;
  void finish_job();
  // [SECTION] backends (lab_backend.cpp)
  Result<std::unique_ptr<Backend>> open_backend(const uint8_t* data, size_t size, const std::string& name,
                                                std::string* note, bool* native_ok,
                                                std::string* native_error);
  Status predict_or_wait();  // predict(), or predict_pending_ when the backend answers later
  bool tick_pending();       // retries what waits on a later answer; true while something does
  void tick_parity();
  struct DeferredRun {
    std::string method;
    ParamList params;
    int target = -1;
    bool active = false;
    bool empty() const { return !active; }
    void clear() { active = false; }
  };
  DeferredRun deferred_;  // a run asked for while the prediction is pending
  bool native_ok_ = false, predict_pending_ = false;
  std::string backend_note_, native_refusal_;
  std::unique_ptr<Backend> parity_other_;
  LabParity parity_;
  Tensor parity_input_;
  double job_wall0_ = 0;

  std::string scenario_ = PHANTOM_OPENING_SCENARIO;
  PhantomSpec spec_;
  uint64_t seed_ = PHANTOM_OPENING_SEED;
  bool uploaded_ = false;
  std::string image_name_;
  Tensor image01_, mask_, npy_input_;
  Tensor original01_;  // image01_ before edits_
  EditList edits_;
  int label_ = -1;

  std::unique_ptr<Backend> backend_;
  std::vector<uint8_t> model_bytes_;
  ModelCard card_;
  std::string model_name_;
  Tensor input_;
  std::vector<float> probs_;
  // The last prediction's input and logits from backend_ (empty when none is
  // current): a job's query for exactly that image is answered from them.
  Tensor predicted_input_, predicted_logits_;

  std::unique_ptr<Explainer> job_;
  std::unique_ptr<Backend> job_backend_;  // a batch-capped view of backend_ for the job
  int job_cap_ = 1;                       // its images per step now
  Result<PhantomCase> baked_or_generated() const;
  void adapt_batch(double step_ms, double budget_ms);
  std::string job_method_;
  ParamList job_params_;
  int job_target_ = 0;
  double job_ms_ = 0;
  bool job_for_compare_ = false;
  LabRun last_;
  bool has_last_ = false;
  std::string run_error_;
  Tensor empty_;
  uint64_t image_version_ = 1, map_version_ = 1, runs_finished_ = 0;
};

// A Backend that forwards to another and reports a smaller max_batch; its
// set_time_slice applies to the calls that go through it. With known_input
// and known_logits (the prediction the page already has, from `inner`),
// logits() for exactly known_input answers them instead of a forward pass
// (perturbation methods score the unperturbed image first).
std::unique_ptr<Backend> backend_batch_capped(Backend* inner, int max_batch, const Tensor* known_input = nullptr,
                                              const Tensor* known_logits = nullptr);

}  // namespace xm
