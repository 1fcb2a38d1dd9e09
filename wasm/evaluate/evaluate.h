// Evaluating one explanation: runs the chosen metrics (metrics.h,
// faithfulness.h) on one input, target, map and ground-truth mask, one metric
// per step (so the page can spread the work over frames), and reports the
// scores, the curves and the time each metric took, as JSON for the CLI and
// the page's test API.
//
//   EvalRequest q;
//   q.input = x;  q.target = 1;  q.attribution = a;  q.mask = c.mask;
//   q.method = "saliency";                    // re-run by max_sensitivity
//   XM_TRY(eval_parse_metrics("all", &q.metrics));
//   XM_TRY(eval_set_options(&q, {{"steps", "50"}}));
//   Result<EvalReport> r = evaluate_run_to_end(backend, q);
//   puts(r->to_json().c_str());              // {"pointing_game": {"value": 1, ...}, ...}
//
//   EvalShared shared;                        // several maps of the same input:
//   for (auto& a : maps) { q.attribution = a; evaluate_run_to_end(backend, q, &shared); }
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "backend/backend.h"
#include "core/json_writer.h"
#include "core/status.h"
#include "evaluate/faithfulness.h"
#include "explain/explainer.h"
#include "phantoms/phantom.h"
#include "tensor/tensor.h"

namespace xm {

struct EvalMetricInfo {
  const char* name;      // the JSON key (docs/ARCHITECTURE.md)
  const char* follows;   // the Quantus metric (or paper) it follows
  const char* meaning;   // one line for the UI: what the value says
  bool higher_is_better;
  bool needs_mask, needs_model;
};
// Every metric in the order the report lists them.
const std::vector<EvalMetricInfo>& eval_metrics();
const EvalMetricInfo* eval_find_metric(const std::string& name);
// "all", or names separated by commas; an unknown name is an error listing the known ones.
Status eval_parse_metrics(const std::string& text, std::vector<std::string>* out);

struct EvalRequest {
  Tensor input;        // [1,C,H,W], the model's input
  int target = 0;
  Tensor attribution;  // [1,C,H,W] or [1,1,H,W]
  Tensor mask;         // [1,1,H,W] 0/1; empty: no ground truth (localisation is skipped)
  std::string method;  // the method that made the map (max_sensitivity re-runs it)
  ParamList method_params;
  std::vector<std::string> metrics;
  uint64_t seed = 0;
  // Metric options (eval_set_options): steps, lerf, deletion_baseline,
  // insertion_baseline, output, top_k, fc_runs, fc_subset_size, fc_baseline,
  // road_noise, road_percentages, infidelity_samples, infidelity_stdev,
  // ms_samples, ms_radius.
  std::map<std::string, std::string> options;
};
// Checks keys and values ("key=value" pairs from --param-like lists).
Status eval_set_options(EvalRequest* q, const std::vector<std::pair<std::string, std::string>>& kv);
// Help for the options, one per line with the default.
std::string eval_options_help();
// Whether `key` names a metric option (so `xmedia evaluate --param key=v` is one, not a method parameter).
bool eval_is_option(const std::string& key);

struct EvalScore {
  std::string name;
  double value = 0;  // NaN: undefined (printed null), with `note` saying why
  std::string note;
};
struct EvalCurve {
  std::string name;  // deletion_morf, deletion_lerf, insertion_morf, insertion_lerf, road_morf, road_lerf
  std::vector<double> x, y;
};
struct EvalReport {
  std::vector<EvalScore> scores;
  std::vector<EvalCurve> curves;
  std::map<std::string, double> seconds;  // metric → wall time
  const EvalScore* find(const std::string& name) const;
  // {"metric": {"value": v, "seconds": s[, "note": ...]}, ..., "curves": {"name": {"x": [...], "y": [...]}}}
  std::string to_json() const;
  // The same members, into an object `w` has open (the CLI's line, the page's evaluation).
  void write_members(JsonWriter& w) const;
};

// Model answers that do not depend on the map: faithfulness correlation's and
// infidelity's perturbed images are drawn from the seed alone, so the maps of
// several methods on one input can share their forward passes (201 of the
// about 370 images one evaluation sends). Each draw remembers what it was made
// for (backend, input values, target, seed, options) and is redrawn when any
// of them differs: sharing changes the time, never the numbers. A backend
// that is destroyed and another created at the same address must not reuse
// an EvalShared (call clear()).
struct EvalShared {
  struct Key {
    const Backend* backend = nullptr;
    std::vector<float> input;
    int target = -1;
    uint64_t seed = 0;
    std::string options;
    bool operator==(const Key& o) const {
      return backend == o.backend && target == o.target && seed == o.seed && options == o.options && input == o.input;
    }
  };
  bool has_fc = false, has_infidelity = false;
  Key fc_key, infidelity_key;
  FaithfulnessCorrelationDraws fc;
  InfidelityDraws infidelity;
  int draws = 0;  // how many times a draw ran (tests check the reuse)
  void clear() { *this = EvalShared(); }
};
// Draws what q's metrics can share now (so its time is not charged to the first map).
Status eval_shared_prepare(Backend& backend, const EvalRequest& q, EvalShared* shared);

class EvaluationJob {
public:
  // `shared` (may be null) must outlive the job.
  Status begin(Backend& backend, const EvalRequest& q, EvalShared* shared = nullptr);
  Status step(Backend& backend);  // one metric
  bool done() const { return next_ >= q_.metrics.size(); }
  float progress() const { return q_.metrics.empty() ? 1.0f : float(next_) / float(q_.metrics.size()); }
  const std::string& current() const;  // the metric the next step runs
  const EvalReport& report() const { return report_; }

private:
  EvalRequest q_;
  EvalShared* shared_ = nullptr;
  size_t next_ = 0;
  EvalReport report_;
};

Result<EvalReport> evaluate_run_to_end(Backend& backend, const EvalRequest& q, EvalShared* shared = nullptr);

// The pixels of a chest_xray case's burned-in marker: where the case drawn with
// marker=1 differs from the same seed and knobs with marker=0 (the marker is
// drawn last, on its own random stream, so nothing else changes). [1,1,H,W] 0/1.
// Used to check that a shortcut model's maps point at the marker.
Result<Tensor> eval_phantom_marker_mask(const PhantomSpec& spec, uint64_t seed);

}  // namespace xm
