// Teaching on top of the lab: guided lessons, presenter mode (scale, high
// contrast, chrome hidden, fullscreen), keyboard shortcuts with a help
// overlay, what-if painting and the occlusion probe, and deep links (the
// whole state in the URL fragment). The state that is plain logic lives in
// ui/state/ (edits.h, link_state.h, lessons.h); this is the ImGui side.
//
//   teach_before_frame(a);   // main loop, before ImGui::NewFrame (font rebuilds, pending states)
//   teach_draw(a);           // after app_draw: lesson panel, what-if window, help overlay, shortcuts
//   teach_apply(a, state);   // a lesson step or a link; fetches the model first when it differs
#pragma once
#include <string>
#include <utility>
#include <vector>

#include "app.h"
#include "imgui.h"
#include "state/lessons.h"
#include "state/link_state.h"

namespace xm {

enum class TeachTool { NONE, PAINT, HEAL, RESTORE, PROBE };

struct Teach {
  std::vector<Lesson> lessons;
  int lesson = -1;  // index into lessons, -1: none open
  int step = 0;
  bool show_lessons = false, show_help = false, show_whatif = false;
  bool presenter = false;      // chrome (menu bar) hidden
  bool high_contrast = false;  // projector theme
  bool restyle = false;        // rebuild fonts and style before the next frame
  float saved_opacity = 0.6f;  // for the overlay on/off key

  // What-if
  TeachTool tool = TeachTool::NONE;
  int brush = 4;            // radius in image pixels
  float paint_value = 0.0f;  // grey level the paint brush lays down
  bool stroking = false;
  EditList before_stroke;  // the edits when the current drag started
  EditStroke stroke;       // the drag in progress
  int probe_size = 16;
  float probe_fill = 0.0f;
  int probe_x = -1, probe_y = -1;
  uint64_t probe_version = 0;
  std::vector<float> probe_probs;

  // Links and states that wait for a model to arrive
  bool link_ready = false;  // the page has handed over its start-up link
  bool pending = false;
  LinkState pending_state;
  int pending_frames = 0;
  std::string fragment;  // the one last written to the address bar

  // Keys pressed since the last frame (ImGui 1.86 loses a press and release
  // that both land between two frames, as a clicker's or a script's do).
  std::vector<std::pair<int, int>> keys;  // GLFW key, mods
  bool key_hook = false;

  // Where the explanation view is (device pixels), for the tests and the probe
  float view_x = 0, view_y = 0, view_side = 0;
};

Teach& teach();
void teach_before_frame(App& a);
void teach_draw(App& a);
// The Lessons and Presenter menus, drawn inside the main menu bar.
void teach_menus(App& a);
// Inside the explanation view, after the image is drawn: painting, the
// probe and their cursors. Returns true when a tool owns the mouse (no panning).
bool teach_view(App& a, ImVec2 c0, float side, ImVec2 uv0, ImVec2 uv1);
bool teach_tool_active();
bool teach_chrome_hidden();
// Applied inside app_apply_scale before sizes are scaled.
void teach_style(ImGuiStyle& style);

Status teach_apply(App& a, const LinkState& s);
Status teach_open_link(App& a, const std::string& fragment);
Status teach_start_lesson(App& a, const std::string& id, int step);
Status teach_add_lesson(const std::string& json_text, const std::string& name);
LinkState teach_capture(const App& a);
// Strokes from the test API and the what-if window.
Status teach_paint(App& a, EditMode mode, int x, int y, int radius, float value);
Status teach_undo(App& a);
// ,"teach":{...} for status()
std::string teach_status_json(const App& a);
std::string teach_lessons_json();

}  // namespace xm
