// The engine as a whole: refusals at load, shape sub-graphs folded for any
// batch, the Backend's queries (batch splitting, seeds, layers, guided ReLU).
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <random>

#include "engine/engine.h"
#include "engine/engine_backend.h"
#include "explain/explainer.h"
#include "onnx_builder.h"

using namespace xm;
using namespace xm::test;

namespace {

onnx::Node node(const char* op, std::vector<std::string> in, std::vector<std::string> out,
                std::vector<onnx::Attribute> attrs = {}) {
  onnx::Node n;
  n.op_type = op;
  n.name = out[0] + "_node";
  n.inputs = std::move(in);
  n.outputs = std::move(out);
  n.attributes = std::move(attrs);
  return n;
}

// x [N,1,6,6] → Conv(2,3x3,pad1) → Relu → MaxPool 2 → Reshape via Shape/Gather/Unsqueeze/Concat → Gemm(3)
onnx::Model small_cnn() {
  std::mt19937 rng(7);
  std::normal_distribution<float> d(0, 0.5f);
  auto rnd = [&](size_t n) {
    std::vector<float> v(n);
    for (auto& x : v) x = d(rng);
    return v;
  };
  onnx::Model m;
  m.ir_version = 8;
  m.opset = 13;
  auto& g = m.graph;
  onnx::ValueInfo x;
  x.name = "x";
  x.elem_type = onnx::DT_FLOAT;
  x.dims = {-1, 1, 6, 6};
  x.dim_params = {"batch", "", "", ""};
  g.inputs.push_back(x);
  g.initializers = {test::tensor_data("w", {2, 1, 3, 3}, rnd(18)), test::tensor_data("b", {2}, rnd(2)), test::tensor_data("fc", {3, 18}, rnd(54)),
                    test::tensor_data("fcb", {3}, rnd(3)), test::tensor_data("zero", {}, {}, {0}), test::tensor_data("minus1", {1}, {}, {-1})};
  g.nodes = {node("Conv", {"x", "w", "b"}, {"conv"}, {ints("pads", {1, 1, 1, 1})}),
             node("Relu", {"conv"}, {"relu"}),
             node("MaxPool", {"relu"}, {"pool"}, {ints("kernel_shape", {2, 2}), ints("strides", {2, 2})}),
             node("Shape", {"pool"}, {"shape"}),
             node("Gather", {"shape", "zero"}, {"batch"}, {one_int("axis", 0)}),
             node("Unsqueeze", {"batch", "axes0"}, {"batch1"}),
             node("Concat", {"batch1", "minus1"}, {"target"}, {one_int("axis", 0)}),
             node("Reshape", {"pool", "target"}, {"flat"}),
             node("Gemm", {"flat", "fc", "fcb"}, {"logits"}, {one_int("transB", 1)})};
  g.initializers.push_back(test::tensor_data("axes0", {1}, {}, {0}));
  onnx::ValueInfo y;
  y.name = "logits";
  y.elem_type = onnx::DT_FLOAT;
  g.outputs.push_back(y);
  return m;
}

Tensor random_batch(Shape s, uint32_t seed) {
  Tensor t(std::move(s));
  std::mt19937 rng(seed);
  std::normal_distribution<float> d(0, 1);
  for (auto& v : t.data) v = d(rng);
  return t;
}

// The message a model is refused with, at load or at its first forward pass
// on input shape x ("" when it loads and runs).
std::string load_or_run_error(const onnx::Model& m, const Shape& x_shape) {
  auto e = Engine::load(m, "m");
  if (!e) return e.error();
  Tensor x(x_shape, 1.0f);
  RunRequest req;
  req.inputs = {&x};
  RunResult res;
  Status s = (*e)->run(req, &res);
  return s.is_ok() ? "" : s.error();
}

}  // namespace

