// Decoding uploads (PNG, JPEG, BMP via stb_image) and writing PNGs (stb_image_write).
//
//   Result<Image8> img = image_decode(bytes.data(), bytes.size(), "scan.png");
//   Tensor x = image_to_tensor(*img, /*channels=*/1);   // [1,1,H,W] in [0,1]
//   png_write_file("out.png", rgba);
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "tensor/tensor.h"

namespace xm {

// 8-bit interleaved pixels, row-major, `channels` per pixel (1..4).
struct Image8 {
  int width = 0, height = 0, channels = 0;
  std::vector<uint8_t> pixels;
};

// Largest image accepted from a file (pixels per side), to keep a hostile
// header from asking for gigabytes.
constexpr int IMAGE_MAX_SIDE = 8192;
// Largest image file read (bytes): an uncompressed 8-bit RGBA bitmap at the largest side, and its headers.
constexpr size_t IMAGE_MAX_FILE_BYTES = size_t(IMAGE_MAX_SIDE) * IMAGE_MAX_SIDE * 4 + (size_t(1) << 20);

Result<Image8> image_decode(const uint8_t* bytes, size_t size, const std::string& name);
Result<Image8> image_read_file(const std::string& path);
// [1,channels,H,W] float in [0,1]; grey from colour by ITU-R BT.601 luma,
// colour from grey by replication; alpha is dropped.
Tensor image_to_tensor(const Image8& img, int channels);
std::vector<uint8_t> png_encode(const Image8& img);
Status png_write_file(const std::string& path, const Image8& img);

}  // namespace xm
