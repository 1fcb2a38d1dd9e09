// Natively there is no ONNX Runtime Web (it is a WebAssembly library): the
// ORT backend exists only in the wasm builds (the page, and xmedia.js under Node).
#include "platform/ort_backend.h"

namespace xm {

namespace {
const char* kWhy =
    "the ONNX Runtime Web backend (--backend ort) runs only in the wasm build under Node "
    "(node build/wasm/xmedia.js) or in the browser";
}

bool ort_backend_available(std::string* why) {
  if (why) *why = kWhy;
  return false;
}

Result<std::unique_ptr<Backend>> ort_backend_from_bytes(const uint8_t*, size_t, const std::string&, int) {
  return Status::error(kWhy);
}

}  // namespace xm
