#include "state/app_state.h"

namespace xm {

void app_push_error(AppState& s, std::string message, size_t keep) {
  s.errors.push_back(std::move(message));
  if (s.errors.size() > keep) s.errors.erase(s.errors.begin(), s.errors.end() - long(keep));
}

void app_state_write(JsonWriter& w, const AppState& s) {
  w.key("model").str(s.model);
  w.key("backend").str(s.backend);
  w.key("image").str(s.image);
  w.key("method").str(s.method);
  w.key("busy").boolean(s.busy);
  w.key("progress").num(s.progress);
  w.key("prediction").nums(s.prediction);
  w.key("classes").strs(s.class_names);
  w.key("last");
  if (s.has_last) {
    w.begin_object();
    w.key("method").str(s.last.method);
    w.key("ms").num(s.last.ms);
    w.key("passes").integer(s.last.passes);
    w.end_object();
  } else {
    w.null();
  }
  w.key("errors").strs(s.errors);
  w.key("frames").integer(s.frames);
}

}  // namespace xm
