#include <doctest/doctest.h>

#include "image/model_card.h"

using namespace xm;

TEST_SUITE("model_card") {
  TEST_CASE("parses input shape and normalisation, and preprocessing inverts") {
    auto c = model_card_parse(R"({"name":"m","classes":["a","b"],"input":{"shape":[1,3,8,6],"mean":[0.5,0.4,0.3],"std":[0.25,0.5,1]},
                                  "accuracy":{"held_out":0.97}})", "m.json");
    REQUIRE(c);
    CHECK(c->channels == 3);
    CHECK(c->height == 8);
    CHECK(c->width == 6);
    CHECK(c->accuracy == doctest::Approx(0.97));
    Tensor x({1, 3, 8, 6}, 0.5f);
    Tensor n = model_card_preprocess(*c, x);
    CHECK(n.at4(0, 0, 0, 0) == doctest::Approx(0.0f));
    CHECK(n.at4(0, 1, 3, 2) == doctest::Approx(0.2f));   // (0.5-0.4)/0.5
    CHECK(n.at4(0, 2, 7, 5) == doctest::Approx(0.2f));   // (0.5-0.3)/1
    Tensor back = model_card_denormalise(*c, n);
    for (size_t i = 0; i < back.numel(); ++i) CHECK(back.data[i] == doctest::Approx(0.5f));
  }

  TEST_CASE("bad cards are refused with the file name") {
    CHECK_FALSE(model_card_parse("[1,2]", "x.json"));
    auto r = model_card_parse(R"({"input":{"shape":[1,1,8,8],"std":[0]}})", "zero.json");
    CHECK_FALSE(r);
    CHECK(r.error().find("zero.json") != std::string::npos);
    CHECK_FALSE(model_card_parse(R"({"input":{"shape":[1,9,8,8]}})", "c.json"));
    CHECK_FALSE(model_card_parse(R"({"input":{"shape":[1,3,8,8],"mean":[1,2]}})", "m.json"));
  }

  TEST_CASE("bilinear resize matches hand-computed half-pixel values") {
    Tensor x({1, 1, 1, 2});
    x.data = {0.0f, 1.0f};
    Tensor y = resize_bilinear(x, 1, 4);
    // Output centres at 0.125, 0.375, 0.625, 0.875 of the row map to source -0.25, 0.25, 0.75, 1.25 (clamped).
    CHECK(y.data[0] == doctest::Approx(0.0f));
    CHECK(y.data[1] == doctest::Approx(0.25f));
    CHECK(y.data[2] == doctest::Approx(0.75f));
    CHECK(y.data[3] == doctest::Approx(1.0f));
    Tensor big({1, 1, 512, 512}, 0.3f);
    Tensor small = resize_bilinear(big, 128, 128);
    CHECK(small.shape == Shape{1, 1, 128, 128});
    CHECK(small.at4(0, 0, 64, 64) == doctest::Approx(0.3f));
  }

  TEST_CASE("channel conversion") {
    Tensor rgb({1, 3, 1, 1});
    rgb.data = {1.0f, 0.0f, 0.0f};
    CHECK(convert_channels(rgb, 1).data[0] == doctest::Approx(0.299f));
    Tensor g({1, 1, 1, 1}, 0.7f);
    CHECK(convert_channels(g, 3).data == std::vector<float>{0.7f, 0.7f, 0.7f});
  }
}
