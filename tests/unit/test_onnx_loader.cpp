// The ONNX loader on hostile bytes: empty, truncated, corrupted and random
// inputs give a Status with a message, never a crash, hang or huge allocation.
#include <doctest/doctest.h>

#include <random>

#include "engine/engine.h"
#include "image/npy.h"
#include "onnx/onnx_model.h"
#include "test_data.h"

using namespace xm;

namespace {
const std::string FUZZ_BASE = std::string(XMEDIA_SOURCE_DIR) + "/tests/golden/medical_cnn_o13/model.onnx";

// Loads, and when that works runs one small pass, as a user's model would be;
// a refusal must say why. Returns whether the bytes loaded.
bool exercise(const std::vector<uint8_t>& b) {
  auto e = Engine::load_bytes(b.data(), b.size(), "fuzz");
  if (!e) {
    CHECK_MESSAGE(!e.error().empty(), "refused without a message: ", b.size(), " bytes");
    return false;
  }
  const auto& ins = (*e)->summary().inputs;
  std::vector<Tensor> xs;
  for (auto& in : ins) {
    Shape s = in.dims;
    for (int64_t& d : s)
      if (d < 1) d = 1;
    if (s.empty() || shape_numel(s) > (1 << 20)) return true;
    xs.emplace_back(s, 0.5f);
  }
  std::vector<Shape> shapes;
  for (auto& x : xs) shapes.push_back(x.shape);
  auto bytes = (*e)->plan_bytes(shapes, true);
  if (!bytes) {
    CHECK_MESSAGE(!bytes.error().empty(), "a plan refused without a message");
    return true;
  }
  if (*bytes > (size_t(64) << 20)) return true;  // too big for a unit test
  RunRequest req;
  for (auto& x : xs) req.inputs.push_back(&x);
  RunResult res;
  if (Status st = (*e)->run(req, &res); !st) {
    CHECK_MESSAGE(!st.error().empty(), "a forward pass refused without a message");
    return true;
  }
  std::vector<Tensor> seeds;
  for (auto& o : res.outputs) seeds.emplace_back(o.shape, 1.0f);
  for (auto& s : seeds) req.seeds.push_back(&s);
  if (Status st = (*e)->run(req, &res); !st) CHECK_MESSAGE(!st.error().empty(), "a backward pass refused without a message");
  return true;
}
}  // namespace

TEST_SUITE("onnx_loader") {
  TEST_CASE("empty, tiny and non-ONNX inputs are refused with a message") {
    auto r = onnx::parse_model(nullptr, 0, "empty.onnx");
    REQUIRE_FALSE(r);
    CHECK(r.error().find("empty.onnx") != std::string::npos);
    CHECK(r.error().find("empty") != std::string::npos);
    const uint8_t png[] = {0x89, 'P', 'N', 'G', 13, 10, 26, 10, 0, 0, 0, 13};
    r = onnx::parse_model(png, sizeof png, "x.png");
    REQUIRE_FALSE(r);
    CHECK(r.error().find("x.png") != std::string::npos);
    auto f = onnx::load_file("/nonexistent/model.onnx");
    REQUIRE_FALSE(f);
    CHECK(f.error().find("/nonexistent/model.onnx") != std::string::npos);
  }

  TEST_CASE("a real model loads, and every truncation of it is refused") {
    auto bytes = read_file_bytes(FUZZ_BASE, size_t(4) << 20);
    if (!bytes) return test::data_missing(bytes.error());
    auto m = onnx::parse_model(bytes->data(), bytes->size(), "m");
    REQUIRE_MESSAGE(m, m.error());
    CHECK(m->opset == 13);
    CHECK_FALSE(m->graph.nodes.empty());
    CHECK_FALSE(m->graph.initializers.empty());
    int refused = 0, total = 0;
    // Cutting inside the graph must fail: a length-delimited field runs past the end.
    for (size_t cut = 1; cut < bytes->size(); cut += std::max<size_t>(1, bytes->size() / 500)) {
      std::vector<uint8_t> t(bytes->begin(), bytes->begin() + long(cut));
      auto r = onnx::parse_model(t.data(), t.size(), "cut");
      ++total;
      if (!r) {
        ++refused;
        CHECK_MESSAGE(!r.error().empty(), "a truncation at ", cut, " was refused without a message");
      }
      exercise(t);
    }
    MESSAGE(refused << " of " << total << " truncations refused by the decoder (the rest end between fields)");
    CHECK(refused > total * 9 / 10);
  }

  TEST_CASE("thousands of corrupted and random byte strings never crash") {
    std::mt19937 rng(2024);
    auto base = read_file_bytes(FUZZ_BASE, size_t(4) << 20);
    if (!base) return test::data_missing(base.error());
    const std::vector<uint8_t>& b0 = *base;
    int loaded = 0;
    for (int it = 0; it < 3000; ++it) {
      std::vector<uint8_t> b = b0;
      int kind = it % 4;
      if (kind == 0) {  // flip a few bytes
        for (int k = 0; k < 1 + int(rng() % 8); ++k) b[rng() % b.size()] ^= uint8_t(1 + rng() % 255);
      } else if (kind == 1) {  // set bytes to extreme varint values
        for (int k = 0; k < 1 + int(rng() % 4); ++k) b[rng() % b.size()] = (rng() & 1) ? 0xff : 0x80;
      } else if (kind == 2) {  // splice: drop or duplicate a chunk
        size_t a = rng() % b.size(), n = 1 + rng() % 64;
        if (rng() & 1) b.erase(b.begin() + long(a), b.begin() + long(std::min(b.size(), a + n)));
        else b.insert(b.begin() + long(a), b.begin() + long(a), b.begin() + long(std::min(b.size(), a + n)));
      } else {  // random bytes
        b.resize(1 + rng() % 512);
        for (auto& c : b) c = uint8_t(rng());
      }
      if (exercise(b)) ++loaded;
    }
    MESSAGE(loaded << " of 3000 mutated models still loaded (and were run); the rest were refused");
    // Both paths ran: some mutations still load (and run), the others are refused.
    CHECK(loaded > 0);
    CHECK(loaded < 3000);
  }
}
