// Every method's parameters as declared data (ParamSpec, wasm/explain/explainer.h):
// kinds, ranges and choices that the method's own parser agrees with, since the
// CLI's help, the page's widgets and the lesson checker are read from them.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdlib>
#include <regex>
#include <set>
#include <string>

#include "explain/explainer.h"

using namespace xm;

namespace {

bool is_integer(const std::string& s) {
  char* end = nullptr;
  std::strtoll(s.c_str(), &end, 10);
  return !s.empty() && *end == '\0';
}

// A value outside [lo, hi] as text, below when lo allows it, else above.
std::string outside(const ParamSpec& p, bool below) {
  char b[64];
  const double v = below ? p.lo - std::max(1.0, std::fabs(p.lo)) : p.hi + std::max(1.0, std::fabs(p.hi));
  if (p.kind == ParamKind::INT) std::snprintf(b, sizeof b, "%.0f", v);
  else std::snprintf(b, sizeof b, "%.17g", v);
  return b;
}

const ParamSpec& find_spec(const char* method, const char* key) {
  const MethodInfo* m = explain_find_method(method);
  REQUIRE(m);
  const ParamSpec* p = explain_find_param(*m, key);
  REQUIRE(p);
  return *p;
}

// A range as prose: "1..4096", "1e-12 .. 1e6", "(0,1]", ">= 0".
bool states_range(const std::string& help) {
  static const std::regex range(R"(\d\s*\.\.\s*-?\d|[(\[]\s*-?[\d.]+(e-?\d+)?\s*,\s*-?[\d.]+(e-?\d+)?\s*[)\]]|[<>]=?\s*-?\d)");
  return std::regex_search(help, range);
}

}  // namespace

