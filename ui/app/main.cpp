// The page's main loop: GLFW window on the #canvas, ImGui frame, drawn with
// WebGL 2 or in software into a 2D canvas (render.h).
// The canvas's backing store follows its CSS size times devicePixelRatio, and
// ImGui works in device pixels with fonts and sizes scaled to match, so text
// stays crisp on high-DPI screens.
#include <GLES3/gl3.h>
#include <GLFW/glfw3.h>

#include <algorithm>
#include <cmath>
#include <emscripten.h>
#include <cstdio>

#include "app.h"
#include "panel_evaluate.h"
#include "core/log.h"
#include "imgui.h"
#include "imgui_impl_glfw.h"
#include "input.h"
#include "platform/ort_backend.h"
#include "platform/platform.h"
#include "render/render.h"
#include "teach.h"

namespace xm {

App& app() {
  static App a;
  return a;
}

namespace {

void log_to_page(LogLevel level, const char* message, void* user) {
  auto* a = static_cast<App*>(user);
  if (level >= LogLevel::ERROR) app_push_error(a->state, message);
  std::fprintf(stderr, "%s\n", message);
}

void follow_canvas_size(App& a) {
  int css_w, css_h;
  double dpr;
  platform_canvas_size(&css_w, &css_h, &dpr);
  int want_w = int(std::lround(css_w * dpr)), want_h = int(std::lround(css_h * dpr));
  int cur_w, cur_h;
  glfwGetWindowSize(a.window, &cur_w, &cur_h);
  if (want_w != cur_w || want_h != cur_h) platform_resize_canvas(want_w, want_h);
  if (std::fabs(dpr - a.dpr) > 1e-3) {
    a.dpr = dpr;
    app_apply_scale(a);
  }
}

// The first frames and the start-up phases are marked on the page's
// performance timeline (xmediaLab.startupTimeline(), tools/bench/page.mjs).
void mark(const char* what) { EM_ASM({ performance.mark('xmedia: ' + UTF8ToString($0)); }, what); }

bool frame(void*) {
  App& a = app();
  const bool early = a.state.frames < 3;
  if (early) mark("frame start");
  follow_canvas_size(a);
  glfwPollEvents();
  teach_before_frame(a);
  input_before_frame(a);  // after teach's key hook is in place: the queue goes in front of it
  render_new_frame(a.render);
  if (early) mark("frame fonts ready");
  ImGui_ImplGlfw_NewFrame();
  input_after_backend_frame(a);
  ImGui::NewFrame();
  if (early) mark("frame ui start");
  // The explainer gets a slice of each frame, so the page keeps drawing while it
  // runs: 6 ms leaves room for the UI, the repaint and the browser's own work
  // within a 16.7 ms frame (8 ms missed every other frame in headless Chromium).
  // A frame that came more than one display refresh after the last means the
  // browser is short of CPU (on two cores: V8 optimising hot code on two
  // background threads in the first seconds, another busy tab): the slice
  // halves with each late frame (down to a quarter) and grows back by half a
  // millisecond per frame on time, so a busy spell is not met with a full slice
  // every other frame.
  const double now = emscripten_get_now(), interval = now - a.last_frame_ms;
  a.last_frame_ms = now;
  double& budget = a.tick_budget_ms;
  budget = interval > 25.0 ? std::max(kTickBudgetMs / 4, budget / 2) : std::min(kTickBudgetMs, budget + 0.5);
  a.lab.tick(budget);
  evaluation_tick(a, budget);
  a.idle_frames = a.lab.busy() || a.eval.ev.busy() ? 0 : a.idle_frames + 1;
  if (early) mark("frame ticked");
  app_draw(a);
  teach_draw(a);
  a.lab.fill_status(a.state);
  ImGui::Render();
  int fb_w, fb_h;
  glfwGetFramebufferSize(a.window, &fb_w, &fb_h);
  static const float clear_rgb[3] = {0.09f, 0.10f, 0.12f};
  if (early) mark("frame drawn");
  render_frame(a.render, fb_w, fb_h, clear_rgb);  // only what changed since the last frame
  a.state.frames++;
  if (!a.first_explanation_marked && a.lab.runs_finished() >= 1 && !a.lab.busy()) {
    a.first_explanation_marked = true;  // on screen once the browser shows this frame
    mark("first explanation drawn");
  }
  if (early) mark("frame end");
  // The first frame already shows the whole layout and, usually, the first
  // explanation: the page can take its loading overlay away (ready waits a
  // frame more, for the layout's second pass).
  if (a.state.frames == 1) EM_ASM({ if (Module.xmediaOnFirstFrame) Module.xmediaOnFirstFrame(); });
  if (!a.ready_sent && a.state.frames >= 2) {
    a.ready_sent = true;
    platform_notify_ready();
  }
  return true;
}

}  // namespace
}  // namespace xm

int main() {
  using namespace xm;
  mark("main start");
  Lab::ort_factory = ort_backend_from_bytes;  // models our engine refuses run on ONNX Runtime Web
  App& a = app();
  log_set_sink(log_to_page, &a);
  if (!glfwInit()) {
    platform_report_error("This browser cannot create a WebGL 2 context (glfwInit failed).");
    return 1;
  }
  const Renderer renderer = render_choose();  // render.h: WebGL 2 or software into a 2D canvas
  glfwWindowHint(GLFW_CLIENT_API, renderer == Renderer::webgl ? GLFW_OPENGL_ES_API : GLFW_NO_API);
  glfwWindowHint(GLFW_CONTEXT_VERSION_MAJOR, 3);
  glfwWindowHint(GLFW_CONTEXT_VERSION_MINOR, 0);
  // ImGui needs neither: without them the browser has less to clear and copy each frame.
  glfwWindowHint(GLFW_DEPTH_BITS, 0);
  glfwWindowHint(GLFW_STENCIL_BITS, 0);
  int css_w, css_h;
  platform_canvas_size(&css_w, &css_h, &a.dpr);
  a.window = glfwCreateWindow(int(css_w * a.dpr), int(css_h * a.dpr), "xMedIA Lab", nullptr, nullptr);
  if (!a.window) {
    platform_report_error("This browser cannot create a WebGL 2 context; xMedIA Lab needs WebGL 2.");
    return 1;
  }
  glfwMakeContextCurrent(a.window);
  IMGUI_CHECKVERSION();
  ImGui::CreateContext();
  ImGuiIO& io = ImGui::GetIO();
  io.IniFilename = nullptr;  // layout comes from code; state will come from deep links
  io.ConfigFlags |= ImGuiConfigFlags_NavEnableKeyboard;
  if (renderer == Renderer::webgl) ImGui_ImplGlfw_InitForOpenGL(a.window, true);
  else ImGui_ImplGlfw_InitForOther(a.window, true);
  render_init(a.render, renderer);
  app_apply_scale(a);
  mark("main end");
  platform_run_main_loop(frame, nullptr);
  return 0;
}
