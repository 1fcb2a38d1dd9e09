// Incremental inference (engine/incremental.h) against the plain forward pass:
// every patched image's output must equal engine.run on the patched image
// (to 1e-5 of the output's scale), on the committed models, the golden tiny
// models (strides, pads, dilations, groups, ceil_mode, Concat, residual Add,
// GlobalAveragePool) and single-op models built here; and occlusion's map must
// not depend on the path taken.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdlib>

#include "backend/pending.h"
#include "engine/engine.h"
#include "engine/engine_backend.h"
#include "engine/graph_view.h"
#include "engine/incremental.h"
#include "explain/explainer.h"
#include "image/npy.h"
#include "onnx_builder.h"

using namespace xm;
using namespace xm::test;

namespace {

const std::string kRoot = std::string(XMEDIA_SOURCE_DIR) + "/";

std::vector<float> random_values(size_t n, uint64_t seed, float lo, float hi) {
  std::vector<float> v(n);
  uint64_t s = seed * 0x9E3779B97F4A7C15ull + 1;
  for (float& f : v) {
    s ^= s << 13;
    s ^= s >> 7;
    s ^= s << 17;
    f = lo + (hi - lo) * float(double(s >> 11) / double(uint64_t(1) << 53));
  }
  return v;
}

InputPatch patch(int64_t C, int64_t y0, int64_t x0, int64_t h, int64_t w, uint64_t seed) {
  InputPatch p;
  p.y0 = y0;
  p.x0 = x0;
  p.h = h;
  p.w = w;
  // seed 0: a zero baseline, as occlusion's default; else random values.
  p.values = seed ? random_values(size_t(C * h * w), seed, -2.0f, 2.0f) : std::vector<float>(size_t(C * h * w), 0.0f);
  return p;
}

// Windows at the four corners, on each border, inside, 1x1 ones, a window
// wider than tall, and the whole image.
std::vector<InputPatch> border_patches(int64_t C, int64_t H, int64_t W) {
  const int64_t k = std::max<int64_t>(1, std::min(H, W) / 4);
  std::vector<InputPatch> ps = {
      patch(C, 0, 0, k, k, 0),           patch(C, 0, W - k, k, k, 1),         patch(C, H - k, 0, k, k, 2),
      patch(C, H - k, W - k, k, k, 3),   patch(C, 0, W / 3, k, k, 4),         patch(C, H / 3, 0, k, k, 5),
      patch(C, H - k, W / 2, k, k, 6),   patch(C, H / 2, W - k, k, k, 7),     patch(C, H / 3, W / 3, k, k, 8),
      patch(C, 0, 0, 1, 1, 9),           patch(C, H / 2, W / 2, 1, 1, 10),    patch(C, H - 1, W - 1, 1, 1, 0),
      patch(C, 1, 1, 1, 1, 11),          patch(C, H / 4, 0, std::max<int64_t>(1, k / 2), W, 12),
      patch(C, 0, 0, H, W, 13),          patch(C, H / 2, W / 2, 0, 0, 0),  // an empty patch: the base itself
  };
  return ps;
}

// Checks the incremental outputs against engine.run on each patched image; returns the recomputed share.
// With slices > 0 the base pass is prepared one node per call (a zero-length
// time budget; the first call only plans), and *slices gets the number of calls it took.
double check_against_plain(Engine& e, const Tensor& base, const std::vector<InputPatch>& ps, const std::string& what,
                           int* slices = nullptr) {
  IncrementalRunner inc;
  if (slices) {
    *slices = 0;
    for (bool done = false; !done;) {
      CHECK_FALSE(inc.prepared_for(e, base));
      Status s = inc.prepare(e, base, 1e-9, &done);
      INFO(what, ": ", s.error());
      REQUIRE(s);
      REQUIRE(++*slices < 10000);
    }
  } else {
    Status s = inc.prepare(e, base);
    INFO(what, ": ", s.error());
    REQUIRE(s);
  }
  CHECK(inc.prepared_for(e, base));
  Tensor got;
  Status r = inc.run(ps, &got);
  INFO(r.error());
  REQUIRE(r);
  REQUIRE(got.shape[0] == int64_t(ps.size()));
  const int64_t per = int64_t(got.data.size()) / int64_t(ps.size());
  Shape one = base.shape;
  std::vector<float> img(base.data.size());
  double worst = 0;
  for (size_t k = 0; k < ps.size(); ++k) {
    REQUIRE(input_patch_apply(base, ps[k], img.data()));
    Tensor x(one);
    x.data = img;
    RunRequest req;
    req.inputs = {&x};
    RunResult res;
    REQUIRE(e.run(req, &res));
    const Tensor& want = res.outputs[0];
    REQUIRE(int64_t(want.data.size()) == per);
    double scale = 1e-3;
    for (float v : want.data) scale = std::max(scale, double(std::fabs(v)));
    for (int64_t i = 0; i < per; ++i) {
      const double err = std::fabs(double(got.data[size_t(int64_t(k) * per + i)]) - double(want.data[size_t(i)])) / scale;
      worst = std::max(worst, err);
      if (err > 1e-5) {
        INFO(what, ": patch ", k, " (", ps[k].h, "x", ps[k].w, " at ", ps[k].y0, ",", ps[k].x0, ") output ", i, ": ",
             got.data[size_t(int64_t(k) * per + i)], " vs plain ", want.data[size_t(i)]);
        CHECK(err <= 1e-5);
        return inc.last_recomputed_fraction();
      }
    }
  }
  MESSAGE(what, ": max relative error ", worst, ", recomputed share ", inc.last_recomputed_fraction());
  return inc.last_recomputed_fraction();
}

Tensor first_image(const std::string& npy) {
  auto t = npy_read_file(npy);
  INFO(npy);
  REQUIRE(t);
  Tensor all = t.take();
  Shape s = all.shape;
  s[0] = 1;
  Tensor x(s);
  std::copy(all.data.begin(), all.data.begin() + long(x.data.size()), x.data.begin());
  return x;
}

std::unique_ptr<Engine> load(const std::string& path) {
  auto e = Engine::load_file(path);
  INFO(path, ": ", (e ? "" : e.error()));
  REQUIRE(e);
  return e.take();
}

}  // namespace