TEST_SUITE("param_spec") {
  TEST_CASE("every method's every parameter has a kind, help and a default that its spec accepts") {
    for (auto& m : explain_methods()) {
      std::set<std::string> keys;
      for (auto& p : m.params) {
        CAPTURE(m.name);
        CAPTURE(p.key);
        CHECK(keys.insert(p.key).second);
        REQUIRE(p.default_value);
        REQUIRE(p.help);
        CHECK(std::string(p.help).size() > 3);
        const std::string def = p.default_value;
        switch (p.kind) {
          case ParamKind::BOOL: CHECK((def == "true" || def == "false")); break;
          case ParamKind::INT:
            REQUIRE(is_integer(def));
            CHECK(p.lo < p.hi);
            CHECK(std::atof(def.c_str()) >= p.lo);
            CHECK(std::atof(def.c_str()) <= p.hi);
            break;
          case ParamKind::FLOAT:
            CHECK(p.lo < p.hi);
            CHECK(std::atof(def.c_str()) >= p.lo);
            CHECK(std::atof(def.c_str()) <= p.hi);
            break;
          case ParamKind::SEED: CHECK(is_integer(def)); break;
          case ParamKind::SIZE: CHECK(p.image_side); break;
          case ParamKind::CHOICE: {
            REQUIRE(p.choices.size() >= 1);
            std::set<std::string> c(p.choices.begin(), p.choices.end());
            CHECK(c.size() == p.choices.size());
            CHECK(c.count(def) == 1);  // the default is one of the listed values
            if (!p.open) CHECK(p.choices.size() >= 2);
            break;
          }
          case ParamKind::TEXT: CHECK_FALSE(def.empty()); break;
        }
        // A log slider cannot start at 0; only numbers get sliders.
        if (p.log_scale) CHECK(p.lo > 0);
        if (p.slider) CHECK((p.kind == ParamKind::INT || p.kind == ParamKind::FLOAT));
        if (p.image_side) CHECK((p.kind == ParamKind::INT || p.kind == ParamKind::SIZE));
        CHECK(explain_check_params(m.name, {{p.key, def}}));
      }
      CAPTURE(m.name);
      CHECK(explainer_create(m.name, {}));  // the defaults together make a job
    }
  }

  TEST_CASE("each method's parser refuses what its spec's range and choices refuse, naming the key") {
    for (auto& m : explain_methods()) {
      for (auto& p : m.params) {
        CAPTURE(m.name);
        CAPTURE(p.key);
        std::vector<std::string> bad;
        if (p.kind == ParamKind::INT || p.kind == ParamKind::FLOAT) bad = {outside(p, true), outside(p, false), "x"};
        if (p.kind == ParamKind::SEED) bad = {"-1", "1.5"};
        if (p.kind == ParamKind::BOOL) bad = {"maybe"};
        if (p.kind == ParamKind::SIZE) bad = {"0", "8x", "65537"};
        if (p.kind == ParamKind::CHOICE && !p.open) bad = {"not_a_choice"};
        for (auto& v : bad) {
          CAPTURE(v);
          Status spec = explain_check_params(m.name, {{p.key, v}});
          auto job = explainer_create(m.name, {{p.key, v}});
          REQUIRE_FALSE(spec);
          REQUIRE_FALSE(job);
          CHECK(spec.error().find("'" + std::string(p.key) + "'") != std::string::npos);
          CHECK(job.error().find("'" + std::string(p.key) + "'") != std::string::npos);
        }
        // Both ends of a range are valid values to the spec.
        if (p.kind == ParamKind::INT || p.kind == ParamKind::FLOAT) {
          char lo[64], hi[64];
          std::snprintf(lo, sizeof lo, "%.17g", p.lo);
          std::snprintf(hi, sizeof hi, "%.17g", p.hi);
          CHECK(explain_check_params(m.name, {{p.key, lo}}));
          CHECK(explain_check_params(m.name, {{p.key, hi}}));
        }
        for (auto& c : p.choices) CHECK(explainer_create(m.name, {{p.key, c}}));
      }
    }
  }

  TEST_CASE("the spec's messages are the parser's: same words for the same mistake") {
    Status s = explain_check_params("integrated_gradients", {{"steps", "0"}});
    auto job = explainer_create("integrated_gradients", {{"steps", "0"}});
    REQUIRE_FALSE(s);
    REQUIRE_FALSE(job);
    CHECK(s.error() == "integrated_gradients: parameter 'steps' must be an integer from 1 to 4096, got '0'");
    CHECK(job.error() == s.error());
    s = explain_check_params("integrated_gradients", {{"rule", "simpson"}});
    CHECK(s.error() == "integrated_gradients: parameter 'rule' must be one of riemann_left, riemann_right, "
                       "riemann_middle, riemann_trapezoid, gausslegendre, got 'simpson'");
    CHECK(explain_check_params("smoothgrad", {{"stdev", "101"}}).error() ==
          "smoothgrad: parameter 'stdev' must be a number from 0 to 100, got '101'");
    CHECK(explain_check_params("lrp_epsilon", {{"epsilon", "0"}}).error() ==
          "lrp_epsilon: parameter 'epsilon' must be a number from 1e-12 to 1e+06, got '0'");
    CHECK(explain_check_params("saliency", {{"steps", "3"}}).error() ==
          "saliency: unknown parameter 'steps'; known: abs");
    CHECK(explain_check_params("no_such_method", {}).error().find("unknown method 'no_such_method'") == 0);
  }

  TEST_CASE("the spec checks kinds only: open choices and text are left to the method") {
    // A baseline may be a number or a path: the spec lets it through, the method decides when it runs.
    CHECK(explain_check_params("integrated_gradients", {{"baseline", "0.25"}}));
    CHECK(explain_check_params("integrated_gradients", {{"baseline", "somewhere/b.npy"}}));
    // A Riemann rule needs 2 steps: a rule of the method, not a range of the spec.
    CHECK(explain_check_params("integrated_gradients", {{"steps", "1"}, {"rule", "riemann_left"}}));
    CHECK_FALSE(explainer_create("integrated_gradients", {{"steps", "1"}, {"rule", "riemann_left"}}));
    CHECK(explain_check_params("lime", {{"features", "hexagons"}}));
    CHECK_FALSE(explainer_create("lime", {{"features", "hexagons"}}));
  }

  TEST_CASE("each kind has its own name in the test API") {
    std::set<std::string> names;
    for (ParamKind k : {ParamKind::BOOL, ParamKind::INT, ParamKind::FLOAT, ParamKind::SIZE, ParamKind::CHOICE,
                        ParamKind::TEXT, ParamKind::SEED})
      names.insert(param_kind_name(k));
    CHECK(names == std::set<std::string>{"bool", "int", "float", "size", "choice", "text", "seed"});
  }

  TEST_CASE("the help says only what the spec cannot: no range and no list of the spec's own choices") {
    // The pattern catches the forms the help strings used before the spec rendered them.
    for (const char* old : {"noisy copies, 1..100000", "stabiliser, 1e-12..1e6", "probability, (0,1]",
                            "weight, >= 1", "sigma, 0..1000"})
      CHECK_MESSAGE(states_range(old), old);
    for (const char* fine : {"(Captum's default 1e-9)", "grid:N (N x N cells)", "8 or 8x6 (height x width)",
                             "at least 2 for the Riemann rules"})
      CHECK_FALSE_MESSAGE(states_range(fine), fine);
    for (auto& m : explain_methods()) {
      for (auto& p : m.params) {
        CAPTURE(m.name);
        CAPTURE(p.key);
        const std::string h = p.help;
        CAPTURE(h);
        CHECK_FALSE(states_range(h));
        for (auto& c : p.choices) {
          CHECK(h.find(c + " |") == std::string::npos);
          CHECK(h.find("| " + c) == std::string::npos);
        }
      }
    }
  }

  TEST_CASE("param_describe renders the range or the choices, then the help") {
    CHECK(param_describe(find_spec("integrated_gradients", "steps")) ==
          "1..4096; integration points; at least 2 for the Riemann rules, as Captum asserts");
    CHECK(param_describe(find_spec("integrated_gradients", "rule")) ==
          "riemann_left | riemann_right | riemann_middle | riemann_trapezoid | gausslegendre; the quadrature rule "
          "along the path");
    CHECK(param_describe(find_spec("integrated_gradients", "baseline")) ==
          "zero | blur | uniform | a number | a .npy path with the input's shape");
    CHECK(param_describe(find_spec("lime", "baseline")) ==
          "zero | blur | a number | a .npy path; the value of a removed feature");
    CHECK(param_describe(find_spec("lrp_alpha_beta", "epsilon")) == "1e-12..1e6; stabiliser of each layer's denominators");
    CHECK(param_describe(find_spec("lime", "kernel_width")) == "1e-6..1e6; width of the exponential similarity kernel");
    CHECK(param_describe(find_spec("rise", "p")) == "(0,1]; probability that a cell is kept");
    CHECK(param_describe(find_spec("rise", "masks")) == "1..1000000; number of masks");
    CHECK(param_describe(find_spec("smoothgrad", "stdev")) ==
          "0..100; noise standard deviation as a fraction of the input range");
    CHECK(param_describe(find_spec("rise", "seed")) == "0..2^63-1; mask seed");
    CHECK(param_describe(find_spec("occlusion", "window")) ==
          "8 or 8x6 (height x width), each 1..65536; window size, at most the image size");
    CHECK(param_describe(find_spec("lime", "features")) == find_spec("lime", "features").help);
    CHECK(param_describe(find_spec("saliency", "abs")) == find_spec("saliency", "abs").help);
    CHECK(param_describe(param_float("x", "1", 0.25, 2.5, "h")) == "0.25..2.5; h");
    CHECK(param_describe(param_float("x", "1", -1, 1, "h").above_lo()) == "(-1,1]; h");
  }

  TEST_CASE("explain --help shows each parameter's rendered line") {
    for (auto& m : explain_methods()) {
      const std::string h = explain_method_help(m);
      for (auto& p : m.params) {
        CAPTURE(m.name);
        CAPTURE(p.key);
        CHECK(h.find(param_describe(p) + "\n") != std::string::npos);
      }
    }
  }

  TEST_CASE("a spec whose low end is open: its method refuses that end") {
    int open = 0;
    for (auto& m : explain_methods()) {
      for (auto& p : m.params) {
        if (!p.lo_open) continue;
        CAPTURE(m.name);
        CAPTURE(p.key);
        ++open;
        CHECK(p.kind == ParamKind::FLOAT);
        char lo[64];
        std::snprintf(lo, sizeof lo, "%.17g", p.lo);
        auto job = explainer_create(m.name, {{p.key, lo}});
        REQUIRE_FALSE(job);
        CHECK(job.error().find("'" + std::string(p.key) + "'") != std::string::npos);
      }
    }
    CHECK(open >= 1);
    CHECK(find_spec("rise", "p").lo_open);
  }

  TEST_CASE("the page's widgets: the kinds and ranges the methods declare") {
    ParamSpec steps = find_spec("integrated_gradients", "steps");
    CHECK(steps.kind == ParamKind::INT);
    CHECK(steps.lo == 1);
    CHECK(steps.hi == 4096);
    CHECK(steps.slider);
    CHECK(steps.log_scale);
    ParamSpec rule = find_spec("integrated_gradients", "rule");
    CHECK(rule.kind == ParamKind::CHOICE);
    CHECK(rule.choices.size() == 5);
    CHECK_FALSE(rule.open);
    ParamSpec base = find_spec("integrated_gradients", "baseline");
    CHECK(base.kind == ParamKind::CHOICE);
    CHECK(base.choices == std::vector<std::string>{"zero", "blur", "uniform"});
    CHECK(base.open);
    CHECK(find_spec("lime", "baseline").choices == std::vector<std::string>{"zero", "blur"});
    CHECK(find_spec("guided_grad_cam", "upsample").choices == std::vector<std::string>{"nearest", "bilinear"});
    CHECK(find_spec("smoothgrad", "seed").kind == ParamKind::SEED);
    CHECK(find_spec("occlusion", "window").kind == ParamKind::SIZE);
    CHECK(find_spec("rise", "cell").image_side);
    CHECK(find_spec("rise", "p").slider);
    CHECK(find_spec("lime", "features").kind == ParamKind::TEXT);
    CHECK(find_spec("grad_cam", "relu").kind == ParamKind::BOOL);
    // Wide ranges that are bounds, not spans to slide over, stay number fields.
    CHECK_FALSE(find_spec("occlusion", "blur_sigma").slider);
    CHECK_FALSE(find_spec("lime", "kernel_width").slider);
  }
}
