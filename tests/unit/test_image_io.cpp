#include <doctest/doctest.h>

#include "image/image_io.h"

using namespace xm;

TEST_SUITE("image_io") {
  TEST_CASE("PNG round trip through encode and decode") {
    Image8 img;
    img.width = 5;
    img.height = 3;
    img.channels = 3;
    for (int i = 0; i < 5 * 3 * 3; ++i) img.pixels.push_back(uint8_t(i * 17));
    auto png = png_encode(img);
    REQUIRE(!png.empty());
    auto back = image_decode(png.data(), png.size(), "mem.png");
    REQUIRE(back);
    CHECK(back->width == 5);
    CHECK(back->height == 3);
    CHECK(back->pixels == img.pixels);
  }

  TEST_CASE("grey conversion uses BT.601 luma and scales to [0,1]") {
    Image8 img;
    img.width = 1;
    img.height = 1;
    img.channels = 3;
    img.pixels = {255, 0, 0};
    Tensor t = image_to_tensor(img, 1);
    CHECK(t.shape == Shape{1, 1, 1, 1});
    CHECK(t.data[0] == doctest::Approx(0.299f));
    Tensor c = image_to_tensor(img, 3);
    CHECK(c.data == std::vector<float>{1.0f, 0.0f, 0.0f});
  }

  TEST_CASE("garbage and empty input give a message, not a crash") {
    std::vector<uint8_t> junk(100, 0xAB);
    auto r = image_decode(junk.data(), junk.size(), "junk.png");
    CHECK_FALSE(r);
    CHECK(r.error().find("junk.png") != std::string::npos);
    CHECK_FALSE(image_decode(nullptr, 0, "empty.png"));
  }

  TEST_CASE("truncated PNGs are refused") {
    Image8 img;
    img.width = 16;
    img.height = 16;
    img.channels = 1;
    img.pixels.assign(256, 128);
    auto png = png_encode(img);
    for (size_t cut = 0; cut < png.size(); cut += 7) {
      auto r = image_decode(png.data(), cut, "cut.png");
      if (r) CHECK(r->width == 16);
    }
  }
}
