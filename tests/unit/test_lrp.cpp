// LRP (engine/lrp.h, explain/lrp_methods.cpp) against its axioms: conservation
// on bias-free ReLU networks, input x gradient on a linear model, non-negative
// alpha1-beta0 maps, plus parameter and model errors. The numbers against
// PyTorch's reference of Captum's LRP are in test_explain_golden.cpp.
#include <doctest/doctest.h>

#include <cmath>

#include "engine/engine.h"
#include "engine/engine_backend.h"
#include "engine/lrp.h"
#include "explain/explainer.h"
#include "explain/rng.h"
#include "onnx_builder.h"
#include "test_explain_backends.h"

using namespace xm;

namespace {

// A graph built node by node; weights are uniform in [-1, 1) from a seeded Rng.
struct GraphBuilder {
  onnx::Model m;
  Rng rng{7};
  GraphBuilder(const Shape& in) {
    m.ir_version = 8;
    m.opset = 13;
    onnx::ValueInfo v;
    v.name = "x";
    v.elem_type = onnx::DT_FLOAT;
    v.has_shape = true;
    v.dims = in;
    m.graph.inputs.push_back(v);
  }
  std::string init(const std::string& name, const Shape& s, std::vector<float> f = {}) {
    onnx::TensorData t;
    t.name = name;
    t.dims = s;
    t.dtype = onnx::DT_FLOAT;
    if (f.empty())
      for (int64_t k = 0; k < shape_numel(s); ++k) f.push_back(float(rng.uniform() * 2 - 1));
    t.f = std::move(f);
    m.graph.initializers.push_back(t);
    return name;
  }
  std::string node(const std::string& op, std::vector<std::string> in, const std::string& out,
                   std::vector<onnx::Attribute> attrs = {}) {
    onnx::Node n;
    n.name = out;
    n.op_type = op;
    n.inputs = std::move(in);
    n.outputs = {out};
    n.attributes = std::move(attrs);
    m.graph.nodes.push_back(n);
    return out;
  }
  std::unique_ptr<Backend> backend(const std::string& out) {
    onnx::ValueInfo y;
    y.name = out;
    y.elem_type = onnx::DT_FLOAT;
    m.graph.outputs.push_back(y);
    auto e = Engine::load(m, "lrp_test");
    INFO((e ? std::string() : e.error()));
    REQUIRE(e);
    auto b = native_backend_from_engine(e.take(), "lrp_test");
    INFO((b ? std::string() : b.error()));
    REQUIRE(b);
    return b.take();
  }
};

// conv-relu-maxpool-batchnorm-conv-relu-add(skip)-avgpool-gap-gemm; no biases (and a BatchNorm without offset)
// unless `bias` is set; one BatchNorm scale is negative when `negative_scale`. Input [N,2,8,8], 3 outputs.
std::unique_ptr<Backend> relu_net(bool bias, bool negative_scale = true) {
  using namespace xm::test;
  GraphBuilder g({-1, 2, 8, 8});
  auto zeros = [](int64_t n, float v = 0.0f) { return std::vector<float>(size_t(n), v); };
  std::vector<std::string> c1 = {"x", g.init("w1", {4, 2, 3, 3})};
  if (bias) c1.push_back(g.init("b1", {4}));
  g.node("Conv", c1, "c1", {ints("pads", {1, 1, 1, 1})});
  g.node("Relu", {"c1"}, "r1");
  g.node("MaxPool", {"r1"}, "p1", {ints("kernel_shape", {2, 2}), ints("strides", {2, 2})});
  g.node("BatchNormalization",
         {"p1", g.init("bn_s", {4}, {0.7f, negative_scale ? -0.4f : 0.4f, 1.3f, 0.9f}), g.init("bn_b", {4}, zeros(4, bias ? 0.2f : 0.0f)),
          g.init("bn_m", {4}, zeros(4)), g.init("bn_v", {4}, {1.0f, 0.5f, 2.0f, 1.5f})},
         "bn");
  std::vector<std::string> c2 = {"bn", g.init("w2", {4, 4, 3, 3})};
  if (bias) c2.push_back(g.init("b2", {4}));
  g.node("Conv", c2, "c2", {ints("pads", {1, 1, 1, 1})});
  g.node("Relu", {"c2"}, "r2");
  g.node("Add", {"r2", "bn"}, "s");
  g.node("AveragePool", {"s"}, "p2", {ints("kernel_shape", {2, 2}), ints("strides", {2, 2})});
  g.node("GlobalAveragePool", {"p2"}, "gap");
  g.node("Flatten", {"gap"}, "f");
  g.node("Gemm", {"f", g.init("wf", {3, 4}, {0.8f, -0.5f, 0.6f, 0.3f, -0.4f, 0.9f, 0.2f, -0.7f, 0.5f, 0.4f, -0.6f, 0.7f}), g.init("bf", {3}, bias ? std::vector<float>{0.3f, -0.2f, 0.1f} : zeros(3))},
         "y", {one_int("transB", 1)});
  return g.backend("y");
}

Tensor random_input(uint64_t seed, float lo, float hi, int64_t n = 1) {
  Rng rng(seed);
  Tensor x({n, 2, 8, 8});
  for (auto& v : x.data) v = float(lo + (hi - lo) * rng.uniform());
  return x;
}

// Checks epsilon-LRP's map against input x gradient's for target t (the latter
// in *ixg): within rel_tol of the map's scale, which must exceed min_scale.
xm_test::MaxError check_lrp_is_input_x_gradient(Backend& b, const Tensor& x, int t, double min_scale,
                                                double rel_tol, Tensor* ixg) {
  auto lrp = explain_run_to_end(b, "lrp_epsilon", {}, x, t);
  auto ig = explain_run_to_end(b, "input_x_gradient", {}, x, t);
  REQUIRE(lrp);
  REQUIRE(ig);
  const xm_test::MaxError me = xm_test::max_error(lrp->attribution.data, ig->attribution.data);
  INFO("target ", t, " max error ", me.err, " scale ", me.scale);
  CHECK(me.scale > min_scale);
  CHECK(me.err <= rel_tol * me.scale);
  *ixg = std::move(ig->attribution);
  return me;
}

double sum(const Tensor& t) {
  double s = 0;
  for (float v : t.data) s += v;
  return s;
}

}  // namespace