TEST_SUITE("incremental") {
  TEST_CASE("golden tiny models: strides, pads, dilations, groups, ceil_mode, Concat, Add, global pooling") {
    // Each directory: model.onnx + input.npy (batch 2, dynamic); the first image is the base.
    const char* dirs[] = {"conv_stride_pad_o13",  "conv_dilation_o13",       "conv_groups_o13",
                          "maxpool_ceil_o13",     "maxpool_dilation_o13",    "maxpool_o13",
                          "avgpool_exclude_pad_o13", "avgpool_include_pad_o13", "residual_bn_o13",
                          "residual_bn_unfolded_o13", "concat_branches_o13", "medical_cnn_o13",
                          "rgb_input_o13",        "global_avgpool_o13",      "arith_broadcast_o13",
                          "pad_constant_o13",     "resize_bilinear_o13",     "clip_relu6_o13",
                          "leaky_relu_o13",       "bn_unfolded_o13",         "identity_dropout_o13"};
    for (const char* d : dirs) {
      INFO("model ", d);
      const std::string dir = kRoot + "tests/golden/" + d + "/";
      auto e = load(dir + "model.onnx");
      Tensor x = first_image(dir + "input.npy");
      check_against_plain(*e, x, border_patches(x.shape[1], x.shape[2], x.shape[3]), d);
    }
  }

  TEST_CASE("committed models: ResNet with BN and Add, RGB, shortcut") {
    const char* names[] = {"cardiac_lge", "chest_xray", "fundus", "chest_xray_shortcut"};
    for (const char* n : names) {
      INFO("model ", n);
      auto e = load(kRoot + "models/" + n + ".onnx");
      const Shape& d = e->summary().inputs[0].dims;
      Tensor x({1, d[1], d[2], d[3]});
      x.data = random_values(x.data.size(), 77, -1.0f, 2.0f);
      // Occlusion-like windows: 16x16 at corners and inside, plus borders and 1x1.
      std::vector<InputPatch> ps = border_patches(d[1], d[2], d[3]);
      ps.push_back(patch(d[1], 56, 72, 16, 16, 0));
      const double share = check_against_plain(*e, x, ps, n);
      // The runner must really work on rectangles (not fall back to whole tensors).
      CHECK(share < 0.6);
    }
  }

  TEST_CASE("single ops: padding modes, stride above the kernel, asymmetric pads") {
    struct Case {
      const char* what;
      const char* op;
      Shape x, w;
      std::vector<onnx::Attribute> attrs;
    };
    const std::vector<Case> cases = {
        {"conv k3 s2 p1", "Conv", {1, 2, 13, 11}, {3, 2, 3, 3}, {ints("strides", {2, 2}), ints("pads", {1, 1, 1, 1})}},
        {"conv k1 s3 (stride steps over pixels)", "Conv", {1, 1, 10, 10}, {2, 1, 1, 1}, {ints("strides", {3, 3})}},
        {"conv k3 dilation 2 asymmetric pads", "Conv", {1, 1, 12, 9}, {2, 1, 3, 3},
         {ints("dilations", {2, 2}), ints("pads", {0, 2, 3, 1})}},
        {"conv SAME_UPPER stride 2", "Conv", {1, 1, 9, 10}, {2, 1, 4, 4}, {str("auto_pad", "SAME_UPPER"), ints("strides", {2, 2})}},
        {"conv SAME_LOWER", "Conv", {1, 1, 9, 10}, {2, 1, 4, 4}, {str("auto_pad", "SAME_LOWER")}},
        {"conv groups 2 k5x3", "Conv", {1, 4, 9, 9}, {4, 2, 5, 3}, {one_int("group", 2), ints("pads", {2, 1, 2, 1})}},
        {"maxpool k3 s2 p1 ceil", "MaxPool", {1, 2, 10, 9}, {}, {ints("kernel_shape", {3, 3}), ints("strides", {2, 2}),
                                                                  ints("pads", {1, 1, 1, 1}), one_int("ceil_mode", 1)}},
        {"maxpool k2 s3 (gaps)", "MaxPool", {1, 1, 11, 11}, {}, {ints("kernel_shape", {2, 2}), ints("strides", {3, 3})}},
        {"avgpool include pad", "AveragePool", {1, 1, 9, 9}, {}, {ints("kernel_shape", {3, 3}), ints("pads", {1, 1, 1, 1}),
                                                                  one_int("count_include_pad", 1)}},
        {"avgpool exclude pad (whole-tensor path)", "AveragePool", {1, 1, 9, 9}, {},
         {ints("kernel_shape", {3, 3}), ints("pads", {1, 1, 1, 1})}},
        {"avgpool ceil (whole-tensor path)", "AveragePool", {1, 1, 10, 10}, {},
         {ints("kernel_shape", {3, 3}), ints("strides", {2, 2}), one_int("ceil_mode", 1)}},
    };
    for (const Case& c : cases) {
      INFO("case ", c.what);
      std::vector<In> ins = {{"x", c.x}};
      if (!c.w.empty()) {
        ins.push_back({"w", c.w, false, random_values(size_t(shape_numel(c.w)), 5, -1, 1)});
        ins.push_back({"b", {c.w[0]}, false, random_values(size_t(c.w[0]), 6, -1, 1)});
      }
      auto e = Engine::load(one_node(c.op, ins, c.attrs), c.what);
      INFO((e ? "" : e.error()));
      REQUIRE(e);
      Tensor x(c.x);
      x.data = random_values(x.data.size(), 9, -1, 1);
      check_against_plain(**e, x, border_patches(c.x[1], c.x[2], c.x[3]), c.what);
    }
  }

  TEST_CASE("a pixel between strided taps changes nothing downstream") {
    // Conv 1x1 stride 3: output (i,j) reads pixel (3i,3j) only; pixel (1,1) is never read.
    std::vector<In> ins = {{"x", {1, 1, 9, 9}}, {"w", {1, 1, 1, 1}, false, {2.0f}}};
    auto e = Engine::load(one_node("Conv", ins, {ints("strides", {3, 3})}), "k1s3");
    REQUIRE(e);
    Tensor x({1, 1, 9, 9}, 1.0f);
    IncrementalRunner inc;
    REQUIRE(inc.prepare(**e, x));
    Tensor y;
    REQUIRE(inc.run({patch(1, 1, 1, 1, 1, 3)}, &y));
    REQUIRE(y.shape == Shape{1, 1, 3, 3});
    for (float v : y.data) CHECK(v == 2.0f);
    CHECK(inc.last_recomputed_fraction() == 0.0);
    REQUIRE(inc.run({patch(1, 3, 6, 1, 1, 0)}, &y));
    CHECK(y.data[5] == 0.0f);  // (1,2) reads pixel (3,6), now 0
    CHECK(y.data[4] == 2.0f);
  }

  TEST_CASE("bad patches are refused with a message") {
    auto e = load(kRoot + "tests/golden/medical_cnn_o13/model.onnx");
    Tensor x({1, 1, 32, 32}, 0.5f);
    IncrementalRunner inc;
    REQUIRE(inc.prepare(*e, x));
    Tensor y;
    Status s = inc.run({patch(1, 30, 30, 4, 4, 0)}, &y);
    CHECK_FALSE(s);
    CHECK(s.error().find("does not fit") != std::string::npos);
    InputPatch wrong = patch(1, 0, 0, 4, 4, 0);
    wrong.values.pop_back();
    CHECK_FALSE(inc.run({wrong}, &y));
    CHECK_FALSE(inc.prepare(*e, Tensor({2, 1, 32, 32})));
    IncrementalRunner never;
    CHECK_FALSE(never.run({}, &y));
  }

  TEST_CASE("the base pass in time slices: one node per call, then the same answers") {
    auto e = load(kRoot + "models/cardiac_lge.onnx");
    const Shape& d = e->summary().inputs[0].dims;
    Tensor x({1, d[1], d[2], d[3]});
    x.data = random_values(x.data.size(), 78, -1.0f, 2.0f);
    std::vector<InputPatch> ps = border_patches(d[1], d[2], d[3]);
    int slices = 0;
    check_against_plain(*e, x, ps, "cardiac_lge in slices", &slices);
    CHECK(slices >= 9);  // the plan, then 7 convolutions, pooling, the head: at least that many nodes after fusion
    EngineGraphView view;
    REQUIRE(e->graph_view({x.shape}, &view));
    CHECK(slices == int(view.nodes.size()) + 1);  // a call that only plans, then one node per call

    // Another base half-way starts over; the first base's half pass is not used.
    IncrementalRunner inc;
    bool done = false;
    REQUIRE(inc.prepare(*e, x, 1e-9, &done));
    REQUIRE(inc.prepare(*e, x, 1e-9, &done));
    CHECK_FALSE(done);
    Tensor other = x;
    other.data[0] += 1.0f;
    int calls = 0;
    for (done = false; !done; ++calls) REQUIRE(inc.prepare(*e, other, 1e-9, &done));
    CHECK(calls == slices);
    CHECK(inc.prepared_for(*e, other));
    CHECK_FALSE(inc.prepared_for(*e, x));
    Tensor got, want;
    REQUIRE(inc.run(ps, &got));
    IncrementalRunner whole;
    REQUIRE(whole.prepare(*e, other));
    REQUIRE(whole.run(ps, &want));
    CHECK(got.data == want.data);

    // Through the backend: pending until the pass is done, then the answer.
    auto b = native_backend_from_file(kRoot + "models/cardiac_lge.onnx");
    REQUIRE(b);
    (*b)->set_time_slice(1e-9);
    Tensor sliced;
    int pending = 0;
    for (;;) {
      Status s = (*b)->logits_patched(other, ps, &sliced);
      if (!backend_is_pending(s)) {
        INFO(s.error());
        REQUIRE(s);
        break;
      }
      REQUIRE(++pending < 10000);
    }
    CHECK(pending == slices - 1);
    CHECK(sliced.data == want.data);
  }

  TEST_CASE("occlusion's map is the same with and without incremental inference") {
    struct Case {
      const char* model;
      ParamList params;
    };
    const std::vector<Case> cases = {
        {"fundus", {{"window", "32"}, {"stride", "24"}}},
        {"cardiac_lge", {{"window", "20x12"}, {"stride", "36x30"}, {"baseline", "0.5"}}},  // stride above the window
        {"chest_xray", {{"window", "1"}, {"stride", "61"}}},                               // 1x1 windows
    };
    for (const Case& c : cases) {
      INFO("model ", c.model);
      auto b = native_backend_from_file(kRoot + "models/" + c.model + ".onnx");
      REQUIRE(b);
      Tensor x((*b)->info().input_shape);
      x.data = random_values(x.data.size(), 21, -1.0f, 2.0f);
      ParamList on = c.params, off = c.params;
      off.push_back({"incremental", "false"});
      auto r1 = explain_run_to_end(**b, "occlusion", on, x, 1);
      auto r0 = explain_run_to_end(**b, "occlusion", off, x, 1);
      INFO((r1 ? "" : r1.error()), (r0 ? "" : r0.error()));
      REQUIRE(r1);
      REQUIRE(r0);
      CHECK(r1->stats.forward_passes == r0->stats.forward_passes);
      const double f = std::max(1.0, std::fabs(r0->stats.values.at("f_input")));
      double worst = 0, mx = 0;
      for (size_t i = 0; i < r0->attribution.data.size(); ++i) {
        worst = std::max(worst, double(std::fabs(r1->attribution.data[i] - r0->attribution.data[i])));
        mx = std::max(mx, double(std::fabs(r0->attribution.data[i])));
      }
      CHECK(mx > 0);  // the windows do change the output
      CHECK(worst <= 1e-5 * f);
    }
  }
}
