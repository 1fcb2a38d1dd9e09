// The evaluation driver (see evaluate.h): metric table, options, one metric per step, JSON.
#include "evaluate/evaluate.h"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <sstream>

#include "evaluate/faithfulness.h"
#include "evaluate/metrics.h"

namespace xm {

namespace {

const double NaN = std::numeric_limits<double>::quiet_NaN();

const std::vector<std::pair<std::string, std::string>>& option_defaults() {
  static const std::vector<std::pair<std::string, std::string>> d = {
      {"steps", "50"},
      {"lerf", "1"},
      {"deletion_baseline", "zero"},
      {"insertion_baseline", "blur"},
      {"output", "probability"},
      {"top_k", "1000"},
      {"fc_runs", "100"},
      {"fc_subset_size", "224"},
      {"fc_baseline", "zero"},
      {"road_noise", "0.01"},
      {"road_percentages", "10,20,30,40,50,60,70,80,90"},
      {"infidelity_samples", "64"},
      {"infidelity_stdev", "0.1"},
      {"ms_samples", "10"},
      {"ms_radius", "0.2"},
  };
  return d;
}

Status parse_double(const std::string& key, const std::string& v, double lo, double hi, double* out) {
  char* end = nullptr;
  const double d = std::strtod(v.c_str(), &end);
  if (v.empty() || !end || *end != '\0' || !std::isfinite(d) || d < lo || d > hi) {
    std::ostringstream s;
    s << "evaluate: " << key << " = '" << v << "' must be a number in [" << lo << ", " << hi << "]";
    return Status::error(s.str());
  }
  *out = d;
  return Status::ok();
}

Status parse_int(const std::string& key, const std::string& v, int lo, int hi, int* out) {
  double d = 0;
  XM_TRY(parse_double(key, v, lo, hi, &d));
  if (d != std::floor(d)) return Status::error("evaluate: " + key + " = '" + v + "' must be a whole number");
  *out = int(d);
  return Status::ok();
}

std::string opt(const EvalRequest& q, const std::string& key) {
  auto it = q.options.find(key);
  if (it != q.options.end()) return it->second;
  for (auto& kv : option_defaults())
    if (kv.first == key) return kv.second;
  return "";
}

Status parse_list(const std::string& key, const std::string& v, std::vector<double>* out) {
  out->clear();
  std::string item;
  std::istringstream in(v);
  while (std::getline(in, item, ',')) {
    double d = 0;
    XM_TRY(parse_double(key, item, 0, 100, &d));
    out->push_back(d);
  }
  if (out->empty() || out->size() > 200) return Status::error("evaluate: " + key + " needs 1 to 200 numbers in [0, 100]");
  return Status::ok();
}

}  // namespace

const std::vector<EvalMetricInfo>& eval_metrics() {
  static const std::vector<EvalMetricInfo> m = {
      {"pointing_game", "Quantus PointingGame (Zhang et al. 2018)", "1 if the map's hottest pixel lies on the true evidence", true, true, false},
      {"energy_pointing_game", "Quantus AttributionLocalisation (Wang et al. 2020, energy-based pointing game)",
       "share of the positive attribution that falls on the evidence", true, true, false},
      {"relevance_mass_accuracy", "Quantus RelevanceMassAccuracy (Arras et al. 2022)",
       "share of the map's total (signed) mass inside the evidence", true, true, false},
      {"relevance_rank_accuracy", "Quantus RelevanceRankAccuracy (Arras et al. 2022)",
       "of the K top pixels (K = evidence size), the share on the evidence", true, true, false},
      {"top_k_intersection", "Quantus TopKIntersection (Theiner et al. 2021)", "share of the top-k pixels (k = 1000) on the evidence",
       true, true, false},
      {"auprc", "area under the precision-recall curve (Quantus AUC uses ROC)",
       "how well the map ranks evidence pixels above the rest (chance = evidence share)", true, true, false},
      {"deletion_auc", "Petsiuk et al. 2018; Quantus PixelFlipping / RegionPerturbation (MoRF)",
       "area under the class probability as top pixels are deleted (lower = faithful)", false, false, true},
      {"insertion_auc", "Petsiuk et al. 2018 (insertion, MoRF)",
       "area under the class probability as top pixels are put back on a blurred image (higher = faithful)", true, false, true},
      {"faithfulness_correlation", "Quantus FaithfulnessCorrelation (Bhatt et al. 2020)",
       "correlation of a random subset's attribution with the logit drop when it is removed", true, false, true},
      {"road", "Quantus ROAD (Rong et al. 2022), MoRF, noisy linear imputation",
       "mean class probability after imputing the top 10..90% pixels (lower = faithful)", false, false, true},
      {"infidelity", "Quantus Infidelity (Yeh et al. 2019), Gaussian perturbations, optimal scaling",
       "squared error of the map's linear prediction of the logit change under noise (lower = better)", false, false, true},
      {"max_sensitivity", "Quantus MaxSensitivity (Yeh et al. 2019)",
       "largest relative change of the map under small input noise (lower = more robust)", false, false, true},
      {"sparseness", "Quantus Sparseness (Chalasani et al. 2020), Gini index",
       "how concentrated the map is (0 uniform, 1 one pixel)", true, false, false},
      {"complexity", "Quantus Complexity (Bhatt et al. 2020), entropy",
       "entropy of the map's share per pixel (lower = simpler)", false, false, false},
  };
  return m;
}

const EvalMetricInfo* eval_find_metric(const std::string& name) {
  for (auto& m : eval_metrics())
    if (name == m.name) return &m;
  return nullptr;
}

Status eval_parse_metrics(const std::string& text, std::vector<std::string>* out) {
  out->clear();
  if (text == "all") {
    for (auto& m : eval_metrics()) out->push_back(m.name);
    return Status::ok();
  }
  std::string item;
  std::istringstream in(text);
  while (std::getline(in, item, ',')) {
    if (item.empty()) continue;
    if (!eval_find_metric(item)) {
      std::string known;
      for (auto& m : eval_metrics()) known += (known.empty() ? "" : ", ") + std::string(m.name);
      return Status::error("evaluate: unknown metric '" + item + "' (known: all, " + known + ")");
    }
    out->push_back(item);
  }
  if (out->empty()) return Status::error("evaluate: no metric named in '" + text + "'");
  return Status::ok();
}

Status eval_set_options(EvalRequest* q, const std::vector<std::pair<std::string, std::string>>& kv) {
  for (auto& p : kv) {
    bool known = false;
    for (auto& d : option_defaults()) known = known || d.first == p.first;
    if (!known) {
      std::string names;
      for (auto& d : option_defaults()) names += (names.empty() ? "" : ", ") + d.first;
      return Status::error("evaluate: unknown option '" + p.first + "' (known: " + names + ")");
    }
    q->options[p.first] = p.second;
  }
  // Validate every value now, so a typo fails before any pass runs.
  int i = 0;
  double d = 0;
  std::vector<double> l;
  XM_TRY(parse_int("steps", opt(*q, "steps"), 1, 16384, &i));
  XM_TRY(parse_int("lerf", opt(*q, "lerf"), 0, 1, &i));
  XM_TRY(parse_int("top_k", opt(*q, "top_k"), 1, 1 << 24, &i));
  XM_TRY(parse_int("fc_runs", opt(*q, "fc_runs"), 2, 100000, &i));
  XM_TRY(parse_int("fc_subset_size", opt(*q, "fc_subset_size"), 1, 1 << 24, &i));
  XM_TRY(parse_double("road_noise", opt(*q, "road_noise"), 0, 1000, &d));
  XM_TRY(parse_list("road_percentages", opt(*q, "road_percentages"), &l));
  XM_TRY(parse_int("infidelity_samples", opt(*q, "infidelity_samples"), 1, 100000, &i));
  XM_TRY(parse_double("infidelity_stdev", opt(*q, "infidelity_stdev"), 1e-9, 1000, &d));
  XM_TRY(parse_int("ms_samples", opt(*q, "ms_samples"), 1, 10000, &i));
  XM_TRY(parse_double("ms_radius", opt(*q, "ms_radius"), 1e-9, 1000, &d));
  const std::string out = opt(*q, "output");
  if (out != "probability" && out != "logit") return Status::error("evaluate: output must be probability or logit, got '" + out + "'");
  return Status::ok();
}

bool eval_is_option(const std::string& key) {
  for (auto& d : option_defaults())
    if (d.first == key) return true;
  return false;
}

std::string eval_options_help() {
  std::string s;
  for (auto& d : option_defaults()) s += "    " + d.first + "=" + d.second + "\n";
  return s;
}

const EvalScore* EvalReport::find(const std::string& name) const {
  for (auto& s : scores)
    if (s.name == name) return &s;
  return nullptr;
}

void EvalReport::write_members(JsonWriter& w) const {
  for (auto& s : scores) {
    w.key(s.name).begin_object().key("value").num(s.value);
    auto it = seconds.find(s.name);
    if (it != seconds.end()) w.key("seconds").num(it->second);
    if (!s.note.empty()) w.key("note").str(s.note);
    w.end_object();
  }
  w.key("curves").begin_object();
  for (auto& c : curves) {
    w.key(c.name).begin_object();
    w.key("x").nums(c.x);
    w.key("y").nums(c.y);
    w.end_object();
  }
  w.end_object();
}

std::string EvalReport::to_json() const {
  JsonWriter w;
  w.begin_object();
  write_members(w);
  w.end_object();
  return w.take();
}

const std::string& EvaluationJob::current() const {
  static const std::string none;
  return done() ? none : q_.metrics[next_];
}

namespace {

FaithfulnessCorrelationOptions fc_options(const EvalRequest& q) {
  FaithfulnessCorrelationOptions o;
  parse_int("fc_runs", opt(q, "fc_runs"), 2, 100000, &o.runs);
  parse_int("fc_subset_size", opt(q, "fc_subset_size"), 1, 1 << 24, &o.subset_size);
  o.baseline = opt(q, "fc_baseline");
  o.seed = q.seed;
  return o;
}

InfidelityOptions infidelity_options(const EvalRequest& q) {
  InfidelityOptions o;
  parse_int("infidelity_samples", opt(q, "infidelity_samples"), 1, 100000, &o.samples);
  parse_double("infidelity_stdev", opt(q, "infidelity_stdev"), 1e-9, 1000, &o.stdev);
  o.seed = q.seed;
  return o;
}

EvalShared::Key shared_key(const Backend& b, const EvalRequest& q, const std::string& options) {
  EvalShared::Key k;
  k.backend = &b;
  k.input = q.input.data;
  k.target = q.target;
  k.seed = q.seed;
  k.options = options + "|" + shape_str(q.input.shape);
  return k;
}

std::string fc_options_key(const EvalRequest& q) {
  return opt(q, "fc_runs") + "|" + opt(q, "fc_subset_size") + "|" + opt(q, "fc_baseline");
}
std::string infidelity_options_key(const EvalRequest& q) {
  return opt(q, "infidelity_samples") + "|" + opt(q, "infidelity_stdev");
}

// The shared draw for q, made now unless `s` already holds one for the same key.
Result<const FaithfulnessCorrelationDraws*> shared_fc(Backend& b, const EvalRequest& q, EvalShared* s) {
  EvalShared::Key k = shared_key(b, q, fc_options_key(q));
  if (!s->has_fc || !(s->fc_key == k)) {
    s->has_fc = false;
    auto d = eval_faithfulness_correlation_draw(b, q.input, q.target, fc_options(q));
    if (!d) return d.status();
    s->fc = d.take();
    s->fc_key = std::move(k);
    s->has_fc = true;
    ++s->draws;
  }
  return &s->fc;
}

Result<const InfidelityDraws*> shared_infidelity(Backend& b, const EvalRequest& q, EvalShared* s) {
  EvalShared::Key k = shared_key(b, q, infidelity_options_key(q));
  if (!s->has_infidelity || !(s->infidelity_key == k)) {
    s->has_infidelity = false;
    auto d = eval_infidelity_draw(b, q.input, q.target, infidelity_options(q));
    if (!d) return d.status();
    s->infidelity = d.take();
    s->infidelity_key = std::move(k);
    s->has_infidelity = true;
    ++s->draws;
  }
  return &s->infidelity;
}

}  // namespace

Status eval_shared_prepare(Backend& b, const EvalRequest& q0, EvalShared* shared) {
  EvalRequest q = q0;
  XM_TRY(eval_set_options(&q, {}));
  if (q.input.rank() != 4 || q.input.dim(0) != 1)
    return Status::error("evaluate: the input must be one image [1,C,H,W], got " + shape_str(q.input.shape));
  for (auto& name : q.metrics) {
    if (name == "faithfulness_correlation") XM_TRY(shared_fc(b, q, shared).status());
    if (name == "infidelity") XM_TRY(shared_infidelity(b, q, shared).status());
  }
  return Status::ok();
}

Status EvaluationJob::begin(Backend& backend, const EvalRequest& q, EvalShared* shared) {
  q_ = q;
  shared_ = shared;
  next_ = 0;
  report_ = EvalReport();
  XM_TRY(eval_set_options(&q_, {}));
  if (q_.input.rank() != 4 || q_.input.dim(0) != 1)
    return Status::error("evaluate: the input must be one image [1,C,H,W], got " + shape_str(q_.input.shape));
  if (q_.target < 0 || q_.target >= backend.info().num_outputs)
    return Status::error("evaluate: target " + std::to_string(q_.target) + " is outside the model's " +
                         std::to_string(backend.info().num_outputs) + " outputs");
  auto m = eval_map(q_.attribution);
  if (!m) return m.status();
  if (m->h != q_.input.dim(2) || m->w != q_.input.dim(3))
    return Status::error("evaluate: the attribution " + shape_str(q_.attribution.shape) + " does not match the input " +
                         shape_str(q_.input.shape));
  if (!q_.mask.data.empty()) {
    auto k = eval_mask(q_.mask, m->h, m->w);
    if (!k) return k.status();
  }
  for (auto& name : q_.metrics)
    if (!eval_find_metric(name)) return Status::error("evaluate: unknown metric '" + name + "'");
  return Status::ok();
}

Status EvaluationJob::step(Backend& b) {
  if (done()) return Status::ok();
  const std::string name = q_.metrics[next_++];
  const EvalMetricInfo* info = eval_find_metric(name);
  const auto t0 = std::chrono::steady_clock::now();
  auto add = [&](const std::string& n, double v, const std::string& note = "") { report_.scores.push_back({n, v, note}); };
  const Tensor& x = q_.input;
  const Tensor& a = q_.attribution;
  const int t = q_.target;
  bool mask_empty = true;
  for (float v : q_.mask.data) mask_empty = mask_empty && !(v > 0.5f);
  if (info->needs_mask && mask_empty) {
    add(name, NaN, q_.mask.data.empty() ? "no ground-truth mask" : "the mask is empty (a case without evidence)");
    return Status::ok();
  }
  auto value = [&](const Result<double>& r) -> Status {
    if (!r) return r.status();
    add(name, *r);
    return Status::ok();
  };
  int steps = 50, i = 0, lerf = 1;
  double d = 0;
  parse_int("steps", opt(q_, "steps"), 1, 16384, &steps);
  parse_int("lerf", opt(q_, "lerf"), 0, 1, &lerf);
  const EvalOutput out = opt(q_, "output") == "logit" ? EvalOutput::LOGIT : EvalOutput::PROBABILITY;
  if (name == "pointing_game") XM_TRY(value(eval_pointing_game(a, q_.mask)));
  else if (name == "energy_pointing_game") XM_TRY(value(eval_energy_pointing_game(a, q_.mask)));
  else if (name == "relevance_mass_accuracy") XM_TRY(value(eval_relevance_mass_accuracy(a, q_.mask)));
  else if (name == "relevance_rank_accuracy") XM_TRY(value(eval_relevance_rank_accuracy(a, q_.mask)));
  else if (name == "top_k_intersection") {
    parse_int("top_k", opt(q_, "top_k"), 1, 1 << 24, &i);
    XM_TRY(value(eval_top_k_intersection(a, q_.mask, i)));
  } else if (name == "auprc") XM_TRY(value(eval_auprc(a, q_.mask)));
  else if (name == "sparseness") XM_TRY(value(eval_sparseness(a)));
  else if (name == "complexity") XM_TRY(value(eval_complexity(a)));
  else if (name == "deletion_auc" || name == "insertion_auc") {
    const bool del = name == "deletion_auc";
    const std::string kind = del ? "deletion" : "insertion";
    for (int morf = 1; morf >= 1 - lerf; --morf) {
      CurveOptions o;
      o.morf = morf != 0;
      o.steps = steps;
      o.output = out;
      o.seed = q_.seed;
      o.baseline = opt(q_, kind + "_baseline");
      auto c = del ? eval_deletion_curve(b, x, t, a, o) : eval_insertion_curve(b, x, t, a, o);
      if (!c) return c.status();
      add(morf ? name : kind + "_lerf_auc", c->auc);
      report_.curves.push_back({kind + (morf ? "_morf" : "_lerf"), c->x, c->y});
    }
  } else if (name == "faithfulness_correlation") {
    if (shared_) {
      auto dr = shared_fc(b, q_, shared_);
      if (!dr) return dr.status();
      XM_TRY(value(eval_faithfulness_correlation_score(**dr, x, a)));
    } else {
      XM_TRY(value(eval_faithfulness_correlation(b, x, t, a, fc_options(q_))));
    }
  } else if (name == "road") {
    for (int morf = 1; morf >= 1 - lerf; --morf) {
      RoadOptions o;
      o.morf = morf != 0;
      parse_list("road_percentages", opt(q_, "road_percentages"), &o.percentages);
      parse_double("road_noise", opt(q_, "road_noise"), 0, 1000, &o.noise);
      o.seed = q_.seed;
      auto r = eval_road(b, x, t, a, o);
      if (!r) return r.status();
      add(morf ? "road" : "road_lerf", r->curve.auc);
      report_.curves.push_back({morf ? "road_morf" : "road_lerf", r->curve.x, r->curve.y});
    }
  } else if (name == "infidelity") {
    if (shared_) {
      auto dr = shared_infidelity(b, q_, shared_);
      if (!dr) return dr.status();
      XM_TRY(value(eval_infidelity_score(**dr, x, a, infidelity_options(q_).normalize)));
    } else {
      XM_TRY(value(eval_infidelity(b, x, t, a, infidelity_options(q_))));
    }
  } else if (name == "max_sensitivity") {
    if (q_.method.empty()) {
      add(name, NaN, "no method to re-run (the map came from a file)");
    } else {
      MaxSensitivityOptions o;
      parse_int("ms_samples", opt(q_, "ms_samples"), 1, 10000, &o.samples);
      parse_double("ms_radius", opt(q_, "ms_radius"), 1e-9, 1000, &d);
      o.radius = d;
      o.seed = q_.seed;
      XM_TRY(value(eval_max_sensitivity(b, x, t, q_.method, q_.method_params, o)));
    }
  }
  report_.seconds[name] = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return Status::ok();
}

Result<Tensor> eval_phantom_marker_mask(const PhantomSpec& spec, uint64_t seed) {
  PhantomSpec on = spec, off = spec;
  XM_TRY(phantom_set_knob(on, "marker", 1.0f));
  XM_TRY(phantom_set_knob(off, "marker", 0.0f));
  auto a = phantom_generate(on, seed);
  if (!a) return a.status();
  auto b = phantom_generate(off, seed);
  if (!b) return b.status();
  const int64_t C = a->image.dim(1), H = a->image.dim(2), W = a->image.dim(3);
  Tensor m({1, 1, H, W});
  for (int64_t c = 0; c < C; ++c)
    for (int64_t i = 0; i < H * W; ++i)
      if (a->image.data[size_t(c * H * W + i)] != b->image.data[size_t(c * H * W + i)]) m.data[size_t(i)] = 1.0f;
  return m;
}

Result<EvalReport> evaluate_run_to_end(Backend& backend, const EvalRequest& q, EvalShared* shared) {
  EvaluationJob job;
  XM_TRY(job.begin(backend, q, shared));
  while (!job.done()) XM_TRY(job.step(backend));
  return job.report();
}

}  // namespace xm
