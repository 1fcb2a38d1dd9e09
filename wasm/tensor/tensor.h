// Tensor: a dense float32 array in row-major (C) order with a shape, the type
// every module boundary uses (images are [1,C,H,W], attributions likewise).
//
//   xm::Tensor t({1, 3, 128, 128});     // zero-filled
//   t.at4(0, c, y, x) = 0.5f;
//   size_t n = t.numel();
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "core/status.h"

namespace xm {

using Shape = std::vector<int64_t>;

// Number of elements of a shape; 0 if any dimension is 0. Caller checks
// overflow with shape_checked_numel when the shape comes from a file.
int64_t shape_numel(const Shape& s);
// The element count, or an error when a dimension is negative or the product
// exceeds `limit` elements.
Result<int64_t> shape_checked_numel(const Shape& s, int64_t limit);
std::string shape_str(const Shape& s);  // "[1,3,128,128]"

struct Tensor {
  Shape shape;
  std::vector<float> data;

  Tensor() = default;
  explicit Tensor(Shape s, float fill = 0.0f) : shape(std::move(s)), data(size_t(shape_numel(shape)), fill) {}

  size_t numel() const { return data.size(); }
  int rank() const { return int(shape.size()); }
  int64_t dim(int i) const { return shape[size_t(i < 0 ? i + rank() : i)]; }
  float* ptr() { return data.data(); }
  const float* ptr() const { return data.data(); }

  // NCHW accessors; the tensor must have rank 4.
  float& at4(int64_t n, int64_t c, int64_t y, int64_t x) {
    return data[size_t(((n * shape[1] + c) * shape[2] + y) * shape[3] + x)];
  }
  float at4(int64_t n, int64_t c, int64_t y, int64_t x) const {
    return data[size_t(((n * shape[1] + c) * shape[2] + y) * shape[3] + x)];
  }
};

}  // namespace xm
