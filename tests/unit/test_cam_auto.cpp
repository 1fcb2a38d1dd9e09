// Grad-CAM's layer=auto on the native engine: the layer comes from the static
// shapes the backend reports (BackendInfo::layers_4d_shapes), so a model whose
// last 4-D tensor is a 1x1 pooled map costs one pass, not one per 1x1 layer
// tried; and the map equals the hand-computed Grad-CAM of a one-conv model.
#include <doctest/doctest.h>

#include <cmath>

#include "engine/engine.h"
#include "engine/engine_backend.h"
#include "explain/explainer.h"
#include "onnx_builder.h"

using namespace xm;
using namespace xm::test;

namespace {

// x [N,1,4,4] -> Conv 3x3 pad 1 (2 channels, weights w) -> "y" [N,2,4,4]
// -> GlobalAveragePool "g" [N,2,1,1] -> Flatten "out" [N,2].
onnx::Model conv_gap_model(const std::vector<float>& w) {
  onnx::Model m = one_node("Conv", {{"x", {1, 1, 4, 4}}, {"w", {2, 1, 3, 3}, false, w}}, {ints("pads", {1, 1, 1, 1})});
  m.graph.inputs[0].has_shape = true;
  m.graph.inputs[0].dims = {-1, 1, 4, 4};
  m.graph.inputs[0].dim_params = {"N", "", "", ""};
  onnx::Node gap;
  gap.name = "gap";
  gap.op_type = "GlobalAveragePool";
  gap.inputs = {"y"};
  gap.outputs = {"g"};
  onnx::Node flat;
  flat.name = "flat";
  flat.op_type = "Flatten";
  flat.inputs = {"g"};
  flat.outputs = {"out"};
  m.graph.nodes.push_back(gap);
  m.graph.nodes.push_back(flat);
  m.graph.outputs[0].name = "out";
  return m;
}

}  // namespace

TEST_SUITE("cam_auto") {
  TEST_CASE("grad_cam layer=auto skips the 1x1 map without a pass and matches the hand computation") {
    std::vector<float> w(18);
    for (size_t i = 0; i < w.size(); ++i) w[i] = 0.1f * float(int(i % 7) - 3);
    auto eng = Engine::load(conv_gap_model(w), "conv_gap");
    REQUIRE_MESSAGE(eng, eng.error());
    auto be = native_backend_from_engine(std::move(*eng), "conv_gap");
    REQUIRE_MESSAGE(be, be.error());
    const BackendInfo& info = (*be)->info();
    REQUIRE(info.layers_4d.size() == info.layers_4d_shapes.size());
    CHECK(info.layers_4d.back() == "g");
    CHECK(info.layers_4d_shapes.back() == Shape{1, 2, 1, 1});

    Tensor x({1, 1, 4, 4});
    for (int i = 0; i < 16; ++i) x.data[size_t(i)] = std::sin(0.7f * float(i)) + 0.2f;
    const int target = 1;
    auto r = explain_run_to_end(**be, "grad_cam", {{"relu", "false"}}, x, target);
    REQUIRE_MESSAGE(r, r.error());
    CHECK(r->stats.layer == "y");
    CHECK(r->stats.forward_passes == 1);
    // Hand computation: out[t] = mean(y[t]) so dout[t]/dy[t] = 1/16 everywhere:
    // weight of channel t = 1/16, others 0; map = y[t] / 16 at the layer's
    // resolution, which is the input's (4x4), so no resampling.
    for (int h = 0; h < 4; ++h)
      for (int ww = 0; ww < 4; ++ww) {
        double acc = 0;
        for (int i = 0; i < 3; ++i)
          for (int j = 0; j < 3; ++j) {
            const int ih = h + i - 1, iw = ww + j - 1;
            if (ih < 0 || ih >= 4 || iw < 0 || iw >= 4) continue;
            acc += double(x.data[size_t(ih * 4 + iw)]) * w[size_t(target * 9 + i * 3 + j)];
          }
        INFO("h=" << h << " w=" << ww);
        CHECK(r->attribution.data[size_t(h * 4 + ww)] == doctest::Approx(acc / 16.0).epsilon(1e-5));
      }
  }
}
