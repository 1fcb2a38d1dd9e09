#include "state/lessons.h"

#include <cctype>

#include "core/json.h"
#include "explain/explainer.h"

namespace xm {

Result<Lesson> lesson_parse(const std::string& text, const std::string& name) {
  auto parsed = json_parse(text, name);
  if (!parsed) return parsed.status();
  const Json& j = *parsed;
  if (!j.is_object()) return Status::error(name + ": a lesson is a JSON object");
  Lesson l;
  l.id = j["id"].str("");
  l.title = j["title"].str("");
  l.summary = j["summary"].str("");
  if (l.id.empty() || l.id.size() > 64) return Status::error(name + ": \"id\" must be a short non-empty string");
  for (char c : l.id)
    if (!(std::islower((unsigned char)c) || std::isdigit((unsigned char)c) || c == '_' || c == '-'))
      return Status::error(name + ": \"id\" may use only a-z, 0-9, '_' and '-' (it appears in links)");
  if (l.title.empty()) return Status::error(name + ": \"title\" is missing");
  const Json& steps = j["steps"];
  if (!steps.is_array() || steps.size() == 0) return Status::error(name + ": \"steps\" must be a non-empty array");
  for (size_t i = 0; i < steps.size(); ++i) {
    const Json& s = steps[i];
    const std::string where = name + ", step " + std::to_string(i + 1);
    if (!s.is_object()) return Status::error(where + ": a step is an object");
    LessonStep st;
    st.title = s["title"].str("");
    st.text = s["text"].str("");
    st.look = s["look"].str("");
    if (st.title.empty() || st.text.empty()) return Status::error(where + ": \"title\" and \"text\" are required");
    auto state = link_from_json(s["state"], where);
    if (!state) return state.status();
    st.state = state.take();
    XM_TRY(link_validate(st.state, where));
    // Each value as its method's ParamSpec declares it, so a typo in a lesson
    // shows when the lesson loads, not when a student reaches the step.
    if (st.state.has_method)
      if (Status ps = explain_check_params(st.state.method, st.state.params); !ps) return Status::error(where + ": " + ps.error());
    st.state.lesson = l.id;
    st.state.step = int(i);
    l.steps.push_back(std::move(st));
  }
  return l;
}

}  // namespace xm
