#include <doctest/doctest.h>

#include <limits>

#include "core/json.h"
#include "state/app_state.h"

using namespace xm;

namespace {
std::string status_of(const AppState& s) {
  JsonWriter w;
  w.begin_object();
  app_state_write(w, s);
  w.end_object();
  return w.take();
}
}  // namespace

TEST_SUITE("app_state") {
  TEST_CASE("status JSON carries every field the test API promises") {
    AppState s;
    s.model = "cardiac \"lge\"";
    s.image = "case 7";
    s.prediction = {0.25f, 0.75f};
    s.class_names = {"no scar", "scar"};
    const std::string j = status_of(s);
    for (const char* key : {"\"model\":", "\"backend\":\"native\"", "\"image\":\"case 7\"", "\"method\":", "\"busy\":false",
                            "\"progress\":0", "\"prediction\":[0.25,0.75]", "\"last\":null", "\"errors\":[]"})
      CHECK_MESSAGE(j.find(key) != std::string::npos, key, " missing in ", j);
    CHECK(j.find("cardiac \\\"lge\\\"") != std::string::npos);  // quotes escaped
    CHECK(j.find("\"classes\":[\"no scar\",\"scar\"]") != std::string::npos);
    CHECK(j.back() == '}');
  }

  TEST_CASE("last run and errors are reported, errors capped") {
    AppState s;
    s.has_last = true;
    s.last = {"saliency", 12.5, 1};
    for (int i = 0; i < 30; ++i) app_push_error(s, "e" + std::to_string(i), 20);
    CHECK(s.errors.size() == 20);
    CHECK(s.errors.front() == "e10");
    const std::string j = status_of(s);
    CHECK(j.find("\"last\":{\"method\":\"saliency\",\"ms\":12.5,\"passes\":1}") != std::string::npos);
    CHECK(j.find("\"errors\":[\"e10\",") != std::string::npos);
  }

  TEST_CASE("a progress that is not a number is null, and the status still parses") {
    AppState s;
    s.progress = std::numeric_limits<double>::quiet_NaN();
    s.prediction = {std::numeric_limits<float>::infinity(), 0.5f};
    const std::string j = status_of(s);
    CHECK(j.find("\"progress\":null") != std::string::npos);
    CHECK(j.find("\"prediction\":[null,0.5]") != std::string::npos);
    auto r = json_parse(j, "status");
    REQUIRE(r);
    CHECK((*r)["frames"].num(-1) == 0);
  }
}
