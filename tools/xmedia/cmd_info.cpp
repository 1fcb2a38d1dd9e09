// xmedia info: what a model holds and whether the engine can run it (JSON).
// A model with unsupported ops still gets its report, listing them.
#include <algorithm>
#include <cstdio>
#include <map>

#include "cli.h"
#include "core/json_writer.h"
#include "engine/engine.h"
#include "model_input.h"
#include "onnx/onnx_model.h"

namespace {

void write_io(xm::JsonWriter& w, const std::vector<xm::onnx::ValueInfo>& vs) {
  w.begin_array();
  for (const xm::onnx::ValueInfo& v : vs) {
    w.begin_object();
    w.key("name").str(v.name);
    w.key("type").str(xm::onnx::dtype_name(v.elem_type));
    w.key("shape").begin_array();
    for (size_t k = 0; k < v.dims.size(); ++k) {
      if (v.dims[k] >= 0) w.integer(v.dims[k]);
      else w.str(v.dim_params[k].empty() ? "?" : v.dim_params[k]);
    }
    w.end_array();
    w.end_object();
  }
  w.end_array();
}

int run_info(xm::cli::Args& a) {
  using namespace xm;
  std::string path;
  if (!a.get_required("model", &path)) return cli::EXIT_USAGE;
  if (!a.reject_unknown({"model"})) return cli::EXIT_USAGE;
  auto m = onnx::load_file(path);
  if (!m) return cli::fail(cli::EXIT_BAD_INPUT, m.error());
  // Inputs that are really initializers (older exporters) are not model inputs.
  std::vector<onnx::ValueInfo> inputs;
  for (const onnx::ValueInfo& v : m->graph.inputs) {
    bool init = false;
    for (const onnx::TensorData& t : m->graph.initializers) init = init || t.name == v.name;
    if (!init) inputs.push_back(v);
  }
  std::map<std::string, int> ops;
  for (const onnx::Node& n : m->graph.nodes) ops[n.op_type]++;
  std::vector<std::string> unsupported = engine_unsupported_ops(*m), supported;
  for (auto& kv : ops)
    if (std::find(unsupported.begin(), unsupported.end(), kv.first) == unsupported.end()) supported.push_back(kv.first);
  int64_t params = 0;
  for (const onnx::TensorData& t : m->graph.initializers) params += t.numel();
  auto e = Engine::load(*m, path);
  JsonWriter w;
  w.begin_object();
  w.key("model").str(path);
  w.key("ir_version").integer((long long)m->ir_version);
  w.key("opset").integer((long long)m->opset);
  w.key("producer").str(m->producer_name);
  w.key("nodes").integer(m->graph.nodes.size());
  w.key("parameters").integer((long long)params);
  w.key("inputs");
  write_io(w, inputs);
  w.key("outputs");
  write_io(w, m->graph.outputs);
  w.key("ops").begin_object();
  for (auto& kv : ops) w.key(kv.first).integer(kv.second);
  w.end_object();
  w.key("supported_ops").strs(supported);
  w.key("unsupported_ops").strs(unsupported);
  w.key("runnable").boolean(bool(e));
  if (!e) w.key("problem").str(e.error());
  w.end_object();
  std::printf("%s\n", w.text().c_str());
  return cli::EXIT_OK;
}

}  // namespace

XM_COMMAND(info, "JSON: inputs, outputs, shapes, ops, supported + unsupported ops",
           XM_CLI_MODEL "A model with unsupported ops is still described.\n", run_info);
