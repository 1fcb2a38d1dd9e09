// Deep links and the states they carry (ui/state/link_state.h): applying a
// lesson step's or a link's state (after fetching its model when it differs),
// capturing the current state, and keeping the address bar in step with it.
#include <algorithm>

#include "platform/platform.h"
#include "teach.h"

namespace xm {

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

}  // namespace

Status teach_apply(App& a, const LinkState& s) {
  XM_TRY(link_validate(s, "link"));
  Teach& t = a.teach;
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
  Teach& t = a.teach;
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

LinkState teach_capture(const App& a) {
  const Lab& lab = a.lab;
  const Teach& t = a.teach;
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

void teach_follow_links(App& a) {
  Teach& t = a.teach;
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

}  // namespace xm
