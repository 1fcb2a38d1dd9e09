// The Lab's two backends (lab.h, [SECTION] backends): the native engine, and
// ONNX Runtime Web for models the engine refuses or for a side-by-side check.
// ORT in the browser answers later: a query it has only started returns
// backend_pending() (backend/pending.h), and the Lab asks again on the next
// tick; nothing else in the Lab waits.
#include <algorithm>
#include <cmath>

#include "backend/pending.h"
#include "engine/engine_backend.h"
#include "explain/method_kinds.h"
#include "state/lab.h"

namespace xm {

Lab::OrtFactory Lab::ort_factory = nullptr;

Result<std::unique_ptr<Backend>> Lab::open_backend(const uint8_t* data, size_t size, const std::string& name,
                                                   std::string* note, bool* native_ok, std::string* native_error) {
  auto b = native_backend_from_bytes(data, size, name);
  *native_ok = bool(b);
  if (b) {
    note->clear();
    return b;
  }
  *native_error = b.error();
  // The engine refuses the model (an op it lacks, e.g. LSTM): ONNX Runtime Web
  // runs almost any model, for the methods that only need outputs.
  if (!ort_factory) return b.status();
  auto o = ort_factory(data, size, name, 0);
  if (!o) return Status::error(b.error() + "; ONNX Runtime Web cannot run it either: " + o.error());
  *note = "Runs on ONNX Runtime Web: our engine refused it (" + b.error() +
          "). Perturbation methods work; gradient methods are unavailable.";
  return o;
}

const std::string& Lab::backend_name() const {
  static const std::string none;
  return backend_ ? backend_->info().name : none;
}

bool Lab::ort_available() const { return ort_factory != nullptr && !model_bytes_.empty(); }

Status Lab::set_backend(const std::string& which) {
  if (!has_model()) return Status::error("load a model first");
  if (which == backend_name()) return Status::ok();
  if (which != "native" && which != "ort") return Status::error("backend must be native or ort, got '" + which + "'");
  if (which == "native" && !native_ok_) return Status::error("our engine cannot run this model: " + native_refusal_);
  if (which == "ort" && !ort_available()) return Status::error("ONNX Runtime Web is not available here");
  Result<std::unique_ptr<Backend>> b =
      which == "native" ? native_backend_from_bytes(model_bytes_.data(), model_bytes_.size(), model_name_)
                        : ort_factory(model_bytes_.data(), model_bytes_.size(), model_name_, 0);
  if (!b) return b.status();
  const std::string method = has_last_ ? last_.method : "";
  cancel();
  run_error_.clear();
  backend_ = b.take();
  predicted_logits_ = Tensor();
  backend_note_ = which == "ort" ? "Runs on ONNX Runtime Web (chosen). Gradient methods are unavailable." : "";
  parity_ = LabParity();
  // The last map came from the other backend; a gradient method cannot follow to ORT.
  if (!method.empty() && !method_unavailable(method).empty()) has_last_ = false;
  return refresh_input();
}

std::string Lab::method_unavailable(const std::string& method) const {
  if (!backend_) return "";
  return explain_method_unavailable_reason(method, backend_->info().name, backend_->info().can_differentiate);
}

// [SECTION] pending answers

Status Lab::predict_or_wait() {
  predicted_logits_ = Tensor();
  Tensor logits;
  Status s = backend_->logits(input_, &logits);
  if (backend_is_pending(s)) {
    predict_pending_ = true;
    return Status::ok();
  }
  predict_pending_ = false;
  XM_TRY(s);
  probs_ = softmax(logits);
  predicted_input_ = input_;
  predicted_logits_ = logits;
  return Status::ok();
}

bool Lab::tick_pending() {
  if (predict_pending_) {
    Status s = predict_or_wait();
    if (!s) {
      run_error_ = s.error();
      deferred_.clear();
    }
    if (predict_pending_) return true;
  }
  if (!deferred_.empty()) {
    auto d = deferred_;
    deferred_.clear();
    if (Status s = start_run(d.method, d.params, d.target); !s) run_error_ = s.error();
    return true;
  }
  if (parity_.running) tick_parity();
  return parity_.running;
}

// [SECTION] parity

Status Lab::start_parity() {
  if (!has_model()) return Status::error("load a model first");
  if (!native_ok_) return Status::error("our engine cannot run this model, so there is nothing to compare");
  if (!ort_available()) return Status::error("ONNX Runtime Web is not available here");
  if (!parity_other_ || parity_other_->info().name == backend_name()) {
    Result<std::unique_ptr<Backend>> b =
        backend_name() == "ort" ? native_backend_from_bytes(model_bytes_.data(), model_bytes_.size(), model_name_)
                                : ort_factory(model_bytes_.data(), model_bytes_.size(), model_name_, 0);
    if (!b) return b.status();
    parity_other_ = b.take();
  }
  parity_ = LabParity();
  parity_.running = true;
  parity_input_ = input_;
  tick_parity();
  return Status::ok();
}

void Lab::tick_parity() {
  Backend* native = backend_name() == "native" ? backend_.get() : parity_other_.get();
  Backend* ort = backend_name() == "ort" ? backend_.get() : parity_other_.get();
  Tensor a, b;
  Status sa = native->logits(parity_input_, &a);
  Status sb = ort->logits(parity_input_, &b);
  if (backend_is_pending(sa) || backend_is_pending(sb)) return;  // asked again next tick
  parity_.running = false;
  if (!sa || !sb) {
    parity_.error = !sa ? sa.error() : sb.error();
    return;
  }
  if (a.data.size() != b.data.size()) {
    parity_.error = "the backends answered " + shape_str(a.shape) + " and " + shape_str(b.shape);
    return;
  }
  double scale = 0, err = 0;
  for (size_t i = 0; i < a.data.size(); ++i) {
    scale = std::max(scale, std::fabs(double(a.data[i])));
    err = std::max(err, std::fabs(double(a.data[i]) - double(b.data[i])));
  }
  parity_.native = a.data;
  parity_.ort = b.data;
  parity_.max_abs = err;
  parity_.max_rel = err / std::max(scale, 1e-12);
  parity_.valid = true;
}

}  // namespace xm
