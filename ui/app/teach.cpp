// [SECTION] state and helpers
// [SECTION] applying states (lessons, links)
// [SECTION] what-if strokes and the view hook
// [SECTION] keyboard shortcuts
// [SECTION] lesson panel, help overlay, menus
// [SECTION] frame hooks and status
#include "teach.h"

#include <GLFW/glfw3.h>

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "core/json.h"
#include "platform/platform.h"

namespace xm {

// Defined in panel_whatif.cpp.
void teach_window_whatif(App& a);

// [SECTION] state and helpers

Teach& teach() {
  static Teach t;
  return t;
}

namespace {

const ZooEntry* zoo_find(const App& a, const std::string& name) {
  for (auto& z : a.zoo)
    if (z.name == name) return &z;
  return nullptr;
}

bool case_matches(const Lab& lab, const LinkState& s) {
  if (!lab.has_phantom() || lab.scenario() != s.scenario || lab.seed() != s.seed) return false;
  auto spec = phantom_spec(s.scenario);
  if (!spec) return false;
  for (auto& k : s.knobs)
    if (!phantom_set_knob(*spec, k.first, k.second)) return false;
  return spec->values == lab.spec().values && edits_encode(lab.edits()) == edits_encode(s.edits);
}

std::string jnum(double v) {
  char b[32];
  std::snprintf(b, sizeof b, "%.6g", std::isfinite(v) ? v : 0.0);
  return b;
}

const char* tool_name(TeachTool t) {
  switch (t) {
    case TeachTool::NONE: return "none";
    case TeachTool::PAINT: return "paint";
    case TeachTool::HEAL: return "heal";
    case TeachTool::RESTORE: return "restore";
    case TeachTool::PROBE: return "probe";
  }
  return "none";
}

void set_scale(App& a, float s) {
  s = std::min(3.0f, std::max(1.0f, std::round(s * 4.0f) / 4.0f));
  if (s == a.ui_scale) return;
  a.ui_scale = s;
  teach().restyle = true;
}

// [SECTION] applying states (lessons, links)

Status apply_now(App& a, const LinkState& s) {
  Lab& lab = a.lab;
  if (s.has_case && !case_matches(lab, s)) {
    XM_TRY(lab.set_scenario(s.scenario));
    XM_TRY(lab.set_seed(s.seed));
    for (auto& k : s.knobs) XM_TRY(lab.set_knob(k.first, k.second));
    if (!s.edits.empty()) XM_TRY(lab.set_edits(s.edits));
  }
  if (s.has_method) {
    a.method = s.method;
    auto& values = a.param_values[s.method];
    values.clear();  // the panel fills in the defaults; only the step's own values stay
    for (auto& p : s.params) values[p.first] = p.second;
    a.target = s.target;
  }
  if (s.has_view) {
    a.view = s.view;
    a.zoom = s.zoom;
    a.pan_x = s.pan_x;
    a.pan_y = s.pan_y;
  }
  if (!s.compare.empty()) {
    a.compare_methods = s.compare;
    a.show_compare = true;
    lab.queue_compare(s.compare);
    for (auto& run : lab.compare_queue) run.second = app_params_for(a, run.first);
  } else if (s.has_method && s.run && lab.has_model()) {
    Status st = lab.start_run(a.method, app_params_for(a, a.method), a.target);
    if (!st) return st;
  }
  return Status::ok();
}

LinkState step_state(const Lesson& l, int step) {
  LinkState m;
  for (int i = 0; i <= step && i < int(l.steps.size()); ++i) m = link_merge(m, l.steps[size_t(i)].state);
  return m;
}

void go_step(App& a, int step) {
  Teach& t = teach();
  if (t.lesson < 0) return;
  const Lesson& l = t.lessons[size_t(t.lesson)];
  step = std::max(0, std::min(int(l.steps.size()) - 1, step));
  t.step = step;
  Status s = teach_apply(a, step_state(l, step));
  if (!s) app_report(a, l.id + ", step " + std::to_string(step + 1) + ": " + s.error());
}

}  // namespace

Status teach_apply(App& a, const LinkState& s) {
  XM_TRY(link_validate(s, "link"));
  Teach& t = teach();
  t.pending = false;
  if (!s.model.empty() && s.model != a.lab.model_name()) {
    const ZooEntry* z = zoo_find(a, s.model);
    if (!z) return Status::error("the model '" + s.model + "' is not in this lab's zoo");
    t.pending = true;
    t.pending_state = s;
    t.pending_frames = 0;
    platform_page_request("load-model", z->url.c_str());
    return Status::ok();
  }
  return apply_now(a, s);
}

Status teach_open_link(App& a, const std::string& fragment) {
  auto s = link_decode(fragment);
  if (!s) return s.status();
  Teach& t = teach();
  t.link_ready = true;
  if (!s->lesson.empty()) {
    int found = -1;
    for (size_t i = 0; i < t.lessons.size(); ++i)
      if (t.lessons[i].id == s->lesson) found = int(i);
    if (found < 0) return Status::error("link: no lesson '" + s->lesson + "' in this lab");
    const int n = int(t.lessons[size_t(found)].steps.size());
    if (s->step >= n)
      return Status::error("link: lesson '" + s->lesson + "' has steps 0.." + std::to_string(n - 1) + ", not " + std::to_string(s->step));
    t.lesson = found;
    t.step = s->step;
    t.show_lessons = true;
  }
  if (!s->dropped.empty()) app_report(a, "link: " + s->dropped);
  return teach_apply(a, *s);
}

Status teach_start_lesson(App& a, const std::string& id, int step) {
  Teach& t = teach();
  for (size_t i = 0; i < t.lessons.size(); ++i) {
    if (t.lessons[i].id != id) continue;
    const int n = int(t.lessons[i].steps.size());
    if (step < 0 || step >= n)
      return Status::error("lesson '" + id + "' has steps 0.." + std::to_string(n - 1) + ", not " + std::to_string(step));
    t.lesson = int(i);
    t.step = step;
    t.show_lessons = true;
    return teach_apply(a, step_state(t.lessons[i], step));
  }
  return Status::error("no lesson '" + id + "'");
}

Status teach_add_lesson(const std::string& json_text, const std::string& name) {
  auto l = lesson_parse(json_text, name);
  if (!l) return l.status();
  Teach& t = teach();
  for (auto& e : t.lessons)
    if (e.id == l->id) {
      e = l.take();  // reloaded
      return Status::ok();
    }
  t.lessons.push_back(l.take());
  return Status::ok();
}

LinkState teach_capture(const App& a) {
  const Lab& lab = a.lab;
  const Teach& t = teach();
  LinkState s;
  if (lab.has_phantom()) {
    s.has_case = true;
    s.scenario = lab.scenario();
    s.seed = lab.seed();
    const PhantomSpec& spec = lab.spec();
    for (size_t k = 0; k < spec.knobs.size() && k < spec.values.size(); ++k)
      if (spec.values[k] != spec.knobs[k].def) s.knobs.emplace_back(spec.knobs[k].name, spec.values[k]);
    s.edits = lab.edits();
  }
  if (zoo_find(a, lab.model_name())) s.model = lab.model_name();
  s.has_method = true;
  s.method = a.method;
  s.params = app_params_for(a, a.method);
  s.target = a.target;
  s.has_view = true;
  s.view = a.view;
  s.zoom = a.zoom;
  s.pan_x = a.pan_x;
  s.pan_y = a.pan_y;
  if (t.lesson >= 0) {
    s.lesson = t.lessons[size_t(t.lesson)].id;
    s.step = t.step;
  }
  return s;
}

// [SECTION] what-if strokes and the view hook

Status teach_paint(App& a, EditMode mode, int x, int y, int radius, float value) {
  EditList e = a.lab.edits();
  e.strokes.push_back({mode, radius, value, {{x, y}}});
  return a.lab.set_edits(e);
}

Status teach_undo(App& a) {
  EditList e = a.lab.edits();
  if (e.strokes.empty()) return Status::error("nothing to undo");
  e.strokes.pop_back();
  return a.lab.set_edits(e);
}

bool teach_tool_active() { return teach().tool != TeachTool::NONE; }
bool teach_chrome_hidden() { return teach().presenter; }

bool teach_view(App& a, ImVec2 c0, float side, ImVec2 uv0, ImVec2 uv1) {
  Teach& t = teach();
  t.view_x = c0.x;
  t.view_y = c0.y;
  t.view_side = side;
  if (t.tool == TeachTool::NONE) return false;
  Lab& lab = a.lab;
  const Tensor& img = lab.image01();
  if (img.rank() != 4) return false;
  const int W = int(img.dim(3)), H = int(img.dim(2));
  ImGuiIO& io = ImGui::GetIO();
  const float du = uv1.x - uv0.x, dv = uv1.y - uv0.y;
  const float u = uv0.x + (io.MousePos.x - c0.x) / side * du, v = uv0.y + (io.MousePos.y - c0.y) / side * dv;
  const int px = int(std::floor(u * float(W))), py = int(std::floor(v * float(H)));
  const float per_px = side / (du * float(W));  // screen pixels per image pixel
  const bool hovered = ImGui::IsItemHovered(), active = ImGui::IsItemActive();
  ImDrawList* dl = ImGui::GetWindowDrawList();
  auto to_screen = [&](float ix, float iy) {
    return ImVec2(c0.x + (ix / float(W) - uv0.x) / du * side, c0.y + (iy / float(H) - uv0.y) / dv * side);
  };
  if (t.tool == TeachTool::PROBE) {
    if (!hovered || !lab.has_model()) {
      t.probe_x = t.probe_y = -1;
      return true;
    }
    // One forward pass when the square moves or the case changes, never more than one a frame.
    if (px != t.probe_x || py != t.probe_y || t.probe_version != lab.image_version()) {
      std::vector<float> p;
      Status s = lab.probe_occlusion(px, py, t.probe_size, t.probe_fill, &p);
      if (s) t.probe_probs = p;
      t.probe_x = px;
      t.probe_y = py;
      t.probe_version = lab.image_version();
    }
    const float h = float(t.probe_size) * 0.5f;
    ImVec2 q0 = to_screen(float(px) - std::floor(h), float(py) - std::floor(h));
    ImVec2 q1 = to_screen(float(px) - std::floor(h) + float(t.probe_size), float(py) - std::floor(h) + float(t.probe_size));
    const uint8_t fill = uint8_t(std::lround(t.probe_fill * 255));
    dl->AddRectFilled(q0, q1, IM_COL32(fill, fill, fill, 230));
    dl->AddRect(q0, q1, IM_COL32(255, 220, 0, 255), 0, 0, 2.0f);
    const auto& now = lab.probabilities();
    const int k = a.target >= 0 ? a.target : lab.predicted();
    if (k < int(now.size()) && k < int(t.probe_probs.size())) {
      char b[64];
      std::snprintf(b, sizeof b, "drop %+.3f", double(now[size_t(k)] - t.probe_probs[size_t(k)]));
      dl->AddText(ImVec2(q1.x + 4, q0.y), IM_COL32(255, 220, 0, 255), b);
    }
    return true;
  }
  if (hovered || t.stroking)
    dl->AddCircle(io.MousePos, float(t.brush) * per_px, t.tool == TeachTool::PAINT ? IM_COL32(255, 255, 255, 230) : IM_COL32(120, 255, 160, 230), 32, 2.0f);
  const EditMode mode = t.tool == TeachTool::PAINT ? EditMode::PAINT : t.tool == TeachTool::HEAL ? EditMode::HEAL : EditMode::RESTORE;
  if (active && io.MouseDown[0]) {
    bool changed = false;
    if (!t.stroking) {
      t.stroking = true;
      t.before_stroke = lab.edits();
      t.stroke = EditStroke{mode, t.brush, t.paint_value, {{px, py}}};
      changed = true;
    } else if ((t.stroke.points.back().x != px || t.stroke.points.back().y != py) && t.stroke.points.size() < EDIT_MAX_POINTS / 4) {
      t.stroke.points.push_back({px, py});
      changed = true;
    }
    if (changed) {
      EditList e = t.before_stroke;
      e.strokes.push_back(t.stroke);
      Status s = lab.set_edits(e);
      if (!s) {
        app_report(a, s.error());
        t.stroking = false;
      }
    }
  } else {
    t.stroking = false;
  }
  return true;
}

// [SECTION] keyboard shortcuts

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

GLFWkeyfun g_imgui_key_callback = nullptr;

void key_latch(GLFWwindow* w, int key, int scancode, int action, int mods) {
  if (action == GLFW_PRESS) teach().keys.emplace_back(key, mods);
  if (g_imgui_key_callback) g_imgui_key_callback(w, key, scancode, action, mods);
}

bool g_shift = false;  // Shift was held with the key `pressed` last found

bool pressed(int key) {
  for (auto& k : teach().keys)
    if (k.first == key) {
      g_shift = (k.second & GLFW_MOD_SHIFT) != 0;
      return true;
    }
  return false;
}

// How many times `key` went down since the last frame: a slow frame (software
// WebGL) can span several presses of a repeated key such as undo.
int presses(int key) {
  int n = 0;
  for (auto& k : teach().keys) n += k.first == key;
  return n;
}

// Ctrl+Z says when there is nothing to undo; plain Z stays quiet.
void undo_strokes(App& a, int n, bool report_nothing) {
  for (int i = 0; i < n && (report_nothing || !a.lab.edits().empty()); ++i) {
    Status s = teach_undo(a);
    if (!s) return app_report(a, s.error());
  }
}

void set_tool(TeachTool tool) {
  Teach& t = teach();
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

void handle_keys(App& a) {
  ImGuiIO& io = ImGui::GetIO();
  Teach& t = teach();
  struct ClearKeys {
    ~ClearKeys() { teach().keys.clear(); }
  } clear_keys;
  if (io.WantTextInput) return;  // typing in a field
  Lab& lab = a.lab;
  bool ctrl = io.KeyCtrl || io.KeySuper;
  for (auto& k : t.keys) ctrl = ctrl || (k.second & (GLFW_MOD_CONTROL | GLFW_MOD_SUPER)) != 0;
  for (int i = 0; i < io.InputQueueCharacters.Size; ++i) {
    const ImWchar c = io.InputQueueCharacters[i];
    if (ctrl) break;
    if (c == '?') t.show_help = !t.show_help;
    else if (c == '+' || c == '=') set_scale(a, a.ui_scale + 0.25f);
    else if (c == '-' || c == '_') set_scale(a, a.ui_scale - 0.25f);
    else if (c == '[') t.brush = std::max(1, t.brush - 1);
    else if (c == ']') t.brush = std::min(24, t.brush + 1);
  }
  if (ctrl) {
    undo_strokes(a, presses(GLFW_KEY_Z), true);
    return;
  }
  if (pressed(GLFW_KEY_F1)) t.show_help = !t.show_help;
  if (pressed(GLFW_KEY_ESCAPE)) {
    if (t.show_help) t.show_help = false;
    else if (t.tool != TeachTool::NONE) t.tool = TeachTool::NONE;
    else if (t.lesson >= 0) t.lesson = -1, t.show_lessons = false;
    else t.show_lessons = false;
  }
  if (t.lesson >= 0) {
    if (pressed(GLFW_KEY_RIGHT) || pressed(GLFW_KEY_PAGE_DOWN)) go_step(a, t.step + 1);
    if (pressed(GLFW_KEY_LEFT) || pressed(GLFW_KEY_PAGE_UP)) go_step(a, t.step - 1);
    if (pressed(GLFW_KEY_HOME)) go_step(a, 0);
  }
  if (pressed(GLFW_KEY_L)) t.show_lessons = !t.show_lessons;
  const auto& scenarios = phantom_scenarios();
  for (int i = 0; i < 4 && i < int(scenarios.size()); ++i)
    if (pressed(GLFW_KEY_1 + i)) switch_case(a, scenarios[size_t(i)]);
  if (pressed(GLFW_KEY_N)) {
    uint64_t s = lab.seed();
    Status st = lab.set_seed(g_shift ? (s > 0 ? s - 1 : 0) : s + 1);
    if (!st) app_report(a, st.error());
  }
  if (pressed(GLFW_KEY_M)) {
    const auto& ms = explain_methods();
    int cur = 0;
    for (size_t i = 0; i < ms.size(); ++i)
      if (a.method == ms[i].name) cur = int(i);
    const int n = int(ms.size());
    a.method = ms[size_t(((cur + (g_shift ? -1 : 1)) % n + n) % n)].name;
    app_run_current(a);
  }
  if (pressed(GLFW_KEY_R)) app_run_current(a);
  if (pressed(GLFW_KEY_X)) lab.cancel();
  if (pressed(GLFW_KEY_O)) {
    if (a.view.opacity > 0) {
      t.saved_opacity = a.view.opacity;
      a.view.opacity = 0;
    } else {
      a.view.opacity = t.saved_opacity > 0 ? t.saved_opacity : 0.6f;
    }
  }
  if (pressed(GLFW_KEY_G)) a.view.outline = !a.view.outline;
  if (pressed(GLFW_KEY_C)) a.show_compare = !a.show_compare;
  if (pressed(GLFW_KEY_W)) t.show_whatif = !t.show_whatif;
  if (pressed(GLFW_KEY_B)) set_tool(TeachTool::PAINT);
  if (pressed(GLFW_KEY_E)) set_tool(TeachTool::HEAL);
  if (pressed(GLFW_KEY_U)) set_tool(TeachTool::RESTORE);
  if (pressed(GLFW_KEY_Q)) set_tool(TeachTool::PROBE);
  undo_strokes(a, presses(GLFW_KEY_Z), false);
  if (pressed(GLFW_KEY_0)) set_scale(a, 1.0f);
  if (pressed(GLFW_KEY_K)) {
    t.high_contrast = !t.high_contrast;
    t.restyle = true;
  }
  if (pressed(GLFW_KEY_P)) t.presenter = !t.presenter;
  if (pressed(GLFW_KEY_F)) platform_page_request("fullscreen", "");
  if (pressed(GLFW_KEY_S)) platform_page_request("copy-link", "");
}

// [SECTION] lesson panel, help overlay, menus

void window_lessons(App& a) {
  Teach& t = teach();
  ImGuiViewport* vp = ImGui::GetMainViewport();
  const float w = std::min(vp->Size.x * 0.5f, std::max(420.0f, vp->Size.x * 0.42f));
  ImGui::SetNextWindowPos(ImVec2(vp->Pos.x + vp->Size.x * 0.5f, vp->Pos.y + vp->Size.y - 8), ImGuiCond_Always, ImVec2(0.5f, 1.0f));
  ImGui::SetNextWindowSizeConstraints(ImVec2(w, 0), ImVec2(w, vp->Size.y * 0.6f));
  ImGui::SetNextWindowBgAlpha(0.94f);
  if (!ImGui::Begin("Lesson", &t.show_lessons, ImGuiWindowFlags_AlwaysAutoResize | ImGuiWindowFlags_NoCollapse)) {
    ImGui::End();
    return;
  }
  if (t.lesson < 0) {
    if (t.lessons.empty()) ImGui::TextDisabled("No lessons were found (web/lessons/).");
    for (size_t i = 0; i < t.lessons.size(); ++i) {
      const Lesson& l = t.lessons[i];
      ImGui::PushID(int(i));
      if (ImGui::Button("Start")) {
        Status s = teach_start_lesson(a, l.id, 0);
        if (!s) app_report(a, s.error());
      }
      ImGui::SameLine();
      ImGui::TextUnformatted(l.title.c_str());
      if (!l.summary.empty()) {
        ImGui::PushTextWrapPos(0);
        ImGui::TextDisabled("%s (%zu steps)", l.summary.c_str(), l.steps.size());
        ImGui::PopTextWrapPos();
      }
      ImGui::PopID();
    }
    ImGui::End();
    return;
  }
  const Lesson& l = t.lessons[size_t(t.lesson)];
  const LessonStep& st = l.steps[size_t(t.step)];
  ImGui::TextDisabled("%s", l.title.c_str());
  ImGui::Text("Step %d of %zu: %s", t.step + 1, l.steps.size(), st.title.c_str());
  ImGui::Separator();
  ImGui::PushTextWrapPos(0);
  ImGui::TextUnformatted(st.text.c_str());
  if (!st.look.empty()) {
    ImGui::Spacing();
    ImGui::PushStyleColor(ImGuiCol_Text, t.high_contrast ? ImVec4(1, 1, 0, 1) : ImVec4(1.0f, 0.82f, 0.35f, 1.0f));
    ImGui::Text("Look: %s", st.look.c_str());
    ImGui::PopStyleColor();
  }
  ImGui::PopTextWrapPos();
  if (t.pending) ImGui::TextDisabled("loading %s...", t.pending_state.model.c_str());
  ImGui::Separator();
  ImGui::BeginDisabled(t.step == 0);
  if (ImGui::Button("< Back")) go_step(a, t.step - 1);
  ImGui::EndDisabled();
  ImGui::SameLine();
  ImGui::BeginDisabled(t.step + 1 >= int(l.steps.size()));
  if (ImGui::Button("Next >")) go_step(a, t.step + 1);
  ImGui::EndDisabled();
  ImGui::SameLine();
  if (ImGui::Button("All lessons")) t.lesson = -1;
  ImGui::SameLine();
  ImGui::TextDisabled("arrows / Page Up, Page Down");
  ImGui::End();
}

void window_help() {
  Teach& t = teach();
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

}  // namespace

void teach_menus(App& a) {
  Teach& t = teach();
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
        if (ImGui::MenuItem(b, nullptr, a.ui_scale == s)) set_scale(a, s);
      }
      ImGui::EndMenu();
    }
    ImGui::Separator();
    if (ImGui::MenuItem("Copy link to this state", "S")) platform_page_request("copy-link", "");
    ImGui::MenuItem("Keyboard shortcuts", "?", &t.show_help);
    ImGui::EndMenu();
  }
}

