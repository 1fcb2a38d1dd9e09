// Explainers: attribution methods as incremental jobs over a Backend's queries
// (docs/ARCHITECTURE.md, "Layers and the data path"). A job emits one batch of
// queries per step(), so the UI can draw progress and partial maps, cancel, and
// keep its frame rate; the CLI and the tests run the same job to the end.
// Names, parameters and numbers follow Captum's definitions (see each method's help).
//
//   auto job = explainer_create("integrated_gradients", {{"steps", "64"}, {"rule", "riemann_trapezoid"}});
//   if (!job) return fail(job.error());                 // unknown key, unparsable value, ...
//   XM_TRY((*job)->begin(backend, x, /*target=*/1));    // checks layer names, window sizes, ...
//   while (!(*job)->done()) {
//     XM_TRY((*job)->step(backend));                    // one batch of up to info().max_batch images
//     draw((*job)->partial(), (*job)->progress());
//   }
//   const ExplainResult& r = (*job)->result();          // r.attribution: [1,C,H,W] ([1,1,H,W] for Grad-CAM)
//
//   // or, in one call:
//   Result<ExplainResult> r = explain_run_to_end(backend, "occlusion", {{"window", "16"}, {"stride", "8"}}, x, 1);
#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "backend/backend.h"
#include "core/status.h"
#include "tensor/tensor.h"

namespace xm {

using ParamList = std::vector<std::pair<std::string, std::string>>;

struct ExplainStats {
  int64_t forward_passes = 0;   // images sent through the model (a batch of 8 counts 8)
  int64_t backward_passes = 0;  // images whose gradient was computed
  // Method-specific numbers, e.g. integrated_gradients: "completeness_gap",
  // "f_input", "f_baseline", "sum_attribution"; grad_cam: "layer_h", "layer_w".
  std::map<std::string, double> values;
  std::string layer;  // the layer used by the Grad-CAM family
};

struct ExplainResult {
  Tensor attribution;  // [1,C,H,W], or [1,1,H,W] for the Grad-CAM family
  ExplainStats stats;
};

// What one explanation may cost, stated once and checked by every method before
// it allocates (docs/ARCHITECTURE.md, "Quality bars"): parameters beyond it are
// refused with a message naming the parameter and the limit, so that too big is
// a message, not an abort or an hour of computing. The same natively and as wasm,
// so the page and the CLI accept the same parameters.
//   memory: the method's own buffers (LIME/KernelSHAP's design matrix samples x
//           features and Gram matrix features², ...), in bytes;
//   work:   input values sent through the model, passes x C x H x W
//           (8 Gi: 524,288 passes of a 128x128 image; a backward pass counts as one).
constexpr double EXPLAIN_MEMORY_BUDGET = 256.0 * 1024 * 1024;
constexpr double EXPLAIN_WORK_BUDGET = 8.0 * 1024 * 1024 * 1024;

// "256 MB", "4 GB", "1.5 G": a quantity for a budget message, in binary units.
std::string explain_budget_amount(double v, const char* unit);
// OK when `bytes` fit EXPLAIN_MEMORY_BUDGET, else one line:
// "<method>: <setting>; at most <limit> (<what> would need 4 GB of the 256 MB budget)".
Status explain_check_memory(const std::string& method, const std::string& setting, const std::string& limit,
                            const std::string& what, double bytes);

struct ParamSpec;

// Typed access to validated "key=value" parameters; every error names the method and the key.
// The getters without bounds read them from the method's ParamSpec.
class Params {
public:
  Params(std::string method, std::map<std::string, std::string> values, const std::vector<ParamSpec>* specs = nullptr)
      : method_(std::move(method)), values_(std::move(values)), specs_(specs) {}
  const std::string& str(const std::string& key) const;
  Status get_int(const std::string& key, int64_t lo, int64_t hi, int64_t* out) const;
  Status get_int(const std::string& key, int64_t* out) const;  // INT: [lo, hi]; SEED: 0..INT64_MAX
  Status get_double(const std::string& key, double lo, double hi, double* out) const;
  Status get_double(const std::string& key, double* out) const;  // FLOAT: [lo, hi]
  Status get_bool(const std::string& key, bool* out) const;
  // One of `choices`, else an error listing them.
  Status get_choice(const std::string& key, const std::vector<std::string>& choices, std::string* out) const;
  Status get_choice(const std::string& key, std::string* out) const;  // CHOICE: one of its choices
  // "8" or "8x6" (height x width), each in [1, 65536].
  Status get_size2(const std::string& key, int64_t* h, int64_t* w) const;
  // Checks the value of `key` against its spec's kind, range and choices
  // (an open choice and TEXT take any value; the method checks those).
  Status check(const ParamSpec& spec) const;
  Status bad(const std::string& key, const std::string& why) const;
  const std::string& method() const { return method_; }

private:
  const ParamSpec& spec(const std::string& key) const;
  std::string method_;
  std::map<std::string, std::string> values_;
  const std::vector<ParamSpec>* specs_;
};

class Explainer {
public:
  virtual ~Explainer() = default;
  // Starts the job on input [1,C,H,W] for output `target`: checks what depends on
  // the model and image (target range, layer names, window sizes, baseline shape).
  Status begin(Backend& backend, const Tensor& input, int target);
  // One batch of queries; a no-op once done or cancelled.
  Status step(Backend& backend);
  bool done() const { return finished_ || cancelled_; }
  bool finished() const { return finished_; }
  float progress() const;  // 0..1
  void cancel() { cancelled_ = true; }
  bool cancelled() const { return cancelled_; }
  // The attribution as far as it is known, readable at any time after begin().
  const Tensor& partial();
  // The finished attribution and statistics (asserts finished()).
  const ExplainResult& result() const;
  const std::string& method() const { return method_; }

protected:
  // Subclasses set total_units_ in on_begin and advance done_units_ in on_step,
  // and set finished_ (after filling result_.attribution) when the last unit is in.
  virtual Status on_begin(Backend& backend) = 0;
  virtual Status on_step(Backend& backend) = 0;
  virtual void fill_partial(Tensor* out) = 0;

