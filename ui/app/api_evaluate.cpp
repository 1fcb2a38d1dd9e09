// window.xmediaLab.evaluate(): the evaluation of the map on screen, through the
// same state as the evaluation window (ui/state/evaluation.h). Exported by name
// like every xm_api_* function; "" on success or the user-facing message.
#include <string>

#include "app.h"
#include "core/json.h"
#include "panel_evaluate.h"

extern "C" {

// request: {"metrics": "all" | "a,b" | ["a", "b"] (default: all but max_sensitivity),
//           "sanity": false, "sanity_layers": 0 (0 = every layer)}
const char* xm_api_evaluate(const char* request_json) {
  xm::App& a = xm::app();
  auto r = xm::json_parse(request_json, "evaluate request");
  if (!r) return xm::app_api_return(a, r.error());
  const xm::Json& q = *r;
  std::vector<std::string> metrics;
  if (q["metrics"].is_array()) {
    std::string csv;
    for (size_t i = 0; i < q["metrics"].size(); ++i) csv += (i ? "," : "") + q["metrics"][i].str("");
    if (!csv.empty()) {
      xm::Status s = xm::eval_parse_metrics(csv, &metrics);
      if (!s) return xm::app_api_return(a, s.error());
    }
  } else if (q["metrics"].is_string()) {
    xm::Status s = xm::eval_parse_metrics(q["metrics"].str(), &metrics);
    if (!s) return xm::app_api_return(a, s.error());
  } else {
    for (auto& m : xm::eval_metrics())
      if (std::string(m.name) != "max_sensitivity") metrics.push_back(m.name);
  }
  const bool sanity = q["sanity"].boolean(false);
  if (metrics.empty() && !sanity) return xm::app_api_return(a, "evaluate: no metric and no sanity check asked for");
  a.eval.open = true;
  xm::Status s = a.eval.ev.start(a.lab, metrics, sanity, int(q["sanity_layers"].num(0)));
  if (!s) xm::app_report(a, s.error());
  return xm::app_api_return(a, s ? "" : s.error());
}

const char* xm_api_evaluation_json() { return xm::app_api_return(xm::app(), xm::app().eval.ev.to_json()); }

}  // extern "C"
