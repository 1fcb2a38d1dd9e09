// libFuzzer target: the image decoders (wasm/image/image_io.h: PNG, JPEG,
// BMP and what else stb_image reads). A decoded image is converted to a
// tensor (as every upload is) and encoded as PNG again when small.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "fuzz_common.h"
#include "image/image_io.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const bool quiet = xm::fuzz_quiet();
  (void)quiet;
  xm::Result<xm::Image8> img = xm::image_decode(data, size, "fuzz.img");
  if (!img) return 0;
  if (img->width <= 0 || img->height <= 0 || img->channels < 1 || img->channels > 4 ||
      img->pixels.size() != size_t(img->width) * size_t(img->height) * size_t(img->channels)) {
    std::abort();  // a decoded image must describe its own pixels
  }
  if (size_t(img->width) * size_t(img->height) <= (size_t(1) << 16)) {
    (void)xm::image_to_tensor(*img, 1);
    (void)xm::image_to_tensor(*img, 3);
    (void)xm::png_encode(*img);
  }
  return 0;
}
