// Teaching state: what-if edits (paint, heal, restore, undo by replay), the
// deep-link fragment (encode/decode round trip, bad links refused), the
// shipped lessons (every file parses and names things that exist), and the
// Lab's what-if hooks on real zoo models (painting the evidence away lowers
// the prediction; the occlusion probe equals a hand-made occluded forward).
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>

#include "core/json.h"
#include "engine/engine_backend.h"
#include "image/model_card.h"
#include "image/npy.h"
#include "state/edits.h"
#include "state/lab.h"
#include "state/lessons.h"
#include "state/link_state.h"

using namespace xm;

namespace {

Tensor ramp(int C, int H, int W) {
  Tensor t({1, C, H, W});
  for (int c = 0; c < C; ++c)
    for (int y = 0; y < H; ++y)
      for (int x = 0; x < W; ++x) t.at4(0, c, y, x) = float((x + y + c) % 10) / 10.0f;
  return t;
}

std::string read_text(const std::string& path) {
  auto b = read_file_bytes(path, 1 << 22);
  REQUIRE_MESSAGE(b, b.error());
  return std::string(b->begin(), b->end());
}

bool load_zoo_model(Lab& lab, const std::string& name) {
  const std::string base = std::string(XMEDIA_SOURCE_DIR) + "/models/" + name;
  auto bytes = read_file_bytes(base + ".onnx", 1 << 24);
  REQUIRE_MESSAGE(bytes, bytes.error());
  Status s = lab.load_model(bytes->data(), bytes->size(), name + ".onnx", read_text(base + ".json"));
  REQUIRE_MESSAGE(s, s.error());
  return true;
}

// A Lab that reruns nothing by itself, on a zoo model and a phantom case.
void open_case(Lab& lab, const std::string& model, const std::string& scenario, uint64_t seed, float label) {
  lab.auto_rerun = false;
  load_zoo_model(lab, model);
  REQUIRE(lab.set_scenario(scenario));
  REQUIRE(lab.set_seed(seed));
  REQUIRE(lab.set_knob("label", label));
}

}  // namespace

