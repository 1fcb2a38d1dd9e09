// Central finite-difference check of every op's backward: for a random seed s,
// d(sum(y*s))/dx from the engine against (f(x+h) - f(x-h)) / 2h, per data
// input, on small random shapes. Inputs of piecewise ops are kept away from
// their kinks so the difference quotient is exact up to rounding.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <random>

#include "engine/engine.h"
#include "onnx/onnx_model.h"
#include "onnx_builder.h"

using namespace xm;
using namespace xm::test;

namespace {

std::vector<float> randn(size_t n, std::mt19937& rng, float scale = 1.0f) {
  std::normal_distribution<float> d(0.0f, scale);
  std::vector<float> v(n);
  for (float& x : v) x = d(rng);
  return v;
}

// Values whose pairwise gaps and distance from 0 exceed 0.02 (for max, ReLU, Clip kinks).
std::vector<float> spread(size_t n, std::mt19937& rng) {
  std::vector<float> v(n);
  for (size_t k = 0; k < n; ++k) v[k] = (float(k) - float(n) / 2.0f + 0.5f) * 0.05f + 0.013f;
  std::shuffle(v.begin(), v.end(), rng);
  return v;
}

// Runs the check; data inputs take `values` (or random normals). Returns the max relative error.
double check_op(const std::string& what, const onnx::Model& m, const std::vector<In>& ins,
                const std::vector<std::vector<float>>& values, uint32_t seed) {
  CAPTURE(what);
  auto e = Engine::load(m, what);
  REQUIRE_MESSAGE(e, e.error());
  std::mt19937 rng(seed);
  std::vector<Tensor> xs;
  size_t vi = 0;
  for (const In& in : ins) {
    if (!in.data || in.name.empty()) continue;
    Tensor t(in.shape);
    if (vi < values.size() && !values[vi].empty()) t.data = values[vi];
    else t.data = randn(t.numel(), rng);
    REQUIRE(t.data.size() == t.numel());
    ++vi;
    xs.push_back(std::move(t));
  }
  RunRequest req;
  for (auto& t : xs) req.inputs.push_back(&t);
  RunResult res;
  Status s = (*e)->run(req, &res);
  REQUIRE_MESSAGE(s, s.error());
  Tensor sd(res.outputs[0].shape);
  sd.data = randn(sd.numel(), rng);
  req.seeds = {&sd};
  s = (*e)->run(req, &res);
  REQUIRE_MESSAGE(s, s.error());
  std::vector<Tensor> grads = res.input_grads;
  auto f = [&]() {
    RunRequest fr;
    for (auto& t : xs) fr.inputs.push_back(&t);
    RunResult r;
    Status st = (*e)->run(fr, &r);
    REQUIRE(st);
    double acc = 0;
    for (size_t k = 0; k < sd.data.size(); ++k) acc += double(r.outputs[0].data[k]) * double(sd.data[k]);
    return acc;
  };
  const float h = 5e-3f;
  double worst = 0;
  for (size_t k = 0; k < xs.size(); ++k) {
    double scale = 1e-3, err = 0;
    for (float g : grads[k].data) scale = std::max(scale, double(std::fabs(g)));
    // At most ~64 elements per input, spread evenly, keep the test fast.
    size_t n = xs[k].numel(), step = std::max<size_t>(1, n / 64);
    for (size_t i = 0; i < n; i += step) {
      float keep = xs[k].data[i];
      xs[k].data[i] = keep + h;
      double fp = f();
      xs[k].data[i] = keep - h;
      double fm = f();
      xs[k].data[i] = keep;
      double fd = (fp - fm) / (2.0 * double(h));
      err = std::max(err, std::fabs(fd - double(grads[k].data[i])));
    }
    worst = std::max(worst, err / scale);
  }
  MESSAGE(what << ": max relative gradient error " << worst);
  CHECK_MESSAGE(worst < 5e-3, what << ": gradient error " << worst);
  return worst;
}

}  // namespace

