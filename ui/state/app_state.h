// AppState: everything the page shows, as plain data. Panels draw it and
// return actions; window.xmediaLab.status() serialises it. No ImGui here,
// so the logic is tested natively.
//
//   xm::AppState s;
//   s.errors.push_back("scan.png: not a readable image");
//   xm::JsonWriter w;
//   w.begin_object();
//   xm::app_state_write(w, s);  // the first members of status() (ui/app/status.cpp)
//   w.end_object();
#pragma once
#include <string>
#include <vector>

#include "core/json_writer.h"

namespace xm {

struct RunSummary {
  std::string method;
  double ms = 0;
  int passes = 0;
};

struct AppState {
  std::string model;             // model name shown in the Model panel
  std::string backend = "native";  // "native" or "ort"
  std::string image;             // case or uploaded file name
  std::string method = "integrated_gradients";
  bool busy = false;
  double progress = 0;            // 0..1 of the running explainer
  std::vector<std::string> class_names;
  std::vector<float> prediction;  // class probabilities
  bool has_last = false;
  RunSummary last;
  std::vector<std::string> errors;  // user-facing messages, newest last
  int frames = 0;                   // frames drawn since start
};

// Keeps the newest `keep` messages.
void app_push_error(AppState& s, std::string message, size_t keep = 20);
// The first members of window.xmediaLab.status(), into an object `w` has open:
// "model","backend","image","method","busy","progress","prediction":[...],
// "classes":[...],"last":{...}|null,"errors":[...],"frames"
void app_state_write(JsonWriter& w, const AppState& s);

}  // namespace xm
