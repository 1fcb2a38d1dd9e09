// Keyboard shortcuts and their help overlay. Keys are latched by a GLFW
// callback in front of ImGui's (a press and release between two frames would
// be lost otherwise) and handled once per frame.
#include <GLFW/glfw3.h>

#include <algorithm>

#include "platform/platform.h"
#include "teach.h"

namespace xm {

namespace {

struct Shortcut {
  const char* keys;
  const char* what;
};

const Shortcut kShortcuts[] = {
    {"?  or  F1", "this help"},
    {"Right / Page Down", "next lesson step"},
    {"Left / Page Up", "previous lesson step"},
    {"L", "lessons"},
    {"1 2 3 4", "case: cardiac MRI, liver CT, chest X-ray, fundus"},
    {"N / Shift+N", "next / previous patient (seed)"},
    {"M / Shift+M", "next / previous method"},
    {"R", "run the method (explain)"},
    {"X", "cancel the run"},
    {"O", "overlay on / off"},
    {"G", "ground-truth outline on / off"},
    {"C", "compare methods window"},
    {"W", "what-if window"},
    {"B / E / U", "paint / heal (erase a lesion) / restore brush"},
    {"Q", "occlusion probe (follows the mouse)"},
    {"[ / ]", "smaller / larger brush"},
    {"Z  or  Ctrl+Z", "undo the last stroke"},
    {"+ / - / 0", "presenter scale up / down / 1x (1x to 3x)"},
    {"K", "high-contrast theme"},
    {"P", "presenter mode: hide the menu bar"},
    {"F", "fullscreen"},
    {"S", "copy a link to this exact state"},
    {"Esc", "close help or lesson, drop the tool"},
};

void key_latch(GLFWwindow* w, int key, int scancode, int action, int mods) {
  Teach& t = static_cast<App*>(glfwGetWindowUserPointer(w))->teach;
  if (action == GLFW_PRESS) t.keys.emplace_back(key, mods);
  if (t.imgui_key_callback) t.imgui_key_callback(w, key, scancode, action, mods);
}

bool pressed(Teach& t, int key) {
  for (auto& k : t.keys)
    if (k.first == key) {
      t.key_shift = (k.second & GLFW_MOD_SHIFT) != 0;
      return true;
    }
  return false;
}

// How many times `key` went down since the last frame: a slow frame (software
// WebGL) can span several presses of a repeated key such as undo.
int presses(const Teach& t, int key) {
  int n = 0;
  for (auto& k : t.keys) n += k.first == key;
  return n;
}

// Ctrl+Z says when there is nothing to undo; plain Z stays quiet.
void undo_strokes(App& a, int n, bool report_nothing) {
  for (int i = 0; i < n && (report_nothing || !a.lab.edits().empty()); ++i) {
    Status s = teach_undo(a);
    if (!s) return app_report(a, s.error());
  }
}

void set_tool(Teach& t, TeachTool tool) {
  t.tool = t.tool == tool ? TeachTool::NONE : tool;
  if (t.tool != TeachTool::NONE) t.show_whatif = true;
  t.probe_x = t.probe_y = -1;
}

void switch_case(App& a, const std::string& sc) {
  Status s = a.lab.set_scenario(sc);
  if (!s) return app_report(a, s.error());
  for (auto& z : a.zoo)
    if (z.name == sc && a.lab.model_name() != sc) platform_page_request("load-model", z.url.c_str());
}

}  // namespace

void teach_handle_keys(App& a) {
  ImGuiIO& io = ImGui::GetIO();
  Teach& t = a.teach;
  struct ClearKeys {
    Teach& t;
    ~ClearKeys() { t.keys.clear(); }
  } clear_keys{t};
  if (io.WantTextInput) return;  // typing in a field
  Lab& lab = a.lab;
  bool ctrl = io.KeyCtrl || io.KeySuper;
  for (auto& k : t.keys) ctrl = ctrl || (k.second & (GLFW_MOD_CONTROL | GLFW_MOD_SUPER)) != 0;
  for (int i = 0; i < io.InputQueueCharacters.Size; ++i) {
    const ImWchar c = io.InputQueueCharacters[i];
    if (ctrl) break;
    if (c == '?') t.show_help = !t.show_help;
    else if (c == '+' || c == '=') teach_set_scale(a, a.ui_scale + 0.25f);
    else if (c == '-' || c == '_') teach_set_scale(a, a.ui_scale - 0.25f);
    else if (c == '[') t.brush = std::max(1, t.brush - 1);
    else if (c == ']') t.brush = std::min(24, t.brush + 1);
  }
  if (ctrl) {
    undo_strokes(a, presses(t, GLFW_KEY_Z), true);
    return;
  }
  if (pressed(t, GLFW_KEY_F1)) t.show_help = !t.show_help;
  if (pressed(t, GLFW_KEY_ESCAPE)) {
    if (t.show_help) t.show_help = false;
    else if (t.tool != TeachTool::NONE) t.tool = TeachTool::NONE;
    else if (t.lesson >= 0) t.lesson = -1, t.show_lessons = false;
    else t.show_lessons = false;
  }
  if (t.lesson >= 0) {
    if (pressed(t, GLFW_KEY_RIGHT) || pressed(t, GLFW_KEY_PAGE_DOWN)) teach_go_step(a, t.step + 1);
    if (pressed(t, GLFW_KEY_LEFT) || pressed(t, GLFW_KEY_PAGE_UP)) teach_go_step(a, t.step - 1);
    if (pressed(t, GLFW_KEY_HOME)) teach_go_step(a, 0);
  }
  if (pressed(t, GLFW_KEY_L)) t.show_lessons = !t.show_lessons;
  const auto& scenarios = phantom_scenarios();
  for (int i = 0; i < 4 && i < int(scenarios.size()); ++i)
    if (pressed(t, GLFW_KEY_1 + i)) switch_case(a, scenarios[size_t(i)]);
  if (pressed(t, GLFW_KEY_N)) {
    uint64_t s = lab.seed();
    Status st = lab.set_seed(t.key_shift ? (s > 0 ? s - 1 : 0) : s + 1);
    if (!st) app_report(a, st.error());
  }
  if (pressed(t, GLFW_KEY_M)) {
    const auto& ms = explain_methods();
    int cur = 0;
    for (size_t i = 0; i < ms.size(); ++i)
      if (a.method == ms[i].name) cur = int(i);
    const int n = int(ms.size());
    a.method = ms[size_t(((cur + (t.key_shift ? -1 : 1)) % n + n) % n)].name;
    app_run_current(a);
  }
  if (pressed(t, GLFW_KEY_R)) app_run_current(a);
  if (pressed(t, GLFW_KEY_X)) lab.cancel();
  if (pressed(t, GLFW_KEY_O)) {
    if (a.view.opacity > 0) {
      t.saved_opacity = a.view.opacity;
      a.view.opacity = 0;
    } else {
      a.view.opacity = t.saved_opacity > 0 ? t.saved_opacity : 0.6f;
    }
  }
  if (pressed(t, GLFW_KEY_G)) a.view.outline = !a.view.outline;
  if (pressed(t, GLFW_KEY_C)) a.show_compare = !a.show_compare;
  if (pressed(t, GLFW_KEY_W)) t.show_whatif = !t.show_whatif;
  if (pressed(t, GLFW_KEY_B)) set_tool(t, TeachTool::PAINT);
  if (pressed(t, GLFW_KEY_E)) set_tool(t, TeachTool::HEAL);
  if (pressed(t, GLFW_KEY_U)) set_tool(t, TeachTool::RESTORE);
  if (pressed(t, GLFW_KEY_Q)) set_tool(t, TeachTool::PROBE);
  undo_strokes(a, presses(t, GLFW_KEY_Z), false);
  if (pressed(t, GLFW_KEY_0)) teach_set_scale(a, 1.0f);
  if (pressed(t, GLFW_KEY_K)) {
    t.high_contrast = !t.high_contrast;
    t.restyle = true;
  }
  if (pressed(t, GLFW_KEY_P)) t.presenter = !t.presenter;
  if (pressed(t, GLFW_KEY_F)) platform_page_request("fullscreen", "");
  if (pressed(t, GLFW_KEY_S)) platform_page_request("copy-link", "");
}

void teach_install_key_hook(App& a) {
  Teach& t = a.teach;
  if (t.key_hook || !a.window) return;
  // Chained in front of ImGui's own callback (installed by ImGui_ImplGlfw_InitForOpenGL).
  glfwSetWindowUserPointer(a.window, &a);
  t.imgui_key_callback = glfwSetKeyCallback(a.window, key_latch);
  t.key_hook = true;
}

void teach_window_help(Teach& t) {
  ImGuiViewport* vp = ImGui::GetMainViewport();
  ImGui::SetNextWindowPos(ImVec2(vp->Pos.x + vp->Size.x * 0.5f, vp->Pos.y + vp->Size.y * 0.5f), ImGuiCond_Always, ImVec2(0.5f, 0.5f));
  ImGui::SetNextWindowBgAlpha(0.97f);
  if (ImGui::Begin("Keyboard shortcuts", &t.show_help, ImGuiWindowFlags_AlwaysAutoResize | ImGuiWindowFlags_NoCollapse)) {
    if (ImGui::BeginTable("keys", 2, ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerV)) {
      for (const Shortcut& s : kShortcuts) {
        ImGui::TableNextRow();
        ImGui::TableSetColumnIndex(0);
        ImGui::TextUnformatted(s.keys);
        ImGui::TableSetColumnIndex(1);
        ImGui::TextUnformatted(s.what);
      }
      ImGui::EndTable();
    }
    ImGui::TextDisabled("Presenter clickers send Page Up / Page Down. Esc closes this.");
  }
  ImGui::End();
}

}  // namespace xm
