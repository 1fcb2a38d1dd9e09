// Key and mouse-button events queued between frames (state/input_queue.h) and
// fed to the app's callbacks (teach.cpp's shortcut latch, then ImGui's GLFW
// backend) at most one transition per key or button per frame.
//
//   glfwPollEvents();
//   teach_before_frame(a);         // installs its key hook first
//   input_before_frame(a);         // then this queue in front of every hook; feeds this frame's events
//   ImGui_ImplGlfw_NewFrame();
//   input_after_backend_frame(a);  // the buttons and cursor as fed, not as they are now
//   input_pending(a);              // events not yet fed
#pragma once

#include "state/input_queue.h"

struct GLFWwindow;

namespace xm {

struct App;

// The queue and the callbacks it stands in front of (a member of App; the
// GLFW callbacks find the App through the window's user pointer).
struct InputGlue {
  GLFWwindow* window = nullptr;
  void (*next_key)(GLFWwindow*, int, int, int, int) = nullptr;
  void (*next_button)(GLFWwindow*, int, int, int) = nullptr;
  InputQueue queue;
  static constexpr int BUTTONS = 5;  // ImGuiMouseButton_COUNT
  bool button_down[BUTTONS] = {};
  bool fed_button = false;
  double fed_x = 0, fed_y = 0;
};

void input_before_frame(App& a);
void input_after_backend_frame(App& a);
// Events still waiting for a frame (status().input_pending: tests wait for 0).
int input_pending(const App& a);

}  // namespace xm
