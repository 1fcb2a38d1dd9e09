// xmedia info: what a model holds and whether the engine can run it (JSON).
// A model with unsupported ops still gets its report, listing them.
#include <algorithm>
#include <cstdio>
#include <map>

#include "cli.h"
#include "engine/engine.h"
#include "model_input.h"
#include "onnx/onnx_model.h"

namespace {

std::string dims_json(const xm::onnx::ValueInfo& v) {
  std::string s = "[";
  for (size_t k = 0; k < v.dims.size(); ++k) {
    if (k) s += ",";
    if (v.dims[k] >= 0) s += std::to_string(v.dims[k]);
    else s += xm::cli::json_string(v.dim_params[k].empty() ? "?" : v.dim_params[k]);
  }
  return s + "]";
}

std::string io_json(const std::vector<xm::onnx::ValueInfo>& vs) {
  std::string s = "[";
  for (size_t k = 0; k < vs.size(); ++k) {
    if (k) s += ",";
    s += "{\"name\":" + xm::cli::json_string(vs[k].name) + ",\"type\":" + xm::cli::json_string(xm::onnx::dtype_name(vs[k].elem_type)) +
         ",\"shape\":" + dims_json(vs[k]) + "}";
  }
  return s + "]";
}

std::string list_json(const std::vector<std::string>& v) {
  std::string s = "[";
  for (size_t k = 0; k < v.size(); ++k) s += (k ? "," : "") + xm::cli::json_string(v[k]);
  return s + "]";
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
  std::string ops_s = "{";
  for (auto& kv : ops) ops_s += (ops_s.size() > 1 ? "," : "") + cli::json_string(kv.first) + ":" + std::to_string(kv.second);
  ops_s += "}";
  std::vector<std::string> unsupported = engine_unsupported_ops(*m), supported;
  for (auto& kv : ops)
    if (std::find(unsupported.begin(), unsupported.end(), kv.first) == unsupported.end()) supported.push_back(kv.first);
  int64_t params = 0;
  for (const onnx::TensorData& t : m->graph.initializers) params += t.numel();
  auto e = Engine::load(*m, path);
  std::printf("{\"model\":%s,\"ir_version\":%lld,\"opset\":%lld,\"producer\":%s,\"nodes\":%zu,\"parameters\":%lld,"
              "\"inputs\":%s,\"outputs\":%s,\"ops\":%s,\"supported_ops\":%s,\"unsupported_ops\":%s,\"runnable\":%s",
              cli::json_string(path).c_str(), (long long)m->ir_version, (long long)m->opset, cli::json_string(m->producer_name).c_str(),
              m->graph.nodes.size(), (long long)params, io_json(inputs).c_str(), io_json(m->graph.outputs).c_str(), ops_s.c_str(),
              list_json(supported).c_str(), list_json(unsupported).c_str(), e ? "true" : "false");
  if (!e) std::printf(",\"problem\":%s", cli::json_string(e.error()).c_str());
  std::printf("}\n");
  return cli::EXIT_OK;
}

}  // namespace

XM_COMMAND(info, "JSON: inputs, outputs, shapes, ops, supported + unsupported ops",
           XM_CLI_MODEL "A model with unsupported ops is still described.\n", run_info);
