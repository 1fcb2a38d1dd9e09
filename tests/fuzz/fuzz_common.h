// What every libFuzzer target here shares: the core's log sink silenced (a
// parser that logs each refusal would spend the run writing to stderr), and a
// bound on the work one input may ask for.
//
//   extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
//     static const bool quiet = xm::fuzz_quiet();
//     ...
//   }
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>

#include "core/log.h"

namespace xm {

inline bool fuzz_quiet() {
  log_set_sink([](LogLevel, const char*, void*) {}, nullptr);
  return true;
}

inline std::string fuzz_text(const uint8_t* data, size_t size) {
  return std::string(reinterpret_cast<const char*>(data), size);
}

}  // namespace xm
