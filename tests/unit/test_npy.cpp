#include <doctest/doctest.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <random>

#include "image/npy.h"

using namespace xm;

namespace {
std::vector<uint8_t> make_npy(const std::string& header_dict, size_t data_bytes, uint8_t major = 1) {
  std::string h = header_dict;
  while ((10 + h.size() + 1) % 64) h += ' ';
  h += '\n';
  std::vector<uint8_t> b = {0x93, 'N', 'U', 'M', 'P', 'Y', major, 0, uint8_t(h.size() & 0xff), uint8_t(h.size() >> 8)};
  b.insert(b.end(), h.begin(), h.end());
  b.resize(b.size() + data_bytes, 0);
  return b;
}
}  // namespace

TEST_SUITE("npy") {
  TEST_CASE("round trip keeps shape and values") {
    Tensor t({1, 2, 3, 4});
    for (size_t i = 0; i < t.numel(); ++i) t.data[i] = float(i) * 0.25f - 3.0f;
    auto bytes = npy_encode(t);
    CHECK(bytes.size() % 64 == (4 * t.numel()) % 64);  // header padded to 64 bytes
    auto r = npy_read(bytes.data(), bytes.size(), "mem");
    REQUIRE(r);
    CHECK(r->shape == t.shape);
    CHECK(r->data == t.data);
  }

  TEST_CASE("reads a header written by NumPy, including float64 and 1-D shapes") {
    auto b = make_npy("{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }", 24);
    double v[3] = {1.5, -2.0, 1e-3};
    std::memcpy(b.data() + b.size() - 24, v, 24);
    auto r = npy_read(b.data(), b.size(), "mem");
    REQUIRE(r);
    CHECK(r->shape == Shape{3});
    CHECK(r->data[0] == 1.5f);
    CHECK(r->data[2] == doctest::Approx(1e-3));
  }

  TEST_CASE("scalar shape () has one element") {
    auto b = make_npy("{'descr': '<f4', 'fortran_order': False, 'shape': (), }", 4);
    auto r = npy_read(b.data(), b.size(), "mem");
    REQUIRE(r);
    CHECK(r->numel() == 1);
  }

  TEST_CASE("bad files are refused with a message naming the file") {
    SUBCASE("empty") {
      auto r = npy_read(nullptr, 0, "x.npy");
      CHECK_FALSE(r);
      CHECK(r.error().find("x.npy") != std::string::npos);
    }
    SUBCASE("truncated data") {
      auto b = make_npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2), }", 15);
      auto r = npy_read(b.data(), b.size(), "x.npy");
      CHECK_FALSE(r);
      CHECK(r.error().find("truncated") != std::string::npos);
    }
    SUBCASE("fortran order") {
      auto b = make_npy("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }", 16);
      CHECK_FALSE(npy_read(b.data(), b.size(), "x.npy"));
    }
    SUBCASE("big-endian dtype") {
      auto b = make_npy("{'descr': '>f4', 'fortran_order': False, 'shape': (2,), }", 8);
      CHECK_FALSE(npy_read(b.data(), b.size(), "x.npy"));
    }
    SUBCASE("absurd shape") {
      auto b = make_npy("{'descr': '<f4', 'fortran_order': False, 'shape': (100000, 100000, 100000), }", 16);
      auto r = npy_read(b.data(), b.size(), "x.npy");
      CHECK_FALSE(r);
      CHECK(r.error().find("too large") != std::string::npos);
    }
  }

  TEST_CASE("random bytes never crash the reader") {
    std::mt19937 rng(7);
    auto base = make_npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", 24);
    for (int it = 0; it < 3000; ++it) {
      auto b = base;
      int flips = 1 + int(rng() % 8);
      for (int k = 0; k < flips; ++k) b[rng() % b.size()] = uint8_t(rng());
      b.resize(rng() % (b.size() + 1));
      auto r = npy_read(b.data(), b.size(), "fuzz");
      if (r) CHECK(r->numel() == size_t(shape_numel(r->shape)));
    }
  }

  TEST_CASE("read_file_bytes refuses a file over its limit, naming the file and the limit, and reads one under it whole") {
    const std::string path = "read_file_bytes_limit.bin";  // in the working directory (ctest's: the build tree)
    std::vector<uint8_t> bytes(3000, 7);
    REQUIRE(write_file_bytes(path, bytes.data(), bytes.size()));
    auto whole = read_file_bytes(path, 3000);
    REQUIRE(whole);
    CHECK(*whole == bytes);
    auto over = read_file_bytes(path, 2999);
    REQUIRE_FALSE(over);
    CHECK(over.error() == path + ": the file is larger than the limit of 2999 bytes");
    std::remove(path.c_str());
  }

  TEST_CASE("read_file_bytes stops a device with no end (/dev/zero) one byte past its limit") {
    if (!std::ifstream("/dev/zero")) return;
    auto r = read_file_bytes("/dev/zero", size_t(3) << 20);
    REQUIRE_FALSE(r);
    CHECK(r.error() == "/dev/zero: the file is larger than the limit of 3 MiB");
  }
}
