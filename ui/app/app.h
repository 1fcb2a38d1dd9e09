// The browser app: main loop, panels and the exported test API share this.
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "image/image_io.h"
#include "state/app_state.h"
#include "explain/heatmap.h"
#include "state/lab.h"

struct GLFWwindow;

namespace xm {

// An RGBA image the renderer can draw (a WebGL texture, or pixels the software
// renderer samples, ui/app/render.h); re-uploaded when its pixels change.
struct Texture {
  unsigned id = 0;
  int width = 0, height = 0;
  uint64_t version = 0;
};
void texture_upload(Texture& t, const Image8& rgba);

struct ZooEntry {
  std::string name, url, scenario, summary;
};

// Case thumbnails are drawn once nothing has run for this many frames (panels.cpp).
constexpr int kThumbnailIdleFrames = 30;

struct App {
  AppState state;
  Lab lab;
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
};

App& app();
void app_draw(App& a);
void app_apply_scale(App& a);
// Starts the current method with the panel's parameters; reports failures to the user.
void app_run_current(App& a);
ParamList app_params_for(const App& a, const std::string& method);
void app_report(App& a, const std::string& message);
// One method parameter as a widget (param_widgets.cpp); true when a new value is committed.
bool param_widget(const ParamSpec& spec, std::string& value, int image_side, float label_width);

}  // namespace xm