TEST_SUITE("engine") {
  TEST_CASE("an unsupported op is refused at load, naming the node and the op") {
    std::vector<In> ins = {{"x", {1, 4, 3}}};
    auto e = Engine::load(one_node("LSTM", ins, {}), "m.onnx");
    REQUIRE_FALSE(e);
    CHECK(e.error() == "node 'n0' (LSTM): operator LSTM is not supported");
    auto info = engine_unsupported_ops(one_node("LSTM", ins, {}));
    CHECK(info == std::vector<std::string>{"LSTM"});
  }

  TEST_CASE("unsupported attribute values are refused, not answered") {
    std::vector<In> x = {{"x", {1, 1, 4, 4}}};
    std::vector<In> p = {{"x", {1, 1, 4, 4}}, {"p", {8}, false, {}, {0, 0, 1, 1, 0, 0, 1, 1}}};
    auto e = Engine::load(one_node("Pad", p, {str("mode", "reflect")}), "m");
    REQUIRE_FALSE(e);
    CHECK(e.error().find("mode 'reflect' is not supported") != std::string::npos);
    std::vector<In> r = {{"x", {1, 1, 4, 4}}, {"roi", {0}, false, {}}, {"s", {4}, false, {1, 1, 2, 2}}};
    e = Engine::load(one_node("Resize", r, {str("mode", "cubic")}), "m");
    REQUIRE_FALSE(e);
    CHECK(e.error().find("cubic") != std::string::npos);
    e = Engine::load(one_node("Relu", x, {one_int("mystery", 1)}), "m");
    REQUIRE_FALSE(e);
    CHECK(e.error().find("attribute 'mystery' is not supported") != std::string::npos);
    e = Engine::load(one_node("MaxPool", {{"x", {1, 1, 4, 4, 4}}}, {ints("kernel_shape", {2, 2, 2})}), "m");
    REQUIRE_FALSE(e);
    CHECK(e.error().find("3-D") != std::string::npos);
  }

  TEST_CASE("a kernel_shape that disagrees with the weight is refused, not run past the weight") {
    struct Case {
      const char* op;
      Shape x, w, kernel;
    };
    for (const Case& c : {Case{"Conv", {1, 1, 28, 28}, {16, 1, 3, 3}, {5, 5}}, Case{"Conv", {1, 1, 28, 28}, {16, 1, 3, 3}, {1, 28}},
                          Case{"Conv", {1, 2, 9, 9}, {4, 2, 3, 3}, {2, 2}}, Case{"Conv", {1, 2, 30}, {4, 2, 3}, {7}},
                          Case{"ConvTranspose", {1, 2, 6, 6}, {2, 3, 3, 3}, {5, 5}},
                          Case{"ConvTranspose", {1, 2, 6, 6}, {2, 3, 3, 3}, {1, 3}}}) {
      const std::string op = c.op, weight = shape_str(c.w), kernel = shape_str(c.kernel);
      CAPTURE(op);
      CAPTURE(weight);
      CAPTURE(kernel);
      std::vector<In> ins = {{"x", c.x}, {"w", c.w, false, std::vector<float>(size_t(shape_numel(c.w)), 0.5f)}};
      const std::string error = load_or_run_error(one_node(c.op, ins, {ints("kernel_shape", c.kernel)}), c.x);
      CHECK(error.find("kernel_shape " + kernel + " does not match weight " + weight) != std::string::npos);
    }
    // Pools: a pad as wide as the window leaves windows of padding only.
    for (const char* op : {"MaxPool", "AveragePool"}) {
      CAPTURE(op);
      const std::string error = load_or_run_error(
          one_node(op, {{"x", {1, 1, 6, 6}}}, {ints("kernel_shape", {2, 2}), ints("pads", {2, 0, 0, 0})}), {1, 1, 6, 6});
      CHECK(error.find("pads must be smaller than kernel_shape") != std::string::npos);
    }
    // The same attribute when it agrees still runs.
    std::vector<In> ins = {{"x", {1, 1, 6, 6}}, {"w", {2, 1, 3, 3}, false, std::vector<float>(18, 0.5f)}};
    auto e = Engine::load(one_node("Conv", ins, {ints("kernel_shape", {3, 3})}), "m");
    REQUIRE(e);
    Tensor x({1, 1, 6, 6}, 1.0f);
    RunRequest req;
    req.inputs = {&x};
    RunResult res;
    REQUIRE((*e)->run(req, &res).is_ok());
    CHECK(res.outputs[0].shape == Shape{1, 2, 4, 4});
    CHECK(res.outputs[0].data[0] == doctest::Approx(4.5));
  }

  TEST_CASE("a constant Slice with a step of any size takes one element, without overflow") {
    // A step of INT64_MIN overflowed the slice length (found by tests/fuzz/onnx_engine under UBSan).
    for (int64_t step : {std::numeric_limits<int64_t>::min(), int64_t(-6), std::numeric_limits<int64_t>::max()}) {
      CAPTURE(step);
      const bool back = step < 0;
      onnx::Model m = empty_model();
      add_input(m, "x");
      add_initializer(m, "c", {5}, {1, 2, 3, 4, 5});
      add_initializer(m, "s", {1}, {}, {back ? 4 : 1});
      add_initializer(m, "e", {1}, {}, {back ? std::numeric_limits<int64_t>::min() : std::numeric_limits<int64_t>::max()});
      add_initializer(m, "a", {1}, {}, {0});
      add_initializer(m, "st", {1}, {}, {step});
      add_node(m, "Slice", {"c", "s", "e", "a", "st"}, "y");
      add_node(m, "Add", {"x", "y"}, "z");
      add_output(m, "z");
      auto e = Engine::load(m, "m");
      REQUIRE_MESSAGE(e, e.error());
      Tensor x({1, 2}, 0.0f);
      RunRequest req;
      req.inputs = {&x};
      RunResult res;
      REQUIRE((*e)->run(req, &res).is_ok());
      CHECK(res.outputs[0].data == std::vector<float>(2, back ? 5.0f : 2.0f));
    }
  }

  TEST_CASE("a Reshape whose shape multiplies past int64 is refused, at run time and on constants") {
    // 2^57 * 65280 overflowed the product of the known dimensions (found by tests/fuzz/onnx_engine under UBSan).
    const std::vector<int64_t> huge = {int64_t(1) << 57, 65280, -1};
    for (bool constant : {false, true}) {
      CAPTURE(constant);
      onnx::Model m = empty_model();
      add_input(m, "x");
      add_initializer(m, "c", {4}, {1, 2, 3, 4});
      add_initializer(m, "shape", {3}, {}, huge);
      add_node(m, "Reshape", {constant ? "c" : "x", "shape"}, "y");
      add_output(m, "y");
      const std::string error = load_or_run_error(m, {1, 4});
      CHECK(error.find("too large") != std::string::npos);
    }
  }

  TEST_CASE("pads past any tensor's size are refused, not added up past int64") {
    // Found by tests/fuzz/onnx_engine under UBSan (signed overflow in Pad's shape inference).
    const int64_t big = int64_t(1) << 62;
    std::vector<In> p = {{"x", {1, 1, 4, 4}}, {"p", {8}, false, {}, {0, 0, big, 0, 0, 0, big, 0}}};
    CHECK(load_or_run_error(one_node("Pad", p, {}), {1, 1, 4, 4}).find("pads are out of range") != std::string::npos);
  }

  TEST_CASE("the exporter's Shape→Gather→Concat→Reshape chain works for any batch") {
    auto e = Engine::load(small_cnn(), "cnn");
    REQUIRE_MESSAGE(e, e.error());
    Tensor x3 = random_batch({3, 1, 6, 6}, 1);
    RunRequest req;
    req.inputs = {&x3};
    RunResult r3;
    REQUIRE((*e)->run(req, &r3));
    CHECK(r3.outputs[0].shape == Shape{3, 3});
    // Each image alone gives the same logits (no cross-talk between batch items).
    for (int64_t b = 0; b < 3; ++b) {
      Tensor x1({1, 1, 6, 6});
      std::copy(x3.data.begin() + b * 36, x3.data.begin() + (b + 1) * 36, x1.data.begin());
      req.inputs = {&x1};
      RunResult r1;
      REQUIRE((*e)->run(req, &r1));
      for (int k = 0; k < 3; ++k) CHECK(r1.outputs[0].data[size_t(k)] == doctest::Approx(r3.outputs[0].data[size_t(b * 3 + k)]).epsilon(1e-6));
    }
    Tensor wrong({2, 1, 5, 6});
    req.inputs = {&wrong};
    Status s = (*e)->run(req, &r3);
    REQUIRE_FALSE(s);
    CHECK(s.error().find("must have shape") != std::string::npos);
  }

  TEST_CASE("backend: batches split under the memory bound give the same answers") {
    auto eng = Engine::load(small_cnn(), "cnn");
    REQUIRE(eng);
    auto b = native_backend_from_engine(eng.take(), "cnn");
    REQUIRE_MESSAGE(b, b.error());
    Backend& be = **b;
    CHECK(be.info().num_outputs == 3);
    CHECK(be.info().input_shape == Shape{1, 1, 6, 6});
    CHECK(be.info().layers_4d == std::vector<std::string>{"conv", "relu", "pool"});
    CHECK(be.info().can_differentiate);
    const int64_t B = 70;  // above max_bwd (64): split into chunks
    Tensor x = random_batch({B, 1, 6, 6}, 3);
    Tensor seed({B, 3});
    for (int64_t i = 0; i < B; ++i) seed.data[size_t(i * 3 + i % 3)] = 1.0f;
    Tensor logits, grad, l2;
    REQUIRE(be.logits(x, &l2));
    REQUIRE(be.input_gradient(x, seed, &logits, &grad));
    CHECK(grad.shape == x.shape);
    for (size_t k = 0; k < logits.data.size(); ++k) CHECK(logits.data[k] == doctest::Approx(l2.data[k]).epsilon(1e-6));
    // Linearity in the seed: seeding two classes at once sums their gradients.
    Tensor s1({B, 3}), s2({B, 3}), s12({B, 3});
    for (int64_t i = 0; i < B; ++i) {
      s1.data[size_t(i * 3)] = 1;
      s2.data[size_t(i * 3 + 2)] = 2;
      s12.data[size_t(i * 3)] = 1;
      s12.data[size_t(i * 3 + 2)] = 2;
    }
    Tensor g1, g2, g12, lo;
    REQUIRE(be.input_gradient(x, s1, &lo, &g1));
    REQUIRE(be.input_gradient(x, s2, &lo, &g2));
    REQUIRE(be.input_gradient(x, s12, &lo, &g12));
    double err = 0;
    for (size_t k = 0; k < g1.data.size(); ++k) err = std::max(err, double(std::fabs(g1.data[k] + g2.data[k] - g12.data[k])));
    CHECK(err < 1e-5);
    Tensor bad({B, 1, 6, 5});
    CHECK_FALSE(be.logits(bad, &lo));
  }

  TEST_CASE("backend: layer activation and gradient; Grad-CAM identity on the last layer") {
    auto b = native_backend_from_engine(Engine::load(small_cnn(), "cnn").take(), "cnn");
    REQUIRE(b);
    Tensor x = random_batch({2, 1, 6, 6}, 4);
    Tensor seed({2, 3});
    seed.data = {1, 0, 0, 0, 0, 1};
    LayerAnswer la;
    REQUIRE((*b)->layer("pool", x, seed, &la));
    CHECK(la.activation.shape == Shape{2, 2, 3, 3});
    CHECK(la.gradient.shape == Shape{2, 2, 3, 3});
    // The logit is linear in the pooled map (Reshape + Gemm): logit = sum(activation * gradient) + bias.
    Tensor zero({1, 1, 6, 6});
    Tensor lz;
    REQUIRE((*b)->logits(zero, &lz));
    for (int64_t n = 0; n < 2; ++n) {
      double dot = 0;
      for (size_t k = 0; k < 18; ++k) dot += double(la.activation.data[size_t(n * 18) + k]) * la.gradient.data[size_t(n * 18) + k];
      int cls = n == 0 ? 0 : 2;
      // With a zero input the pool holds relu(conv bias) everywhere, so compare through the bias-free part:
      // logit(x) - logit(0) = sum((act(x) - act(0)) * grad).
      LayerAnswer l0;
      Tensor s0({1, 3});
      s0.data[size_t(cls)] = 1;
      REQUIRE((*b)->layer("pool", zero, s0, &l0));
      double dot0 = 0;
      for (size_t k = 0; k < 18; ++k) dot0 += double(l0.activation.data[k]) * l0.gradient.data[k];
      CHECK(la.logits.data[size_t(n * 3 + cls)] - lz.data[size_t(cls)] == doctest::Approx(dot - dot0).epsilon(1e-4));
    }
    LayerAnswer nope;
    Status s = (*b)->layer("no_such_tensor", x, seed, &nope);
    REQUIRE_FALSE(s);
    CHECK(s.error().find("no_such_tensor") != std::string::npos);
  }

  TEST_CASE("guided backprop passes only positive gradients through ReLU") {
    std::vector<In> ins = {{"x", {1, 4}}};
    auto e = Engine::load(one_node("Relu", ins, {}), "relu");
    REQUIRE(e);
    Tensor x({1, 4});
    x.data = {1.0f, -1.0f, 2.0f, 0.5f};
    Tensor seed({1, 4});
    seed.data = {1.0f, 1.0f, -1.0f, 3.0f};
    RunRequest req;
    req.inputs = {&x};
    req.seeds = {&seed};
    RunResult r;
    REQUIRE((*e)->run(req, &r));
    CHECK(r.input_grads[0].data == std::vector<float>{1.0f, 0.0f, -1.0f, 3.0f});
    (*e)->set_relu_rule(ReluRule::GUIDED);
    REQUIRE((*e)->run(req, &r));
    CHECK(r.input_grads[0].data == std::vector<float>{1.0f, 0.0f, 0.0f, 3.0f});
  }

  TEST_CASE("threads give the same results bit for bit") {
    auto e = Engine::load(small_cnn(), "cnn");
    REQUIRE(e);
    Tensor x = random_batch({8, 1, 6, 6}, 5);
    Tensor seed({8, 3}, 1.0f);
    RunRequest req;
    req.inputs = {&x};
    req.seeds = {&seed};
    RunResult r1, r2;
    (*e)->set_threads(1);
    REQUIRE((*e)->run(req, &r1));
    (*e)->set_threads(2);
    REQUIRE((*e)->run(req, &r2));
    (*e)->set_threads(1);
    CHECK(r1.outputs[0].data == r2.outputs[0].data);
    CHECK(r1.input_grads[0].data == r2.input_grads[0].data);
  }
}

