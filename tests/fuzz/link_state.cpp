// libFuzzer target: the deep link (ui/state/link_state.h), the URL fragment
// the page reads at start-up and on every hash change. A fragment it accepts
// is validated and encoded again; the encoding must decode to the same
// encoding (a link the page writes is a link it reads).
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "fuzz_common.h"
#include "state/link_state.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const bool quiet = xm::fuzz_quiet();
  (void)quiet;
  std::string text = xm::fuzz_text(data, size);
  (void)xm::link_percent_decode(text);
  xm::Result<xm::LinkState> s = xm::link_decode(text);
  if (!s) return 0;
  (void)xm::link_validate(*s, "fuzz link");
  std::string again = xm::link_encode(*s);
  xm::Result<xm::LinkState> back = xm::link_decode(again);
  if (!back || xm::link_encode(*back) != again) std::abort();  // link_encode wrote what link_decode reads differently
  (void)xm::link_merge(*s, *back);
  return 0;
}
