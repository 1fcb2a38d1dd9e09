#include <doctest/doctest.h>

#include <set>

#include "explain/explainer.h"
#include "state/param_kinds.h"

using namespace xm;

TEST_SUITE("param_kinds") {
  TEST_CASE("booleans, ranges, choices and free text are told apart") {
    ParamKind b = param_kind({"abs", "true", "take |gradient| first"});
    CHECK(b.type == ParamType::BOOL);

    ParamKind steps = param_kind({"steps", "50", "integration points, 1..4096 (2..4096 for the Riemann rules)"});
    CHECK(steps.type == ParamType::INT);
    CHECK(steps.has_range);
    CHECK(steps.lo == 1);
    CHECK(steps.hi == 4096);
    CHECK(steps.log_scale);

    ParamKind stdev = param_kind({"stdev", "0.15", "noise standard deviation as a fraction of the input range, 0..100"});
    CHECK(stdev.type == ParamType::FLOAT);
    CHECK(stdev.lo == 0);
    CHECK(stdev.hi == 100);
    CHECK_FALSE(stdev.log_scale);  // lo = 0: a log slider cannot start there

    ParamKind p = param_kind({"p", "0.5", "probability that a cell is kept, (0,1]"});
    CHECK(p.type == ParamType::FLOAT);
    CHECK(p.has_range);
    CHECK(p.hi == 1);

    ParamKind rule = param_kind({"rule", "gausslegendre",
                                 "riemann_left | riemann_right | riemann_middle | riemann_trapezoid | gausslegendre"});
    REQUIRE(rule.type == ParamType::CHOICE);
    CHECK(rule.choices.size() == 5);
    CHECK_FALSE(rule.open_choice);

    // Parenthesised remarks are not part of a choice.
    ParamKind up = param_kind({"upsample", "bilinear", "bilinear (align_corners=False) | nearest"});
    REQUIRE(up.type == ParamType::CHOICE);
    CHECK(up.choices == std::vector<std::string>{"bilinear", "nearest"});

    // "a number" and "a .npy path" make the choice open to typed values.
    ParamKind base = param_kind({"baseline", "zero", "value of a removed feature: zero | a number | blur | a .npy path"});
    REQUIRE(base.type == ParamType::CHOICE);
    CHECK(base.choices == std::vector<std::string>{"zero", "blur"});
    CHECK(base.open_choice);

    ParamKind feat = param_kind({"features", "grid:8", "grid:N (N x N cells) | slic:N (about N SLIC superpixels)"});
    CHECK(feat.type == ParamType::TEXT);

    ParamKind seed = param_kind({"seed", "0", "noise seed, 0..100"});
    CHECK(seed.type == ParamType::INT);
    CHECK(seed.is_seed);
    CHECK_FALSE(seed.has_range);  // any seed is valid

    ParamKind win = param_kind({"window", "16", "window size, 8 or 8x6 (height x width); at most the image size"});
    CHECK(win.type == ParamType::INT);
    CHECK_FALSE(win.has_range);
  }

  TEST_CASE("a range at the end of a sentence keeps its number") {
    double lo, hi;
    REQUIRE(param_parse_range("masks, 1..1000000.", &lo, &hi));
    CHECK(lo == 1);
    CHECK(hi == 1000000);
    CHECK_FALSE(param_parse_range("no range here", &lo, &hi));
    CHECK_FALSE(param_parse_range("10..1 backwards", &lo, &hi));
  }

  TEST_CASE("every registered method's parameters get a widget whose default is valid for it") {
    for (auto& m : explain_methods()) {
      for (auto& spec : m.params) {
        ParamKind k = param_kind(spec);
        CAPTURE(m.name);
        CAPTURE(spec.key);
        if (k.type == ParamType::CHOICE && !k.open_choice) {
          std::set<std::string> c(k.choices.begin(), k.choices.end());
          CHECK(c.count(spec.default_value) == 1);
        }
        if (k.has_range) {
          double v = std::atof(spec.default_value);
          CHECK(v >= k.lo);
          CHECK(v <= k.hi);
        }
      }
    }
  }
}
