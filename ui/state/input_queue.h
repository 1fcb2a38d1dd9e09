// InputQueue: key and mouse-button events kept in arrival order and handed to
// the UI at most one transition per key (or button) per frame. Dear ImGui 1.86
// samples key and button state once a frame, so a press and its release that
// both arrive between two slow frames would otherwise never be seen (undo
// pressed five times on a busy laptop undid three). Pure logic, no GLFW.
//
//   InputQueue q;
//   q.push({InputKind::KEY, /*code=*/'Z', /*action=*/1});   // from the platform's callbacks
//   q.push({InputKind::KEY, 'Z', 0});
//   for (const InputEvent& e : q.take_frame()) feed(e);   // each frame: the press now, the release next frame
#pragma once
#include <cstddef>
#include <deque>
#include <vector>

namespace xm {

enum class InputKind { KEY, MOUSE_BUTTON };

struct InputEvent {
  InputKind kind = InputKind::KEY;
  int code = 0;     // GLFW key or mouse button
  int action = 0;   // GLFW_RELEASE 0, GLFW_PRESS 1, GLFW_REPEAT 2
  int mods = 0;
  int scancode = 0;
  double x = 0, y = 0;  // the cursor when a button changed
};

class InputQueue {
 public:
  // Beyond this many events waiting (a key held through a long stall) the
  // oldest auto-repeats are dropped first; presses and releases are kept.
  static constexpr size_t MAX_PENDING = 1024;

  void push(const InputEvent& e);
  // This frame's events: from the front, in order, up to (not including) the
  // second event for the same key or button.
  std::vector<InputEvent> take_frame();
  size_t pending() const { return events_.size(); }

 private:
  std::deque<InputEvent> events_;
};

}  // namespace xm
