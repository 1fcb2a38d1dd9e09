// xmedia gradient: d(output[target]) / d(input), written as .npy.
#include <cstdio>

#include "cli.h"
#include "core/json_writer.h"
#include "engine/engine.h"
#include "image/npy.h"
#include "model_input.h"

namespace {

int run_gradient(xm::cli::Args& a) {
  using namespace xm;
  std::string model, input, out;
  if (!a.get_required("model", &model) || !a.get_required("input", &input) || !a.get_required("out", &out))
    return cli::EXIT_USAGE;
  long long target = 0;
  if (!a.has("target")) return cli::fail(cli::EXIT_USAGE, "gradient: missing --target (see xmedia gradient --help)");
  if (!a.get_int("target", 0, 1 << 30, 0, &target)) return cli::EXIT_USAGE;
  if (!a.reject_unknown({"model", "input", "target", "out", "guided"})) return cli::EXIT_USAGE;
  auto e = Engine::load_file(model);
  if (!e) return cli::fail(cli::EXIT_BAD_INPUT, e.error());
  if ((*e)->summary().inputs.size() != 1) return cli::fail(cli::EXIT_BAD_INPUT, model + ": gradient needs a model with one input");
  auto x = cli_read_model_input(model, input, (*e)->summary().inputs[0].dims);
  if (!x) return cli::fail(cli::EXIT_BAD_INPUT, x.error());
  if (a.flag("guided")) (*e)->set_relu_rule(ReluRule::GUIDED);
  // A forward pass gives the output's shape, and so the seed's.
  RunRequest req;
  req.inputs = {&*x};
  RunResult res;
  Status s = (*e)->run(req, &res);
  if (!s) return cli::fail(cli::EXIT_BAD_INPUT, s.error());
  const Tensor& y = res.outputs[0];
  const int64_t B = y.shape.empty() ? 1 : y.shape[0];
  const int64_t K = int64_t(y.numel()) / std::max<int64_t>(B, 1);
  // A target the model does not have is a misuse of --target (exit 2), as in explain and evaluate.
  if (target >= K)
    return cli::fail(cli::EXIT_USAGE, "gradient: --target " + std::to_string(target) + " is outside the model's " +
                                          std::to_string(K) + " outputs");
  Tensor seed(y.shape);
  for (int64_t b = 0; b < B; ++b) seed.data[size_t(b * K + target)] = 1.0f;
  std::vector<const Tensor*> seeds((*e)->summary().outputs.size(), nullptr);
  seeds[0] = &seed;
  req.seeds = seeds;
  s = (*e)->run(req, &res);
  if (!s) return cli::fail(cli::EXIT_BAD_INPUT, s.error());
  s = npy_write_file(out, res.input_grads[0]);
  if (!s) return cli::fail(cli::EXIT_BAD_INPUT, s.error());
  JsonWriter w;
  w.begin_object();
  w.key("target").integer(target);
  w.key("output").num(res.outputs[0].data[size_t(target)]);
  w.key("out").str(out);
  w.end_object();
  std::printf("%s\n", w.text().c_str());
  return cli::EXIT_OK;
}

}  // namespace

XM_COMMAND(gradient, "writes d(output[target])/d(input) as .npy",
           XM_CLI_MODEL XM_CLI_INPUT
           "  --target K                which output to differentiate (required)\n"
           "  --out G.npy               where to write the gradient (the input's shape)\n"
           "  --guided                  guided-backpropagation rule at every ReLU\n",
           run_gradient);
