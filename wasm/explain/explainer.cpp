// [SECTION] ParamSpec  [SECTION] Params  [SECTION] budget  [SECTION] Explainer  [SECTION] registry  [SECTION] baselines
#include "explain/explainer.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "backend/pending.h"
#include "core/strings.h"
#include "explain/explain_ops.h"
#include "explain/methods_internal.h"
#include "explain/rng.h"
#include "image/npy.h"

namespace xm {

// [SECTION] ParamSpec

namespace {
ParamSpec param_of(const char* key, ParamKind kind, const char* default_value, const char* help) {
  ParamSpec s;
  s.key = key;
  s.kind = kind;
  s.default_value = default_value;
  s.help = help;
  return s;
}
}  // namespace

const char* param_kind_name(ParamKind kind) {
  switch (kind) {
    case ParamKind::BOOL: return "bool";
    case ParamKind::INT: return "int";
    case ParamKind::FLOAT: return "float";
    case ParamKind::SIZE: return "size";
    case ParamKind::CHOICE: return "choice";
    case ParamKind::TEXT: return "text";
    case ParamKind::SEED: return "seed";
  }
  return "?";
}

namespace {
// An INT bound as an integer; a FLOAT one as %g without the exponent's padding: 1e6, 1e-12, 0.5.
std::string param_number(const ParamSpec& p, double v) {
  char b[64];
  if (p.kind != ParamKind::FLOAT) {
    std::snprintf(b, sizeof b, "%.0f", v);
    return b;
  }
  std::snprintf(b, sizeof b, "%g", v);
  std::string s = b;
  const size_t e = s.find('e');
  if (e == std::string::npos) return s;
  std::string exp = s.substr(e + 1);
  const std::string sign = exp[0] == '-' ? "-" : "";
  exp.erase(0, exp.find_first_not_of("+-0"));
  return s.substr(0, e + 1) + sign + exp;
}
}  // namespace

std::string param_describe(const ParamSpec& p) {
  std::string spec;
  switch (p.kind) {
    case ParamKind::BOOL:
    case ParamKind::TEXT: return p.help;
    case ParamKind::SEED: spec = "0..2^63-1"; break;
    case ParamKind::INT:
    case ParamKind::FLOAT:
      spec = p.lo_open ? "(" + param_number(p, p.lo) + "," + param_number(p, p.hi) + "]"
                       : param_number(p, p.lo) + ".." + param_number(p, p.hi);
      break;
    case ParamKind::SIZE: spec = "8 or 8x6 (height x width), each " + param_number(p, p.lo) + ".." + param_number(p, p.hi); break;
    case ParamKind::CHOICE:
      for (const std::string& c : p.choices) spec += (spec.empty() ? "" : " | ") + c;
      if (p.open) return spec + " | " + p.help;
      break;
  }
  return spec + "; " + p.help;
}

ParamSpec param_bool(const char* key, const char* default_value, const char* help) {
  return param_of(key, ParamKind::BOOL, default_value, help);
}

ParamSpec param_int(const char* key, const char* default_value, double lo, double hi, const char* help) {
  ParamSpec s = param_of(key, ParamKind::INT, default_value, help);
  s.lo = lo;
  s.hi = hi;
  return s;
}

ParamSpec param_float(const char* key, const char* default_value, double lo, double hi, const char* help) {
  ParamSpec s = param_int(key, default_value, lo, hi, help);
  s.kind = ParamKind::FLOAT;
  return s;
}

ParamSpec param_size(const char* key, const char* default_value, const char* help) {
  ParamSpec s = param_int(key, default_value, 1, 65536, help);  // each side, as get_size2 checks
  s.kind = ParamKind::SIZE;
  s.image_side = true;
  return s;
}

ParamSpec param_choice(const char* key, const char* default_value, std::vector<std::string> choices, const char* help) {
  ParamSpec s = param_of(key, ParamKind::CHOICE, default_value, help);
  s.choices = std::move(choices);
  return s;
}

ParamSpec param_open_choice(const char* key, const char* default_value, std::vector<std::string> choices,
                            const char* help) {
  ParamSpec s = param_choice(key, default_value, std::move(choices), help);
  s.open = true;
  return s;
}

ParamSpec param_text(const char* key, const char* default_value, const char* help) {
  return param_of(key, ParamKind::TEXT, default_value, help);
}

ParamSpec param_seed(const char* key, const char* default_value, const char* help) {
  return param_of(key, ParamKind::SEED, default_value, help);
}

// [SECTION] Params

const std::string& Params::str(const std::string& key) const {
  auto it = values_.find(key);
  XM_ASSERT(it != values_.end());  // every key a method reads is in its spec, so has a default
  return it->second;
}

Status Params::bad(const std::string& key, const std::string& why) const {
  return Status::error(method_ + ": parameter '" + key + "' " + why + ", got '" + str(key) + "'");
}

Status Params::get_int(const std::string& key, int64_t lo, int64_t hi, int64_t* out) const {
  const std::string& s = str(key);
  char* end = nullptr;
  errno = 0;
  const long long v = std::strtoll(s.c_str(), &end, 10);
  if (s.empty() || *end != '\0' || errno == ERANGE || v < lo || v > hi)
    return bad(key, "must be an integer from " + std::to_string(lo) + " to " + std::to_string(hi));
  *out = v;
  return Status::ok();
}

const ParamSpec& Params::spec(const std::string& key) const {
  XM_ASSERT(specs_);  // the spec getters serve Params made by explainer_create
  for (auto& p : *specs_)
    if (key == p.key) return p;
  XM_ASSERT(false && "a method reads a key its spec does not declare");
  return specs_->front();
}

Status Params::get_int(const std::string& key, int64_t* out) const {
  const ParamSpec& p = spec(key);
  XM_ASSERT(p.kind == ParamKind::INT || p.kind == ParamKind::SEED);
  if (p.kind == ParamKind::SEED) return get_int(key, 0, INT64_MAX, out);
  return get_int(key, int64_t(p.lo), int64_t(p.hi), out);
}

Status Params::get_double(const std::string& key, double* out) const {
  const ParamSpec& p = spec(key);
  XM_ASSERT(p.kind == ParamKind::FLOAT);
  return get_double(key, p.lo, p.hi, out);
}

Status Params::get_choice(const std::string& key, std::string* out) const {
  const ParamSpec& p = spec(key);
  XM_ASSERT(p.kind == ParamKind::CHOICE && !p.open);
  return get_choice(key, p.choices, out);
}

Status Params::check(const ParamSpec& p) const {
  int64_t i, h, w;
  double d;
  bool b;
  std::string c;
  switch (p.kind) {
    case ParamKind::BOOL: return get_bool(p.key, &b);
    case ParamKind::INT:
    case ParamKind::SEED: return get_int(p.key, &i);
    case ParamKind::FLOAT: return get_double(p.key, &d);
    case ParamKind::SIZE: return get_size2(p.key, &h, &w);
    case ParamKind::CHOICE: return p.open ? Status::ok() : get_choice(p.key, &c);
    case ParamKind::TEXT: return Status::ok();
  }
  return Status::ok();
}

Status Params::get_double(const std::string& key, double lo, double hi, double* out) const {
  const std::string& s = str(key);
  char* end = nullptr;
  const double v = std::strtod(s.c_str(), &end);
  if (s.empty() || *end != '\0' || !std::isfinite(v) || v < lo || v > hi) {
    char b[96];
    std::snprintf(b, sizeof b, "must be a number from %g to %g", lo, hi);
    return bad(key, b);
  }
  *out = v;
  return Status::ok();
}

Status Params::get_bool(const std::string& key, bool* out) const {
  const std::string& s = str(key);
  if (s == "true" || s == "1" || s == "yes" || s == "on") *out = true;
  else if (s == "false" || s == "0" || s == "no" || s == "off") *out = false;
  else return bad(key, "must be true or false");
  return Status::ok();
}

Status Params::get_choice(const std::string& key, const std::vector<std::string>& choices, std::string* out) const {
  const std::string& s = str(key);
  std::string list;
  for (auto& c : choices) {
    if (c == s) {
      *out = s;
      return Status::ok();
    }
    list += (list.empty() ? "" : ", ") + c;
  }
  return bad(key, "must be one of " + list);
}

Status Params::get_size2(const std::string& key, int64_t* h, int64_t* w) const {
  const std::string& s = str(key);
  const size_t x = s.find('x');
  auto num = [](const std::string& t, int64_t* v) {
    char* end = nullptr;
    errno = 0;
    const long long n = std::strtoll(t.c_str(), &end, 10);
    if (t.empty() || *end != '\0' || errno == ERANGE || n < 1 || n > 65536) return false;
    *v = n;
    return true;
  };
  const bool ok = x == std::string::npos ? num(s, h) && num(s, w) : num(s.substr(0, x), h) && num(s.substr(x + 1), w);
  if (!ok) return bad(key, "must be a positive size like 8 or 8x6 (height x width)");
  return Status::ok();
}

// [SECTION] budget

std::string explain_budget_amount(double v, const char* unit) {
  static const char* const prefix[] = {"", "K", "M", "G", "T", "P"};
  int i = 0;
  while (v >= 1024 && i < 5) v /= 1024, ++i;
  char b[64];
  std::snprintf(b, sizeof b, v < 10 && v != std::floor(v) ? "%.1f %s%s" : "%.0f %s%s", v, prefix[i], unit);
  return b;
}

Status explain_check_memory(const std::string& method, const std::string& setting, const std::string& limit,
                            const std::string& what, double bytes) {
  if (bytes <= EXPLAIN_MEMORY_BUDGET) return Status::ok();
  return Status::error(method + ": " + setting + "; at most " + limit + " (" + what + " would need " +
                       explain_budget_amount(bytes, "B") + " of the " +
                       explain_budget_amount(EXPLAIN_MEMORY_BUDGET, "B") + " budget)");
}

Status Explainer::check_passes(const std::string& setting, double passes) const {
  const double per = double(C_) * double(H_) * double(W_);
  if (passes * per <= EXPLAIN_WORK_BUDGET) return Status::ok();
  return Status::error(method_ + ": " + setting + " gives " + std::to_string(int64_t(passes)) + " passes of a " +
                       std::to_string(C_) + "x" + std::to_string(H_) + "x" + std::to_string(W_) + " image; at most " +
                       std::to_string(int64_t(EXPLAIN_WORK_BUDGET / per)) + " (the work budget is " +
                       explain_budget_amount(EXPLAIN_WORK_BUDGET, "") + " input values through the model)");
}

// [SECTION] Explainer

Status Explainer::begin(Backend& backend, const Tensor& input, int target) {
  XM_ASSERT(!begun_);
  const BackendInfo& info = backend.info();
  if (input.rank() != 4 || input.dim(0) != 1 || input.numel() == 0)
    return Status::error(method_ + ": the input must be one image [1,C,H,W], got " + shape_str(input.shape));
  if (info.input_shape.size() == 4) {
    for (int i = 1; i < 4; ++i)
      if (info.input_shape[size_t(i)] > 0 && info.input_shape[size_t(i)] != input.shape[size_t(i)])
        return Status::error(method_ + ": the input " + shape_str(input.shape) + " does not fit the model's input " +
                             shape_str(info.input_shape));
  }
  for (float v : input.data)
    if (!std::isfinite(v)) return Status::error(method_ + ": the input contains NaN or infinite values");
  num_outputs_ = info.num_outputs;
  if (target < 0 || target >= num_outputs_)
    return Status::error(method_ + ": target " + std::to_string(target) + " is out of range: the model has " +
                         std::to_string(num_outputs_) + " outputs (0.." + std::to_string(num_outputs_ - 1) + ")");
  input_ = input;
  target_ = target;
  C_ = input.dim(1);
  H_ = input.dim(2);
  W_ = input.dim(3);
  begun_ = true;
  Status s = on_begin(backend);
  if (!s) cancelled_ = true;
  return s;
}

Status Explainer::step(Backend& backend) {
  XM_ASSERT(begun_);
  if (done()) return Status::ok();
  Status s = on_step(backend);
  // A failed query ends the job and the caller shows the message; a pending one
  // (backend/pending.h) is asked again on the next step.
  if (!s && !backend_is_pending(s)) cancelled_ = true;
  return s;
}

float Explainer::progress() const {
  if (finished_) return 1.0f;
  return total_units_ > 0 ? float(double(done_units_) / double(total_units_)) : 0.0f;
}

const Tensor& Explainer::partial() {
  if (finished_) return result_.attribution;
  if (begun_) fill_partial(&partial_);
  return partial_;
}

const ExplainResult& Explainer::result() const {
  XM_ASSERT(finished_);
  return result_;
}

Status Explainer::query_logits(Backend& backend, const Tensor& batch, Tensor* logits) {
  XM_TRY(backend.logits(batch, logits));
  result_.stats.forward_passes += batch.dim(0);
  if (logits->rank() != 2 || logits->dim(0) != batch.dim(0) || logits->dim(1) != num_outputs_)
    return Status::error(method_ + ": the backend answered logits " + shape_str(logits->shape) + " for a batch of " +
                         std::to_string(batch.dim(0)));
  return Status::ok();
}

const Tensor& Explainer::one_hot_seed(int64_t rows) {
  if (seed_.rank() != 2 || seed_.dim(0) != rows) {
    seed_ = Tensor({rows, int64_t(num_outputs_)});
    for (int64_t r = 0; r < rows; ++r) seed_.data[size_t(r * num_outputs_ + target_)] = 1.0f;
  }
  return seed_;
}

Status Explainer::query_gradient(Backend& backend, const Tensor& batch, Tensor* logits, Tensor* grad) {
  XM_TRY(backend.input_gradient(batch, one_hot_seed(batch.dim(0)), logits, grad));
  result_.stats.forward_passes += batch.dim(0);
  result_.stats.backward_passes += batch.dim(0);
  if (grad->shape != batch.shape)
    return Status::error(method_ + ": the backend answered a gradient " + shape_str(grad->shape) + " for a batch " +
                         shape_str(batch.shape));
  return Status::ok();
}

int Explainer::batch_limit(const Backend& backend) const { return std::max(1, backend.info().max_batch); }

// [SECTION] registry

const std::vector<MethodInfo>& explain_methods() {
  static const std::vector<MethodInfo> methods = [] {
    std::vector<MethodInfo> m;
    explain_add_gradient_methods(&m);
    explain_add_cam_methods(&m);
    explain_add_perturbation_methods(&m);
    explain_add_surrogate_methods(&m);
    explain_add_lrp_methods(&m);
    return m;
  }();
  return methods;
}

const MethodInfo* explain_find_method(const std::string& name) {
  for (auto& m : explain_methods())
    if (name == m.name) return &m;
  return nullptr;
}

const ParamSpec* explain_find_param(const MethodInfo& m, const std::string& key) {
  for (auto& p : m.params)
    if (key == p.key) return &p;
  return nullptr;
}

std::string explain_method_help(const MethodInfo& m) {
  std::string s = std::string(m.name) + "\n";
  // Wrap the paragraph at 78 columns, indented by 4.
  std::string line = "   ";
  std::string word;
  auto flush_word = [&] {
    if (word.empty()) return;
    if (line.size() + 1 + word.size() > 78) {
      s += line + "\n";
      line = "   ";
    }
    line += " " + word;
    word.clear();
  };
  for (const char* p = m.help; *p; ++p) {
    if (*p == ' ' || *p == '\n') flush_word();
    else word += *p;
  }
  flush_word();
  s += line + "\n";
  for (auto& p : m.params) {
    char b[512];
    std::snprintf(b, sizeof b, "    %-12s default %-10s %s\n", p.key, p.default_value, param_describe(p).c_str());
    s += b;
  }
  return s;
}

namespace {

// The method's values: defaults, then the given ones; refuses an unknown method or key.
Status values_for(const std::string& method, const ParamList& params, const MethodInfo** info,
                  std::map<std::string, std::string>* out) {
  const MethodInfo* m = explain_find_method(method);
  if (!m) {
    std::string names;
    for (auto& mm : explain_methods()) names += (names.empty() ? "" : ", ") + std::string(mm.name);
    return Status::error("unknown method '" + method + "'; known methods: " + names);
  }
  std::map<std::string, std::string> values;
  for (auto& p : m->params) values[p.key] = p.default_value;
  std::map<std::string, bool> given;
  for (auto& kv : params) {
    if (!values.count(kv.first)) {
      std::string keys;
      for (auto& p : m->params) keys += (keys.empty() ? "" : ", ") + std::string(p.key);
      return Status::error(method + ": unknown parameter '" + kv.first + "'" +
                           (keys.empty() ? " (this method takes none)" : "; known: " + keys));
    }
    if (given[kv.first]) return Status::error(method + ": parameter '" + kv.first + "' given twice");
    given[kv.first] = true;
    values[kv.first] = kv.second;
  }
  *info = m;
  *out = std::move(values);
  return Status::ok();
}

}  // namespace

Result<std::unique_ptr<Explainer>> explainer_create(const std::string& method, const ParamList& params) {
  const MethodInfo* m = nullptr;
  std::map<std::string, std::string> values;
  XM_TRY(values_for(method, params, &m, &values));
  Result<std::unique_ptr<Explainer>> r = m->create(Params(method, std::move(values), &m->params));
  if (r) (*r)->method_ = method;
  return r;
}

Status explain_check_params(const std::string& method, const ParamList& params) {
  const MethodInfo* m = nullptr;
  std::map<std::string, std::string> values;
  XM_TRY(values_for(method, params, &m, &values));
  const Params p(method, std::move(values), &m->params);
  for (auto& kv : params) XM_TRY(p.check(*explain_find_param(*m, kv.first)));
  return Status::ok();
}

Result<ExplainResult> explain_run_to_end(Backend& backend, const std::string& method, const ParamList& params,
                                         const Tensor& input, int target) {
  auto job = explainer_create(method, params);
  if (!job) return job.status();
  Explainer& e = **job;
  XM_TRY(e.begin(backend, input, target));
  while (!e.done()) XM_TRY(e.step(backend));
  return e.result();
}

// [SECTION] baselines

Result<Tensor> explain_make_baseline(const Params& p, const std::string& key, const Tensor& x, double blur_sigma,
                                     uint64_t seed) {
  const std::string& s = p.str(key);
  if (s == "zero") return Tensor(x.shape, 0.0f);
  if (s == "blur") return gaussian_blur(x, blur_sigma);
  if (s == "uniform") {
    // Uniform noise over the input's value range, as in the IG baseline studies (Sturmfels et al. 2020).
    float lo = x.data[0], hi = x.data[0];
    for (float v : x.data) lo = std::min(lo, v), hi = std::max(hi, v);
    Tensor b(x.shape);
    Rng rng(seed);
    for (auto& v : b.data) v = float(double(lo) + fp_round((double(hi) - lo) * rng.uniform()));
    return b;
  }
  char* end = nullptr;
  const double v = std::strtod(s.c_str(), &end);
  if (!s.empty() && *end == '\0') {
    if (!std::isfinite(v)) return p.bad(key, "must be finite");
    return Tensor(x.shape, float(v));
  }
  if (s.size() > 4 && ends_with(s, ".npy")) {
    Result<Tensor> t = npy_read_file(s);
    if (!t) return Status::error(p.method() + ": parameter '" + key + "': " + t.error());
    Tensor b = t.take();
    if (b.numel() != x.numel())
      return Status::error(p.method() + ": parameter '" + key + "': " + s + " has shape " + shape_str(b.shape) +
                           ", the input is " + shape_str(x.shape));
    b.shape = x.shape;
    for (float f : b.data)
      if (!std::isfinite(f)) return Status::error(p.method() + ": parameter '" + key + "': " + s + " has NaN or infinite values");
    return b;
  }
  return p.bad(key, "must be zero, a number, blur, uniform or a .npy path");
}

}  // namespace xm
