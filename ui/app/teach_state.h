// The teaching layer's state (ui/app/teach.h draws it): the open lesson, the
// presenter switches, the what-if tool and probe, links waiting for a model,
// and the keys of the last frame. Plain data, a member of App (app.h).
//
//   Teach& t = a.teach;
//   if (t.tool == TeachTool::PROBE) ...
#pragma once
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "state/edits.h"
#include "state/lessons.h"
#include "state/link_state.h"

struct GLFWwindow;

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
  void (*imgui_key_callback)(GLFWwindow*, int, int, int, int) = nullptr;  // ImGui's, called after ours
  bool key_shift = false;  // Shift was held with the key last found pressed

  // Where the explanation view is (device pixels), for the tests and the probe
  float view_x = 0, view_y = 0, view_side = 0;
};

// The name status().teach.tool reports.
const char* teach_tool_name(TeachTool t);

}  // namespace xm
