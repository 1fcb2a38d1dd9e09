#include "image/image_io.h"

#include <algorithm>
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
namespace {

// stb_image 2.27 (Debian's libstb-dev) builds a JPEG Huffman table without
// checking that its 16 code counts add up to at most 256: a DHT segment that
// says more writes past the table (fixed upstream in 2.28). Walks the markers
// the way stb_image reads them (segments by their length, entropy-coded data
// up to the next marker, bytes past the end read as 0) and checks every DHT.
bool jpeg_huffman_tables_fit(const uint8_t* b, size_t size) {
  size_t i = 0;
  while (i < size && b[i] == 0xFF) ++i;  // stb_image takes FF FF D8 as the start too
  if (i == 0 || i >= size || b[i] != 0xD8) return true;  // not a JPEG
  ++i;
  auto at = [&](size_t k) -> uint32_t { return k < size ? b[k] : 0; };
  while (i < size) {
    if (b[i] != 0xFF) {  // stb_image skips stray bytes between segments
      ++i;
      continue;
    }
    while (i < size && b[i] == 0xFF) ++i;
    if (i >= size) break;
    const uint32_t m = b[i++];
    if (m == 0xD9) break;                                         // end of image
    if (m == 0x01 || m == 0xD8 || (m >= 0xD0 && m <= 0xD7)) continue;  // no length
    const size_t len = at(i) << 8 | at(i + 1);
    if (m == 0xC4) {
      size_t p = i + 2;
      int64_t left = int64_t(len) - 2;
      while (left > 0) {
        const uint32_t q = at(p++);
        if ((q >> 4) > 1 || (q & 15) > 3) return true;  // stb_image refuses the table
        uint32_t n = 0;
        for (int k = 0; k < 16; ++k) n += at(p++);
        if (n > 256) return false;
        p += n;
        left -= 17 + int64_t(n);
      }
    }
    i += len;
    if (m == 0xDA) {  // entropy-coded data: up to an 0xFF that is neither a stuffed 0 nor a restart
      while (i < size) {
        if (b[i] != 0xFF) {
          ++i;
          continue;
        }
        size_t j = i + 1;
        while (j < size && b[j] == 0xFF) ++j;
        if (j < size && (b[j] == 0x00 || (b[j] >= 0xD0 && b[j] <= 0xD7))) {
          i = j + 1;
          continue;
        }
        break;
      }
    }
  }
  return true;
}

// stb_image grows its buffer for a PNG's IDAT chunk to the length the chunk
// header claims before it reads the data: a 100-byte file that claims 2 GB
// asks for 2 GB. Every chunk up to IEND must fit in the file.
bool is_png(const uint8_t* b, size_t size) {
  static const uint8_t sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
  return size >= 8 && std::memcmp(b, sig, 8) == 0;
}

bool png_chunks_fit(const uint8_t* b, size_t size) {
  if (!is_png(b, size)) return true;
  size_t i = 8;
  while (size - i >= 8) {
    const size_t len = size_t(b[i]) << 24 | size_t(b[i + 1]) << 16 | size_t(b[i + 2]) << 8 | b[i + 3];
    if (std::memcmp(b + i + 4, "IEND", 4) == 0) break;
    if (len > size - i - 8) return false;
    i += 8 + len + std::min<size_t>(4, size - i - 8 - len);  // the CRC
  }
  return true;
}

// A PNG's size from its IHDR chunk (stb_image's info refuses sides over its
// own limit as if the file were not an image at all); false when not a PNG.
bool png_size(const uint8_t* b, size_t size, int64_t* w, int64_t* h) {
  if (size < 24 || !is_png(b, size) || std::memcmp(b + 12, "IHDR", 4) != 0) return false;
  auto be32 = [&](size_t i) { return int64_t(b[i]) << 24 | int64_t(b[i + 1]) << 16 | int64_t(b[i + 2]) << 8 | b[i + 3]; };
  *w = be32(16);
  *h = be32(20);
  return true;
}

Status too_large(const std::string& name, int64_t w, int64_t h) {
  return Status::error(name + ": image is " + std::to_string(w) + "x" + std::to_string(h) + "; the largest accepted is " +
                       std::to_string(IMAGE_MAX_SIDE) + " pixels a side");
}

// stb_image's reason, or what to say when it gives none.
std::string stb_reason() {
  const char* r = stbi_failure_reason();
  return r && *r ? r : "the data is corrupt or truncated";
}

}  // namespace

Result<Image8> image_decode(const uint8_t* bytes, size_t size, const std::string& name) {
  if (size == 0) return Status::error(name + ": empty file");
  if (size > size_t(1) << 30) return Status::error(name + ": file is too large");
  if (!jpeg_huffman_tables_fit(bytes, size))
    return Status::error(name + ": corrupt JPEG (a Huffman table with more than 256 codes)");
  if (!png_chunks_fit(bytes, size)) return Status::error(name + ": corrupt PNG (a chunk runs past the end of the file)");
  int64_t pw = 0, ph = 0;
  if (png_size(bytes, size, &pw, &ph) && (pw > IMAGE_MAX_SIDE || ph > IMAGE_MAX_SIDE)) return too_large(name, pw, ph);
  int w = 0, h = 0, c = 0;
  if (!stbi_info_from_memory(bytes, int(size), &w, &h, &c))
    return Status::error(name + ": not a readable PNG, JPEG or BMP image (" + stb_reason() + ")");
  if (w <= 0 || h <= 0 || w > IMAGE_MAX_SIDE || h > IMAGE_MAX_SIDE) return too_large(name, w, h);
  uint8_t* px = stbi_load_from_memory(bytes, int(size), &w, &h, &c, 0);
  if (!px) return Status::error(name + ": cannot decode image (" + stb_reason() + ")");
  Image8 img;
  img.width = w;
  img.height = h;
  img.channels = c;
  img.pixels.assign(px, px + size_t(w) * size_t(h) * size_t(c));
  stbi_image_free(px);
  return img;
}

Result<Image8> image_read_file(const std::string& path) {
  auto bytes = read_file_bytes(path, IMAGE_MAX_FILE_BYTES);
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
