// libFuzzer target: the ONNX loader and the engine (wasm/onnx, wasm/engine).
// A model is parsed and loaded from the bytes; when it loads, it is planned
// for its declared input shapes (any-size dimensions as 1) and, when the plan
// is small, run forward once on zero inputs. The bounds keep each input's
// work to milliseconds, so the fuzzer spends its time on the parsers and the
// shape checks, not in kernels.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "engine/engine.h"
#include "fuzz_common.h"

namespace {

constexpr int64_t FUZZ_MAX_INPUT_ELEMENTS = int64_t(1) << 16;
constexpr size_t FUZZ_MAX_PLAN_BYTES = size_t(64) << 20;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const bool quiet = xm::fuzz_quiet();
  (void)quiet;
  auto e = xm::Engine::load_bytes(data, size, "fuzz.onnx");
  if (!e) return 0;
  xm::Engine& engine = **e;
  std::vector<xm::Shape> shapes;
  for (const xm::EngineIo& in : engine.summary().inputs) {
    xm::Shape s = in.dims;
    for (int64_t& d : s) d = d < 1 ? 1 : d;
    auto n = xm::shape_checked_numel(s, FUZZ_MAX_INPUT_ELEMENTS);
    if (!n) return 0;
    shapes.push_back(s);
  }
  std::vector<std::pair<std::string, xm::Shape>> all;
  if (!engine.tensor_shapes(shapes, &all).is_ok()) return 0;
  auto bytes = engine.plan_bytes(shapes, /*with_gradients=*/false);
  if (!bytes || *bytes > FUZZ_MAX_PLAN_BYTES) return 0;
  std::vector<xm::Tensor> inputs;
  inputs.reserve(shapes.size());
  for (const xm::Shape& s : shapes) inputs.emplace_back(s);
  xm::RunRequest req;
  for (const xm::Tensor& t : inputs) req.inputs.push_back(&t);
  xm::RunResult res;
  (void)engine.run(req, &res);
  return 0;
}
