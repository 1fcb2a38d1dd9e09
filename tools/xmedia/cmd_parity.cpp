// xmedia parity: the same inputs through our engine and ONNX Runtime Web, one
// JSON line per case with the largest difference (docs/ARCHITECTURE.md's bar: 1e-4 of the
// output's scale). Many cases in one process, so a test of the whole golden set
// does not pay Node's start-up per case. Only in the wasm build under Node.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "backend_option.h"
#include "cli.h"
#include "core/json_writer.h"
#include "engine/engine.h"
#include "model_input.h"
#include "platform/ort_backend.h"

namespace {

using namespace xm;

// One case's members: both outputs, or the first error (false).
bool parity_case(JsonWriter& w, const std::string& model, const std::string& input, int threads) {
  auto error = [&](const std::string& what) {
    w.key("error").str(what);
    return false;
  };
  auto e = Engine::load_file(model);
  if (!e) return error("native: " + e.error());
  if ((*e)->summary().inputs.size() != 1) return error("native: the model has several inputs");
  (*e)->set_threads(threads);
  auto x = cli_read_model_input(model, input, (*e)->summary().inputs[0].dims);
  if (!x) return error(x.error());
  RunRequest req;
  req.inputs = {&*x};
  RunResult res;
  if (Status s = (*e)->run(req, &res); !s) return error("native: " + s.error());
  auto o = ort_backend_from_file(model, threads);
  if (!o) return error("ort: " + o.error());
  Tensor y;
  if (Status s = (*o)->logits(*x, &y); !s) return error("ort: " + s.error());
  const Tensor& n = res.outputs[0];
  if (n.data.size() != y.data.size()) return error("native answered " + shape_str(n.shape) + ", ort " + shape_str(y.shape));
  double scale = 0, err = 0;
  bool finite = true;
  for (size_t i = 0; i < n.data.size(); ++i) {
    finite = finite && std::isfinite(n.data[i]) && std::isfinite(y.data[i]);
    scale = std::max(scale, std::fabs(double(n.data[i])));
    err = std::max(err, std::fabs(double(n.data[i]) - double(y.data[i])));
  }
  if (!finite) return error("a NaN or infinite output");
  w.key("shape").str(shape_str(n.shape));
  w.key("max_abs").num(err);
  w.key("scale").num(scale);
  w.key("max_rel").num(err / std::max(scale, 1e-12));
  return true;
}

int run_parity(cli::Args& a) {
  if (!a.reject_unknown({"model", "input", "list", "threads"})) return cli::EXIT_USAGE;
  std::string why;
  if (!ort_backend_available(&why)) return cli::fail(cli::EXIT_USAGE, "parity: " + why);
  long long threads = 1;
  if (!a.get_int("threads", 1, 64, 1, &threads)) return cli::EXIT_USAGE;
  std::vector<std::pair<std::string, std::string>> cases;
  if (a.has("list")) {
    std::ifstream f(a.get("list"));
    if (!f) return cli::fail(cli::EXIT_BAD_INPUT, "parity: cannot read " + a.get("list"));
    std::string line;
    while (std::getline(f, line)) {
      std::istringstream ls(line);
      std::string m, x;
      if (ls >> m >> x) cases.emplace_back(m, x);
    }
  } else {
    std::string m, x;
    if (!a.get_required("model", &m) || !a.get_required("input", &x)) return cli::EXIT_USAGE;
    cases.emplace_back(m, x);
  }
  int failed = 0;
  for (auto& c : cases) {
    JsonWriter w;
    w.begin_object();
    w.key("model").str(c.first);
    w.key("input").str(c.second);
    failed += !parity_case(w, c.first, c.second, int(threads));
    w.end_object();
    std::printf("%s\n", w.text().c_str());
    std::fflush(stdout);
  }
  return failed ? cli::EXIT_BAD_INPUT : cli::EXIT_OK;
}

}  // namespace

XM_COMMAND(parity, "JSON lines: our engine vs ONNX Runtime Web on the same inputs (wasm build only)",
           XM_CLI_MODEL XM_CLI_INPUT
           "  --list FILE               instead: one \"MODEL INPUT\" pair per line, one JSON line each\n"
           XM_CLI_THREADS
           "Both backends use --threads threads.\n"
           "Prints max_abs = max |native - ort| and max_rel = max_abs / max |native| per case;\n"
           "exit 3 when a case fails to run on either.\n",
           run_parity);
