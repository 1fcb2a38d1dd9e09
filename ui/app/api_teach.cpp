// The test and page API of the teaching parts (exported by name at link time,
// like api.cpp): lessons, deep links, what-if strokes. Each returns "" on
// success or the user-facing message.
#include <string>

#include "teach.h"

namespace {
const char* teach_out(xm::App& a, const xm::Status& s, bool report = true) { return xm::app_api_status(a, s, report); }
}  // namespace

extern "C" {

const char* xm_api_add_lesson(const char* json_text, const char* name) {
  xm::App& a = xm::app();
  return teach_out(a, xm::teach_add_lesson(a, json_text, name));
}

const char* xm_api_lessons_json() {
  xm::App& a = xm::app();
  return xm::app_api_return(a, xm::teach_lessons_json(a));
}

const char* xm_api_start_lesson(const char* id, int step) {
  xm::App& a = xm::app();
  return teach_out(a, xm::teach_start_lesson(a, id, step));
}

const char* xm_api_open_link(const char* fragment) {
  xm::App& a = xm::app();
  return teach_out(a, xm::teach_open_link(a, fragment));
}

// mode: "paint" | "heal" | "restore"
const char* xm_api_paint(const char* mode, int x, int y, int radius, double value) {
  xm::App& a = xm::app();
  const std::string m = mode;
  xm::EditMode em = xm::EditMode::PAINT;
  if (m == "heal") em = xm::EditMode::HEAL;
  else if (m == "restore") em = xm::EditMode::RESTORE;
  else if (m != "paint") return teach_out(a, xm::Status::error("paint: mode must be paint, heal or restore, not '" + m + "'"));
  return teach_out(a, xm::teach_paint(a, em, x, y, radius, float(value)));
}

const char* xm_api_undo() {
  xm::App& a = xm::app();
  return teach_out(a, xm::teach_undo(a), false);
}

int xm_api_teach_pending() { return xm::app().teach.pending ? 1 : 0; }

}
