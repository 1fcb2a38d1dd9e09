// xmedia explain: one attribution map with any method of wasm/explain/, as .npy
// and optionally a PNG overlay; prints a JSON summary (passes, time, statistics).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "cli.h"
#include "core/json_writer.h"
#include "engine/engine_backend.h"
#include "explain/heatmap.h"
#include "explain/explainer.h"
#include "image/image_io.h"
#include "image/npy.h"
#include "backend_option.h"
#include "explain/method_kinds.h"
#include "model_input.h"

namespace {

std::string explain_usage() {
  std::string s =
      XM_CLI_MODEL XM_CLI_INPUT
      "  --method NAME             the attribution method (below)\n"
      XM_CLI_TARGET
      "  --param key=value         a method parameter, repeatable (below; defaults shown)\n"
      "  --out A.npy               where to write the attribution ([1,C,H,W]; Grad-CAM family [1,1,H,W])\n"
      "  --png P.png               also write an overlay of the attribution on the input\n"
      XM_CLI_THREADS XM_CLI_BACKEND
      "  --repeat N                run the method N times on the same loaded model and report the median\n"
      "                            time as \"seconds\", default 1. With N > 1 the timed runs follow a cold\n"
      "                            run (\"first_seconds\") and warm-up runs for at least 0.25 s (\"warmup_runs\"),\n"
      "                            so they time warm calls, as PyTorch/Captum timings do\n"
      "\nmethods:\n";
  for (auto& m : xm::explain_methods()) s += "\n" + xm::explain_method_help(m);
  return s;
}
const std::string kExplainUsage = explain_usage();

int run_explain(xm::cli::Args& a) {
  using namespace xm;
  std::string model, input, method, out;
  if (!a.get_required("model", &model) || !a.get_required("input", &input) || !a.get_required("method", &method) ||
      !a.get_required("out", &out))
    return cli::EXIT_USAGE;
  long long target = -1, threads = 1, repeat = 1;
  if (!a.get_int("target", 0, 1 << 30, -1, &target) || !a.get_int("threads", 1, 64, 1, &threads) ||
      !a.get_int("repeat", 1, 1000, 1, &repeat))
    return cli::EXIT_USAGE;
  if (!a.reject_unknown({"model", "input", "method", "target", "param", "out", "png", "threads", "repeat", "backend"}))
    return cli::EXIT_USAGE;
  std::string which;
  if (int rc = cli_backend_choice(a, &which)) return rc;
  if (which == "ort" && explain_method_needs_gradients(method))
    return cli::fail(cli::EXIT_USAGE, "explain: " + explain_method_unavailable_reason(method, which, false));
  // Parameters are checked before the model is read, so a typo fails fast.
  auto job = explainer_create(method, a.params());
  if (!job) return cli::fail(cli::EXIT_USAGE, "explain: " + job.error());

  auto backend = cli_open_backend(which, model, int(threads));
  if (!backend) return cli::fail(cli::EXIT_BAD_INPUT, backend.error());
  Backend& b = **backend;
  auto x = cli_read_model_input(model, input, b.info().input_shape);
  if (!x) return cli::fail(cli::EXIT_BAD_INPUT, x.error());
  if (x->rank() != 4 || x->dim(0) != 1)
    return cli::fail(cli::EXIT_BAD_INPUT, input + ": explain needs one image [1,C,H,W], got " + shape_str(x->shape));
  if (target < 0) {
    Tensor logits;
    Status s = b.logits(*x, &logits);
    if (!s) return cli::fail(cli::EXIT_BAD_INPUT, s.error());
    target = 0;
    for (int64_t k = 1; k < int64_t(logits.numel()); ++k)
      if (logits.data[size_t(k)] > logits.data[size_t(target)]) target = k;
  }

  // Each repetition is a fresh job on the same backend, as the UI runs them.
  auto run_once = [&](bool fresh, double* seconds) -> int {
    if (fresh) {
      auto again = explainer_create(method, a.params());
      if (!again) return cli::fail(cli::EXIT_USAGE, "explain: " + again.error());
      *job = again.take();
    }
    const auto t0 = std::chrono::steady_clock::now();
    Explainer& e = **job;
    Status s = e.begin(b, *x, int(target));
    // begin() fails on parameters that do not fit this model or image (window, layer, target).
    if (!s) return cli::fail(cli::EXIT_USAGE, "explain: " + s.error());
    while (!e.done()) {
      s = e.step(b);
      if (!s) return cli::fail(cli::EXIT_BAD_INPUT, "explain: " + s.error());
    }
    *seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return cli::EXIT_OK;
  };
  // With --repeat > 1 the timed runs are warm (caches, allocator, plans), as
  // Captum's figures are: after the cold first run come untimed runs until
  // kWarmupSeconds have passed.
  constexpr double kWarmupSeconds = 0.25;
  std::vector<double> times;
  double first_seconds = 0, dt = 0;
  long long warmup_runs = 0;
  if (repeat > 1) {
    if (int rc = run_once(false, &first_seconds)) return rc;
    for (double warm = first_seconds; warm < kWarmupSeconds; warm += dt, ++warmup_runs)
      if (int rc = run_once(true, &dt)) return rc;
  }
  for (long long rep = 0; rep < repeat; ++rep) {
    if (int rc = run_once(repeat > 1 || rep > 0, &dt)) return rc;
    times.push_back(dt);
  }
  if (repeat == 1) first_seconds = times.front();
  std::sort(times.begin(), times.end());
  const double seconds = times[times.size() / 2];
  const ExplainResult& r = (*job)->result();
  Status s = npy_write_file(out, r.attribution);
  if (!s) return cli::fail(cli::EXIT_BAD_INPUT, s.error());
  const std::string png = a.get("png");
  if (!png.empty()) {
    s = png_write_file(png, heat_overlay(*x, r.attribution));
    if (!s) return cli::fail(cli::EXIT_BAD_INPUT, s.error());
  }
  JsonWriter w;
  w.begin_object();
  w.key("method").str(method);
  w.key("target").integer(target);
  w.key("shape").str(shape_str(r.attribution.shape));
  w.key("forward_passes").integer((long long)r.stats.forward_passes);
  w.key("backward_passes").integer((long long)r.stats.backward_passes);
  w.key("seconds").num(seconds);
  w.key("first_seconds").num(first_seconds);
  w.key("repeat").integer(repeat);
  w.key("warmup_runs").integer(warmup_runs);
  if (!r.stats.layer.empty()) w.key("layer").str(r.stats.layer);
  w.key("stats").begin_object();
  for (auto& kv : r.stats.values) w.key(kv.first).num(kv.second);
  w.end_object();
  w.key("out").str(out);
  w.end_object();
  std::printf("%s\n", w.text().c_str());
  return cli::EXIT_OK;
}

}  // namespace

XM_COMMAND(explain, "attribution map with any method (saliency, IG, Grad-CAM, occlusion, LIME, SHAP...)",
           kExplainUsage.c_str(), run_explain);
