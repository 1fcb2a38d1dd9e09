// The teaching layer's frame hooks, presenter mode (scale, high contrast,
// chrome hidden) and its menus. The rest of the layer is in files named for
// what they hold: teach_keys.cpp, teach_links.cpp, teach_lessons.cpp,
// teach_whatif.cpp (and panel_whatif.cpp); status.cpp reports it.
#include "teach.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "platform/platform.h"

namespace xm {

const char* teach_tool_name(TeachTool t) {
  switch (t) {
    case TeachTool::NONE: return "none";
    case TeachTool::PAINT: return "paint";
    case TeachTool::HEAL: return "heal";
    case TeachTool::RESTORE: return "restore";
    case TeachTool::PROBE: return "probe";
  }
  return "none";
}

void teach_set_scale(App& a, float s) {
  s = std::min(3.0f, std::max(1.0f, std::round(s * 4.0f) / 4.0f));
  if (s == a.ui_scale) return;
  a.ui_scale = s;
  a.teach.restyle = true;
}

bool teach_chrome_hidden(const App& a) { return a.teach.presenter; }

void teach_menus(App& a) {
  Teach& t = a.teach;
  if (ImGui::BeginMenu("Lessons")) {
    for (auto& l : t.lessons)
      if (ImGui::MenuItem(l.title.c_str())) {
        Status s = teach_start_lesson(a, l.id, 0);
        if (!s) app_report(a, s.error());
      }
    ImGui::Separator();
    ImGui::MenuItem("Lesson panel", "L", &t.show_lessons);
    ImGui::EndMenu();
  }
  if (ImGui::BeginMenu("Teach")) {
    ImGui::MenuItem("What-if editing", "W", &t.show_whatif);
    ImGui::Separator();
    if (ImGui::MenuItem("Presenter mode (hide this bar)", "P", &t.presenter)) {}
    if (ImGui::MenuItem("Fullscreen", "F")) platform_page_request("fullscreen", "");
    if (ImGui::MenuItem("High contrast", "K", &t.high_contrast)) t.restyle = true;
    if (ImGui::BeginMenu("Scale")) {
      for (float s : {1.0f, 1.5f, 2.0f, 2.5f, 3.0f}) {
        char b[16];
        std::snprintf(b, sizeof b, "%.1fx", double(s));
        if (ImGui::MenuItem(b, nullptr, a.ui_scale == s)) teach_set_scale(a, s);
      }
      ImGui::EndMenu();
    }
    ImGui::Separator();
    if (ImGui::MenuItem("Copy link to this state", "S")) platform_page_request("copy-link", "");
    ImGui::MenuItem("Keyboard shortcuts", "?", &t.show_help);
    ImGui::EndMenu();
  }
}

void teach_style(const App& a, ImGuiStyle& style) {
  if (!a.teach.high_contrast) return;
  // Projector theme: pure black and white, yellow for what is active, thick borders.
  ImGui::StyleColorsDark(&style);
  ImVec4* c = style.Colors;
  const ImVec4 black(0, 0, 0, 1), white(1, 1, 1, 1), yellow(1, 0.9f, 0, 1), grey(0.25f, 0.25f, 0.25f, 1);
  c[ImGuiCol_Text] = white;
  c[ImGuiCol_TextDisabled] = ImVec4(0.85f, 0.85f, 0.85f, 1);
  c[ImGuiCol_WindowBg] = black;
  c[ImGuiCol_PopupBg] = black;
  c[ImGuiCol_ChildBg] = black;
  c[ImGuiCol_MenuBarBg] = black;
  c[ImGuiCol_Border] = white;
  c[ImGuiCol_FrameBg] = grey;
  c[ImGuiCol_FrameBgHovered] = ImVec4(0.4f, 0.4f, 0.4f, 1);
  c[ImGuiCol_FrameBgActive] = ImVec4(0.5f, 0.5f, 0.5f, 1);
  c[ImGuiCol_TitleBg] = black;
  c[ImGuiCol_TitleBgActive] = ImVec4(0.1f, 0.1f, 0.35f, 1);
  c[ImGuiCol_Button] = ImVec4(0.2f, 0.2f, 0.2f, 1);
  c[ImGuiCol_ButtonHovered] = ImVec4(0.45f, 0.45f, 0.1f, 1);
  c[ImGuiCol_ButtonActive] = yellow;
  c[ImGuiCol_Header] = ImVec4(0.3f, 0.3f, 0.0f, 1);
  c[ImGuiCol_HeaderHovered] = ImVec4(0.45f, 0.45f, 0.1f, 1);
  c[ImGuiCol_CheckMark] = yellow;
  c[ImGuiCol_SliderGrab] = yellow;
  c[ImGuiCol_SliderGrabActive] = white;
  c[ImGuiCol_PlotHistogram] = yellow;
  style.WindowBorderSize = 2.0f;
  style.FrameBorderSize = 1.0f;
}

void teach_before_frame(App& a) {
  Teach& t = a.teach;
  teach_install_key_hook(a);
  if (t.restyle) {
    t.restyle = false;
    app_apply_scale(a);  // between frames: the font atlas is rebuilt at the new size
  }
  teach_follow_links(a);
}

void teach_draw(App& a) {
  Teach& t = a.teach;
  teach_handle_keys(a);
  if (t.show_whatif) teach_window_whatif(a);
  if (t.show_lessons) teach_window_lessons(a);
  if (t.show_help) teach_window_help(t);
}

}  // namespace xm
