// Guided lessons: the steps' states (merged from the first step on), the
// lesson panel, and the list the page's test API reads.
#include <algorithm>

#include "core/json_writer.h"
#include "teach.h"

namespace xm {

namespace {

LinkState step_state(const Lesson& l, int step) {
  LinkState m;
  for (int i = 0; i <= step && i < int(l.steps.size()); ++i) m = link_merge(m, l.steps[size_t(i)].state);
  return m;
}

}  // namespace

void teach_go_step(App& a, int step) {
  Teach& t = a.teach;
  if (t.lesson < 0) return;
  const Lesson& l = t.lessons[size_t(t.lesson)];
  step = std::max(0, std::min(int(l.steps.size()) - 1, step));
  t.step = step;
  Status s = teach_apply(a, step_state(l, step));
  if (!s) app_report(a, l.id + ", step " + std::to_string(step + 1) + ": " + s.error());
}

Status teach_start_lesson(App& a, const std::string& id, int step) {
  Teach& t = a.teach;
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

Status teach_add_lesson(App& a, const std::string& json_text, const std::string& name) {
  auto l = lesson_parse(json_text, name);
  if (!l) return l.status();
  Teach& t = a.teach;
  for (auto& e : t.lessons)
    if (e.id == l->id) {
      e = l.take();  // reloaded
      return Status::ok();
    }
  t.lessons.push_back(l.take());
  return Status::ok();
}

void teach_window_lessons(App& a) {
  Teach& t = a.teach;
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
  if (ImGui::Button("< Back")) teach_go_step(a, t.step - 1);
  ImGui::EndDisabled();
  ImGui::SameLine();
  ImGui::BeginDisabled(t.step + 1 >= int(l.steps.size()));
  if (ImGui::Button("Next >")) teach_go_step(a, t.step + 1);
  ImGui::EndDisabled();
  ImGui::SameLine();
  if (ImGui::Button("All lessons")) t.lesson = -1;
  ImGui::SameLine();
  ImGui::TextDisabled("arrows / Page Up, Page Down");
  ImGui::End();
}

std::string teach_lessons_json(const App& a) {
  JsonWriter w;
  w.begin_array();
  for (const Lesson& l : a.teach.lessons) {
    w.begin_object();
    w.key("id").str(l.id);
    w.key("title").str(l.title);
    w.key("summary").str(l.summary);
    w.key("steps").begin_array();
    for (const LessonStep& st : l.steps) {
      const LinkState& state = st.state;
      w.begin_object();
      w.key("title").str(st.title);
      w.key("text").str(st.text);
      w.key("look").str(st.look);
      w.key("method").str(state.has_method ? state.method : "");
      w.key("model").str(state.model);
      w.key("scenario").str(state.has_case ? state.scenario : "");
      w.end_object();
    }
    w.end_array();
    w.end_object();
  }
  w.end_array();
  return w.take();
}

}  // namespace xm
