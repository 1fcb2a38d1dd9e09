// libFuzzer target: lesson files (ui/state/lessons.h, web/lessons/*.json),
// which a presenter writes by hand. Each step of an accepted lesson is merged
// onto the ones before, as opening a step does.
#include <cstddef>
#include <cstdint>

#include "fuzz_common.h"
#include "state/lessons.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const bool quiet = xm::fuzz_quiet();
  (void)quiet;
  xm::Result<xm::Lesson> l = xm::lesson_parse(xm::fuzz_text(data, size), "fuzz.json");
  if (!l) return 0;
  xm::LinkState merged;
  for (const xm::LessonStep& step : l->steps) {
    merged = xm::link_merge(merged, step.state);
    (void)xm::link_encode(merged);
  }
  return 0;
}
