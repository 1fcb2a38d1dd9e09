#include "state/input_queue.h"

#include <algorithm>

namespace xm {

void InputQueue::push(const InputEvent& e) {
  if (events_.size() >= MAX_PENDING) {
    auto repeat = std::find_if(events_.begin(), events_.end(), [](const InputEvent& q) { return q.action == 2; });
    if (repeat != events_.end()) events_.erase(repeat);
    else if (e.action == 2) return;
  }
  events_.push_back(e);
}

std::vector<InputEvent> InputQueue::take_frame() {
  std::vector<InputEvent> out;
  while (!events_.empty()) {
    const InputEvent& e = events_.front();
    const bool seen = std::any_of(out.begin(), out.end(), [&](const InputEvent& o) { return o.kind == e.kind && o.code == e.code; });
    if (seen) break;
    out.push_back(e);
    events_.pop_front();
  }
  return out;
}

}  // namespace xm
