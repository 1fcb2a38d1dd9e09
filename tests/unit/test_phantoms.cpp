#include <doctest/doctest.h>

#include <cmath>
#include <cstring>

#include "phantoms/phantom.h"
#include "phantoms/phantom_render.h"
#include "phantoms/phantom_util.h"

using namespace xm;

namespace {
PhantomCase gen(const std::string& sc, uint64_t seed, std::vector<std::pair<std::string, float>> knobs) {
  Result<PhantomSpec> spec = phantom_spec(sc);
  REQUIRE(spec);
  for (auto& kv : knobs) REQUIRE_MESSAGE(phantom_set_knob(*spec, kv.first, kv.second).is_ok(), sc << " " << kv.first);
  Result<PhantomCase> c = phantom_generate(*spec, seed);
  REQUIRE_MESSAGE(c, c.error());
  return c.take();
}

double mask_area(const PhantomCase& c) {
  double a = 0;
  for (float v : c.mask.data) a += v;
  return a;
}

// Mean of channel-summed intensity inside the mask, and in a ring 2..5 pixels around it.
void inside_ring_means(const PhantomCase& c, double* in, double* ring) {
  const int n = PHANTOM_SIZE, ch = int(c.image.dim(1));
  double si = 0, sr = 0;
  int ni = 0, nr = 0;
  for (int y = 0; y < n; ++y)
    for (int x = 0; x < n; ++x) {
      double v = 0;
      for (int k = 0; k < ch; ++k) v += c.image.at4(0, k, y, x);
      if (c.mask.at4(0, 0, y, x) > 0.5f) {
        si += v;
        ++ni;
        continue;
      }
      int best = 99;
      for (int dy = -5; dy <= 5; ++dy)
        for (int dx = -5; dx <= 5; ++dx) {
          int xx = x + dx, yy = y + dy;
          if (xx >= 0 && yy >= 0 && xx < n && yy < n && c.mask.at4(0, 0, yy, xx) > 0.5f) {
            int d = std::abs(dx) > std::abs(dy) ? std::abs(dx) : std::abs(dy);
            if (d < best) best = d;
          }
        }
      if (best >= 2 && best <= 5) {
        sr += v;
        ++nr;
      }
    }
  REQUIRE(ni > 0);
  REQUIRE(nr > 0);
  *in = si / ni;
  *ring = sr / nr;
}
}  // namespace

TEST_SUITE("phantom_util") {
  TEST_CASE("portable math matches the reference functions") {
    for (float x = -20.0f; x <= 20.0f; x += 0.37f) {
      CHECK(phantom::pexp(x) == doctest::Approx(std::exp(x)).epsilon(2e-6));
      CHECK(phantom::psin(x) == doctest::Approx(std::sin(x)).epsilon(1e-5).scale(1.0));
      CHECK(phantom::pcos(x) == doctest::Approx(std::cos(x)).epsilon(1e-5).scale(1.0));
      CHECK(phantom::patan2(x, 3.0f) == doctest::Approx(std::atan2(x, 3.0f)).epsilon(1e-6));
      CHECK(phantom::patan2(-1.0f, x) == doctest::Approx(std::atan2(-1.0f, x)).epsilon(1e-6));
    }
    for (float x = 1e-6f; x < 1e6f; x *= 3.3f) CHECK(phantom::plog(x) == doctest::Approx(std::log(x)).epsilon(1e-6).scale(1.0));
  }

  TEST_CASE("streams repeat for a seed, differ between seeds, and gauss has unit variance") {
    // The words themselves are checked against the reference in test_xoshiro.cpp.
    phantom::Rng r(0, 0);
    phantom::Rng same(0, 0), other(1, 0);
    CHECK(r.next() == same.next());
    CHECK(r.next() != other.next());
    phantom::Rng g(7, 1);
    double s = 0, s2 = 0;
    const int N = 20000;
    for (int i = 0; i < N; ++i) {
      double v = g.gauss();
      s += v;
      s2 += v * v;
    }
    CHECK(std::fabs(s / N) < 0.03);
    CHECK(s2 / N == doctest::Approx(1.0).epsilon(0.04));
    phantom::Rng u(9, 2);
    for (int i = 0; i < 1000; ++i) {
      int k = u.integer(-2, 3);
      CHECK((k >= -2 && k <= 3));
    }
  }
}

