// NumPy .npy files (format 1.0/2.0/3.0), the CLI's tensor format.
// Reads little-endian float32, float64, int64, int32, uint8 and bool arrays in
// C order and returns float32; writes float32. Any malformed header, unsupported
// dtype, Fortran order or short file is an error naming the file, never a crash.
//
//   Result<Tensor> x = npy_read_file("x.npy");
//   Status s = npy_write_file("a.npy", attribution);
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "tensor/tensor.h"

namespace xm {

// Largest tensor a .npy may hold here (elements): 256M floats = 1 GiB.
constexpr int64_t NPY_MAX_ELEMENTS = int64_t(1) << 28;

Result<Tensor> npy_read(const uint8_t* bytes, size_t size, const std::string& name);
Result<Tensor> npy_read_file(const std::string& path);
std::vector<uint8_t> npy_encode(const Tensor& t);
Status npy_write_file(const std::string& path, const Tensor& t);

// Whole-file helpers shared by the loaders; errors name the path.
Result<std::vector<uint8_t>> read_file_bytes(const std::string& path, size_t max_bytes);
Status write_file_bytes(const std::string& path, const uint8_t* data, size_t size);

}  // namespace xm
