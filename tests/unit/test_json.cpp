#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <random>

#include "core/json.h"
#include "core/json_writer.h"

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

  TEST_CASE("the writer puts commas between members and items, at every depth") {
    JsonWriter w;
    w.begin_object();
    w.key("a").integer(1);
    w.key("b").begin_array().integer(2).begin_object().key("c").boolean(true).key("d").null().end_object().begin_array().end_array().end_array();
    w.key("e").begin_object().end_object();
    w.end_object();
    CHECK(w.text() == R"({"a":1,"b":[2,{"c":true,"d":null},[]],"e":{}})");
    auto r = json_parse(w.text(), "w");
    REQUIRE(r);
    CHECK((*r)["b"][1]["c"].boolean());
  }

  TEST_CASE("the spaced style puts a space after every comma and colon") {
    JsonWriter w(JsonWriter::Style::SPACED);
    w.begin_object().key("scenario").str("fundus").key("knobs").begin_object().key("noise").num(0.05, 6).key("size").integer(3).end_object().end_object();
    CHECK(w.text() == R"({"scenario": "fundus", "knobs": {"noise": 0.05, "size": 3}})");
  }

  TEST_CASE("NaN and infinities are null in every number form") {
    const double nan = std::numeric_limits<double>::quiet_NaN(), inf = std::numeric_limits<double>::infinity();
    JsonWriter w;
    w.begin_array().num(nan).num(inf).num(-inf, 6).fixed(nan, 3).fixed(-inf, 6).nums(std::vector<float>{1.5f, float(nan)}).end_array();
    CHECK(w.text() == "[null,null,null,null,null,[1.5,null]]");
    CHECK(json_number(nan) == "null");
    CHECK(json_parse(w.text(), "nan"));
  }

  TEST_CASE("numbers keep the forms the outputs have always printed") {
    CHECK(json_number(0.1) == "0.1");                      // %.9g
    CHECK(json_number(double(0.1f)) == "0.100000001");     // a float's 9 digits
    CHECK(json_number(-0.909313202) == "-0.909313202");
    CHECK(json_number(1e-12) == "1e-12");
    CHECK(json_number(2) == "2");
    CHECK(json_number(0.123456789, 6) == "0.123457");      // %g
    CHECK(json_number(0.1, 17) == "0.10000000000000001");  // %.17g: a double's round trip
    JsonWriter w;
    w.begin_array().fixed(12.5, 6).fixed(0.25, 4).fixed(1.0 / 3, 3).integer(-7).integer(uint64_t(1) << 40).integer(uint64_t(18446744073709551615ull)).end_array();
    CHECK(w.text() == "[12.500000,0.2500,0.333,-7,1099511627776,18446744073709551615]");
    // 9 digits bring a float back exactly
    for (float f : {0.1f, 1.0f / 3, 123456.789f, 1e-30f, 3.4e38f}) {
      auto r = json_parse(json_number(f), "f");
      REQUIRE(r);
      CHECK(float(r->num()) == f);
    }
  }

  TEST_CASE("strings and keys are quoted and escaped once") {
    JsonWriter w;
    w.begin_object().key("k\"ey").str("a\"b\\c\nd\te\x01").key("list").strs({"x", "y\""}).end_object();
    CHECK(w.text() == "{\"k\\\"ey\":\"a\\\"b\\\\c\\nd\\te\\u0001\",\"list\":[\"x\",\"y\\\"\"]}");
    auto r = json_parse(w.text(), "s");
    REQUIRE(r);
    CHECK((*r)["k\"ey"].str() == "a\"b\\c\nd\te\x01");
    CHECK((*r)["list"][1].str() == "y\"");
  }
}