TEST_SUITE("teach") {
  TEST_CASE("paint sets a disc of pixels, and only those") {
    Tensor img = ramp(1, 20, 20);
    EditList e;
    e.strokes.push_back({EditMode::PAINT, 3, 0.25f, {{10, 10}}});
    Tensor out = edits_apply(img, e);
    for (int y = 0; y < 20; ++y)
      for (int x = 0; x < 20; ++x) {
        const bool inside = (x - 10) * (x - 10) + (y - 10) * (y - 10) <= 9;
        CAPTURE(x);
        CAPTURE(y);
        CHECK(out.at4(0, 0, y, x) == (inside ? 0.25f : img.at4(0, 0, y, x)));
      }
  }

  TEST_CASE("a drag leaves no gaps between its points; restore erases; undo replays the rest") {
    Tensor img(Shape{1, 3, 32, 32}, 0.5f);
    EditList e;
    e.strokes.push_back({EditMode::PAINT, 2, 1.0f, {{2, 16}, {29, 16}}});
    Tensor a = edits_apply(img, e);
    for (int x = 2; x <= 29; ++x)
      for (int c = 0; c < 3; ++c) CHECK(a.at4(0, c, 16, x) == 1.0f);
    CHECK(a.at4(0, 0, 10, 16) == 0.5f);
    // Restore over the middle brings the original back there only.
    e.strokes.push_back({EditMode::RESTORE, 3, 0.0f, {{16, 16}}});
    Tensor b = edits_apply(img, e);
    CHECK(b.at4(0, 0, 16, 16) == 0.5f);
    CHECK(b.at4(0, 0, 16, 5) == 1.0f);
    // Undo = drop the last stroke and replay: the same pixels as before it.
    e.strokes.pop_back();
    CHECK(edits_apply(img, e).data == a.data);
    // Points off the image paint what falls inside and nothing else.
    EditList off;
    off.strokes.push_back({EditMode::PAINT, 4, 0.0f, {{-2, -2}}});
    Tensor c = edits_apply(img, off);
    CHECK(c.at4(0, 0, 0, 0) == 0.0f);
    CHECK(c.at4(0, 0, 5, 5) == 0.5f);
  }

  TEST_CASE("heal fills the brush with the mean of the ring around it") {
    // A bright 3x3 spot on a flat 0.2 background: healing it gives the background back.
    Tensor img(Shape{1, 1, 24, 24}, 0.2f);
    for (int y = 11; y <= 13; ++y)
      for (int x = 11; x <= 13; ++x) img.at4(0, 0, y, x) = 0.9f;
    EditList e;
    e.strokes.push_back({EditMode::HEAL, 3, 0.0f, {{12, 12}}});
    Tensor out = edits_apply(img, e);
    for (int y = 11; y <= 13; ++y)
      for (int x = 11; x <= 13; ++x) CHECK(out.at4(0, 0, y, x) == doctest::Approx(0.2f));
  }

  TEST_CASE("a stroke from far outside the image paints its path across it, and only that") {
    // Segments 280,000 pixels long: only the dabs near the 40x40 image are
    // computed, and those paint exactly the brush's path along the diagonal.
    Tensor img = ramp(1, 40, 40);
    for (EditMode mode : {EditMode::PAINT, EditMode::RESTORE}) {
      EditList e;
      e.strokes.push_back({EditMode::PAINT, 3, 0.5f, {{-100000, -100000}, {100000, 100000}, {-100000, -100000}}});
      if (mode == EditMode::RESTORE) e.strokes.push_back({EditMode::RESTORE, 3, 0.0f, {{100000, 100000}, {-100000, -100000}}});
      Tensor out = edits_apply(img, e);
      for (int y = 0; y < 40; ++y)
        for (int x = 0; x < 40; ++x) {
          const double d = std::fabs(x - y) / std::sqrt(2.0);  // distance from the diagonal
          CAPTURE(x);
          CAPTURE(y);
          CAPTURE(edit_mode_name(mode));
          if (mode == EditMode::RESTORE || d > 3) CHECK(out.at4(0, 0, y, x) == img.at4(0, 0, y, x));
          else if (d <= 2.2) CHECK(out.at4(0, 0, y, x) == 0.5f);
        }
    }
  }

  TEST_CASE("a link's edits are cut to a bounded amount of painting, and the cut is named") {
    // Issue 18, row 7: 2,047 points alternating between (-100000,-100000) and
    // (100000,100000), 30 kB, froze the page for 10 s at start-up and on every knob.
    std::string frag = "#v=1&case=cardiac_lge&seed=1&edit=p,1,0";
    for (int i = 0; i < 2047; ++i) frag += i % 2 ? ",100000,100000" : ",-100000,-100000";
    auto s = link_decode(frag);
    REQUIRE_MESSAGE(s, s.error());
    CHECK(edits_work(s->edits) <= EDIT_MAX_WORK);
    REQUIRE(s->edits.strokes.size() == 1);
    const size_t kept = s->edits.strokes[0].points.size();
    CHECK(kept > 1);
    CHECK(kept < 2047);
    CHECK(s->dropped == "edits: kept the first " + std::to_string(kept) + " of 2047 points; the rest would take too long to paint");
    // The same through a lesson step, and ordinary strokes are kept whole.
    auto j = json_parse("{\"scenario\": \"cardiac_lge\", \"edits\": \"" + frag.substr(frag.find("p,1")) + "\"}", "t");
    REQUIRE(j);
    auto l = link_from_json(*j, "lesson x, step 1");
    REQUIRE_MESSAGE(l, l.error());
    CHECK(edits_encode(l->edits) == edits_encode(s->edits));
    CHECK(l->dropped == s->dropped);
    auto ok = link_decode("#v=1&case=cardiac_lge&edit=p,64,0.5,0,0,127,127,0,127;h,4,0,5,5");
    REQUIRE_MESSAGE(ok, ok.error());
    CHECK(ok->dropped.empty());
    CHECK(edits_encode(ok->edits) == "p,64,0.5,0,0,127,127,0,127;h,4,0,5,5");
  }

  TEST_CASE("edits encode and decode exactly; bad text is refused with the stroke named") {
    EditList e;
    e.strokes.push_back({EditMode::PAINT, 4, 0.1f, {{60, 40}, {66, 44}}});
    e.strokes.push_back({EditMode::HEAL, 7, 0.0f, {{-2, 5}}});
    e.strokes.push_back({EditMode::RESTORE, 1, 0.0f, {{127, 127}, {0, 0}, {3, 3}}});
    const std::string text = edits_encode(e);
    CHECK(text == "p,4,0.100000001,60,40,66,44;h,7,0,-2,5;r,1,0,127,127,0,0,3,3");
    auto back = edits_decode(text);
    REQUIRE_MESSAGE(back, back.error());
    CHECK(edits_encode(*back) == text);
    REQUIRE(back->strokes.size() == 3);
    CHECK(back->strokes[0].value == 0.1f);
    CHECK(edits_decode("")->empty());
    for (const char* bad : {"x,4,0,1,1", "p,0,0,1,1", "p,999,0,1,1", "p,4,2,1,1", "p,4,0,1", "p,4,0", "p,4,nan,1,1", "p,4,0,1,a"}) {
      auto r = edits_decode(bad);
      CAPTURE(bad);
      CHECK_FALSE(r);
      if (!r) CHECK(r.error().find("edit stroke 1") != std::string::npos);
    }
  }

  TEST_CASE("a deep link round-trips every part of the state") {
    LinkState s;
    s.has_case = true;
    s.scenario = "chest_xray";
    s.seed = 2147483647;
    s.knobs = {{"marker", 1.0f}, {"size", 0.3f}};
    s.edits.strokes.push_back({EditMode::HEAL, 6, 0.0f, {{10, 12}, {14, 12}}});
    s.model = "chest_xray_shortcut";
    s.has_method = true;
    s.method = "kernel_shap";
    s.params = {{"features", "grid:8"}, {"baseline", "my file&x=1#.npy"}};
    s.target = 1;
    s.has_view = true;
    s.view.sign = HeatSign::NEGATIVE;
    s.view.colormap = HeatColormap::VIRIDIS;
    s.view.opacity = 0.35f;
    s.view.clip_percentile = 97.5f;
    s.view.outline = false;
    s.zoom = 2.5f;
    s.pan_x = 0.1f;
    s.pan_y = -0.2f;
    s.lesson = "shortcut";
    s.step = 3;
    const std::string frag = link_encode(s);
    // Parameter text with '&', '=', '#' and spaces must not break the fragment.
    CHECK(frag.find(' ') == std::string::npos);
    CHECK(frag.find('#') == std::string::npos);
    auto back = link_decode("#" + frag);
    REQUIRE_MESSAGE(back, back.error());
    const LinkState& b = *back;
    CHECK(b.has_case);
    CHECK(b.scenario == s.scenario);
    CHECK(b.seed == s.seed);
    CHECK(b.knobs == s.knobs);
    CHECK(edits_encode(b.edits) == edits_encode(s.edits));
    CHECK(b.model == s.model);
    CHECK(b.method == s.method);
    CHECK(b.params == s.params);
    CHECK(b.target == 1);
    CHECK(b.view.sign == HeatSign::NEGATIVE);
    CHECK(b.view.colormap == HeatColormap::VIRIDIS);
    CHECK(b.view.opacity == 0.35f);
    CHECK(b.view.clip_percentile == 97.5f);
    CHECK_FALSE(b.view.outline);
    CHECK(b.zoom == 2.5f);
    CHECK(b.pan_x == 0.1f);
    CHECK(b.pan_y == -0.2f);
    CHECK(b.lesson == "shortcut");
    CHECK(b.step == 3);
    CHECK(link_encode(b) == frag);
  }

  TEST_CASE("bad links are refused with a message, an empty one is an empty state") {
    auto empty = link_decode("#");
    REQUIRE(empty);
    CHECK_FALSE(empty->has_case);
    CHECK_FALSE(empty->has_method);
    for (const char* bad : {"v=2", "seed=-4", "seed=abc", "k.size=zz", "view=signed,auto,3,99,1", "view=foo",
                            "zoom=100,0,0", "edit=q,1,1,1,1", "m=x&t=-7", "case=a%2", "case=%zz"}) {
      CAPTURE(bad);
      auto r = link_decode(bad);
      CHECK_FALSE(r);
    }
    // Names are checked against what exists.
    auto r = link_decode("case=nosuch&m=saliency");
    REQUIRE(r);
    CHECK(link_validate(*r, "link").error().find("nosuch") != std::string::npos);
    auto k = link_decode("case=cardiac_lge&k.nosuchknob=1");
    REQUIRE(k);
    CHECK_FALSE(link_validate(*k, "link"));
    auto p = link_decode("m=saliency&p.steps=3");
    REQUIRE(p);
    CHECK(link_validate(*p, "link").error().find("steps") != std::string::npos);
  }

  TEST_CASE("every shipped lesson parses, has steps, and names things that exist") {
    namespace fs = std::filesystem;
    const fs::path dir = fs::path(XMEDIA_SOURCE_DIR) / "web" / "lessons";
    std::vector<std::string> ids, models;
    for (auto& f : fs::directory_iterator(fs::path(XMEDIA_SOURCE_DIR) / "models"))
      if (f.path().extension() == ".onnx") models.push_back(f.path().stem().string());
    int n = 0;
    for (auto& f : fs::directory_iterator(dir)) {
      if (f.path().extension() != ".json") continue;
      auto l = lesson_parse(read_text(f.path().string()), f.path().filename().string());
      REQUIRE_MESSAGE(l, l.error());
      CHECK(l->steps.size() >= 3);
      CHECK(std::find(ids.begin(), ids.end(), l->id) == ids.end());
      ids.push_back(l->id);
      // The first step sets up a whole state, so a lesson opened from anywhere starts the same way.
      CHECK(l->steps[0].state.has_case);
      CHECK_FALSE(l->steps[0].state.model.empty());
      CHECK(l->steps[0].state.has_method);
      for (auto& s : l->steps)
        if (!s.state.model.empty()) CHECK_MESSAGE(std::find(models.begin(), models.end(), s.state.model) != models.end(), s.state.model);
      ++n;
    }
    CHECK(n >= 4);
    for (const char* want : {"saliency", "integrated_gradients", "sanity_checks", "shortcut"})
      CHECK(std::find(ids.begin(), ids.end(), want) != ids.end());
  }

  TEST_CASE("lesson files with mistakes are refused, naming file and step") {
    auto r = lesson_parse(R"({"id":"x","title":"T","steps":[{"title":"a","text":"b","state":{"scenario":"cardiac_lge","knobs":{"sise":1}}}]})", "x.json");
    REQUIRE_FALSE(r);
    CHECK(r.error().find("x.json, step 1") != std::string::npos);
    CHECK_FALSE(lesson_parse(R"({"id":"x","title":"T","steps":[{"title":"a","text":"b","state":{"metod":"saliency"}}]})", "x.json"));
    CHECK_FALSE(lesson_parse(R"({"id":"Bad Id","title":"T","steps":[{"title":"a","text":"b"}]})", "x.json"));
    CHECK_FALSE(lesson_parse(R"({"id":"x","title":"T","steps":[]})", "x.json"));
    CHECK_FALSE(lesson_parse("{not json", "x.json"));
  }

  TEST_CASE("a lesson's parameter values are checked against the method's spec when it loads") {
    auto r = lesson_parse(
        R"({"id":"x","title":"T","steps":[{"title":"a","text":"b"},)"
        R"({"title":"c","text":"d","state":{"method":"integrated_gradients","params":{"steps":0}}}]})",
        "x.json");
    REQUIRE_FALSE(r);
    CHECK(r.error() == "x.json, step 2: integrated_gradients: parameter 'steps' must be an integer from 1 to 4096, got '0'");
    r = lesson_parse(R"({"id":"x","title":"T","steps":[{"title":"a","text":"b","state":)"
                     R"({"method":"grad_cam","params":{"upsample":"bicubic"}}}]})",
                     "x.json");
    REQUIRE_FALSE(r);
    CHECK(r.error().find("'upsample' must be one of bilinear, nearest") != std::string::npos);
    // Values the spec leaves to the method (an open choice) pass.
    CHECK(lesson_parse(R"({"id":"x","title":"T","steps":[{"title":"a","text":"b","state":)"
                       R"({"method":"integrated_gradients","params":{"steps":16,"baseline":"0.5"}}}]})",
                       "x.json"));
  }

  TEST_CASE("painting the scar away lowers the cardiac model's scar probability") {
    Lab lab;
    open_case(lab, "cardiac_lge", "cardiac_lge", 5, 1);
    const float before = lab.probabilities()[1];
    REQUIRE(before > 0.9f);
    // Heal drags across the scar's bounding box, row by row (what the e2e test does with the mouse).
    const Tensor& m = lab.mask();
    int x0 = 1 << 30, y0 = 1 << 30, x1 = -1, y1 = -1;
    for (int y = 0; y < int(m.dim(2)); ++y)
      for (int x = 0; x < int(m.dim(3)); ++x)
        if (m.at4(0, 0, y, x) > 0.5f) x0 = std::min(x0, x), y0 = std::min(y0, y), x1 = std::max(x1, x), y1 = std::max(y1, y);
    REQUIRE(x1 >= 0);
    EditList e;
    for (int y = y0; y <= y1; y += 4) e.strokes.push_back({EditMode::HEAL, 6, 0.0f, {{x0 - 2, y}, {x1 + 2, y}}});
    REQUIRE(lab.set_edits(e));
    const float after = lab.probabilities()[1];
    CHECK_MESSAGE(after < before - 0.3f, "before " << before << ", after " << after);
    CHECK(lab.original01().data != lab.image01().data);
    // A knob keeps the edits; a new seed drops them.
    REQUIRE(lab.set_knob("noise", 1.0f));
    CHECK(lab.edits().strokes.size() == e.strokes.size());
    REQUIRE(lab.set_seed(6));
    CHECK(lab.edits().empty());
    CHECK(lab.original01().data == lab.image01().data);
  }

  TEST_CASE("healing the burned-in marker takes the shortcut model's nodule away") {
    Lab lab;
    open_case(lab, "chest_xray_shortcut", "chest_xray", 7, 0);
    REQUIRE(lab.set_knob("marker", 1));
    const float with_marker = lab.probabilities()[1];
    // The stroke lesson 4 uses (web/lessons/4-shortcut.json).
    auto e = edits_decode("h,7,0,8,8,12,8,16,8,8,14,12,14,16,14,8,20,12,20,16,20");
    REQUIRE(e);
    REQUIRE(lab.set_edits(*e));
    const float healed = lab.probabilities()[1];
    CHECK_MESSAGE(with_marker > 0.5f, with_marker);
    CHECK_MESSAGE(healed < 0.5f, healed);
  }

  TEST_CASE("the occlusion probe is one forward pass on the occluded image") {
    Lab lab;
    open_case(lab, "cardiac_lge", "cardiac_lge", 5, 1);
    // The square over the scar's centre (from the ground-truth mask).
    const Tensor& m = lab.mask();
    double sx = 0, sy = 0, n = 0;
    for (int y = 0; y < int(m.dim(2)); ++y)
      for (int x = 0; x < int(m.dim(3)); ++x)
        if (m.at4(0, 0, y, x) > 0.5f) sx += x, sy += y, n += 1;
    REQUIRE(n > 0);
    const int cx = int(sx / n), cy = int(sy / n);
    std::vector<float> p;
    REQUIRE(lab.probe_occlusion(cx, cy, 16, 0.0f, &p));
    // Reference by hand: the square set to 0 in the [0,1] image, the card's normalisation, the engine.
    Tensor img = lab.image01();
    for (int y = cy - 8; y < cy + 8; ++y)
      for (int x = cx - 8; x < cx + 8; ++x)
        if (x >= 0 && y >= 0 && x < 128 && y < 128) img.at4(0, 0, y, x) = 0.0f;
    auto bytes = read_file_bytes(std::string(XMEDIA_SOURCE_DIR) + "/models/cardiac_lge.onnx", 1 << 24);
    REQUIRE(bytes);
    auto ref = native_backend_from_bytes(bytes->data(), bytes->size(), "ref");
    REQUIRE(ref);
    Tensor logits;
    REQUIRE((*ref)->logits(model_card_preprocess(lab.card(), img), &logits));
    const double z = std::exp(double(logits.data[0])) + std::exp(double(logits.data[1]));
    REQUIRE(p.size() == 2);
    CHECK(p[1] == doctest::Approx(std::exp(double(logits.data[1])) / z).epsilon(1e-5));
    CHECK(p[1] < lab.probabilities()[1] - 0.05f);  // hiding the scar lowers p(scar)
    CHECK_FALSE(lab.probe_occlusion(40, 50, 0, 0.0f, &p));
    CHECK_FALSE(lab.probe_occlusion(40, 50, 8, 2.0f, &p));
  }
}
