// xmedia bench: times the engine's forward (and forward+backward) passes on a
// random batch; one JSON line per measurement with the median seconds.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>

#include "cli.h"
#include "core/json_writer.h"
#include "engine/engine.h"
#include "kernels/thread_pool.h"
#include "model_input.h"

namespace {

#ifdef __EMSCRIPTEN__
const char* const BENCH_BUILD = "wasm";
#else
const char* const BENCH_BUILD = "native";
#endif

int run_bench(xm::cli::Args& a) {
  using namespace xm;
  std::string model;
  if (!a.get_required("model", &model)) return cli::EXIT_USAGE;
  long long batch = 64, threads = 1, repeat = 5;
  if (!a.get_int("batch", 1, 4096, 64, &batch) || !a.get_int("threads", 1, 64, 1, &threads) ||
      !a.get_int("repeat", 1, 1000, 5, &repeat))
    return cli::EXIT_USAGE;
  std::string what = a.get("what", "forward");
  if (what != "forward" && what != "gradient" && what != "both")
    return cli::fail(cli::EXIT_USAGE, "bench: --what must be forward, gradient or both");
  const bool profile = a.flag("profile");
  if (!a.reject_unknown({"model", "batch", "threads", "repeat", "what", "profile"})) return cli::EXIT_USAGE;
  auto e = Engine::load_file(model);
  if (!e) return cli::fail(cli::EXIT_BAD_INPUT, e.error());
  Engine& eng = **e;
  if (eng.summary().inputs.size() != 1) return cli::fail(cli::EXIT_BAD_INPUT, model + ": bench needs a model with one input");
  eng.set_threads(int(threads));
  Shape shape = eng.summary().inputs[0].dims;
  if (shape.empty()) return cli::fail(cli::EXIT_BAD_INPUT, model + ": the input has no shape");
  shape[0] = batch;
  for (size_t k = 1; k < shape.size(); ++k)
    if (shape[k] < 1) return cli::fail(cli::EXIT_BAD_INPUT, model + ": input dimension " + std::to_string(k) + " is not fixed");
  Tensor x(shape);
  std::mt19937 rng(1234);
  std::uniform_real_distribution<float> u(0.0f, 1.0f);
  for (float& v : x.data) v = u(rng);
  RunRequest fwd;
  fwd.inputs = {&x};
  RunResult res;
  Status s = eng.run(fwd, &res);  // warm-up: plans and allocates once
  if (!s) return cli::fail(cli::EXIT_BAD_INPUT, s.error());
  Tensor seed(res.outputs[0].shape, 1.0f);
  RunRequest bwd = fwd;
  bwd.seeds.assign(eng.summary().outputs.size(), nullptr);
  bwd.seeds[0] = &seed;
  auto measure = [&](const RunRequest& req, const char* name) -> int {
    Status w = eng.run(req, &res);
    if (!w) return cli::fail(cli::EXIT_BAD_INPUT, w.error());
    std::vector<double> t;
    if (profile) eng.set_profile(true);
    for (long long k = 0; k < repeat; ++k) {
      auto t0 = std::chrono::steady_clock::now();
      eng.run(req, &res);
      t.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    }
    std::sort(t.begin(), t.end());
    double med = t[t.size() / 2];
    JsonWriter j;
    j.begin_object();
    j.key("what").str(name);
    j.key("engine").str("native");
    j.key("build").str(BENCH_BUILD);
    j.key("model").str(model);
    j.key("threads").integer(eng.threads());
    j.key("batch").integer(batch);
    j.key("repeat").integer(repeat);
    j.key("median_s").num(med);
    j.key("min_s").num(t.front());
    j.key("images_per_s").num(double(batch) / med);
    j.end_object();
    std::printf("%s\n", j.text().c_str());
    std::fflush(stdout);
    return cli::EXIT_OK;
  };
  if (what == "forward" || what == "both")
    if (int r = measure(fwd, "forward")) return r;
  if (what == "gradient" || what == "both")
    if (int r = measure(bwd, "gradient")) return r;
  if (profile) std::fprintf(stderr, "seconds per node over all timed runs:\n%s", eng.profile_report().c_str());
  return cli::EXIT_OK;
}

}  // namespace

XM_COMMAND(bench, "JSON lines: median seconds per batch of the engine's passes",
           XM_CLI_MODEL
           "  --batch B                 images per batch (default 64)\n"
           XM_CLI_THREADS
           "  --repeat R                timed repetitions after a warm-up (default 5)\n"
           "  --what W                  forward (default), gradient (forward+backward) or both\n"
           "  --profile                 also print seconds per node on stderr\n",
           run_bench);
