// libFuzzer target: the JSON reader (wasm/core/json.h), which reads model
// cards, lessons and the CLI's option files. Whatever it accepts must be
// walkable: every member and item read back through the accessors.
#include <cstddef>
#include <cstdint>

#include "core/json.h"
#include "fuzz_common.h"

namespace {

size_t walk(const xm::Json& j, int depth) {
  size_t n = 1;
  if (depth > 64) return n;
  for (const xm::Json& item : j.items()) n += walk(item, depth + 1);
  for (const auto& kv : j.members()) n += walk(kv.second, depth + 1) + kv.first.size();
  n += j.numbers().size() + j.str("").size();
  (void)j[0]["x"][size_t(-1)];
  return n;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const bool quiet = xm::fuzz_quiet();
  (void)quiet;
  xm::Result<xm::Json> j = xm::json_parse(xm::fuzz_text(data, size), "fuzz.json");
  if (j) {
    walk(*j, 0);
    for (const auto& kv : j->members()) (void)xm::json_quote(kv.first);
  }
  return 0;
}
