// Key and mouse-button events queued between frames (state/input_queue.h) and
// fed to the app's callbacks (teach.cpp's shortcut latch, then ImGui's GLFW
// backend) at most one transition per key or button per frame.
//
//   glfwPollEvents();
//   teach_before_frame(a);         // installs its key hook first
//   input_before_frame(a.window);  // then this queue in front of every hook; feeds this frame's events
//   ImGui_ImplGlfw_NewFrame();
//   input_after_backend_frame();   // the buttons and cursor as fed, not as they are now
//   input_pending();               // events not yet fed
#pragma once

struct GLFWwindow;

namespace xm {

void input_before_frame(GLFWwindow* window);
void input_after_backend_frame();
// Events still waiting for a frame (status().input_pending: tests wait for 0).
int input_pending();

}  // namespace xm
