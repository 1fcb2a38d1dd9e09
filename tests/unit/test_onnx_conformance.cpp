// ONNX's own backend node tests (Debian's libonnx-testdata): every float32
// case is either run and matched to 1e-4 of the reference's scale, or refused
// with a message at load or plan time — never answered wrongly.
#include <doctest/doctest.h>
#include <dirent.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "engine/engine.h"
#include "image/npy.h"
#include "onnx/onnx_model.h"
#include "test_data.h"

using namespace xm;

namespace {

const char* const NODE_TESTS = "/usr/share/libonnx-testdata/data/node";

std::vector<std::string> list_dir(const std::string& dir, const std::string& prefix) {
  std::vector<std::string> r;
  if (DIR* d = opendir(dir.c_str())) {
    while (dirent* e = readdir(d)) {
      std::string n = e->d_name;
      if (n.compare(0, prefix.size(), prefix) == 0) r.push_back(n);
    }
    closedir(d);
  }
  std::sort(r.begin(), r.end());
  return r;
}

Result<onnx::TensorData> read_pb(const std::string& path) {
  auto b = read_file_bytes(path, size_t(64) << 20);
  if (!b) return b.status();
  return onnx::parse_tensor(b->data(), b->size(), path);
}

}  // namespace

TEST_SUITE("onnx_conformance") {
  TEST_CASE("float32 node tests pass or are refused") {
    std::vector<std::string> cases = list_dir(NODE_TESTS, "test_");
    if (cases.empty())
      return test::data_missing(std::string(NODE_TESTS) + " is absent (install Debian's libonnx-testdata; tools/setup does)");
    int passed = 0, refused = 0, not_float = 0;
    std::vector<std::string> failures;
    const auto supported = engine_supported_ops();
    for (const std::string& c : cases) {
      const std::string dir = std::string(NODE_TESTS) + "/" + c;
      auto m = onnx::load_file(dir + "/model.onnx");
      if (!m) {
        failures.push_back(c + ": the loader rejects the model: " + m.error());
        continue;
      }
      std::vector<std::string> init_names;
      for (auto& t : m->graph.initializers) init_names.push_back(t.name);
      bool all_float = true;
      for (auto& v : m->graph.inputs)
        if (std::find(init_names.begin(), init_names.end(), v.name) == init_names.end())
          all_float = all_float && v.elem_type == onnx::DT_FLOAT;
      for (auto& v : m->graph.outputs) all_float = all_float && v.elem_type == onnx::DT_FLOAT;
      if (!all_float) {
        ++not_float;
        continue;
      }
      auto e = Engine::load(*m, c);
      bool ours = true;
      for (auto& n : m->graph.nodes) ours = ours && std::find(supported.begin(), supported.end(), n.op_type) != supported.end();
      if (!e) {
        ++refused;
        if (ours && std::getenv("XM_VERBOSE")) MESSAGE("refused " << e.error());
        // A refusal names the node or the tensor; it is never empty.
        if (e.error().find(c) == std::string::npos && e.error().find("node") == std::string::npos)
          failures.push_back(c + ": unclear refusal: " + e.error());
        continue;
      }
      const std::string data = dir + "/test_data_set_0";
      std::vector<Tensor> inputs;
      bool ok = true;
      for (size_t k = 0; k < (*e)->summary().inputs.size() && ok; ++k) {
        auto t = read_pb(data + "/input_" + std::to_string(k) + ".pb");
        if (!t || !t->is_float()) {
          ok = false;
          break;
        }
        Tensor x(t->dims);
        x.data = t->f;
        inputs.push_back(std::move(x));
      }
      if (!ok) {
        failures.push_back(c + ": cannot read its inputs");
        continue;
      }
      RunRequest req;
      for (auto& t : inputs) req.inputs.push_back(&t);
      RunResult res;
      Status s = (*e)->run(req, &res);
      if (!s) {
        ++refused;
        if (ours && std::getenv("XM_VERBOSE")) MESSAGE("refused " << s.error());
        continue;
      }
      for (size_t k = 0; k < res.outputs.size(); ++k) {
        auto ref = read_pb(data + "/output_" + std::to_string(k) + ".pb");
        if (!ref) {
          failures.push_back(c + ": " + ref.error());
          ok = false;
          break;
        }
        if (ref->dims != res.outputs[k].shape) {
          failures.push_back(c + ": output " + std::to_string(k) + " has shape " + shape_str(res.outputs[k].shape) +
                             ", expected " + shape_str(ref->dims));
          ok = false;
          break;
        }
        double scale = 0, err = 0;
        for (float v : ref->f) scale = std::max(scale, double(std::fabs(v)));
        for (size_t i = 0; i < ref->f.size(); ++i) {
          double d = std::fabs(double(ref->f[i]) - double(res.outputs[k].data[i]));
          if (std::isnan(ref->f[i]) != std::isnan(res.outputs[k].data[i])) d = INFINITY;
          if (!std::isnan(d)) err = std::max(err, d);
        }
        if (err > 1e-4 * std::max(scale, 1.0)) {
          failures.push_back(c + ": output " + std::to_string(k) + " max error " + std::to_string(err) + " (scale " +
                             std::to_string(scale) + ")");
          ok = false;
        }
      }
      if (ok) ++passed;
    }
    MESSAGE("ONNX node tests: " << passed << " float32 cases passed, " << refused << " refused with a message, "
                                << not_float << " not float32 (skipped), of " << cases.size());
    for (auto& f : failures) MESSAGE("FAILED " << f);
    CHECK(failures.empty());
    CHECK(passed >= 100);  // the supported set covers well over a hundred cases
  }
}
