#include "tensor/tensor.h"

namespace xm {

int64_t shape_numel(const Shape& s) {
  int64_t n = 1;
  for (int64_t d : s) n *= d;
  return n;
}

Result<int64_t> shape_checked_numel(const Shape& s, int64_t limit) {
  int64_t n = 1;
  for (int64_t d : s) {
    if (d < 0) return Status::error("negative dimension in shape " + shape_str(s));
    if (d != 0 && n > limit / d) return Status::error("shape " + shape_str(s) + " is too large");
    n *= d;
  }
  if (n > limit) return Status::error("shape " + shape_str(s) + " is too large");
  return n;
}

std::string shape_str(const Shape& s) {
  std::string r = "[";
  for (size_t i = 0; i < s.size(); ++i) {
    if (i) r += ",";
    r += std::to_string(s[i]);
  }
  return r + "]";
}

}  // namespace xm
