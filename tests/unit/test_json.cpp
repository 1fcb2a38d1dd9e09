#include <doctest/doctest.h>

#include <random>

#include "core/json.h"

using namespace xm;

TEST_SUITE("json") {
  TEST_CASE("reads a model card") {
    auto r = json_parse(R"({"name":"cardiac_lge","classes":["no scar","scar"],
      "input":{"shape":[1,1,128,128],"mean":[0.25],"std":[0.5]},"ok":true,"x":null,"esc":"a\"b\u00e9"})", "card.json");
    REQUIRE(r);
    const Json& j = *r;
    CHECK(j["name"].str() == "cardiac_lge");
    CHECK(j["classes"].size() == 2);
    CHECK(j["classes"][1].str() == "scar");
    CHECK(j["input"]["shape"].numbers() == std::vector<double>{1, 1, 128, 128});
    CHECK(j["input"]["std"][0].num() == 0.5);
    CHECK(j["ok"].boolean());
    CHECK(j["x"].is_null());
    CHECK(j["esc"].str() == "a\"b\xc3\xa9");
    CHECK(j["missing"]["deeper"][3].is_null());  // chained lookups never crash
  }

  TEST_CASE("errors name the file and the offset") {
    auto r = json_parse("{\"a\": [1, 2,, 3]}", "bad.json");
    CHECK_FALSE(r);
    CHECK(r.error().find("bad.json") != std::string::npos);
    CHECK(r.error().find("byte 12") != std::string::npos);
    CHECK_FALSE(json_parse("", "e.json"));
    CHECK_FALSE(json_parse("{} x", "t.json"));
    CHECK_FALSE(json_parse(std::string(1000, '['), "deep.json"));
  }

  TEST_CASE("quote round-trips through the parser") {
    std::string s = "line\nquote\" back\\ tab\t ctl\x01";
    auto r = json_parse(json_quote(s), "q");
    REQUIRE(r);
    CHECK(r->str() == s);
  }

  TEST_CASE("random mutations never crash") {
    std::string base = R"({"a":[1,2.5e3,-4],"b":{"c":"d\n","e":[true,false,null]}})";
    std::mt19937 rng(3);
    for (int i = 0; i < 5000; ++i) {
      std::string t = base;
      for (int k = 0; k < 3; ++k) t[rng() % t.size()] = char(rng() % 128);
      t.resize(rng() % (t.size() + 1));
      (void)json_parse(t, "fuzz");
    }
    CHECK(json_parse(base, "base"));
  }
}
