#include <doctest/doctest.h>

#include "core/strings.h"

using namespace xm;

TEST_SUITE("strings") {
  TEST_CASE("ends_with compares byte for byte, ends_with_nocase folds ASCII case") {
    CHECK(ends_with("scan.npy", ".npy"));
    CHECK(ends_with(".npy", ".npy"));
    CHECK(ends_with("x", ""));
    CHECK_FALSE(ends_with("scan.NPY", ".npy"));
    CHECK_FALSE(ends_with("npy", ".npy"));
    CHECK_FALSE(ends_with("scan.npy.png", ".npy"));
    CHECK(ends_with_nocase("scan.NPY", ".npy"));
    CHECK(ends_with_nocase("Model.Onnx", ".onnx"));
    CHECK_FALSE(ends_with_nocase("npy", ".npy"));
    CHECK_FALSE(ends_with_nocase("scan.npz", ".npy"));
  }
}