void teach_style(ImGuiStyle& style) {
  if (!teach().high_contrast) return;
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

// [SECTION] frame hooks and status

void teach_before_frame(App& a) {
  Teach& t = teach();
  if (!t.key_hook && a.window) {
    // Chained in front of ImGui's own callback (installed by ImGui_ImplGlfw_InitForOpenGL).
    g_imgui_key_callback = glfwSetKeyCallback(a.window, key_latch);
    t.key_hook = true;
  }
  if (t.restyle) {
    t.restyle = false;
    app_apply_scale(a);  // between frames: the font atlas is rebuilt at the new size
  }
  if (t.pending) {
    // The page fetches the model; apply the rest once it has arrived (or failed).
    if (++t.pending_frames > 1 && a.loading_model.empty()) {
      LinkState s = t.pending_state;
      t.pending = false;
      if (a.lab.model_name() != s.model) app_report(a, "could not load the model '" + s.model + "'; the rest of the state is set");
      Status st = apply_now(a, s);
      if (!st) app_report(a, st.error());
    }
  }
  // The address follows the state, but not while a method runs: the browser takes
  // 5-15 ms to replace the address, a frame missed (it is set when the run ends).
  if (t.link_ready && !t.pending && a.lab.has_model() && !a.lab.busy()) {
    std::string f = link_encode(teach_capture(a));
    if (f != t.fragment) {
      t.fragment = f;
      platform_page_request("set-fragment", f.c_str());
    }
  }
}

void teach_draw(App& a) {
  Teach& t = teach();
  handle_keys(a);
  if (t.show_whatif) teach_window_whatif(a);
  if (t.show_lessons) window_lessons(a);
  if (t.show_help) window_help();
}

std::string teach_status_json(const App& a) {
  const Teach& t = teach();
  const Lab& lab = a.lab;
  const double dpr = a.dpr > 0 ? a.dpr : 1.0;
  std::string j = ",\"teach\":{";
  j += "\"fragment\":" + json_quote(link_encode(teach_capture(a)));
  j += ",\"lesson\":" + json_quote(t.lesson >= 0 ? t.lessons[size_t(t.lesson)].id : "");
  j += ",\"step\":" + std::to_string(t.step);
  j += ",\"steps\":" + std::to_string(t.lesson >= 0 ? t.lessons[size_t(t.lesson)].steps.size() : 0);
  j += ",\"lessons\":" + std::to_string(t.lessons.size());
  j += std::string(",\"pending\":") + (t.pending ? "true" : "false");
  j += ",\"edits\":" + std::to_string(lab.edits().strokes.size());
  j += ",\"tool\":" + json_quote(tool_name(t.tool));
  j += ",\"brush\":" + std::to_string(t.brush);
  j += ",\"scale\":" + jnum(a.ui_scale);
  j += std::string(",\"high_contrast\":") + (t.high_contrast ? "true" : "false");
  j += std::string(",\"presenter\":") + (t.presenter ? "true" : "false");
  j += std::string(",\"help\":") + (t.show_help ? "true" : "false");
  j += std::string(",\"whatif\":") + (t.show_whatif ? "true" : "false");
  j += ",\"opacity\":" + jnum(a.view.opacity);
  j += std::string(",\"outline\":") + (a.view.outline ? "true" : "false");
  j += ",\"view_rect\":[" + jnum(t.view_x / dpr) + "," + jnum(t.view_y / dpr) + "," + jnum(t.view_side / dpr) + "]";
  j += ",\"zoom\":" + jnum(a.zoom);
  const Tensor& img = lab.image01();
  j += ",\"image_size\":[" + std::to_string(img.rank() == 4 ? img.dim(3) : 0) + "," + std::to_string(img.rank() == 4 ? img.dim(2) : 0) + "]";
  // The ground truth's bounding box in image pixels (tests paint it away).
  const Tensor& m = lab.mask();
  int x0 = 1 << 30, y0 = 1 << 30, x1 = -1, y1 = -1;
  if (m.rank() == 4)
    for (int y = 0; y < int(m.dim(2)); ++y)
      for (int x = 0; x < int(m.dim(3)); ++x)
        if (m.at4(0, 0, y, x) > 0.5f) x0 = std::min(x0, x), y0 = std::min(y0, y), x1 = std::max(x1, x), y1 = std::max(y1, y);
  j += ",\"lesion\":" + (x1 < 0 ? std::string("null") : "[" + std::to_string(x0) + "," + std::to_string(y0) + "," + std::to_string(x1) + "," + std::to_string(y1) + "]");
  if (t.tool == TeachTool::PROBE && t.probe_x >= 0 && !t.probe_probs.empty()) {
    const int k = a.target >= 0 ? a.target : lab.predicted();
    const auto& now = lab.probabilities();
    const double drop = k < int(now.size()) && k < int(t.probe_probs.size()) ? double(now[size_t(k)] - t.probe_probs[size_t(k)]) : 0.0;
    j += ",\"probe\":{\"x\":" + std::to_string(t.probe_x) + ",\"y\":" + std::to_string(t.probe_y) + ",\"size\":" +
         std::to_string(t.probe_size) + ",\"drop\":" + jnum(drop) + "}";
  } else {
    j += ",\"probe\":null";
  }
  j += "}";
  return j;
}

std::string teach_lessons_json() {
  const Teach& t = teach();
  std::string j = "[";
  for (size_t i = 0; i < t.lessons.size(); ++i) {
    const Lesson& l = t.lessons[i];
    j += (i ? "," : "") + std::string("{\"id\":") + json_quote(l.id) + ",\"title\":" + json_quote(l.title) +
         ",\"summary\":" + json_quote(l.summary) + ",\"steps\":[";
    for (size_t s = 0; s < l.steps.size(); ++s) {
      const LessonStep& st = l.steps[s];
      const LinkState& state = st.state;
      j += (s ? "," : "") + std::string("{\"title\":") + json_quote(st.title) + ",\"text\":" + json_quote(st.text) +
           ",\"look\":" + json_quote(st.look) + ",\"method\":" + json_quote(state.has_method ? state.method : "") +
           ",\"model\":" + json_quote(state.model) + ",\"scenario\":" + json_quote(state.has_case ? state.scenario : "") + "}";
    }
    j += "]}";
  }
  return j + "]";
}

}  // namespace xm
