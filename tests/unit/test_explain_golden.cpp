// Deterministic explainers against PyTorch reference implementations of Captum's
// definitions (tools/golden_explain/make_golden.py → tests/golden_explain/), on the
// same tiny CNN answered two ways: the hand-written test backend, and the native
// engine running the model's ONNX export.
#include <doctest/doctest.h>

#include <cmath>
#include <fstream>
#include <sstream>

#include "explain/explainer.h"
#include "image/npy.h"
#include "test_explain_backends.h"
#if __has_include("engine/engine_backend.h")
#include "engine/engine_backend.h"
#define XM_HAVE_ENGINE 1
#endif

using namespace xm;
using namespace xm_test;

namespace {

const std::string kDir = std::string(XMEDIA_SOURCE_DIR) + "/tests/golden_explain/";

Tensor load(const std::string& name) {
  auto t = npy_read_file(kDir + name + ".npy");
  INFO(name, ": ", (t ? "" : t.error()));
  REQUIRE(t);
  return t.take();
}

// A line of a cases file: its '|'-separated fields, padded with empty ones to
// `fields` (the last, the parameters, may be left out).
std::vector<std::string> split_fields(const std::string& line, size_t fields) {
  std::vector<std::string> parts;
  std::stringstream ss(line);
  std::string part;
  while (std::getline(ss, part, '|')) parts.push_back(part);
  if (parts.size() == fields - 1) parts.push_back("");
  REQUIRE_MESSAGE(parts.size() == fields, line);
  return parts;
}

// "key=value;key=value" as the explainers take it.
ParamList parse_params(const std::string& text) {
  ParamList params;
  std::stringstream ps(text);
  std::string part;
  while (std::getline(ps, part, ';')) {
    const size_t eq = part.find('=');
    REQUIRE_MESSAGE(eq != std::string::npos, part);
    params.emplace_back(part.substr(0, eq), part.substr(eq + 1));
  }
  return params;
}

struct GoldenCase {
  std::string name, method;
  int target = 0;
  ParamList params;
};

std::vector<GoldenCase> load_cases() {
  std::ifstream f(kDir + "cases.txt");
  REQUIRE(f.good());
  std::vector<GoldenCase> cases;
  std::string line;
  while (std::getline(f, line)) {
    if (line.empty()) continue;
    const std::vector<std::string> parts = split_fields(line, 4);
    cases.push_back({parts[0], parts[1], std::stoi(parts[2]), parse_params(parts[3])});
  }
  REQUIRE(cases.size() >= 15);
  return cases;
}

// Max abs error relative to the reference's scale must be within 1e-4.
void check_close(const Tensor& got, const Tensor& want) {
  REQUIRE(got.shape == want.shape);
  const MaxError me = max_error(got.data, want.data);
  INFO("max abs error ", me.err, " at reference scale ", me.scale);
  CHECK(me.scale > 0);
  CHECK(me.err <= 1e-4 * me.scale);
}

void check_against_golden(Backend& backend, const std::vector<GoldenCase>& cases, const Tensor& x) {
  for (auto& c : cases) {
    const Tensor g = load("golden_" + c.name);
    auto r = explain_run_to_end(backend, c.method, c.params, x, c.target);
    INFO(backend.info().name, " ", c.name, ": ", (r ? std::string("ok") : r.error()));
    REQUIRE(r);
    check_close(r->attribution, g);
  }
}

}  // namespace

TEST_SUITE("explain_golden") {
  TEST_CASE("the hand-written tiny CNN matches PyTorch for every deterministic method") {
    const Tensor x = load("input");
    TinyCnnBackend net(x.dim(1), x.dim(2), x.dim(3), load("conv1_w"), load("conv1_b"), load("conv2_w"),
                       load("conv2_b"), load("fc_w"), load("fc_b"));
    check_against_golden(net, load_cases(), x);
  }

#ifdef XM_HAVE_ENGINE
  TEST_CASE("the native engine on the ONNX export matches PyTorch for every deterministic method") {
    auto b = native_backend_from_file(kDir + "tiny_cnn.onnx");
    INFO((b ? std::string("") : b.error()));
    REQUIRE(b);
    check_against_golden(**b, load_cases(), load("input"));
  }

  // LRP (engine/lrp.h) against tools/golden_explain/make_golden_lrp.py, whose reference
  // reproduces Captum's hooks; lines of lrp_cases.txt: name|model|input|method|target|params.
  TEST_CASE("lrp_epsilon and lrp_alpha_beta on the native engine match the PyTorch reference of Captum's LRP") {
    std::ifstream f(kDir + "lrp_cases.txt");
    REQUIRE(f.good());
    std::string line;
    int n = 0;
    while (std::getline(f, line)) {
      if (line.empty()) continue;
      const std::vector<std::string> parts = split_fields(line, 6);
      const ParamList params = parse_params(parts[5]);
      auto b = native_backend_from_file(kDir + parts[1]);
      INFO(parts[0], ": ", (b ? std::string("") : b.error()));
      REQUIRE(b);
      const Tensor g = load("lrp_golden_" + parts[0]);
      auto r = explain_run_to_end(**b, parts[3], params, load(parts[2]), std::stoi(parts[4]));
      INFO(parts[0], ": ", (r ? std::string("ok") : r.error()));
      REQUIRE(r);
      check_close(r->attribution, g);
      ++n;
    }
    CHECK(n >= 12);
  }
#endif
}
