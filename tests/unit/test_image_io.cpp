#include <doctest/doctest.h>

#include "image/image_io.h"
#include "image/npy.h"

using namespace xm;

namespace {

Image8 grey_image(int width, int height, uint8_t value) {
  Image8 img;
  img.width = width;
  img.height = height;
  img.channels = 1;
  img.pixels.assign(size_t(width) * size_t(height), value);
  return img;
}

}  // namespace

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

  TEST_CASE("a JPEG Huffman table with more than 256 codes is refused, not built past its end") {
    // stb_image 2.27 wrote past the table (found by tests/fuzz/image_io).
    const std::string dir = std::string(XMEDIA_SOURCE_DIR) + "/tests/fuzz/corpus/image_io/";
    auto good = read_file_bytes(dir + "rgb_17x9.jpg", 1 << 20);
    REQUIRE(good);
    auto ok = image_decode(good->data(), good->size(), "good.jpg");
    REQUIRE_MESSAGE(ok, ok.error());
    CHECK(ok->width == 17);
    // The same file with its first table's 16 code counts raised to 17 each (272 codes).
    std::vector<uint8_t> bad = *good;
    size_t dht = 0;
    while (dht + 1 < bad.size() && !(bad[dht] == 0xFF && bad[dht + 1] == 0xC4)) ++dht;
    REQUIRE(dht + 21 < bad.size());
    for (size_t k = 0; k < 16; ++k) bad[dht + 5 + k] = 17;
    auto r = image_decode(bad.data(), bad.size(), "bad.jpg");
    REQUIRE_FALSE(r);
    CHECK(r.error() == "bad.jpg: corrupt JPEG (a Huffman table with more than 256 codes)");
    // stb_image also reads a JPEG that starts with fill bytes (FF FF D8).
    bad.insert(bad.begin(), 0xFF);
    CHECK_FALSE(image_decode(bad.data(), bad.size(), "bad.jpg"));
    for (const char* f : {"regression_jpeg_huffman_overflow.jpg", "regression_jpeg_huffman_overflow_fill.jpg"}) {
      CAPTURE(f);
      auto found = read_file_bytes(dir + f, 1 << 20);
      REQUIRE(found);
      CHECK_FALSE(image_decode(found->data(), found->size(), "found.jpg"));
    }
  }

  TEST_CASE("a PNG chunk longer than the file is refused before anything is allocated for it") {
    // stb_image 2.27 grew its buffer to the claimed length first (found by tests/fuzz/image_io).
    auto png = png_encode(grey_image(4, 2, 200));
    REQUIRE(image_decode(png.data(), png.size(), "ok.png"));
    const size_t ihdr_at = 8, idat_at = ihdr_at + 4 + 4 + 13 + 4;  // where the IHDR and IDAT chunks start
    REQUIRE(std::string(png.begin() + long(idat_at) + 4, png.begin() + long(idat_at) + 8) == "IDAT");
    for (uint8_t v : {0x7F, 0x00}) {
      std::vector<uint8_t> bad = png;
      bad[idat_at] = v;  // 2 GB, then 16 MB, against a file of 80 bytes
      bad[idat_at + 1] = 0xFF;
      auto r = image_decode(bad.data(), bad.size(), "bad.png");
      REQUIRE_FALSE(r);
      CHECK(r.error() == "bad.png: corrupt PNG (a chunk runs past the end of the file)");
    }
    auto found = read_file_bytes(std::string(XMEDIA_SOURCE_DIR) + "/tests/fuzz/corpus/image_io/regression_png_chunk_2gb.png", 1 << 20);
    REQUIRE(found);
    CHECK_FALSE(image_decode(found->data(), found->size(), "found.png"));
  }

  TEST_CASE("a PNG over the size limit is refused by its size, whatever stb_image makes of it") {
    // 20000x10 and 40000x40000: over IMAGE_MAX_SIDE; stb_image's info calls the second "unknown image type".
    for (auto wh : {std::pair<uint32_t, uint32_t>{20000, 10}, std::pair<uint32_t, uint32_t>{40000, 40000}}) {
      auto png = png_encode(grey_image(4, 4, 9));
      REQUIRE(png.size() > 24);
      for (int k = 0; k < 4; ++k) {
        png[size_t(16 + k)] = uint8_t(wh.first >> (24 - 8 * k));
        png[size_t(20 + k)] = uint8_t(wh.second >> (24 - 8 * k));
      }
      auto r = image_decode(png.data(), png.size(), "big.png");
      REQUIRE_FALSE(r);
      INFO(r.error());
      CHECK(r.error() == "big.png: image is " + std::to_string(wh.first) + "x" + std::to_string(wh.second) +
                             "; the largest accepted is " + std::to_string(IMAGE_MAX_SIDE) + " pixels a side");
    }
  }

  TEST_CASE("truncated PNGs are refused") {
    auto png = png_encode(grey_image(16, 16, 128));
    for (size_t cut = 0; cut < png.size(); cut += 7) {
      auto r = image_decode(png.data(), cut, "cut.png");
      if (r) {
        CHECK(r->width == 16);
        continue;
      }
      INFO(r.error());
      CHECK(r.error().rfind("cut.png: ", 0) == 0);
      CHECK(r.error().find("()") == std::string::npos);  // a reason is always given
    }
  }
}
