// The evaluation window (View → Evaluate explanation): scores of the current
// map with a one-line meaning each, the deletion / insertion / ROAD curves,
// and the sanity-check strip (the map after each randomised layer, with its
// rank correlation to the original). State lives in ui/state/evaluation.h.
//
//   evaluation_tick(a, 10.0);        // main loop, after the lab's tick
//   window_evaluate(a);              // app_draw, when a.eval.open
#pragma once
#include "app.h"
#include "state/evaluation.h"

namespace xm {

void evaluation_tick(App& a, double budget_ms);
void window_evaluate(App& a);
// Starts an evaluation of the lab's last run; reports failures to the user.
Status evaluation_start(App& a, const std::vector<std::string>& metrics, bool sanity);

}  // namespace xm
