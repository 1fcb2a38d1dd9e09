// Guided lessons: data files (web/lessons/ID.json), one per lesson, each a
// list of steps that set up the state they talk about (a LinkState) and say
// what to look at. A presenter writes a new lesson without touching C++; the
// format is documented in docs/TEACHING.md ("Writing a lesson").
//
//   Result<Lesson> l = lesson_parse(json_text, "lessons/saliency.json");
//   for (const LessonStep& s : l->steps) show(s.title, s.text, s.look);
//   apply(l->steps[0].state);   // LinkState: case, model, method, view
#pragma once
#include <string>
#include <vector>

#include "core/status.h"
#include "state/link_state.h"

namespace xm {

struct LessonStep {
  std::string title;
  std::string text;  // the explanation, a paragraph or two
  std::string look;  // "Look at ...": what to notice on screen (may be empty)
  LinkState state;   // what the step sets up
};

struct Lesson {
  std::string id, title, summary;
  std::vector<LessonStep> steps;
};

// Parses and checks a lesson (scenario, knob, method and parameter names,
// parameter values against their specs; at least one step). Messages name the
// file and the step.
Result<Lesson> lesson_parse(const std::string& json_text, const std::string& name);

}  // namespace xm
