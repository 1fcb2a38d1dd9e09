// LabEvaluation: the evaluation panel's state, without ImGui. It scores the
// lab's current map (case, model, method, target) with the metrics of
// wasm/evaluate/, one metric per tick, and runs the cascading randomisation
// sanity check one layer per tick, so the page keeps drawing between steps.
//
//   LabEvaluation ev;
//   XM_TRY(ev.start(lab, {"pointing_game", "deletion_auc"}, /*sanity=*/true));
//   while (ev.busy()) ev.tick(/*budget_ms=*/10);      // one call per frame
//   ev.report();                                       // scores and curves
//   ev.sanity();                                       // maps after each randomised layer
//   std::string j = ev.to_json();                      // what window.xmediaLab.evaluate() returns
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "backend/backend.h"
#include "evaluate/evaluate.h"
#include "evaluate/sanity.h"
#include "state/lab.h"

namespace xm {

class LabEvaluation {
public:
  // Starts on the lab's last finished run (its method, parameters, target and
  // map). Fails (message for the user) with no model, no map, or a bad metric.
  Status start(const Lab& lab, const std::vector<std::string>& metrics, bool sanity, int sanity_layers = 0);
  // Runs steps until about budget_ms have passed (at least one); true while busy.
  bool tick(double budget_ms);
  void cancel();
  bool busy() const { return running_eval_ || running_sanity_; }
  float progress() const;
  const std::string& current() const { return current_; }  // what the next step computes
  bool has_report() const { return has_report_; }
  const EvalReport& report() const { return eval_.report(); }
  bool has_sanity() const { return has_sanity_; }
  const SanityResult& sanity() const { return sanity_.result(); }
  const std::string& error() const { return error_; }
  const std::string& method() const { return method_; }
  int target() const { return target_; }
  double seconds() const { return seconds_; }
  uint64_t version() const { return version_; }  // grows whenever results change
  // {"busy", "error", "method", "target", "seconds", "metrics": {...}, "sanity": {...}}
  std::string to_json() const;

private:
  std::unique_ptr<Backend> backend_;
  EvaluationJob eval_;
  SanityJob sanity_;
  onnx::Model model_;
  EvalRequest q_;
  SanityOptions so_;
  bool running_eval_ = false, running_sanity_ = false, sanity_begun_ = false;
  bool has_report_ = false, has_sanity_ = false;
  std::string error_, current_, method_;
  int target_ = 0;
  double seconds_ = 0;
  uint64_t version_ = 0;
};

}  // namespace xm