  // Queries that count passes. `seed` rows are one-hot at target_.
  Status query_logits(Backend& backend, const Tensor& batch, Tensor* logits);
  Status query_gradient(Backend& backend, const Tensor& batch, Tensor* logits, Tensor* grad);
  const Tensor& one_hot_seed(int64_t rows);
  int batch_limit(const Backend& backend) const;  // images per query, >= 1; may change between steps
  void finish() { finished_ = true; }
  // OK when `passes` images of the input's size fit EXPLAIN_WORK_BUDGET, else one
  // line naming `setting` (e.g. "masks=1000000") and the most passes allowed.
  Status check_passes(const std::string& setting, double passes) const;

  std::string method_;
  Tensor input_;  // [1,C,H,W]
  int target_ = 0;
  int num_outputs_ = 0;
  int64_t C_ = 0, H_ = 0, W_ = 0;
  int64_t total_units_ = 1, done_units_ = 0;
  ExplainResult result_;
  Tensor partial_;

private:
  friend Result<std::unique_ptr<Explainer>> explainer_create(const std::string&, const ParamList&);
  bool begun_ = false, finished_ = false, cancelled_ = false;
  Tensor seed_;
};

// A method parameter, declared as data: `xmedia explain --help`, the page's
// widgets and tooltips, the lesson checker and Params' bounds are all read from
// it. The help says only what the spec cannot (what the value means; for an open
// choice, what other values mean); param_describe adds the range and choices.
//
//   param_int("steps", "50", 1, 4096, "integration points").with_slider().logarithmic()
//       // param_describe: "1..4096; integration points"
//   param_choice("rule", "gausslegendre", {"riemann_left", "gausslegendre"}, "the quadrature rule")
//       // "riemann_left | gausslegendre; the quadrature rule"
//   param_open_choice("baseline", "zero", {"zero", "blur"}, "a number | a .npy path")
//       // "zero | blur | a number | a .npy path"
enum class ParamKind {
  BOOL,    // true or false (also 1/0, yes/no, on/off)
  INT,     // an integer in [lo, hi]
  FLOAT,   // a finite number in [lo, hi]
  SIZE,    // "8" or "8x6" (height x width), each 1..65536
  CHOICE,  // one of `choices`; when `open`, other values too (a number, a .npy path)
  TEXT,    // free text the method parses: a layer name, "grid:8", "none"
  SEED,    // a seed: an integer from 0 to INT64_MAX
};

struct ParamSpec {
  const char* key;
  ParamKind kind;
  const char* default_value;
  const char* help;  // one line: meaning, never the range or the choices (param_describe renders those)
  double lo = 0, hi = 0;             // INT, FLOAT, SIZE (each side): the valid values, both ends included
  bool lo_open = false;              // FLOAT: lo itself is not valid either (the method refuses it)
  bool log_scale = false;            // INT, FLOAT: the range spans decades, a slider is logarithmic
  bool slider = false;               // INT, FLOAT: the page shows a slider over (a useful part of) the range
  bool image_side = false;           // INT, SIZE: at most the image's side; the page's slider ends there
  std::vector<std::string> choices;  // CHOICE: the named values, in the order the page lists them
  bool open = false;                 // CHOICE: other values are valid too

