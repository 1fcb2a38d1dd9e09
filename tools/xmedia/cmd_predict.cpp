// xmedia predict: one forward pass, JSON {"output": [...], "label": k}.
#include <cstdio>

#include "cli.h"
#include "core/json_writer.h"
#include "engine/engine.h"
#include "image/npy.h"
#include "backend_option.h"
#include "model_input.h"

namespace {

int run_predict(xm::cli::Args& a) {
  using namespace xm;
  std::string model, input;
  if (!a.get_required("model", &model) || !a.get_required("input", &input)) return cli::EXIT_USAGE;
  if (!a.reject_unknown({"model", "input", "out", "backend", "threads"})) return cli::EXIT_USAGE;
  std::string which;
  if (int rc = cli_backend_choice(a, &which)) return rc;
  long long threads = 1;
  if (!a.get_int("threads", 1, 64, 1, &threads)) return cli::EXIT_USAGE;
  RunResult res;
  if (which == "ort") {  // ONNX Runtime Web: the logits of the whole batch
    auto b = cli_open_backend(which, model, int(threads));
    if (!b) return cli::fail(cli::EXIT_BAD_INPUT, b.error());
    auto x = cli_read_model_input(model, input, (*b)->info().input_shape);
    if (!x) return cli::fail(cli::EXIT_BAD_INPUT, x.error());
    res.outputs.resize(1);
    Status s = (*b)->logits(*x, &res.outputs[0]);
    if (!s) return cli::fail(cli::EXIT_BAD_INPUT, s.error());
  } else {
    auto e = Engine::load_file(model);
    if (!e) return cli::fail(cli::EXIT_BAD_INPUT, e.error());
    if ((*e)->summary().inputs.size() != 1) return cli::fail(cli::EXIT_BAD_INPUT, model + ": predict needs a model with one input");
    (*e)->set_threads(int(threads));
    auto x = cli_read_model_input(model, input, (*e)->summary().inputs[0].dims);
    if (!x) return cli::fail(cli::EXIT_BAD_INPUT, x.error());
    RunRequest req;
    req.inputs = {&*x};
    Status s = (*e)->run(req, &res);
    if (!s) return cli::fail(cli::EXIT_BAD_INPUT, s.error());
  }
  const Tensor& y = res.outputs[0];
  if (a.has("out")) {
    Status w = npy_write_file(a.get("out"), y);
    if (!w) return cli::fail(cli::EXIT_BAD_INPUT, w.error());
  }
  // The label is the arg-max over a single image's output; for a batch it is the first image's.
  const size_t per = y.shape.empty() || y.shape[0] < 1 ? y.data.size() : y.data.size() / size_t(y.shape[0]);
  size_t label = 0;
  for (size_t k = 1; k < per; ++k)
    if (y.data[k] > y.data[label]) label = k;
  JsonWriter w;
  w.begin_object();
  w.key("output").nums(y.data);
  w.key("shape").begin_array();
  for (auto d : y.shape) w.integer(d);
  w.end_array();
  w.key("label").integer(label);
  w.end_object();
  std::printf("%s\n", w.text().c_str());
  return cli::EXIT_OK;
}

}  // namespace

XM_COMMAND(predict, "JSON: the model's output and label for an input",
           XM_CLI_MODEL XM_CLI_INPUT
           "  --out Y.npy               also write the output tensor\n"
           XM_CLI_THREADS XM_CLI_BACKEND,
           run_predict);
