#include <doctest/doctest.h>

#include "state/app_state.h"

using namespace xm;

TEST_SUITE("app_state") {
  TEST_CASE("status JSON carries every field the test API promises") {
    AppState s;
    s.model = "cardiac \"lge\"";
    s.image = "case 7";
    s.prediction = {0.25f, 0.75f};
    s.class_names = {"no scar", "scar"};
    std::string j = app_status_json(s);
    for (const char* key : {"\"model\":", "\"backend\":\"native\"", "\"image\":\"case 7\"", "\"method\":", "\"busy\":false",
                            "\"progress\":0", "\"prediction\":[0.25,0.75]", "\"last\":null", "\"errors\":[]"})
      CHECK_MESSAGE(j.find(key) != std::string::npos, key, " missing in ", j);
    CHECK(j.find("cardiac \\\"lge\\\"") != std::string::npos);  // quotes escaped
  }

  TEST_CASE("last run and errors are reported, errors capped") {
    AppState s;
    s.has_last = true;
    s.last = {"saliency", 12.5, 1};
    for (int i = 0; i < 30; ++i) app_push_error(s, "e" + std::to_string(i), 20);
    CHECK(s.errors.size() == 20);
    CHECK(s.errors.front() == "e10");
    std::string j = app_status_json(s);
    CHECK(j.find("\"last\":{\"method\":\"saliency\",\"ms\":12.5,\"passes\":1}") != std::string::npos);
  }
}
