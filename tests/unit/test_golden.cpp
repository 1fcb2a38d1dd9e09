// Golden references from PyTorch (tools/golden/make_golden.py → tests/golden/):
// the engine's outputs and input gradients match torch.autograd to 1e-4 of
// the reference's largest magnitude, and the models it must refuse are refused
// with a message naming the op.
#include <doctest/doctest.h>

#include <cmath>
#include <string>

#include "core/json.h"
#include "engine/engine.h"
#include "engine/engine_backend.h"
#include "image/npy.h"
#include "test_data.h"

using namespace xm;

namespace {

const std::string GOLDEN = std::string(XMEDIA_SOURCE_DIR) + "/tests/golden";

// max |a - b| / max |ref|.
double rel_error(const Tensor& got, const Tensor& ref) {
  double scale = 0, err = 0;
  for (float v : ref.data) scale = std::max(scale, double(std::fabs(v)));
  for (size_t i = 0; i < ref.data.size() && i < got.data.size(); ++i)
    err = std::max(err, double(std::fabs(got.data[i] - ref.data[i])));
  if (got.data.size() != ref.data.size()) return INFINITY;
  return scale > 0 ? err / scale : err;
}

Result<Json> manifest() {
  auto bytes = read_file_bytes(GOLDEN + "/manifest.json", size_t(8) << 20);
  if (!bytes) return bytes.status();
  return json_parse(std::string(bytes->begin(), bytes->end()), "manifest.json");
}

// One case's files: the input, PyTorch's output, the output seed of the
// backward pass and the input gradient it gave.
struct GoldenFiles {
  Tensor x, y, seed, grad;
};

GoldenFiles load_golden(const std::string& dir) {
  auto x = npy_read_file(dir + "/input.npy");
  auto y = npy_read_file(dir + "/output.npy");
  auto seed = npy_read_file(dir + "/seed.npy");
  auto g = npy_read_file(dir + "/grad_input.npy");
  REQUIRE_MESSAGE((x && y && seed && g), dir);
  return {x.take(), y.take(), seed.take(), g.take()};
}

const char* const NO_MANIFEST = "no golden manifest (run tools/golden/make_golden.py): ";

}  // namespace

TEST_SUITE("golden") {
  TEST_CASE("outputs and input gradients match PyTorch") {
    auto m = manifest();
    if (!m) return test::data_missing(NO_MANIFEST + m.error());
    const Json& cases = (*m)["cases"];
    REQUIRE(cases.size() > 0);
    double worst_out = 0, worst_grad = 0;
    for (const Json& c : cases.items()) {
      const std::string name = c["name"].str("?");
      const std::string dir = GOLDEN + "/" + name;
      CAPTURE(name);
      auto e = Engine::load_file(dir + "/model.onnx");
      REQUIRE_MESSAGE(e, e.error());
      const GoldenFiles f = load_golden(dir);
      RunRequest req;
      req.inputs = {&f.x};
      RunResult res;
      Status s = (*e)->run(req, &res);
      REQUIRE_MESSAGE(s, s.error());
      CHECK(res.outputs[0].shape == f.y.shape);
      double eo = rel_error(res.outputs[0], f.y);
      CHECK_MESSAGE(eo <= 1e-4, name << ": output error " << eo);
      Tensor sd = f.seed;
      sd.shape = res.outputs[0].shape;  // same values, the model's output layout
      req.seeds = {&sd};
      s = (*e)->run(req, &res);
      REQUIRE_MESSAGE(s, s.error());
      CHECK(res.input_grads[0].shape == f.grad.shape);
      double eg = rel_error(res.input_grads[0], f.grad);
      CHECK_MESSAGE(eg <= 1e-4, name << ": gradient error " << eg);
      worst_out = std::max(worst_out, eo);
      worst_grad = std::max(worst_grad, eg);
    }
    MESSAGE(cases.size() << " golden cases; worst relative error: output " << worst_out << ", gradient " << worst_grad);
  }

  TEST_CASE("the backend answers like the engine on a golden case") {
    auto m = manifest();
    if (!m) return test::data_missing(NO_MANIFEST + m.error());
    const Json& c = (*m)["cases"][0];
    const std::string dir = GOLDEN + "/" + c["name"].str("?");
    auto b = native_backend_from_file(dir + "/model.onnx");
    REQUIRE_MESSAGE(b, b.error());
    const GoldenFiles f = load_golden(dir);
    REQUIRE(f.y.shape.size() == 2);  // logits [N, classes], as a Backend answers
    Tensor logits, grad;
    REQUIRE((*b)->input_gradient(f.x, f.seed, &logits, &grad));
    CHECK(rel_error(logits, f.y) <= 1e-4);
    CHECK(rel_error(grad, f.grad) <= 1e-4);
  }

  TEST_CASE("models with unsupported ops are refused naming the op") {
    auto m = manifest();
    if (!m) return test::data_missing(NO_MANIFEST + m.error());
    REQUIRE((*m)["unsupported"].size() > 0);
    for (const Json& u : (*m)["unsupported"].items()) {
      const std::string name = u["name"].str("?");
      const std::string op = u["refuse"].str("?");
      auto e = Engine::load_file(GOLDEN + "/" + name + "/model.onnx");
      CAPTURE(name);
      REQUIRE_FALSE(e);
      CHECK(e.error().find("operator " + op + " is not supported") != std::string::npos);
    }
  }
}