TEST_SUITE("phantoms") {
  TEST_CASE("the opening case is a scenario, and every scenario has a title") {
    CHECK(phantom_spec(PHANTOM_OPENING_SCENARIO));
    CHECK(phantom_title(PHANTOM_OPENING_SCENARIO) == std::string("Cardiac LGE MRI"));
    for (const std::string& sc : phantom_scenarios()) {
      const char* t = phantom_title(sc);
      REQUIRE_MESSAGE(t != nullptr, sc);
      CHECK_MESSAGE(std::string(t) != sc, sc);
    }
    CHECK(phantom_title("no_such_scenario") == nullptr);
  }

  TEST_CASE("every scenario: shape, range, 8-bit levels, determinism") {
    for (auto& sc : phantom_scenarios()) {
      int ch = phantom_channels(sc);
      PhantomCase a = gen(sc, 12345, {});
      PhantomCase b = gen(sc, 12345, {});
      PhantomCase c = gen(sc, 12346, {});
      CHECK_MESSAGE(a.image.shape == Shape({1, ch, 128, 128}), sc);
      CHECK(a.mask.shape == Shape({1, 1, 128, 128}));
      CHECK_MESSAGE(std::memcmp(a.image.ptr(), b.image.ptr(), a.image.numel() * 4) == 0, sc << ": same seed, different bytes");
      CHECK(a.mask.data == b.mask.data);
      CHECK(a.label == b.label);
      CHECK_MESSAGE(a.image.data != c.image.data, sc << ": different seeds gave the same image");
      bool ok = true;
      for (float v : a.image.data) ok = ok && v >= 0.0f && v <= 1.0f && std::fabs(v * 255.0f - std::round(v * 255.0f)) < 1e-3f;
      CHECK_MESSAGE(ok, sc << ": values outside [0,1] or not on 8-bit levels");
      float lo = 1, hi = 0;
      for (float v : a.image.data) lo = v < lo ? v : lo, hi = v > hi ? v : hi;
      CHECK_MESSAGE(hi - lo > 0.5f, sc << ": image has little contrast");
    }
  }

  TEST_CASE("masks agree with labels; labels from the seed are balanced") {
    for (auto& sc : phantom_scenarios()) {
      int positives = 0;
      for (uint64_t seed = 100; seed < 130; ++seed) {
        PhantomCase c = gen(sc, seed, {});
        bool binary = true;
        for (float v : c.mask.data) binary = binary && (v == 0.0f || v == 1.0f);
        CHECK(binary);
        if (c.label == 0) CHECK_MESSAGE(mask_area(c) == 0.0, sc << " seed " << seed);
        else CHECK_MESSAGE(mask_area(c) > 0.0, sc << " seed " << seed);
        positives += c.label;
        PhantomCase forced = gen(sc, seed, {{"label", 1.0f}, {"size", 0.25f}});
        CHECK_MESSAGE(forced.label == 1, sc);
        CHECK_MESSAGE(mask_area(forced) > 0.0, sc << " seed " << seed << " tiny lesion lost its mask");
      }
      CHECK_MESSAGE((positives >= 7 && positives <= 23), sc << ": " << positives << "/30 positive");
    }
  }

  TEST_CASE("the evidence sits in the anatomy, not on the background") {
    for (auto& sc : phantom_scenarios()) {
      for (uint64_t seed = 1; seed <= 6; ++seed) {
        PhantomCase c = gen(sc, seed, {{"label", 1.0f}, {"noise", 0.0f}});
        double in, ring;
        inside_ring_means(c, &in, &ring);
        CHECK_MESSAGE(ring > 0.04, sc << " seed " << seed << ": lesion surrounded by black background");
        // Border pixels of the image never carry evidence.
        bool border = false;
        for (int i = 0; i < 128; ++i)
          border = border || c.mask.at4(0, 0, 0, i) > 0 || c.mask.at4(0, 0, 127, i) > 0 || c.mask.at4(0, 0, i, 0) > 0 || c.mask.at4(0, 0, i, 127) > 0;
        CHECK_FALSE(border);
      }
    }
  }

  TEST_CASE("knobs change what they claim") {
    for (auto& sc : phantom_scenarios()) {
      for (uint64_t seed = 3; seed <= 4; ++seed) {
        CAPTURE(sc);
        CAPTURE(seed);
        std::vector<std::pair<std::string, float>> fixed = {{"label", 1.0f}};
        if (sc == "fundus") fixed.push_back({"kind", 1.0f});
        if (sc == "liver_ct" || sc == "fundus") fixed.push_back({"count", 1.0f});
        auto with = [&](std::vector<std::pair<std::string, float>> k) {
          auto all = fixed;
          all.insert(all.end(), k.begin(), k.end());
          return gen(sc, seed, all);
        };
        // size: a bigger lesion has a bigger mask.
        CHECK(mask_area(with({{"size", 0.6f}})) < mask_area(with({{"size", 1.6f}})));
        // contrast: 0 makes the lesion invisible (the image equals label 0's),
        // more contrast moves the inside away from its surroundings more.
        double in0, r0, in1, r1, in2, r2;
        inside_ring_means(with({{"contrast", 0.0f}, {"noise", 0.0f}}), &in0, &r0);
        inside_ring_means(with({{"contrast", 1.0f}, {"noise", 0.0f}}), &in1, &r1);
        inside_ring_means(with({{"contrast", 0.5f}, {"noise", 0.0f}}), &in2, &r2);  // below saturation
        // The lesion's own contribution to the inside-minus-around difference.
        double d1 = (in1 - r1) - (in0 - r0), d2 = (in2 - r2) - (in0 - r0);
        CHECK(std::fabs(d1) > 0.02);
        CHECK(std::fabs(d1) > 1.3 * std::fabs(d2));
        CHECK(d1 * d2 > 0);
        PhantomCase c0 = with({{"contrast", 0.0f}, {"noise", 0.0f}});
        PhantomCase neg = gen(sc, seed, {{"label", 0.0f}, {"noise", 0.0f}});
        double diff = 0;
        for (size_t i = 0; i < c0.image.numel(); ++i) diff = std::fmax(diff, std::fabs(c0.image.data[i] - neg.image.data[i]));
        CHECK_MESSAGE(diff <= 1.5 / 255.0, sc << ": contrast 0 should hide the lesion, max diff " << diff);
        // noise: the residual against the noise-free image grows with the knob.
        PhantomCase clean = with({{"noise", 0.0f}});
        auto resid = [&](float k) {
          PhantomCase c = with({{"noise", k}});
          double s = 0;
          for (size_t i = 0; i < c.image.numel(); ++i) s += double(c.image.data[i] - clean.image.data[i]) * (c.image.data[i] - clean.image.data[i]);
          return std::sqrt(s / double(c.image.numel()));
        };
        double n1 = resid(1.0f), n3 = resid(3.0f);
        CHECK(n1 > 0.004);
        CHECK(n3 > 2.0 * n1);
        // The anatomy does not move when a lesion knob turns: the mask of a
        // label-1 case is the same whatever the contrast or noise.
        CHECK(with({{"contrast", 0.3f}}).mask.data == with({{"noise", 2.0f}}).mask.data);
      }
    }
  }

  TEST_CASE("chest_xray marker burns into the top-left corner only") {
    for (uint64_t seed = 1; seed <= 5; ++seed) {
      PhantomCase off = gen("chest_xray", seed, {{"marker", 0.0f}});
      PhantomCase on = gen("chest_xray", seed, {{"marker", 1.0f}});
      int changed_corner = 0, changed_elsewhere = 0;
      for (int y = 0; y < 128; ++y)
        for (int x = 0; x < 128; ++x) {
          bool ch = on.image.at4(0, 0, y, x) != off.image.at4(0, 0, y, x);
          if (x < 24 && y < 24) changed_corner += ch;
          else changed_elsewhere += ch;
        }
      CHECK(changed_corner >= 40);
      CHECK(changed_elsewhere == 0);
      CHECK(on.mask.data == off.mask.data);
    }
  }

  TEST_CASE("cardiac scar lies in the myocardium at the requested angle") {
    for (float angle : {0.0f, 90.0f, 180.0f, 270.0f}) {
      PhantomCase c = gen("cardiac_lge", 21, {{"label", 1.0f}, {"angle", angle}, {"size", 0.5f}});
      double sx = 0, sy = 0, n = 0;
      for (int y = 0; y < 128; ++y)
        for (int x = 0; x < 128; ++x)
          if (c.mask.at4(0, 0, y, x) > 0.5f) sx += x, sy += y, n += 1;
      REQUIRE(n > 0);
      PhantomCase other = gen("cardiac_lge", 21, {{"label", 1.0f}, {"angle", std::fmod(angle + 180.0f, 360.0f)}, {"size", 0.5f}});
      double ox = 0, oy = 0, m = 0;
      for (int y = 0; y < 128; ++y)
        for (int x = 0; x < 128; ++x)
          if (other.mask.at4(0, 0, y, x) > 0.5f) ox += x, oy += y, m += 1;
      REQUIRE(m > 0);
      // The two opposite scars' centroids differ along the requested direction.
      double vx = sx / n - ox / m, vy = sy / n - oy / m;
      double ang = angle * 3.14159265 / 180.0;
      CHECK_MESSAGE(vx * std::cos(ang) + vy * std::sin(ang) > 8.0, "angle " << angle);
    }
  }

  TEST_CASE("liver lesions sit on liver parenchyma and are visible at the default knobs") {
    // The label-0 image of a seed is the same anatomy without lesions (lesions
    // draw from their own random stream), so it shows what each lesion covers.
    // Soft-tissue window W400/L50: liver 95-120 HU is 0.61-0.68, vessels up to
    // ~0.8, fat and air near 0, kidney cortex and bone above 0.8.
    for (uint64_t seed = 1; seed <= 40; ++seed) {
      PhantomCase pos = gen("liver_ct", seed, {{"label", 1.0f}, {"noise", 0.0f}});
      PhantomCase neg = gen("liver_ct", seed, {{"label", 0.0f}, {"noise", 0.0f}});
      double before = 0, drop = 0, lo = 1, hi = 0;
      int n = 0;
      for (size_t i = 0; i < pos.mask.numel(); ++i) {
        if (pos.mask.data[i] < 0.5f) continue;
        double v = neg.image.data[i];
        before += v;
        drop += v - pos.image.data[i];
        lo = v < lo ? v : lo;
        hi = v > hi ? v : hi;
        ++n;
      }
      REQUIRE(n > 0);
      before /= n;
      drop /= n;
      CAPTURE(seed);
      CHECK_MESSAGE((lo > 0.45 && hi < 0.86), "lesion overlaps non-liver tissue: " << lo << ".." << hi);
      CHECK_MESSAGE((before > 0.58 && before < 0.74), "mean under the lesion " << before);
      // At least ~25 HU darker on average (0.0625 in the window) after partial volume: above the noise.
      CHECK_MESSAGE(drop > 0.0625, "lesion only " << drop * 400 << " HU below its surroundings");
    }
  }

  TEST_CASE("bad knobs and scenarios are refused with a message") {
    CHECK_FALSE(phantom_spec("mammogram"));
    CHECK(phantom_spec("mammogram").error().find("cardiac_lge") != std::string::npos);
    CHECK_FALSE(phantom_knobs("x"));
    Result<PhantomSpec> s = phantom_spec("chest_xray");
    REQUIRE(s);
    Status e = phantom_set_knob(*s, "sizee", 1.0f);
    CHECK_FALSE(e);
    CHECK(e.error().find("sizee") != std::string::npos);
    CHECK_FALSE(phantom_set_knob(*s, "size", 99.0f));
    CHECK_FALSE(phantom_set_knob(*s, "size", std::nanf("")));
    CHECK_FALSE(phantom_set_knob(*s, "label", 0.5f));
    CHECK_FALSE(phantom_set_knob(*s, "marker", std::string("maybe")));
    CHECK_FALSE(phantom_set_knob(*s, "noise", std::string("")));
    CHECK(phantom_set_knob(*s, "marker", std::string("on")));
    CHECK(*phantom_get_knob(*s, "marker") == 1.0f);
    s->values[1] = 1e9f;  // a hand-edited spec is re-checked
    CHECK_FALSE(phantom_generate(*s, 1));
    for (auto& sc : phantom_scenarios()) {
      auto knobs = phantom_knobs(sc);
      REQUIRE(knobs);
      for (auto& k : *knobs) {
        CHECK_MESSAGE((k.min <= k.def && k.def <= k.max), sc << "." << k.name);
        CHECK_FALSE(k.help.empty());
      }
    }
  }

  TEST_CASE("contact sheet tiles and outlines") {
    Result<Image8> sheet = phantom_contact_sheet({"liver_ct", "fundus"}, 5, 4, {{"label", "1"}});
    REQUIRE(sheet);
    CHECK(sheet->width == 4 * (128 + 4) + 4);
    CHECK(sheet->height == 2 * (128 + 12 + 4) + 4);
    int yellow = 0;
    for (size_t i = 0; i + 2 < sheet->pixels.size(); i += 3)
      yellow += sheet->pixels[i] == 255 && sheet->pixels[i + 1] == 230 && sheet->pixels[i + 2] == 0;
    CHECK(yellow > 20);
    CHECK_FALSE(phantom_contact_sheet({"nope"}, 1, 4, {}));
  }
}
