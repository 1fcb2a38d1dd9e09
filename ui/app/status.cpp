// window.xmediaLab.status(): one function writes every section, in the order
// the page has always printed them: the app's state (ui/state/app_state.h),
// the case and the runs, the backend, the teaching layer. The keys are a
// contract (docs/ARCHITECTURE.md, tests/e2e).
#include <algorithm>
#include <string>

#include "app.h"
#include "core/json_writer.h"
#include "input.h"
#include "teach.h"

namespace xm {

std::string app_status_json(App& a) {
  a.state.method = a.method;
  a.lab.fill_status(a.state);
  const Lab& lab = a.lab;
  const Teach& t = a.teach;
  JsonWriter w;
  w.begin_object();
  app_state_write(w, a.state);

  // The case and the runs.
  w.key("scenario").str(lab.has_phantom() ? lab.scenario() : "");
  w.key("seed").integer(lab.seed());
  w.key("label").integer(lab.true_label());
  w.key("predicted").integer(lab.predicted());
  w.key("run_error").str(lab.run_error());
  w.key("runs_finished").integer(lab.runs_finished());
  w.key("compare").begin_array();
  for (auto& c : lab.compare) w.begin_object().key("method").str(c.method).key("ms").fixed(c.ms, 6).end_object();
  w.end_array();
  w.key("compare_pending").integer(lab.compare_queue.size());
  w.key("input_pending").integer(input_pending(a));

  // The backend: which engine runs the model, what it cannot run, the parity view.
  w.key("backend_note").str(lab.backend_note());
  w.key("native_available").boolean(lab.native_available());
  w.key("ort_available").boolean(lab.ort_available());
  w.key("prediction_pending").boolean(lab.prediction_pending());
  w.key("unavailable").begin_object();
  for (auto& m : explain_methods()) {
    const std::string why = lab.method_unavailable(m.name);
    if (!why.empty()) w.key(m.name).str(why);
  }
  w.end_object();
  const LabParity& p = lab.parity();
  w.key("parity").begin_object();
  w.key("running").boolean(p.running);
  w.key("valid").boolean(p.valid);
  w.key("max_abs").num(p.max_abs);
  w.key("max_rel").num(p.max_rel);
  w.key("error").str(p.error);
  w.end_object();

  // The teaching layer (6 significant digits, as it has always printed them).
  const double dpr = a.dpr > 0 ? a.dpr : 1.0;
  w.key("teach").begin_object();
  w.key("fragment").str(link_encode(teach_capture(a)));
  w.key("lesson").str(t.lesson >= 0 ? t.lessons[size_t(t.lesson)].id : "");
  w.key("step").integer(t.step);
  w.key("steps").integer(t.lesson >= 0 ? t.lessons[size_t(t.lesson)].steps.size() : 0);
  w.key("lessons").integer(t.lessons.size());
  w.key("pending").boolean(t.pending);
  w.key("edits").integer(lab.edits().strokes.size());
  w.key("tool").str(teach_tool_name(t.tool));
  w.key("brush").integer(t.brush);
  w.key("scale").num(a.ui_scale, 6);
  w.key("high_contrast").boolean(t.high_contrast);
  w.key("presenter").boolean(t.presenter);
  w.key("help").boolean(t.show_help);
  w.key("whatif").boolean(t.show_whatif);
  w.key("opacity").num(a.view.opacity, 6);
  w.key("outline").boolean(a.view.outline);
  w.key("view_rect").begin_array().num(t.view_x / dpr, 6).num(t.view_y / dpr, 6).num(t.view_side / dpr, 6).end_array();
  w.key("zoom").num(a.zoom, 6);
  const Tensor& img = lab.image01();
  w.key("image_size").begin_array().integer(img.rank() == 4 ? img.dim(3) : 0).integer(img.rank() == 4 ? img.dim(2) : 0).end_array();
  // The ground truth's bounding box in image pixels (tests paint it away).
  const Tensor& m = lab.mask();
  int x0 = 1 << 30, y0 = 1 << 30, x1 = -1, y1 = -1;
  if (m.rank() == 4)
    for (int y = 0; y < int(m.dim(2)); ++y)
      for (int x = 0; x < int(m.dim(3)); ++x)
        if (m.at4(0, 0, y, x) > 0.5f) x0 = std::min(x0, x), y0 = std::min(y0, y), x1 = std::max(x1, x), y1 = std::max(y1, y);
  w.key("lesion");
  if (x1 < 0) w.null();
  else w.begin_array().integer(x0).integer(y0).integer(x1).integer(y1).end_array();
  w.key("probe");
  if (t.tool == TeachTool::PROBE && t.probe_x >= 0 && !t.probe_probs.empty()) {
    const int k = a.target >= 0 ? a.target : lab.predicted();
    const auto& now = lab.probabilities();
    const double drop = k < int(now.size()) && k < int(t.probe_probs.size()) ? double(now[size_t(k)] - t.probe_probs[size_t(k)]) : 0.0;
    w.begin_object();
    w.key("x").integer(t.probe_x);
    w.key("y").integer(t.probe_y);
    w.key("size").integer(t.probe_size);
    w.key("drop").num(drop, 6);
    w.end_object();
  } else {
    w.null();
  }
  w.end_object();

  w.end_object();
  return w.take();
}

}  // namespace xm