TEST_SUITE("op_gradients") {
  TEST_CASE("Conv: strides, pads, dilations, groups; 1-D") {
    std::mt19937 rng(1);
    {
      std::vector<In> ins = {{"x", {2, 4, 7, 6}}, {"w", {6, 2, 3, 3}, false, randn(108, rng)}, {"b", {6}, false, randn(6, rng)}};
      auto m = one_node("Conv", ins, {ints("strides", {2, 1}), ints("pads", {1, 0, 2, 1}), ints("dilations", {1, 2}), one_int("group", 2)});
      check_op("Conv group 2", m, ins, {}, 2);
    }
    {
      std::vector<In> ins = {{"x", {1, 3, 5, 5}}, {"w", {4, 3, 1, 1}, false, randn(12, rng)}};
      check_op("Conv 1x1", one_node("Conv", ins, {}), ins, {}, 3);
    }
    {
      std::vector<In> ins = {{"x", {2, 2, 9}}, {"w", {3, 2, 3}, false, randn(18, rng)}};
      check_op("Conv 1-D same", one_node("Conv", ins, {str("auto_pad", "SAME_UPPER"), ints("strides", {2})}), ins, {}, 4);
    }
  }
  TEST_CASE("ConvTranspose") {
    std::mt19937 rng(5);
    std::vector<In> ins = {{"x", {2, 4, 3, 4}}, {"w", {4, 3, 3, 2}, false, randn(72, rng)}, {"b", {6}, false, randn(6, rng)}};
    auto m = one_node("ConvTranspose", ins, {ints("strides", {2, 2}), ints("pads", {1, 0, 0, 1}), ints("output_padding", {1, 0}), one_int("group", 2)});
    check_op("ConvTranspose group 2", m, ins, {}, 6);
  }
  TEST_CASE("Gemm and MatMul, both inputs activations") {
    std::vector<In> g = {{"a", {4, 3}}, {"b", {5, 4}}, {"c", {5}}};
    check_op("Gemm transA transB", one_node("Gemm", g, {one_int("transA", 1), one_int("transB", 1), one_float("alpha", 0.7f), one_float("beta", 1.3f)}), g, {}, 7);
    std::vector<In> g2 = {{"a", {3, 4}}, {"b", {4, 5}}};
    check_op("Gemm", one_node("Gemm", g2, {}), g2, {}, 8);
    std::vector<In> mm = {{"a", {2, 1, 3, 4}}, {"b", {3, 4, 2}}};
    check_op("MatMul broadcast", one_node("MatMul", mm, {}), mm, {}, 9);
    std::vector<In> mv = {{"a", {3, 4}}, {"b", {4}}};
    check_op("MatMul vector", one_node("MatMul", mv, {}), mv, {}, 10);
  }
  TEST_CASE("activations") {
    std::mt19937 rng(11);
    std::vector<In> x = {{"x", {2, 3, 4, 5}}};
    auto v = spread(120, rng);
    check_op("Relu", one_node("Relu", x, {}), x, {v}, 12);
    check_op("LeakyRelu", one_node("LeakyRelu", x, {one_float("alpha", 0.2f)}), x, {v}, 13);
    check_op("Sigmoid", one_node("Sigmoid", x, {}), x, {}, 14);
    check_op("Tanh", one_node("Tanh", x, {}), x, {}, 15);
    std::vector<In> c = {{"x", {2, 3, 4, 5}}, {"lo", {}, false, {-0.5f}}, {"hi", {}, false, {0.6f}}};
    check_op("Clip-13", one_node("Clip", c, {}), c, {v}, 16);
    check_op("Clip-6", one_node("Clip", x, {one_float("min", -0.5f), one_float("max", 0.6f)}, 6), x, {v}, 17);
    check_op("Softmax-13 axis 1", one_node("Softmax", x, {one_int("axis", 1)}), x, {}, 18);
    check_op("Softmax-11 axis 1 (coerced 2-D)", one_node("Softmax", x, {one_int("axis", 1)}, 11), x, {}, 19);
  }
  TEST_CASE("pools and batch norm") {
    std::mt19937 rng(20);
    std::vector<In> x = {{"x", {2, 2, 7, 6}}};
    auto v = spread(168, rng);
    check_op("MaxPool 3x3 s2 pad ceil", one_node("MaxPool", x, {ints("kernel_shape", {3, 3}), ints("strides", {2, 2}), ints("pads", {1, 1, 1, 1}), one_int("ceil_mode", 1)}), x, {v}, 21);
    check_op("MaxPool 2x2 s2", one_node("MaxPool", x, {ints("kernel_shape", {2, 2}), ints("strides", {2, 2})}), x, {v}, 22);
    check_op("MaxPool dilated", one_node("MaxPool", x, {ints("kernel_shape", {2, 2}), ints("dilations", {2, 2})}), x, {v}, 23);
    check_op("AveragePool exclude pad", one_node("AveragePool", x, {ints("kernel_shape", {3, 2}), ints("strides", {2, 1}), ints("pads", {1, 1, 1, 0})}), x, {}, 24);
    check_op("AveragePool include pad", one_node("AveragePool", x, {ints("kernel_shape", {3, 3}), ints("pads", {1, 1, 1, 1}), one_int("count_include_pad", 1)}), x, {}, 25);
    check_op("GlobalAveragePool", one_node("GlobalAveragePool", x, {}), x, {}, 26);
    check_op("GlobalMaxPool", one_node("GlobalMaxPool", x, {}), x, {v}, 27);
    std::vector<In> bn = {{"x", {2, 2, 7, 6}}, {"s", {2}, false, {1.5f, -0.7f}}, {"b", {2}, false, {0.1f, 0.2f}},
                          {"m", {2}, false, {0.3f, -0.2f}}, {"v", {2}, false, {0.8f, 1.7f}}};
    check_op("BatchNormalization", one_node("BatchNormalization", bn, {one_float("epsilon", 1e-3f)}), bn, {}, 28);
  }
  TEST_CASE("broadcasting arithmetic") {
    for (const char* op : {"Add", "Sub", "Mul", "Div"}) {
      std::vector<In> ab = {{"a", {2, 3, 1, 5}}, {"b", {4, 1}}};
      std::mt19937 rng(29);
      std::vector<float> bv(4);
      for (float& f : bv) f = 0.5f + std::uniform_real_distribution<float>(0, 1)(rng);  // Div: away from 0
      check_op(std::string(op) + " broadcast", one_node(op, ab, {}), ab, {{}, bv}, 30);
    }
  }
  TEST_CASE("layout ops") {
    std::mt19937 rng(31);
    std::vector<In> cc = {{"a", {2, 3, 4}}, {"b", {2, 1, 4}}};
    check_op("Concat axis 1", one_node("Concat", cc, {one_int("axis", 1)}), cc, {}, 32);
    std::vector<In> x = {{"x", {2, 3, 4}}};
    check_op("Flatten axis 2", one_node("Flatten", x, {one_int("axis", 2)}), x, {}, 33);
    std::vector<In> r = {{"x", {2, 3, 4}}, {"s", {3}, false, {}, {0, -1, 2}}};
    check_op("Reshape 0 and -1", one_node("Reshape", r, {}), r, {}, 34);
    check_op("Transpose", one_node("Transpose", x, {ints("perm", {2, 0, 1})}), x, {}, 35);
    std::vector<In> u = {{"x", {2, 3, 4}}, {"a", {1}, false, {}, {1}}};
    check_op("Unsqueeze", one_node("Unsqueeze", u, {}), u, {}, 36);
    std::vector<In> p = {{"x", {2, 3, 4}}, {"p", {6}, false, {}, {0, 1, -1, 0, 2, 1}}, {"v", {}, false, {0.5f}}};
    check_op("Pad constant (with crop)", one_node("Pad", p, {}), p, {}, 37);
    check_op("ReduceMean axes 1,2 keepdims 0", one_node("ReduceMean", x, {ints("axes", {1, -1}), one_int("keepdims", 0)}), x, {}, 38);
    check_op("Identity", one_node("Identity", x, {}), x, {}, 39);
    check_op("Dropout", one_node("Dropout", x, {}), x, {}, 40);
  }
  TEST_CASE("Resize and Upsample") {
    std::vector<In> rs = {{"x", {1, 2, 3, 4}}, {"roi", {0}, false, {}}, {"s", {4}, false, {1, 1, 2.0f, 1.5f}}};
    for (const char* ctm : {"half_pixel", "asymmetric", "align_corners", "pytorch_half_pixel"}) {
      check_op(std::string("Resize linear ") + ctm, one_node("Resize", rs, {str("mode", "linear"), str("coordinate_transformation_mode", ctm)}), rs, {}, 41);
      check_op(std::string("Resize nearest ") + ctm, one_node("Resize", rs, {str("mode", "nearest"), str("coordinate_transformation_mode", ctm)}), rs, {}, 42);
    }
    std::vector<In> down = {{"x", {1, 1, 6, 5}}, {"roi", {0}, false, {}}, {"s", {0}, false, {}}, {"z", {4}, false, {}, {1, 1, 4, 3}}};
    check_op("Resize linear sizes (down)", one_node("Resize", down, {str("mode", "linear")}), down, {}, 43);
    std::vector<In> up = {{"x", {1, 2, 3, 3}}, {"s", {4}, false, {1, 1, 2, 2}}};
    check_op("Upsample-9 nearest", one_node("Upsample", up, {}, 9), up, {}, 44);
  }
}
