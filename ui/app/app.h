// The browser app's state: one App (main.cpp) holds all the UI keeps between
// frames (the lab, the teaching layer, the evaluation window, the renderer);
// the main loop, the panels and the exported test API take it as a parameter.
//
//   App& a = app();                        // main() and the xm_api_* functions only
//   app_draw(a);                           // every frame (panels.cpp)
//   std::string s = app_status_json(a);    // window.xmediaLab.status() (status.cpp)
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "explain/heatmap.h"
#include "image/image_io.h"
#include "render/render.h"
#include "state/app_state.h"
#include "state/evaluation.h"
#include "state/lab.h"
#include "input.h"
#include "teach_state.h"

struct GLFWwindow;

namespace xm {

struct ZooEntry {
  std::string name, url, scenario, summary;
};

// Case thumbnails are drawn once nothing has run for this many frames (panels.cpp).
constexpr int kThumbnailIdleFrames = 30;
// The explainer's slice of a frame at most (main.cpp says why 6 ms).
constexpr double kTickBudgetMs = 6.0;

// The evaluation window's state (panel_evaluate.cpp).
struct EvalUi {
  LabEvaluation ev;
  bool open = false;
  bool with_max_sensitivity = false;
  std::vector<Texture> strip;
  uint64_t strip_version = ~uint64_t(0);
};

// What the explanation view last turned into its overlay texture (panels.cpp):
// rebuilt only when the case, the map or the view changed.
struct ShownOverlay {
  Heat2D heat;
  HeatScale scale;
  uint64_t image = 0, map = 0;
  HeatView view;
  const float* data = nullptr;  // which tensor: the job's partial map, the last result, none
  double at = -1;
};

// Everything the page's UI holds, one instance (main.cpp), passed to every
// panel; the exported xm_api_* functions reach it through app().
struct App {
  AppState state;
  Lab lab;
  Teach teach;
  EvalUi eval;
  RenderState render;
  InputGlue input;
  GLFWwindow* window = nullptr;
  double dpr = 1.0;       // device pixel ratio the fonts were built for
  float ui_scale = 1.0f;  // user's presenter scale on top of the ratio
  std::string font_source;  // where the font atlas came from: a baked file, the TTF or ImGui's default
  bool ready_sent = false;
  bool first_explanation_marked = false;
  bool startup_done = false;  // default model and case loaded (the page says so)
  int idle_frames = 0;        // frames in a row with no method or evaluation running (main.cpp)

  // View
  HeatView view;
  bool shared_scale = true;  // Compare: one scale for every map
  float zoom = 1.0f;
  float pan_x = 0, pan_y = 0;
  Texture tex_main, tex_legend;
  std::vector<Texture> tex_compare;
  std::map<std::string, Texture> tex_thumbs;
  uint64_t drawn_image_version = 0, drawn_map_version = 0;
  ShownOverlay shown;
  std::string hover_text;

  // Explain panel
  // The page opens with Grad-CAM: one forward and one backward pass, so the
  // first explanation is on screen at once.
  std::string method = "grad_cam";
  std::map<std::string, std::map<std::string, std::string>> param_values;  // method -> key -> text
  int target = -1;
  bool show_compare = false;
  bool show_about = false;
  std::vector<std::string> compare_methods{"saliency", "integrated_gradients", "grad_cam"};

  std::vector<ZooEntry> zoo;
  std::string loading_model;  // name while the page fetches it
  std::string export_message;

  // What the last xm_api_* call handed the page (its JS copies it at once).
  std::string api_out;
  std::vector<uint8_t> api_bytes;

  // Main loop (main.cpp): when the last frame began and the explainer's slice.
  double last_frame_ms = 0, tick_budget_ms = kTickBudgetMs;
};

// The one App, for main() and the exported xm_api_* functions; everything else takes it as a parameter.
App& app();
void app_draw(App& a);
void app_apply_scale(App& a);
// Starts the current method with the panel's parameters; reports failures to the user.
void app_run_current(App& a);
ParamList app_params_for(const App& a, const std::string& method);
void app_report(App& a, const std::string& message);
// For the exported xm_api_* functions (api.cpp): `s` kept in a.api_out, as a C string.
const char* app_api_return(App& a, std::string s);
// "" on success, else the message, reported to the user first when `report`.
const char* app_api_status(App& a, const Status& s, bool report = true);
// window.xmediaLab.status(), every section (status.cpp).
std::string app_status_json(App& a);
// One method parameter as a widget (param_widgets.cpp); true when a new value is committed.
bool param_widget(const ParamSpec& spec, std::string& value, int image_side, float label_width);

}  // namespace xm
