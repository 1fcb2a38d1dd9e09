// Data a test reads but the build does not make (Debian's libonnx-testdata,
// the golden files of tools/golden*): when it is missing the test fails, so
// that ./tools/test cannot pass without it. A run by hand may skip instead,
// saying so, with XMEDIA_ALLOW_SKIP=1 in the environment (the wasm build sees
// it through tools/node_prejs.js).
//
//   auto bytes = read_file_bytes(path, limit);
//   if (!bytes) return xm::test::data_missing(path + " is absent");
#pragma once
#include <doctest/doctest.h>

#include <cstdlib>
#include <cstring>
#include <string>

namespace xm {
namespace test {

inline bool skips_allowed() {
  const char* v = std::getenv("XMEDIA_ALLOW_SKIP");
  return v && std::strcmp(v, "1") == 0;
}

// A failure, or with XMEDIA_ALLOW_SKIP=1 a message that the test was skipped.
inline void data_missing(const std::string& what) {
  if (skips_allowed()) MESSAGE("skipped (XMEDIA_ALLOW_SKIP=1): " << what);
  else FAIL_CHECK(what << " (set XMEDIA_ALLOW_SKIP=1 to skip this test by hand)");
}

}  // namespace test
}  // namespace xm