// Gradient passes fuse Conv+Relu forward and fold Relu into a 2x2 MaxPool's
// backward; a layer query stops its backward at the layer. Checked against a
// double-precision hand-written forward and backward of small_cnn.
TEST_SUITE("engine_fusion") {
  // d logit_k / dx for small_cnn, by hand; guided: guided backprop's ReLU rule.
  std::vector<double> small_cnn_input_grad(const onnx::Model& m, const Tensor& x, int64_t n, const float* seed, bool guided) {
    std::map<std::string, const std::vector<float>*> w;
    for (auto& t : m.graph.initializers) w[t.name] = &t.f;
    const auto& cw = *w["w"];
    const auto& cb = *w["b"];
    const auto& fc = *w["fc"];
    double conv[2][6][6], gconv[2][6][6] = {};
    for (int c = 0; c < 2; ++c)
      for (int i = 0; i < 6; ++i)
        for (int j = 0; j < 6; ++j) {
          double s = cb[size_t(c)];
          for (int a = 0; a < 3; ++a)
            for (int b = 0; b < 3; ++b) {
              const int ii = i + a - 1, jj = j + b - 1;
              if (ii >= 0 && ii < 6 && jj >= 0 && jj < 6) s += double(cw[size_t(c * 9 + a * 3 + b)]) * x.data[size_t(n * 36 + ii * 6 + jj)];
            }
          conv[c][i][j] = s;
        }
    for (int c = 0; c < 2; ++c)
      for (int p = 0; p < 3; ++p)
        for (int q = 0; q < 3; ++q) {
          double g = 0;  // d logit / d pool[c,p,q] through Reshape + Gemm (fc: [3,18], transB)
          for (int k = 0; k < 3; ++k) g += double(seed[k]) * fc[size_t(k * 18 + c * 9 + p * 3 + q)];
          int bi = 2 * p, bj = 2 * q;
          for (int a = 0; a < 2; ++a)
            for (int b = 0; b < 2; ++b)
              if (std::max(conv[c][2 * p + a][2 * q + b], 0.0) > std::max(conv[c][bi][bj], 0.0)) bi = 2 * p + a, bj = 2 * q + b;
          const bool pass = conv[c][bi][bj] > 0 && (!guided || g > 0);
          gconv[c][bi][bj] = pass ? g : 0.0;
        }
    std::vector<double> gx(36, 0.0);
    for (int c = 0; c < 2; ++c)
      for (int i = 0; i < 6; ++i)
        for (int j = 0; j < 6; ++j)
          for (int a = 0; a < 3; ++a)
            for (int b = 0; b < 3; ++b) {
              const int ii = i + a - 1, jj = j + b - 1;
              if (ii >= 0 && ii < 6 && jj >= 0 && jj < 6) gx[size_t(ii * 6 + jj)] += double(cw[size_t(c * 9 + a * 3 + b)]) * gconv[c][i][j];
            }
    return gx;
  }

  TEST_CASE("input gradients through fused Conv+Relu+MaxPool match a hand-written backward") {
    const onnx::Model m = small_cnn();
    auto e = Engine::load(m, "cnn");
    REQUIRE(e);
    Tensor x = random_batch({3, 1, 6, 6}, 11);
    Tensor seed({3, 3});
    seed.data = {1, 0, 0, 0, 1, 0, 0.5f, -1, 2};
    RunRequest req;
    req.inputs = {&x};
    req.seeds = {&seed};
    for (bool guided : {false, true}) {
      (*e)->set_relu_rule(guided ? ReluRule::GUIDED : ReluRule::GRADIENT);
      RunResult r;
      REQUIRE((*e)->run(req, &r));
      REQUIRE(r.input_grads.size() == 1);
      double err = 0, scale = 0;
      for (int64_t n = 0; n < 3; ++n) {
        auto want = small_cnn_input_grad(m, x, n, seed.ptr() + n * 3, guided);
        for (size_t i = 0; i < 36; ++i) {
          err = std::max(err, std::fabs(double(r.input_grads[0].data[size_t(n * 36) + i]) - want[i]));
          scale = std::max(scale, std::fabs(want[i]));
        }
      }
      INFO("guided=" << guided << " max error " << err << " scale " << scale);
      CHECK(scale > 0.1);
      CHECK(err <= 1e-5 * scale);
    }
  }

  TEST_CASE("a layer query without input gradients gives the same layer gradient") {
    auto e = Engine::load(small_cnn(), "cnn");
    REQUIRE(e);
    Tensor x = random_batch({2, 1, 6, 6}, 12);
    Tensor seed({2, 3});
    seed.data = {1, 0, 0, 0, 0, 1};
    for (const char* layer : {"relu", "pool", "conv"}) {
      RunRequest req;
      req.inputs = {&x};
      req.seeds = {&seed};
      req.capture = {layer};
      RunResult full, cut;
      REQUIRE((*e)->run(req, &full));
      req.input_grads = false;
      REQUIRE((*e)->run(req, &cut));
      INFO("layer " << layer);
      CHECK(cut.input_grads.empty());
      CHECK(full.input_grads.size() == 1);
      CHECK(cut.outputs[0].data == full.outputs[0].data);
      CHECK(cut.captured[0].activation.data == full.captured[0].activation.data);
      CHECK(cut.captured[0].gradient.data == full.captured[0].gradient.data);
      double g = 0;
      for (float v : cut.captured[0].gradient.data) g += std::fabs(v);
      CHECK(g > 0);
    }
  }
}

