// libFuzzer target: the .npy reader (wasm/image/npy.h). What it accepts is
// written back and read again, and must come back the same shape and values.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>

#include "fuzz_common.h"
#include "image/npy.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const bool quiet = xm::fuzz_quiet();
  (void)quiet;
  xm::Result<xm::Tensor> t = xm::npy_read(data, size, "fuzz.npy");
  if (!t) return 0;
  std::vector<uint8_t> bytes = xm::npy_encode(*t);
  xm::Result<xm::Tensor> back = xm::npy_read(bytes.data(), bytes.size(), "fuzz-again.npy");
  if (!back || back->shape != t->shape || back->data.size() != t->data.size() ||
      (!t->data.empty() && std::memcmp(back->data.data(), t->data.data(), t->data.size() * sizeof(float)) != 0)) {
    std::abort();  // npy_encode wrote what npy_read cannot read back
  }
  return 0;
}
