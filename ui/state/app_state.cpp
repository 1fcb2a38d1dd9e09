#include "state/app_state.h"

#include <cmath>
#include <cstdio>

#include "core/json.h"

namespace xm {
namespace {

std::string jstr(const std::string& s) { return json_quote(s); }

std::string jnum(double v) {
  if (!std::isfinite(v)) return "null";
  char b[32];
  std::snprintf(b, sizeof b, "%.9g", v);
  return b;
}

}  // namespace

void app_push_error(AppState& s, std::string message, size_t keep) {
  s.errors.push_back(std::move(message));
  if (s.errors.size() > keep) s.errors.erase(s.errors.begin(), s.errors.end() - long(keep));
}

std::string app_status_json(const AppState& s) {
  std::string j = "{";
  j += "\"model\":" + jstr(s.model);
  j += ",\"backend\":" + jstr(s.backend);
  j += ",\"image\":" + jstr(s.image);
  j += ",\"method\":" + jstr(s.method);
  j += std::string(",\"busy\":") + (s.busy ? "true" : "false");
  j += ",\"progress\":" + jnum(s.progress);
  j += ",\"prediction\":[";
  for (size_t i = 0; i < s.prediction.size(); ++i) j += (i ? "," : "") + jnum(s.prediction[i]);
  j += "],\"classes\":[";
  for (size_t i = 0; i < s.class_names.size(); ++i) j += (i ? "," : "") + jstr(s.class_names[i]);
  j += "],\"last\":";
  if (s.has_last)
    j += "{\"method\":" + jstr(s.last.method) + ",\"ms\":" + jnum(s.last.ms) + ",\"passes\":" + std::to_string(s.last.passes) + "}";
  else
    j += "null";
  j += ",\"errors\":[";
  for (size_t i = 0; i < s.errors.size(); ++i) j += (i ? "," : "") + jstr(s.errors[i]);
  j += "],\"frames\":" + std::to_string(s.frames) + "}";
  return j;
}

}  // namespace xm
