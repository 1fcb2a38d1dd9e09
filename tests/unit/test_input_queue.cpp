// The input queue (ui/state/input_queue.h): presses that arrive between two
// frames reach the UI one transition per key per frame, in order, none lost.
#include <doctest/doctest.h>

#include <string>

#include "state/input_queue.h"

using namespace xm;

namespace {

InputEvent key(int code, int action) { return {InputKind::KEY, code, action}; }

std::string frame_text(const std::vector<InputEvent>& es) {
  std::string s;
  for (const InputEvent& e : es)
    s += (s.empty() ? "" : " ") + std::string(e.kind == InputKind::KEY ? "k" : "b") + std::to_string(e.code) +
         (e.action == 1 ? "+" : e.action == 0 ? "-" : "r");
  return s;
}

}  // namespace

TEST_SUITE("input_queue") {
  TEST_CASE("five presses of a key within one frame reach the UI as five presses, one transition per frame") {
    InputQueue q;
    q.push(key(341, 1));  // Ctrl down
    for (int i = 0; i < 5; ++i) {
      q.push(key(90, 1));
      q.push(key(90, 0));
    }
    q.push(key(341, 0));
    std::vector<std::string> frames;
    while (q.pending()) frames.push_back(frame_text(q.take_frame()));
    REQUIRE(frames.size() == 10);
    CHECK(frames[0] == "k341+ k90+");
    for (size_t i = 1; i < 9; ++i) {
      CAPTURE(i);
      CHECK(frames[i] == (i % 2 ? "k90-" : "k90+"));
    }
    CHECK(frames[9] == "k90- k341-");
    CHECK(q.take_frame().empty());
  }

  TEST_CASE("keys and buttons with the same code are separate; order is kept across them") {
    InputQueue q;
    q.push({InputKind::MOUSE_BUTTON, 0, 1, 0, 0, 10, 20});
    q.push(key(0, 1));
    q.push({InputKind::MOUSE_BUTTON, 0, 0, 0, 0, 30, 40});
    q.push({InputKind::MOUSE_BUTTON, 1, 1});
    auto f1 = q.take_frame();
    CHECK(frame_text(f1) == "b0+ k0+");
    CHECK(f1[0].x == 10);
    CHECK(f1[0].y == 20);
    // The release waits for the next frame, and what came after it waits too.
    CHECK(frame_text(q.take_frame()) == "b0- b1+");
  }

  TEST_CASE("a key held through a long stall drops its oldest repeats, never a press or a release") {
    InputQueue q;
    q.push(key(65, 1));
    for (size_t i = 0; i < InputQueue::MAX_PENDING + 50; ++i) q.push(key(65, 2));
    q.push(key(65, 0));
    CHECK(q.pending() == InputQueue::MAX_PENDING);
    int presses = 0, releases = 0, frames = 0;
    while (q.pending()) {
      for (const InputEvent& e : q.take_frame()) presses += e.action == 1, releases += e.action == 0;
      ++frames;
    }
    CHECK(presses == 1);
    CHECK(releases == 1);
    CHECK(frames == int(InputQueue::MAX_PENDING));
  }
}
