#include "input.h"

#include <GLFW/glfw3.h>

#include "imgui.h"
#include "state/input_queue.h"

namespace xm {
namespace {

// One window, one queue: GLFW's callbacks carry no user pointer we could use.
struct InputGlue {
  GLFWwindow* window = nullptr;
  GLFWkeyfun next_key = nullptr;
  GLFWmousebuttonfun next_button = nullptr;
  InputQueue queue;
  bool button_down[ImGuiMouseButton_COUNT] = {};
  bool fed_button = false;
  double fed_x = 0, fed_y = 0;
};

InputGlue& glue() {
  static InputGlue g;
  return g;
}

void queue_key(GLFWwindow*, int key, int scancode, int action, int mods) {
  glue().queue.push({InputKind::KEY, key, action, mods, scancode});
}

void queue_button(GLFWwindow* w, int button, int action, int mods) {
  double x = 0, y = 0;
  glfwGetCursorPos(w, &x, &y);
  glue().queue.push({InputKind::MOUSE_BUTTON, button, action, mods, 0, x, y});
}

}  // namespace

void input_before_frame(GLFWwindow* window) {
  InputGlue& g = glue();
  if (!g.window && window) {
    g.window = window;
    g.next_key = glfwSetKeyCallback(window, queue_key);
    g.next_button = glfwSetMouseButtonCallback(window, queue_button);
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

void input_after_backend_frame() {
  InputGlue& g = glue();
  if (!g.window) return;
  ImGuiIO& io = ImGui::GetIO();
  // The backend read the buttons as they are now; the app sees them as fed.
  for (int i = 0; i < ImGuiMouseButton_COUNT; ++i) io.MouseDown[i] = g.button_down[i];
  if (g.fed_button && io.MousePos.x > -FLT_MAX) io.MousePos = ImVec2(float(g.fed_x), float(g.fed_y));
}

int input_pending() { return int(glue().queue.pending()); }

}  // namespace xm