TEST_SUITE("lrp") {
  TEST_CASE("lrp_epsilon conserves the target's logit on a bias-free ReLU network") {
    auto b = relu_net(false);
    const Tensor x = random_input(1, -1, 1);
    Tensor logits;
    REQUIRE(b->logits(x, &logits));
    for (int t = 0; t < 3; ++t) {
      auto r = explain_run_to_end(*b, "lrp_epsilon", {}, x, t);
      REQUIRE(r);
      const double f = logits.data[size_t(t)];
      INFO("target ", t, " logit ", f, " sum of relevance ", sum(r->attribution));
      CHECK(std::fabs(f) > 1e-3);
      CHECK(std::fabs(sum(r->attribution) - f) <= 1e-4 * std::fabs(f));
      CHECK(std::fabs(r->stats.values.at("conservation_gap")) <= 1e-4 * std::fabs(f));
      CHECK(r->stats.forward_passes == 1);
      CHECK(r->stats.backward_passes == 1);
    }
  }

  // Alpha-beta conserves where each unit's z+ (and z-) is non-zero wherever relevance arrives: with
  // non-negative activations (non-negative input, positive BatchNorm scales) and a positive target logit.
  TEST_CASE("lrp_alpha_beta conserves relevance on a bias-free network, alpha=1 beta=0 and alpha=2 beta=1") {
    auto b = relu_net(false, false);
    const Tensor x = random_input(2, 0, 1);
    Tensor logits;
    REQUIRE(b->logits(x, &logits));
    for (const ParamList& p : {ParamList{}, ParamList{{"alpha", "2"}, {"beta", "1"}}}) {
      int checked = 0;
      for (int t = 0; t < 3; ++t) {
        if (logits.data[size_t(t)] <= 0) continue;
        ++checked;
        auto r = explain_run_to_end(*b, "lrp_alpha_beta", p, x, t);
        REQUIRE(r);
        const double f = logits.data[size_t(t)];
        INFO("params ", p.size(), " target ", t, " logit ", f, " sum ", sum(r->attribution));
        // beta > 0: units without negative inputs keep alpha * R, so conservation is approximate.
        CHECK(std::fabs(sum(r->attribution) - f) <= (p.empty() ? 1e-4 : 1e-2) * std::fabs(f));
      }
      CHECK(checked > 0);
    }
  }

  TEST_CASE("with biases relevance is not conserved, and the gap is reported") {
    auto b = relu_net(true);
    const Tensor x = random_input(3, -1, 1);
    auto r = explain_run_to_end(*b, "lrp_epsilon", {}, x, 0);
    REQUIRE(r);
    const double gap = r->stats.values.at("conservation_gap");
    CHECK(std::fabs(gap) > 1e-3);
    CHECK(std::fabs(sum(r->attribution) - r->stats.values.at("f_input") - gap) < 1e-4);
  }

  TEST_CASE("on a single linear layer epsilon-LRP equals input x gradient") {
    using namespace xm::test;
    GraphBuilder g({-1, 2, 8, 8});
    g.node("Flatten", {"x"}, "f");
    g.node("Gemm", {"f", g.init("w", {3, 128}), g.init("b", {3}, {0.5f, -0.25f, 2.0f})}, "y", {one_int("transB", 1)});
    auto b = g.backend("y");
    const Tensor x = random_input(4, -1, 1);
    for (int t = 0; t < 3; ++t) {
      Tensor ixg;
      check_lrp_is_input_x_gradient(*b, x, t, 0.1, 1e-6, &ixg);
    }
  }

  // Ancona et al. 2018: on ReLU networks epsilon-LRP with epsilon -> 0 is input x gradient, biases or not
  // (the engine's gradient is a separate code path: its backward with the chain rule).
  TEST_CASE("on a ReLU network with biases, BatchNorm, MaxPool and Add, epsilon-LRP equals input x gradient") {
    auto b = relu_net(true);
    const Tensor x = random_input(9, -1, 1);
    for (int t = 0; t < 3; ++t) {
      Tensor ixg;
      const xm_test::MaxError me = check_lrp_is_input_x_gradient(*b, x, t, 0, 1e-4, &ixg);
      // A large epsilon absorbs relevance: the map moves away from input x gradient.
      auto big = explain_run_to_end(*b, "lrp_epsilon", {{"epsilon", "1"}}, x, t);
      REQUIRE(big);
      double diff = 0;
      for (size_t i = 0; i < x.numel(); ++i) diff = std::max(diff, std::fabs(double(big->attribution.data[i]) - ixg.data[i]));
      CHECK(diff > 1e-2 * me.scale);
    }
  }

  TEST_CASE("alpha=1 beta=0 gives non-negative relevance on non-negative inputs; epsilon does not") {
    auto b = relu_net(false);
    const Tensor x = random_input(5, 0, 1);
    Tensor logits;
    REQUIRE(b->logits(x, &logits));
    int t = 0;
    for (int k = 1; k < 3; ++k)
      if (logits.data[size_t(k)] > logits.data[size_t(t)]) t = k;
    REQUIRE(logits.data[size_t(t)] > 0);
    auto ab = explain_run_to_end(*b, "lrp_alpha_beta", {}, x, t);
    auto ep = explain_run_to_end(*b, "lrp_epsilon", {}, x, t);
    REQUIRE(ab);
    REQUIRE(ep);
    float lo_ab = 0, hi_ab = 0, lo_ep = 0;
    for (float v : ab->attribution.data) lo_ab = std::min(lo_ab, v), hi_ab = std::max(hi_ab, v);
    for (float v : ep->attribution.data) lo_ep = std::min(lo_ep, v);
    CHECK(lo_ab >= 0.0f);
    CHECK(hi_ab > 0.0f);
    CHECK(lo_ep < 0.0f);  // the network has negative weights, so the check above can fail
  }

  TEST_CASE("a batch answers each image as a single query does") {
    auto b = relu_net(true);
    const Tensor x = random_input(6, -1, 1, 3);
    Tensor seed({3, 3});
    seed.data = {1, 0, 0, 0, 0, 1, 0, 1, 0};
    LrpRule rule;
    Tensor logits, rel;
    REQUIRE(b->relevance(x, seed, rule, &logits, &rel));
    REQUIRE(rel.shape == x.shape);
    const size_t per = 128;
    for (int64_t k = 0; k < 3; ++k) {
      Tensor xi({1, 2, 8, 8}), si({1, 3}), li, ri;
      std::copy_n(x.data.begin() + k * per, per, xi.data.begin());
      std::copy_n(seed.data.begin() + k * 3, 3, si.data.begin());
      REQUIRE(b->relevance(xi, si, rule, &li, &ri));
      for (size_t i = 0; i < per; ++i) CHECK(ri.data[i] == doctest::Approx(rel.data[k * per + i]).epsilon(1e-5));
    }
  }

  TEST_CASE("bad parameters get errors naming the parameter") {
    auto err = [](const std::string& m, const ParamList& p) {
      auto j = explainer_create(m, p);
      return j ? std::string() : j.error();
    };
    CHECK(err("lrp_epsilon", {}).empty());
    CHECK(err("lrp_alpha_beta", {{"alpha", "2"}, {"beta", "1"}}).empty());
    CHECK(err("lrp_alpha_beta", {{"alpha", "2"}, {"beta", "0.5"}}).find("alpha - 1") != std::string::npos);
    CHECK(err("lrp_alpha_beta", {{"alpha", "0.5"}}).find("'alpha'") != std::string::npos);
    CHECK(err("lrp_alpha_beta", {{"beta", "-1"}}).find("'beta'") != std::string::npos);
    CHECK(err("lrp_epsilon", {{"epsilon", "0"}}).find("'epsilon'") != std::string::npos);
    CHECK(err("lrp_epsilon", {{"epsilon", "-1"}}).find("'epsilon'") != std::string::npos);
    CHECK(err("lrp_epsilon", {{"epsilon", "nan"}}).find("'epsilon'") != std::string::npos);
    CHECK(err("lrp_epsilon", {{"epsilon", "1e400"}}).find("'epsilon'") != std::string::npos);
    CHECK(err("lrp_epsilon", {{"alpha", "2"}}).find("alpha") != std::string::npos);  // not a key of lrp_epsilon
    LrpRule r;
    r.kind = LrpRule::ALPHA_BETA;
    r.alpha = 3;
    r.beta = 1;
    CHECK(!lrp_check_rule(r));
    r.epsilon = -1;
    r.kind = LrpRule::EPSILON;
    CHECK(!lrp_check_rule(r));
  }

  TEST_CASE("an op without a rule is refused by name; a backend without LRP says so") {
    using namespace xm::test;
    GraphBuilder g({-1, 2, 8, 8});
    g.node("Flatten", {"x"}, "f");
    g.node("Gemm", {"f", g.init("w", {3, 128})}, "z", {one_int("transB", 1)});
    g.node("Softmax", {"z"}, "y", {one_int("axis", 1)});
    auto b = g.backend("y");
    auto r = explain_run_to_end(*b, "lrp_epsilon", {}, random_input(7, 0, 1), 0);
    REQUIRE(!r);
    CHECK(r.error().find("Softmax") != std::string::npos);
    CHECK(r.error().find("no LRP rule") != std::string::npos);
    // The list comes from the op table's LrpKind of each op, rule layers first.
    CHECK(r.error().find("(supported: Conv, ConvTranspose, Gemm, MatMul, BatchNormalization, MaxPool, GlobalMaxPool, "
                         "AveragePool, GlobalAveragePool, ReduceMean, Add (by rule); Relu, Tanh, Dropout, Identity, "
                         "Reshape, Flatten, Squeeze, Unsqueeze, Transpose, Concat, Pad (pass-through))") !=
          std::string::npos);

    xm_test::LinearBackend lin(2, 8, 8, 3, 1);
    auto r2 = explain_run_to_end(lin, "lrp_alpha_beta", {}, random_input(8, 0, 1), 0);
    REQUIRE(!r2);
    CHECK(r2.error().find("cannot compute layer-wise relevance") != std::string::npos);
  }

  TEST_CASE("the help names what it computes, its parameters, its cost and the paper") {
    for (const char* m : {"lrp_epsilon", "lrp_alpha_beta"}) {
      const MethodInfo* info = explain_find_method(m);
      REQUIRE(info);
      const std::string h = info->help;  // explain_method_help wraps it
      CHECK(explain_method_help(*info).find("epsilon") != std::string::npos);
      CHECK(h.find("epsilon") != std::string::npos);
      CHECK(h.find("Cost: 1 forward + 1 backward") != std::string::npos);
      CHECK(h.find("Bach et al.") != std::string::npos);
      CHECK(h.find("Montavon") != std::string::npos);
    }
  }
}
