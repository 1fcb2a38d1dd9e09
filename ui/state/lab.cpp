// [SECTION] helpers
// [SECTION] case
// [SECTION] model
// [SECTION] explain
// [SECTION] compare and status
#include "state/lab.h"

#include <algorithm>
#include <chrono>
#include <cmath>

#include "backend/pending.h"
#include "core/strings.h"
#include "engine/engine_backend.h"
#include "image/image_io.h"
#include "image/npy.h"

namespace xm {

// [SECTION] helpers

namespace {

double now_ms() {
  using namespace std::chrono;
  return duration<double, std::milli>(steady_clock::now().time_since_epoch()).count();
}

class BatchCapped : public Backend {
public:
  BatchCapped(Backend* inner, int cap, const Tensor* known_input, const Tensor* known_logits)
      : inner_(inner), known_input_(known_input), known_logits_(known_logits) {
    info_ = inner->info();
    set_cap(cap);
  }
  void set_cap(int cap) { info_.max_batch = std::max(1, std::min(cap, inner_->info().max_batch)); }
  const BackendInfo& info() const override { return info_; }
  Status logits(const Tensor& b, Tensor* l) override {
    if (known_input_ && known_logits_ && !known_logits_->data.empty() && b.shape == known_input_->shape &&
        b.data == known_input_->data) {
      *l = *known_logits_;
      return Status::ok();
    }
    return inner_->logits(b, l);
  }
  Status input_gradient(const Tensor& b, const Tensor& s, Tensor* l, Tensor* g) override {
    return inner_->input_gradient(b, s, l, g);
  }
  Status layer(const std::string& n, const Tensor& b, const Tensor& s, LayerAnswer* o) override {
    return inner_->layer(n, b, s, o);
  }
  Status relevance(const Tensor& b, const Tensor& s, const LrpRule& r, Tensor* l, Tensor* rel) override {
    return inner_->relevance(b, s, r, l, rel);
  }
  // Forwarded so the page's occlusion gets the engine's incremental inference,
  // not the base class's full-image fallback.
  // The page's main loop handles pending answers, so long one-off work is
  // split into slices (Backend::set_time_slice), for this job's calls only.
  Status logits_patched(const Tensor& base, const std::vector<InputPatch>& p, Tensor* out) override {
    inner_->set_time_slice(slice_ms_);
    Status s = inner_->logits_patched(base, p, out);
    inner_->set_time_slice(0);
    return s;
  }
  void set_time_slice(double ms) override { slice_ms_ = ms; }
  void set_relu_rule(ReluRule r) override { inner_->set_relu_rule(r); }
  void set_threads(int n) override { inner_->set_threads(n); }

private:
  Backend* inner_;
  const Tensor *known_input_, *known_logits_;
  BackendInfo info_;
  double slice_ms_ = 0;
};

}  // namespace

std::unique_ptr<Backend> backend_batch_capped(Backend* inner, int max_batch, const Tensor* known_input,
                                              const Tensor* known_logits) {
  return std::make_unique<BatchCapped>(inner, max_batch, known_input, known_logits);
}

Lab::Lab() {
  auto s = phantom_spec(scenario_);
  if (s) spec_ = *s;
  regenerate();
}

Lab::~Lab() = default;

// [SECTION] case

Status Lab::set_scenario(const std::string& scenario) {
  auto s = phantom_spec(scenario);
  if (!s) return s.status();
  scenario_ = scenario;
  spec_ = *s;
  uploaded_ = false;
  edits_ = EditList();
  return regenerate();
}

Status Lab::set_knob(const std::string& name, float value) {
  if (uploaded_) return Status::error("knobs apply to synthetic cases; pick a case first");
  PhantomSpec next = spec_;
  XM_TRY(phantom_set_knob(next, name, value));
  spec_ = next;
  return regenerate();
}

Status Lab::set_seed(uint64_t seed) {
  seed_ = seed;
  uploaded_ = false;
  edits_ = EditList();
  return regenerate();
}

// The page bakes its opening case at build time (tools/case_bake) and puts it
// in /cases/: reading it is ~50 ms less start-up than drawing it in the
// browser's baseline code. Any other case, or a file that does not match, is drawn.
Result<PhantomCase> Lab::baked_or_generated() const {
  const std::string path = "/cases/" + phantom_case_file_name(spec_, seed_);
  if (auto bytes = read_file_bytes(path, 1 << 20)) {
    auto c = phantom_case_decode(bytes->data(), bytes->size(), spec_, seed_);
    if (c) return c;
  }
  return phantom_generate(spec_, seed_);
}

Status Lab::regenerate() {
  auto c = baked_or_generated();
  if (!c) return c.status();
  image01_ = c->image;
  original01_ = image01_;
  if (!edits_.empty()) image01_ = edits_apply(original01_, edits_);
  mask_ = c->mask;
  label_ = c->label;
  uploaded_ = false;
  npy_input_ = Tensor();
  image_name_ = scenario_ + " #" + std::to_string(seed_);
  image_version_++;
  return refresh_input();
}

Status Lab::load_image(const uint8_t* data, size_t size, const std::string& name) {
  Tensor img01, as_input;
  if (ends_with_nocase(name, ".npy")) {
    auto t = npy_read(data, size, name);
    if (!t) return t.status();
    Tensor x = *t;
    if (x.rank() == 2) x.shape = {1, 1, x.shape[0], x.shape[1]};
    else if (x.rank() == 3) x.shape = {1, x.shape[0], x.shape[1], x.shape[2]};
    if (x.rank() != 4 || x.dim(0) != 1 || x.dim(1) < 1 || x.dim(1) > 4 || x.dim(2) < 2 || x.dim(3) < 2 ||
        x.dim(2) > IMAGE_MAX_SIDE || x.dim(3) > IMAGE_MAX_SIDE)
      return Status::error(name + ": a .npy image must be [H,W], [C,H,W] or [1,C,H,W] with C from 1 to 4, got " +
                           shape_str(t->shape));
    for (float v : x.data)
      if (!std::isfinite(v)) return Status::error(name + ": contains NaN or infinite values");
    if (has_model() && x.dim(1) == card_.channels && x.dim(2) == card_.height && x.dim(3) == card_.width) {
      as_input = x;  // fed as it is (docs/ARCHITECTURE.md), shown denormalised
      img01 = model_card_denormalise(card_, x);
    } else {
      float lo = *std::min_element(x.data.begin(), x.data.end()), hi = *std::max_element(x.data.begin(), x.data.end());
      img01 = x;
      if (lo < 0 || hi > 1)
        for (float& v : img01.data) v = hi > lo ? (v - lo) / (hi - lo) : 0.0f;
      if (img01.dim(1) == 4) img01 = convert_channels(img01, 3);
    }
  } else {
    auto img = image_decode(data, size, name);
    if (!img) return img.status();
    img01 = image_to_tensor(*img, img->channels >= 3 ? 3 : 1);
  }
  image01_ = img01;
  original01_ = img01;
  edits_ = EditList();
  npy_input_ = as_input;
  mask_ = Tensor();
  label_ = -1;
  uploaded_ = true;
  image_name_ = name;
  image_version_++;
  return refresh_input();
}

// [SECTION] model

Status Lab::load_model(const uint8_t* data, size_t size, const std::string& name, const std::string& card_json,
                       OrtProbe* ort_probe) {
  if (ort_probe) *ort_probe = OrtProbe();
  std::string note;
  bool native_ok = false;
  std::string native_error;
  auto b = open_backend(data, size, name, &note, &native_ok, &native_error);  // native, else ONNX Runtime Web
  if (!b) return b.status();
  const BackendInfo& info = (*b)->info();
  ModelCard card;
  if (!card_json.empty()) {
    auto c = model_card_parse(card_json, name + " (model card)");
    if (!c) return c.status();
    card = *c;
  } else {
    card.name = name;
    if (ends_with_nocase(card.name, ".onnx")) card.name.resize(card.name.size() - 5);
  }
  const Shape& in = info.input_shape;
  if (in.size() != 4) return Status::error(name + ": the model's input is " + shape_str(in) + "; the lab needs an image input [N,C,H,W]");
  if (in[1] > 0) card.channels = int(in[1]);
  if (in[2] > 0) card.height = int(in[2]);
  if (in[3] > 0) card.width = int(in[3]);
  if (card.channels < 1 || card.channels > 4 || card.height < 2 || card.width < 2 || card.height > 1024 || card.width > 1024)
    return Status::error(name + ": input " + shape_str(in) + " is not an image size the lab can show");
  if ((card.mean.size() != 1 && int(card.mean.size()) != card.channels) || (card.std.size() != 1 && int(card.std.size()) != card.channels))
    return Status::error(name + ": the card's mean/std do not match the model's " + std::to_string(card.channels) + " channels");
  if (info.num_outputs < 1) return Status::error(name + ": the model has no outputs the lab can explain");
  if (ort_probe && !native_ok) {
    ort_probe->input = {1, card.channels, card.height, card.width};
    ort_probe->refusal = native_error;
    return Status::ok();
  }
  cancel();
  backend_ = b.take();
  predicted_logits_ = Tensor();
  backend_note_ = note;
  native_ok_ = native_ok;
  native_refusal_ = native_ok ? "" : note;
  predict_pending_ = false;
  parity_ = LabParity();
  parity_other_.reset();
  if (has_last_ && !method_unavailable(last_.method).empty()) has_last_ = false;
  model_bytes_.assign(data, data + size);
  card_ = card;
  model_name_ = card.name.empty() ? name : card.name;
  compare.clear();
  if (!npy_input_.data.empty() && npy_input_.shape != Shape{1, card_.channels, card_.height, card_.width}) npy_input_ = Tensor();
  return refresh_input();
}

int Lab::predicted() const {
  if (probs_.empty()) return 0;
  return int(std::max_element(probs_.begin(), probs_.end()) - probs_.begin());
}

Status Lab::refresh_input() {
  if (!has_model()) return Status::ok();
  if (!npy_input_.data.empty()) {
    input_ = npy_input_;
  } else {
    input_ = preprocess(image01_);
  }
  XM_TRY(predict());
  if (auto_rerun && has_last_) {
    std::string m = last_.method;
    ParamList p = last_.params;
    compare.clear();
    return start_run(m, p, -1);
  }
  if (job_) return start_run(job_method_, job_params_, -1);
  return Status::ok();
}

Status Lab::predict() { return predict_or_wait(); }

// [SECTION] explain

Status Lab::start_run(const std::string& method, const ParamList& params, int target) {
  if (!has_model()) return Status::error("load a model first");
  const MethodInfo* mi = explain_find_method(method);
  if (!mi) return Status::error("unknown method '" + method + "'");
  const int K = backend_->info().num_outputs;
  if (target < -1 || target >= K)
    return Status::error("target " + std::to_string(target) + " is outside the model's " + std::to_string(K) + " outputs");
  if (std::string why = method_unavailable(method); !why.empty()) return Status::error(why);
  auto job = explainer_create(method, params);
  if (!job) return job.status();
  if (predict_pending_ && target < 0) {  // the predicted class is not known yet: start when it is
    cancel();
    run_error_.clear();
    deferred_ = DeferredRun{method, params, target, true};
    return Status::ok();
  }
  job_cap_ = backend_name() == "ort" ? ui_batch : 1;  // adapt_batch
  auto capped = backend_batch_capped(backend_.get(), job_cap_, &predicted_input_, &predicted_logits_);
  capped->set_time_slice(ui_slice_ms);
  const int t = target < 0 ? predicted() : target;
  XM_TRY((*job)->begin(*capped, input_, t));
  job_ = job.take();
  job_backend_ = std::move(capped);
  job_method_ = method;
  job_params_ = params;
  job_target_ = t;
  job_ms_ = 0;
  job_wall0_ = now_ms();
  job_for_compare_ = false;
  run_error_.clear();
  map_version_++;
  return Status::ok();
}

void Lab::cancel() {
  deferred_.clear();
  if (!job_) return;
  job_->cancel();
  job_.reset();
  job_backend_.reset();
  compare_queue.clear();
  run_error_ = "cancelled";
  map_version_++;
}

bool Lab::tick(double budget_ms) {
  const bool waiting = tick_pending();  // answers that arrive later (ONNX Runtime Web)
  if (!job_) {
    if (compare_queue.empty() || !has_model()) return waiting;
    if (predict_pending_) return true;
    auto next = compare_queue.front();
    compare_queue.erase(compare_queue.begin());
    if (Status s = start_run(next.first, next.second, -1); !s) {
      run_error_ = s.error();
      return !compare_queue.empty();
    }
    job_for_compare_ = true;
  }
  const double t0 = now_ms();
  double step_ms = 0;
  do {
    const double s0 = now_ms();
    Status s = job_->step(*job_backend_);
    step_ms = now_ms() - s0;
    job_ms_ += step_ms;
    if (backend_is_pending(s)) {  // the same step again on the next tick
      map_version_++;
      return true;
    }
    if (!s) {
      run_error_ = s.error();
      job_.reset();
      job_backend_.reset();
      map_version_++;
      return false;
    }
    if (job_->done()) {
      finish_job();
      return !compare_queue.empty();
    }
    adapt_batch(step_ms, budget_ms);
    // Another step as long as the last would overrun the budget: the frame ends here.
  } while (now_ms() - t0 + step_ms < budget_ms);
  map_version_++;
  return true;
}

// Images per step follow the step's time: a job starts at one image a step
// (its first steps run in the browser's baseline code, and a batch of four
// could take 30-60 ms), doubles while a step takes under half the
// budget, up to ui_batch, and halves when a step overruns it. Only on our own
// engine: ONNX Runtime Web answers later (backend/pending.h), and a pending
// query must be asked again with the same batch.
void Lab::adapt_batch(double step_ms, double budget_ms) {
  auto* capped = dynamic_cast<BatchCapped*>(job_backend_.get());
  if (!capped || backend_name() == "ort") return;
  if (step_ms > budget_ms && job_cap_ > 1) job_cap_ = std::max(1, job_cap_ / 2);
  else if (step_ms < budget_ms / 2 && job_cap_ < ui_batch) job_cap_ = std::min(ui_batch, job_cap_ * 2);
  capped->set_cap(job_cap_);
}

void Lab::finish_job() {
  const ExplainResult& r = job_->result();
  last_.method = job_method_;
  last_.params = job_params_;
  last_.target = job_target_;
  last_.attribution = r.attribution;
  last_.stats = r.stats;
  // ORT computes between frames, so its cost is the wall time; ours is the time spent stepping.
  last_.ms = backend_name() == "ort" ? now_ms() - job_wall0_ : job_ms_;
  has_last_ = true;
  runs_finished_++;
  if (job_for_compare_) compare.push_back(last_);
  job_.reset();
  job_backend_.reset();
  map_version_++;
}

double Lab::progress() const {
  if (job_) return job_->progress();
  return has_last_ ? 1.0 : 0.0;
}

const Tensor& Lab::attribution() const {
  if (job_) return job_->partial();
  return has_last_ ? last_.attribution : empty_;
}

// [SECTION] compare and status

void Lab::queue_compare(const std::vector<std::string>& methods) {
  cancel();
  run_error_.clear();
  compare.clear();
  for (auto& m : methods) compare_queue.emplace_back(m, ParamList{});
}

void Lab::fill_status(AppState& s) const {
  s.model = model_name_;
  if (!backend_name().empty()) s.backend = backend_name();
  s.image = image_name_;
  s.busy = busy() || !compare_queue.empty();
  s.progress = progress();
  s.prediction = probs_;
  s.class_names = card_.classes;
  if (has_last_) {
    s.has_last = true;
    s.last.method = last_.method;
    s.last.ms = last_.ms;
    s.last.passes = int(last_.stats.forward_passes + last_.stats.backward_passes);
  }
}

}  // namespace xm
