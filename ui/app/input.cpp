#include "input.h"

#include <GLFW/glfw3.h>

#include "app.h"
#include "imgui.h"
#include "state/input_queue.h"

namespace xm {
namespace {

static_assert(InputGlue::BUTTONS == ImGuiMouseButton_COUNT, "InputGlue::BUTTONS follows ImGui");

InputGlue& glue(GLFWwindow* w) { return static_cast<App*>(glfwGetWindowUserPointer(w))->input; }

void queue_key(GLFWwindow* w, int key, int scancode, int action, int mods) {
  glue(w).queue.push({InputKind::KEY, key, action, mods, scancode});
}

void queue_button(GLFWwindow* w, int button, int action, int mods) {
  double x = 0, y = 0;
  glfwGetCursorPos(w, &x, &y);
  glue(w).queue.push({InputKind::MOUSE_BUTTON, button, action, mods, 0, x, y});
}

}  // namespace

void input_before_frame(App& a) {
  InputGlue& g = a.input;
  if (!g.window && a.window) {
    g.window = a.window;
    glfwSetWindowUserPointer(a.window, &a);
    g.next_key = glfwSetKeyCallback(a.window, queue_key);
    g.next_button = glfwSetMouseButtonCallback(a.window, queue_button);
  }
  g.fed_button = false;
  for (const InputEvent& e : g.queue.take_frame()) {
    if (e.kind == InputKind::KEY) {
      if (g.next_key) g.next_key(g.window, e.code, e.scancode, e.action, e.mods);
      continue;
    }
    if (e.code >= 0 && e.code < ImGuiMouseButton_COUNT) {
      g.button_down[e.code] = e.action != GLFW_RELEASE;
      g.fed_button = true;
      g.fed_x = e.x;
      g.fed_y = e.y;
    }
    if (g.next_button) g.next_button(g.window, e.code, e.action, e.mods);
  }
}

void input_after_backend_frame(App& a) {
  InputGlue& g = a.input;
  if (!g.window) return;
  ImGuiIO& io = ImGui::GetIO();
  // The backend read the buttons as they are now; the app sees them as fed.
  for (int i = 0; i < ImGuiMouseButton_COUNT; ++i) io.MouseDown[i] = g.button_down[i];
  if (g.fed_button && io.MousePos.x > -FLT_MAX) io.MousePos = ImVec2(float(g.fed_x), float(g.fed_y));
}

int input_pending(const App& a) { return int(a.input.queue.pending()); }

}  // namespace xm
