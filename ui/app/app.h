// The browser app: main loop, panels and the exported test API share this.
#pragma once
#include "state/app_state.h"

struct GLFWwindow;

namespace xm {

struct App {
  AppState state;
  GLFWwindow* window = nullptr;
  double dpr = 1.0;       // device pixel ratio the fonts were built for
  float ui_scale = 1.0f;  // user's presenter scale on top of the ratio
  bool font_loaded = false;
  bool ready_sent = false;
};

App& app();
// Draws the whole layout for one frame (menu bar, side panels, explanation view).
void app_draw_layout(App& a);
// Builds fonts and style for the current pixel ratio and scale.
void app_apply_scale(App& a);

}  // namespace xm
