// The evaluation panel's state (see evaluation.h).
#include "state/evaluation.h"

#include <chrono>

#include "core/json_writer.h"
#include "engine/engine_backend.h"
#include "image/model_card.h"
#include "onnx/onnx_model.h"

namespace xm {

namespace {
double now_ms() {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now().time_since_epoch()).count();
}
}  // namespace

Status LabEvaluation::start(const Lab& lab, const std::vector<std::string>& metrics, bool sanity, int sanity_layers) {
  if (!lab.has_model() || lab.model_bytes().empty()) return Status::error("Evaluate: load a model first");
  const LabRun* run = lab.last_run();
  if (!run || lab.busy()) return Status::error("Evaluate: explain the case first (and let the run finish)");
  EvalRequest q;
  q.input = lab.model_input();
  q.target = run->target;
  q.attribution = run->attribution;
  q.mask = lab.mask();
  // The case is drawn at its own size; a model with another input size sees it
  // resized (Lab::preprocess), so the mask follows the same way.
  if (!q.mask.data.empty() && q.input.rank() == 4 && q.mask.rank() == 4 &&
      (q.mask.dim(2) != q.input.dim(2) || q.mask.dim(3) != q.input.dim(3)))
    q.mask = resize_bilinear(q.mask, q.input.dim(2), q.input.dim(3));
  q.method = run->method;
  q.method_params = run->params;
  q.metrics = metrics;
  XM_TRY(eval_set_options(&q, {}));
  auto b = native_backend_from_bytes(lab.model_bytes().data(), lab.model_bytes().size(), lab.model_name());
  if (!b) return b.status();
  EvaluationJob job;
  XM_TRY(job.begin(**b, q));
  onnx::Model model;
  if (sanity) {
    auto m = onnx::parse_model(lab.model_bytes().data(), lab.model_bytes().size(), lab.model_name());
    if (!m) return m.status();
    if (xm::sanity_layers(*m).empty()) return Status::error("Evaluate: the model has no layer with parameters to randomise");
    model = m.take();
  }
  backend_ = b.take();
  eval_ = std::move(job);
  model_ = std::move(model);
  q_ = q;
  so_ = SanityOptions();
  so_.method = run->method;
  so_.params = run->params;
  so_.max_layers = sanity_layers;
  running_eval_ = !metrics.empty();
  running_sanity_ = sanity;
  sanity_begun_ = false;
  has_report_ = !metrics.empty();
  has_sanity_ = false;
  sanity_ = SanityJob();
  error_.clear();
  method_ = run->method;
  target_ = run->target;
  seconds_ = 0;
  current_ = running_eval_ ? eval_.current() : "sanity: the original map";
  ++version_;
  return Status::ok();
}

bool LabEvaluation::tick(double budget_ms) {
  if (!busy()) return false;
  const double t0 = now_ms();
  do {
    Status s;
    if (running_eval_) {
      s = eval_.step(*backend_);
      if (s && eval_.done()) running_eval_ = false;
      current_ = running_eval_ ? eval_.current() : "sanity: the original map";
    } else if (!sanity_begun_) {
      s = sanity_.begin(model_, q_.input, q_.target, so_);
      sanity_begun_ = true;
      has_sanity_ = bool(s);
      if (s && !sanity_.done()) current_ = "sanity: randomising " + sanity_.layers()[0].node;
      if (s && sanity_.done()) running_sanity_ = false;
    } else {
      s = sanity_.step();
      if (s && sanity_.done()) running_sanity_ = false;
      else if (s) current_ = "sanity: randomising " + sanity_.layers()[size_t(sanity_.result().steps.size())].node;
    }
    ++version_;
    if (!s) {
      error_ = s.error();
      running_eval_ = running_sanity_ = false;
    }
  } while (busy() && now_ms() - t0 < budget_ms);
  seconds_ += (now_ms() - t0) / 1000.0;
  if (!busy()) current_.clear();
  return busy();
}

void LabEvaluation::cancel() {
  if (!busy()) return;
  running_eval_ = running_sanity_ = false;
  error_ = "cancelled";
  current_.clear();
  ++version_;
}

float LabEvaluation::progress() const {
  const float n_eval = q_.metrics.empty() ? 0.0f : 1.0f;
  if (running_eval_) return eval_.progress() * (running_sanity_ ? 0.5f : 1.0f);
  if (running_sanity_) return (n_eval > 0 ? 0.5f : 0.0f) + sanity_.progress() * (n_eval > 0 ? 0.5f : 1.0f);
  return 1.0f;
}

std::string LabEvaluation::to_json() const {
  JsonWriter w;
  w.begin_object();
  w.key("busy").boolean(busy());
  w.key("error").str(error_);
  w.key("method").str(method_);
  w.key("target").integer(target_);
  w.key("seconds").num(seconds_);
  w.key("progress").num(progress());
  if (has_report_) {
    w.key("metrics").begin_object();
    eval_.report().write_members(w);
    w.end_object();
  }
  if (has_sanity_) {
    w.key("sanity").begin_object();
    sanity_.result().write_members(w);
    w.end_object();
  }
  w.end_object();
  return w.take();
}

}  // namespace xm
