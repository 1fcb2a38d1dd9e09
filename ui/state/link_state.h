// LinkState: what a deep link (the URL fragment) and a lesson step set: the
// case with its knobs and painted edits, the model, the method with its
// parameters and target, the view, and the lesson step. Every part is
// optional, so a lesson step can say "switch to Integrated Gradients with 4
// steps" and leave the case alone. Pure logic, tested natively.
//
//   LinkState s;
//   s.has_case = true; s.scenario = "chest_xray"; s.seed = 7; s.knobs = {{"marker", 1}};
//   s.has_method = true; s.method = "integrated_gradients"; s.params = {{"steps", "16"}};
//   std::string frag = link_encode(s);             // "v=1&case=chest_xray&seed=7&k.marker=1&m=integrated_gradients&p.steps=16"
//   Result<LinkState> back = link_decode("#" + frag);  // the same state
//   Result<LinkState> step = link_from_json((*lesson)["steps"][0]["state"], "lesson saliency, step 1");
#pragma once
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "core/json.h"
#include "core/status.h"
#include "explain/explainer.h"
#include "explain/heatmap.h"
#include "state/edits.h"

namespace xm {

struct LinkState {
  bool has_case = false;
  std::string scenario;
  uint64_t seed = 1;
  std::vector<std::pair<std::string, float>> knobs;  // applied after the scenario's defaults
  EditList edits;

  std::string model;  // zoo name; empty keeps the current model

  bool has_method = false;
  std::string method;
  ParamList params;  // only the ones that differ from the defaults
  int target = -1;   // -1: the predicted class
  bool run = true;   // run the method once the state is set

  bool has_view = false;
  HeatView view;
  float zoom = 1.0f, pan_x = 0.0f, pan_y = 0.0f;

  std::string lesson;  // lesson id; empty: none open
  int step = 0;        // 0-based

  std::vector<std::string> compare;  // lesson steps only: methods shown side by side

  std::string dropped;  // what decoding left out to bound the work (edits_fit_budget), for the user
};

// "v=1&case=...&seed=...&k.NAME=V&edit=...&model=...&m=...&p.KEY=V&t=...&view=...&zoom=...&lesson=...&step=..."
// (components percent-encoded; a leading '#' is accepted by link_decode).
// The work a link can ask for is bounded: the fragment's length, the edits'
// points (EDIT_MAX_POINTS) and the pixels they paint (EDIT_MAX_WORK; strokes
// past it are dropped and `dropped` says so).
std::string link_encode(const LinkState& s);
Result<LinkState> link_decode(const std::string& fragment);
// A lesson step's "state" object: {"scenario", "seed", "knobs": {name: value},
// "edits": "p,4,0.1,x,y,...", "model", "method", "params": {key: value},
// "target", "run", "view": {"sign", "colormap", "opacity", "clip", "outline", "zoom"},
// "compare": [methods]}. Unknown keys are refused (a typo would silently do nothing).
Result<LinkState> link_from_json(const Json& state, const std::string& where);
// Checks names against what exists: scenario and its knobs, method and its
// parameter keys. (Model names are checked by the page against its zoo.)
Status link_validate(const LinkState& s, const std::string& where);

// `over` on top of `base`: each part `over` sets (case, model, method, view)
// replaces that part of `base`; `compare` is never inherited. Opening lesson
// step k applies the merge of steps 0..k, so a step looks the same however it is reached.
LinkState link_merge(const LinkState& base, const LinkState& over);

std::string link_percent_encode(const std::string& s);
Result<std::string> link_percent_decode(const std::string& s);

}  // namespace xm