  ParamSpec with_slider() const { ParamSpec s = *this; s.slider = true; return s; }
  ParamSpec logarithmic() const { ParamSpec s = *this; s.log_scale = true; return s; }
  ParamSpec up_to_image_side() const { ParamSpec s = *this; s.image_side = true; return s; }
  ParamSpec above_lo() const { ParamSpec s = *this; s.lo_open = true; return s; }
};

// "bool", "int", "float", "size", "choice", "text", "seed": the kind's name in the page's test API.
const char* param_kind_name(ParamKind kind);
// The parameter's one line for `xmedia explain --help` and the page's tooltip:
// the range ("1..4096", "1e-12..1e6", "(0,1]") or the choices ("a | b", an open
// choice's help joining the list), then "; " and the help.
std::string param_describe(const ParamSpec& p);

ParamSpec param_bool(const char* key, const char* default_value, const char* help);
ParamSpec param_int(const char* key, const char* default_value, double lo, double hi, const char* help);
ParamSpec param_float(const char* key, const char* default_value, double lo, double hi, const char* help);
ParamSpec param_size(const char* key, const char* default_value, const char* help);
ParamSpec param_choice(const char* key, const char* default_value, std::vector<std::string> choices, const char* help);
ParamSpec param_open_choice(const char* key, const char* default_value, std::vector<std::string> choices,
                            const char* help);
ParamSpec param_text(const char* key, const char* default_value, const char* help);
ParamSpec param_seed(const char* key, const char* default_value, const char* help);

struct MethodInfo {
  const char* name;
  const char* help;  // one paragraph: what it computes, cost in passes, the paper
  std::vector<ParamSpec> params;
  Result<std::unique_ptr<Explainer>> (*create)(const Params& params);
};

// Every method, in the order the help lists them.
const std::vector<MethodInfo>& explain_methods();
const MethodInfo* explain_find_method(const std::string& name);
const ParamSpec* explain_find_param(const MethodInfo& m, const std::string& key);
// The help text of one method (name, paragraph, parameters with defaults), for CLI and UI.
std::string explain_method_help(const MethodInfo& m);
// Validates keys (unknown key → error naming it and the known ones), fills
// defaults, and builds the job; values are checked by the method's parser.
Result<std::unique_ptr<Explainer>> explainer_create(const std::string& method, const ParamList& params);
// The keys and each value's kind, range and choices, as the spec declares them,
// without the method's own checks (those that depend on other values or on the
// model): what a lesson is checked with before anything runs.
Status explain_check_params(const std::string& method, const ParamList& params);
// begin + step until done: what the CLI and tests use.
Result<ExplainResult> explain_run_to_end(Backend& backend, const std::string& method, const ParamList& params,
                                         const Tensor& input, int target);

}  // namespace xm