// A chain of n Relus, x (declared `dims`) -> ... -> y.
static onnx::Model relu_chain(int n, const Shape& dims) {
  onnx::Model m = empty_model();
  add_input(m, "x");
  m.graph.inputs[0].has_shape = true;
  m.graph.inputs[0].dims = dims;
  for (int k = 0; k < n; ++k)
    add_node(m, "Relu", {k == 0 ? "x" : "t" + std::to_string(k - 1)}, k == n - 1 ? "y" : "t" + std::to_string(k));
  add_output(m, "y");
  return m;
}

static std::unique_ptr<Backend> relu_chain_backend(int n, const Shape& dims) {
  auto e = Engine::load(relu_chain(n, dims), "chain");
  REQUIRE_MESSAGE(e, e.error());
  auto b = native_backend_from_engine(e.take(), "chain");
  REQUIRE_MESSAGE(b, b.error());
  return b.take();
}

// Loading, planning and explaining are linear in the graph's length (issue 18
// row 6): a 50,000-node chain took a minute when buffer placement and step
// building searched every buffer or node for each one. Timing is not asserted;
// these check that such graphs are planned correctly.
TEST_SUITE("engine_long_graphs") {
  TEST_CASE("a 50,000-Relu chain whose input does not fit is refused with a message naming both shapes") {
    auto b = relu_chain_backend(50000, {1, 3, 8, 8});
    Tensor x({1, 1, 8, 8});
    auto r = explain_run_to_end(*b, "saliency", {}, x, 0);
    REQUIRE_FALSE(r);
    CHECK(r.error() == "saliency: the input [1,1,8,8] does not fit the model's input [1,3,8,8]");
  }

  TEST_CASE("a 50,000-Relu chain that fits: saliency passes the gradient through every Relu, and buffers do not collide") {
    auto b = relu_chain_backend(50000, {1, 1, 8, 8});
    Tensor x({1, 1, 8, 8});
    for (size_t k = 0; k < x.data.size(); ++k) x.data[k] = float(k) - 32.5f;
    for (int target : {7, 40}) {
      auto r = explain_run_to_end(*b, "saliency", {{"abs", "false"}}, x, target);
      REQUIRE_MESSAGE(r, r.error());
      const Tensor& a = r->attribution;
      REQUIRE(a.data.size() == 64);
      for (size_t k = 0; k < 64; ++k)
        CHECK_MESSAGE(a.data[k] == (int(k) == target && x.data[k] > 0 ? 1.0f : 0.0f), "target ", target, " pixel ", k);
    }
  }
}
