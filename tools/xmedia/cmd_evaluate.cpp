// xmedia evaluate: scores one explanation (localisation against the
// ground-truth mask, faithfulness, robustness, complexity; wasm/evaluate/) and
// optionally runs the randomisation sanity checks; prints one JSON object.
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "cli.h"
#include "core/strings.h"
#include "engine/engine_backend.h"
#include "evaluate/evaluate.h"
#include "evaluate/sanity.h"
#include "explain/explainer.h"
#include "image/image_io.h"
#include "image/model_card.h"
#include "image/npy.h"
#include "model_input.h"
#include "onnx/onnx_model.h"
#include "phantoms/phantom.h"

namespace {

std::string evaluate_usage() {
  std::string s =
      XM_CLI_MODEL
      "  --scenario S --seed N     a synthetic case (cardiac_lge, liver_ct, chest_xray, fundus) with its mask\n"
      "  --label 0|1               the case's class (default: drawn from the seed)\n"
      XM_CLI_INPUT
      "  --image X.npy|IMG         an older spelling of --input; give --input or --scenario, not both\n"
      "  --mask M.npy|PNG          its ground-truth mask (values > 0.5 inside; PNG: > 127)\n"
      "  --mask-of lesion|marker   with --scenario: score against the lesion (default) or the burned-in\n"
      "                            marker of chest_xray (turns the marker knob on)\n"
      "  --method NAME[,NAME...]   the explanation method (as xmedia explain; needed unless --attribution);\n"
      "                            several: one JSON line per method, sharing the model's answers that\n"
      "                            do not depend on the map (faithfulness correlation, infidelity)\n"
      "  --attribution A.npy       score this map instead of running the method\n"
      XM_CLI_TARGET
      "  --metrics all|a,b,...     which metrics (default all)\n"
      "  --param key=value         repeatable: a method parameter (as xmedia explain), a metric option\n"
      "                            (below), or knob:NAME=V for a phantom knob\n"
      "  --sanity                  also the cascading model-parameter randomisation (Adebayo et al. 2018)\n"
      "  --sanity-layers N         randomise at most N layers from the top (default all)\n"
      "  --compare-model M2.onnx   also the data-randomisation test: the same method on M2\n"
      "                            (e.g. models/cardiac_lge_random_labels.onnx)\n"
      "  --eval-seed N             seed of the metrics' random draws (default 0)\n"
      XM_CLI_THREADS
      "\nmetrics (JSON keys; what each follows; meaning):\n";
  for (auto& m : xm::eval_metrics())
    s += "  " + std::string(m.name) + ": " + m.follows + "\n      " + m.meaning + "\n";
  s += "\nmetric options (--param key=value, defaults shown):\n" + xm::eval_options_help();
  s +=
      "\nOutput: {\"model\", \"method\", \"target\", ..., \"method_seconds\", \"shared_seconds\" (the draws shared by\n"
      "all methods of the case, spent once), \"<metric>\": {\"value\", \"seconds\"}, ..., \"curves\": {...},\n"
      "\"model_randomisation\": {...}, \"data_randomisation\": {...}}; undefined values are null with a \"note\".\n";
  return s;
}
const std::string kEvaluateUsage = evaluate_usage();

int run_evaluate(xm::cli::Args& a) {
  using namespace xm;
  using cli::fail;
  if (!a.reject_unknown({"model", "scenario", "seed", "label", "input", "image", "mask", "mask-of", "method", "attribution", "target",
                         "metrics", "param", "sanity", "sanity-layers", "compare-model", "eval-seed", "threads"}))
    return cli::EXIT_USAGE;
  std::string model, method_list = a.get("method"), attribution_path = a.get("attribution");
  if (!a.get_required("model", &model)) return cli::EXIT_USAGE;
  long long target = -1, threads = 1, seed = 1, eval_seed = 0, sanity_layers = 0;
  if (!a.get_int("target", 0, 1 << 30, -1, &target) || !a.get_int("threads", 1, 64, 1, &threads) ||
      !a.get_int("seed", 0, (1LL << 53), 1, &seed) || !a.get_int("eval-seed", 0, (1LL << 53), 0, &eval_seed) ||
      !a.get_int("sanity-layers", 0, 10000, 0, &sanity_layers))
    return cli::EXIT_USAGE;
  if (method_list.empty() && attribution_path.empty()) return fail(cli::EXIT_USAGE, "evaluate: give --method NAME or --attribution A.npy");
  // --image is the older spelling of --input.
  if (a.has("input") && a.has("image")) return fail(cli::EXIT_USAGE, "evaluate: give --input or --image, not both");
  const std::string input_path = a.has("input") ? a.get("input") : a.get("image");
  if (a.has("scenario") == (a.has("input") || a.has("image")))
    return fail(cli::EXIT_USAGE, "evaluate: give either --scenario S --seed N or --input X [--mask M]");
  if ((a.flag("sanity") || a.has("compare-model")) && method_list.empty())
    return fail(cli::EXIT_USAGE, "evaluate: --sanity and --compare-model re-run the method: give --method");

  // Split --param into method parameters, metric options and phantom knobs.
  EvalRequest q;
  ParamList method_params, knobs;
  std::vector<std::pair<std::string, std::string>> options;
  for (auto& kv : a.params()) {
    if (kv.first.compare(0, 5, "knob:") == 0) knobs.emplace_back(kv.first.substr(5), kv.second);
    else if (eval_is_option(kv.first)) options.push_back(kv);
    else method_params.push_back(kv);
  }
  Status s = eval_parse_metrics(a.get("metrics", "all"), &q.metrics);
  if (!s) return fail(cli::EXIT_USAGE, s.error());
  s = eval_set_options(&q, options);
  if (!s) return fail(cli::EXIT_USAGE, s.error());
  std::vector<std::string> methods;
  {
    std::string item;
    for (size_t i = 0; i <= method_list.size(); ++i) {
      if (i == method_list.size() || method_list[i] == ',') {
        if (!item.empty()) methods.push_back(item);
        item.clear();
      } else {
        item += method_list[i];
      }
    }
  }
  if (!attribution_path.empty() && methods.size() > 1)
    return fail(cli::EXIT_USAGE, "evaluate: --attribution scores one map: give at most one --method");
  for (auto& m : methods) {
    auto job = explainer_create(m, method_params);  // checks the method and its keys before any work
    if (!job) return fail(cli::EXIT_USAGE, "evaluate: " + job.error());
  }
  if (methods.empty()) methods.push_back(method_list);  // "" with --attribution

  auto model_bytes = read_file_bytes(model, onnx::MAX_MODEL_BYTES);
  if (!model_bytes) return fail(cli::EXIT_BAD_INPUT, model_bytes.error());
  auto backend = native_backend_from_bytes(model_bytes->data(), model_bytes->size(), model);
  if (!backend) return fail(cli::EXIT_BAD_INPUT, backend.error());
  Backend& b = **backend;
  b.set_threads(int(threads));

  // The case: a phantom (with its mask) or a file.
  std::string mask_of = a.get("mask-of", "lesion");
  int label = -1;
  if (a.has("scenario")) {
    const std::string scenario = a.get("scenario");
    auto spec = phantom_spec(scenario);
    if (!spec) return fail(cli::EXIT_USAGE, "evaluate: " + spec.error());
    if (a.has("label")) {
      s = phantom_set_knob(*spec, "label", a.get("label"));
      if (!s) return fail(cli::EXIT_USAGE, "evaluate: --label: " + s.error());
    }
    for (auto& kv : knobs) {
      s = phantom_set_knob(*spec, kv.first, kv.second);
      if (!s) return fail(cli::EXIT_USAGE, "evaluate: " + s.error());
    }
    if (mask_of != "lesion" && mask_of != "marker") return fail(cli::EXIT_USAGE, "evaluate: --mask-of wants lesion or marker");
    if (mask_of == "marker") {
      s = phantom_set_knob(*spec, "marker", 1.0f);
      if (!s) return fail(cli::EXIT_USAGE, "evaluate: --mask-of marker: " + s.error());
    }
    auto c = phantom_generate(*spec, uint64_t(seed));
    if (!c) return fail(cli::EXIT_BAD_INPUT, c.error());
    label = c->label;
    bool has_card = false;
    auto card = model_card_for_model(model, &has_card);
    if (!card) return fail(cli::EXIT_BAD_INPUT, card.error());
    if (has_card && card->channels != c->image.dim(1))
      return fail(cli::EXIT_BAD_INPUT, "evaluate: " + model + " wants " + std::to_string(card->channels) +
                                           " channels but " + scenario + " cases have " + std::to_string(c->image.dim(1)));
    q.input = has_card ? model_card_preprocess(*card, c->image) : c->image;
    if (mask_of == "marker") {
      auto mm = eval_phantom_marker_mask(*spec, uint64_t(seed));
      if (!mm) return fail(cli::EXIT_BAD_INPUT, mm.error());
      q.mask = mm.take();
    } else {
      q.mask = c->mask;
    }
  } else {
    if (a.has("mask-of")) return fail(cli::EXIT_USAGE, "evaluate: --mask-of needs --scenario");
    auto x = cli_read_model_input(model, input_path, b.info().input_shape);
    if (!x) return fail(cli::EXIT_BAD_INPUT, x.error());
    q.input = x.take();
    if (a.has("mask")) {
      const std::string mp = a.get("mask");
      if (xm::ends_with(mp, ".npy")) {
        auto m = npy_read_file(mp);
        if (!m) return fail(cli::EXIT_BAD_INPUT, m.error());
        q.mask = m.take();
      } else {
        auto img = image_read_file(mp);
        if (!img) return fail(cli::EXIT_BAD_INPUT, img.error());
        q.mask = image_to_tensor(*img, 1);
      }
    }
  }
  if (q.input.rank() != 4 || q.input.dim(0) != 1)
    return fail(cli::EXIT_BAD_INPUT, "evaluate: the input must be one image [1,C,H,W], got " + shape_str(q.input.shape));
  Tensor logits;
  s = b.logits(q.input, &logits);
  if (!s) return fail(cli::EXIT_BAD_INPUT, s.error());
  int predicted = 0;
  for (int64_t k = 1; k < int64_t(logits.numel()); ++k)
    if (logits.data[size_t(k)] > logits.data[size_t(predicted)]) predicted = int(k);
  if (target < 0) target = predicted;
  if (target >= b.info().num_outputs)
    return fail(cli::EXIT_USAGE, "evaluate: --target " + std::to_string(target) + " is outside the model's " +
                                     std::to_string(b.info().num_outputs) + " outputs");

  q.target = int(target);
  q.seed = uint64_t(eval_seed);
  EvalShared shared;
  const auto t_shared = std::chrono::steady_clock::now();
  if (methods.size() > 1) {
    s = eval_shared_prepare(b, q, &shared);
    if (!s) return fail(cli::EXIT_BAD_INPUT, s.error());
  }
  const double shared_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t_shared).count();
  for (const std::string& method : methods) {
    // The map: from a file, or the method run now.
    double method_seconds = 0;
    if (!attribution_path.empty()) {
      auto m = npy_read_file(attribution_path);
      if (!m) return fail(cli::EXIT_BAD_INPUT, m.error());
      q.attribution = m.take();
    } else {
      const auto t0 = std::chrono::steady_clock::now();
      auto r = explain_run_to_end(b, method, method_params, q.input, int(target));
      if (!r) return fail(cli::EXIT_USAGE, "evaluate: " + r.error());
      method_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      q.attribution = r->attribution;
    }
    q.method = method;
    q.method_params = method_params;
    auto report = evaluate_run_to_end(b, q, methods.size() > 1 ? &shared : nullptr);
    if (!report) return fail(cli::EXIT_BAD_INPUT, report.error());

    JsonWriter w;
    w.begin_object();
    w.key("model").str(model);
    w.key("method").str(method);
    w.key("target").integer(target);
    w.key("predicted").integer(predicted);
    w.key("label").integer(label);
    w.key("mask_of").str(a.has("scenario") ? mask_of : (q.mask.data.empty() ? "none" : "file"));
    w.key("method_seconds").num(method_seconds);
    w.key("shared_seconds").num(shared_seconds);
    report->write_members(w);

    if (a.flag("sanity")) {
      auto m = onnx::parse_model(model_bytes->data(), model_bytes->size(), model);
      if (!m) return fail(cli::EXIT_BAD_INPUT, m.error());
      SanityOptions o;
      o.method = method;
      o.params = method_params;
      o.max_layers = int(sanity_layers);
      o.threads = int(threads);
      const auto t0 = std::chrono::steady_clock::now();
      auto r = sanity_cascading(*m, q.input, int(target), o);
      if (!r) return fail(cli::EXIT_BAD_INPUT, r.error());
      w.key("model_randomisation").begin_object();
      w.key("order").str("cascading top-down");
      w.key("seed").integer(42);
      r->write_members(w);
      w.key("seconds").num(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
      w.end_object();
    }
    if (a.has("compare-model")) {
      auto other = native_backend_from_file(a.get("compare-model"));
      if (!other) return fail(cli::EXIT_BAD_INPUT, other.error());
      (*other)->set_threads(int(threads));
      if ((*other)->info().input_shape != b.info().input_shape || (*other)->info().num_outputs != b.info().num_outputs)
        return fail(cli::EXIT_BAD_INPUT, "evaluate: --compare-model " + a.get("compare-model") + " has another input or output shape");
      auto sim = sanity_compare_models(b, **other, q.input, int(target), method, method_params);
      if (!sim) return fail(cli::EXIT_BAD_INPUT, sim.error());
      w.key("data_randomisation").begin_object();
      w.key("model").str(a.get("compare-model"));
      w.key("spearman_abs").num(sim->spearman_abs);
      w.key("spearman_signed").num(sim->spearman_signed);
      w.key("ssim").num(sim->ssim);
      w.end_object();
    }
    w.end_object();
    std::printf("%s\n", w.text().c_str());
    std::fflush(stdout);
  }
  return cli::EXIT_OK;
}

}  // namespace

XM_COMMAND(evaluate, "JSON scores of an explanation: localisation, faithfulness, robustness, complexity, sanity checks",
           kEvaluateUsage.c_str(), run_evaluate);
