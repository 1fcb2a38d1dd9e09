// Relu -> GlobalAveragePool, where the pool's backward also does the Relu's
// (Op::backward_folds_relu), against the gradient written out by hand:
// y[n,c] = mean over h, w of max(z, 0) with z = x + b[c], so
//   dx[n,c,h,w] = s[n,c] / (H*W) where z > 0, else 0          (ReluRule::GRADIENT)
//   dx[n,c,h,w] = s[n,c] / (H*W) where z > 0 and s > 0, else 0 (ReluRule::GUIDED)
// and y itself against the plain mean, on odd plane sizes (not a multiple of
// the pool's eight running sums).
#include <doctest/doctest.h>

#include <cmath>
#include <random>

#include "engine/engine.h"
#include "onnx/onnx_model.h"
#include "onnx_builder.h"

using namespace xm;

namespace {

onnx::Model gap_relu_model(int C, const std::vector<float>& b) {
  using namespace xm::test;
  onnx::Model m = empty_model();
  add_input(m, "x");
  add_initializer(m, "b", {1, C, 1, 1}, b);
  add_node(m, "Add", {"x", "b"}, "z");  // a runtime producer: a Relu on a graph input is not folded
  add_node(m, "Relu", {"z"}, "r");
  add_node(m, "GlobalAveragePool", {"r"}, "y");
  add_output(m, "y");
  return m;
}

}  // namespace

TEST_SUITE("ops_gap_relu_fold") {
  TEST_CASE("Relu -> GlobalAveragePool: output and input gradient, plain and guided") {
    struct P { int N, C, H, W; };
    const P ps[] = {{2, 5, 7, 9}, {1, 3, 1, 1}, {1, 4, 16, 16}};
    uint32_t seed = 1800;
    for (const P& p : ps)
      for (ReluRule rule : {ReluRule::GRADIENT, ReluRule::GUIDED}) {
        std::mt19937 rng(seed++);
        std::uniform_real_distribution<float> u(-1.0f, 1.0f);
        std::vector<float> b((size_t)p.C);
        for (float& v : b) v = u(rng);
        auto e = Engine::load(gap_relu_model(p.C, b), "gap_relu");
        REQUIRE_MESSAGE(e, e.error());
        (*e)->set_relu_rule(rule);
        Tensor x({p.N, p.C, p.H, p.W}), s({p.N, p.C, 1, 1});
        for (float& v : x.data) v = u(rng);
        for (size_t k = 0; k < s.data.size(); ++k) s.data[k] = k % 2 ? -(0.5f + u(rng) * 0.25f) : 0.5f + u(rng) * 0.25f;
        RunRequest req;
        req.inputs = {&x};
        req.seeds = {&s};
        RunResult res;
        Status st = (*e)->run(req, &res);
        REQUIRE_MESSAGE(st, st.error());
        const int hw = p.H * p.W;
        double ey = 0, eg = 0;
        int kept = 0, dropped = 0;
        for (int n = 0; n < p.N; ++n)
          for (int c = 0; c < p.C; ++c) {
            double mean = 0;
            const double sv = s.data[(size_t)n * p.C + c];
            for (int i = 0; i < hw; ++i) {
              const size_t at = ((size_t)n * p.C + c) * hw + i;
              const float z = x.data[at] + b[(size_t)c];
              mean += std::max(double(z), 0.0);
              const bool keep = z > 0.0f && (rule == ReluRule::GRADIENT || sv > 0.0);
              const double ref = keep ? sv / hw : 0.0;
              (keep ? kept : dropped) += 1;
              eg = std::max(eg, std::fabs(double(res.input_grads[0].data[at]) - ref));
            }
            ey = std::max(ey, std::fabs(double(res.outputs[0].data[(size_t)n * p.C + c]) - mean / hw));
          }
        INFO("N=" << p.N << " C=" << p.C << " H=" << p.H << " W=" << p.W << " guided=" << (rule == ReluRule::GUIDED)
                  << " output err=" << ey << " gradient err=" << eg << " kept=" << kept << " dropped=" << dropped);
        CHECK(ey < 1e-6);
        CHECK(eg < 1e-7);
        if (p.H * p.W > 1) CHECK(kept > 0);
        if (p.H * p.W > 1) CHECK(dropped > 0);
      }
  }
}
