#include "image/image_io.h"

#include <cstring>

#include "image/npy.h"

#define STB_IMAGE_IMPLEMENTATION
#define STBI_ONLY_PNG
#define STBI_ONLY_JPEG
#define STBI_ONLY_BMP
#define STBI_NO_STDIO
#define STBI_MAX_DIMENSIONS 8192
#define STB_IMAGE_WRITE_IMPLEMENTATION
#define STBI_WRITE_NO_STDIO
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
#pragma GCC diagnostic ignored "-Wsign-compare"
#pragma GCC diagnostic ignored "-Wunused-function"
#include <stb/stb_image.h>
#include <stb/stb_image_write.h>
#pragma GCC diagnostic pop

namespace xm {

Result<Image8> image_decode(const uint8_t* bytes, size_t size, const std::string& name) {
  if (size == 0) return Status::error(name + ": empty file");
  if (size > size_t(1) << 30) return Status::error(name + ": file is too large");
  int w = 0, h = 0, c = 0;
  if (!stbi_info_from_memory(bytes, int(size), &w, &h, &c))
    return Status::error(name + ": not a readable PNG, JPEG or BMP image (" + stbi_failure_reason() + ")");
  if (w <= 0 || h <= 0 || w > IMAGE_MAX_SIDE || h > IMAGE_MAX_SIDE)
    return Status::error(name + ": image is " + std::to_string(w) + "x" + std::to_string(h) +
                         "; the largest accepted is " + std::to_string(IMAGE_MAX_SIDE) + " pixels a side");
  uint8_t* px = stbi_load_from_memory(bytes, int(size), &w, &h, &c, 0);
  if (!px) return Status::error(name + ": cannot decode image (" + stbi_failure_reason() + ")");
  Image8 img;
  img.width = w;
  img.height = h;
  img.channels = c;
  img.pixels.assign(px, px + size_t(w) * size_t(h) * size_t(c));
  stbi_image_free(px);
  return img;
}

Result<Image8> image_read_file(const std::string& path) {
  auto bytes = read_file_bytes(path, size_t(1) << 30);
  if (!bytes) return bytes.status();
  return image_decode(bytes->data(), bytes->size(), path);
}

Tensor image_to_tensor(const Image8& img, int channels) {
  Tensor t({1, channels, img.height, img.width});
  const int ic = img.channels;
  const bool src_colour = ic >= 3;
  for (int y = 0; y < img.height; ++y)
    for (int x = 0; x < img.width; ++x) {
      const uint8_t* p = &img.pixels[(size_t(y) * size_t(img.width) + size_t(x)) * size_t(ic)];
      float r = p[0] / 255.0f, g = src_colour ? p[1] / 255.0f : r, b = src_colour ? p[2] / 255.0f : r;
      if (channels == 1) {
        t.at4(0, 0, y, x) = src_colour ? 0.299f * r + 0.587f * g + 0.114f * b : r;
      } else {
        const float v[3] = {r, g, b};
        for (int c = 0; c < channels; ++c) t.at4(0, c, y, x) = v[c < 3 ? c : 2];
      }
    }
  return t;
}

std::vector<uint8_t> png_encode(const Image8& img) {
  std::vector<uint8_t> out;
  stbi_write_png_to_func(
      [](void* ctx, void* data, int size) {
        auto* o = static_cast<std::vector<uint8_t>*>(ctx);
        auto* d = static_cast<uint8_t*>(data);
        o->insert(o->end(), d, d + size);
      },
      &out, img.width, img.height, img.channels, img.pixels.data(), img.width * img.channels);
  return out;
}

Status png_write_file(const std::string& path, const Image8& img) {
  auto bytes = png_encode(img);
  if (bytes.empty()) return Status::error(path + ": PNG encoding failed");
  return write_file_bytes(path, bytes.data(), bytes.size());
}

}  // namespace xm
