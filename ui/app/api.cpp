// The functions window.xmediaLab calls (exported by name at link time). They
// return "" on success or the user-facing message; state is unchanged on failure.
#include <string>

#include "app.h"
#include "panel_backend.h"
#include "core/json.h"
#include "explain/explainer.h"
#include "image/npy.h"
#include "input.h"
#include "teach.h"

namespace {
std::string g_out;
const char* out(std::string s) {
  g_out = std::move(s);
  return g_out.c_str();
}
const char* result(xm::App& a, const xm::Status& s) {
  if (!s) {
    xm::app_report(a, s.error());
    return out(s.error());
  }
  return out("");
}
}  // namespace

extern "C" {

const char* xm_api_status_json() {
  xm::App& a = xm::app();
  a.state.method = a.method;
  a.lab.fill_status(a.state);
  std::string j = xm::app_status_json(a.state);
  // Extra fields the lab knows: the case and the run in progress.
  const xm::Lab& lab = a.lab;
  std::string extra = ",\"scenario\":" + xm::json_quote(lab.has_phantom() ? lab.scenario() : "") +
                      ",\"seed\":" + std::to_string(lab.seed()) + ",\"label\":" + std::to_string(lab.true_label()) +
                      ",\"predicted\":" + std::to_string(lab.predicted()) +
                      ",\"run_error\":" + xm::json_quote(lab.run_error()) +
                      ",\"runs_finished\":" + std::to_string(lab.runs_finished()) +
                      ",\"compare\":[";
  for (size_t i = 0; i < lab.compare.size(); ++i)
    extra += (i ? "," : "") + std::string("{\"method\":") + xm::json_quote(lab.compare[i].method) +
             ",\"ms\":" + std::to_string(lab.compare[i].ms) + "}";
  extra += "],\"compare_pending\":" + std::to_string(lab.compare_queue.size());
  extra += ",\"input_pending\":" + std::to_string(xm::input_pending());
  extra += xm::api_backend_status_json(a);
  extra += xm::teach_status_json(a);
  j.insert(j.size() - 1, extra);
  return out(j);
}

const char* xm_api_load_image(const unsigned char* data, int size, const char* name) {
  xm::App& a = xm::app();
  return result(a, a.lab.load_image(data, size_t(size), name));
}

const char* xm_api_load_model(const unsigned char* data, int size, const char* name, const char* card_json) {
  xm::App& a = xm::app();
  a.loading_model.clear();
  xm::Status s = a.lab.load_model(data, size_t(size), name, card_json);
  if (s && !a.lab.last_run() && !a.lab.busy()) xm::app_run_current(a);  // first model: show an explanation at once
  return result(a, s);
}

// loadModel's first step (web/xmedia-lab-api.js): a model our engine runs is
// loaded as by xm_api_load_model; one that only ONNX Runtime Web could run is
// checked and left unloaded, so that the page can create an ORT session and
// run it once before it replaces the current model.
// {"error": "" or the message, "ort_probe": [] or [1,C,H,W], "refusal": the engine's reason}
const char* xm_api_load_model_or_probe(const unsigned char* data, int size, const char* name, const char* card_json) {
  xm::App& a = xm::app();
  xm::Lab::OrtProbe probe;
  xm::Status s = a.lab.load_model(data, size_t(size), name, card_json, &probe);
  if (s && probe.input.empty()) {
    a.loading_model.clear();
    if (!a.lab.last_run() && !a.lab.busy()) xm::app_run_current(a);
  }
  if (!s) result(a, s);
  std::string dims;
  for (int64_t d : probe.input) dims += (dims.empty() ? "" : ",") + std::to_string(d);
  return out("{\"error\":" + xm::json_quote(s ? "" : s.error()) + ",\"ort_probe\":[" + dims +
             "],\"refusal\":" + xm::json_quote(probe.refusal) + "}");
}

// request: {"method": "...", "params": {"k": "v" | number | bool}, "target": -1}
const char* xm_api_run(const char* request_json) {
  xm::App& a = xm::app();
  auto r = xm::json_parse(request_json, "run request");
  if (!r) return result(a, r.status());
  const xm::Json& q = *r;
  std::string method = q["method"].str(a.method);
  xm::ParamList params;
  for (auto& kv : q["params"].members()) {
    const xm::Json& v = kv.second;
    std::string text;
    if (v.is_string()) text = v.str();
    else if (v.is_bool()) text = v.boolean() ? "true" : "false";
    else if (v.is_number()) {
      char b[64];
      std::snprintf(b, sizeof b, "%.17g", v.num());
      text = b;
    } else {
      return result(a, xm::Status::error("parameter '" + kv.first + "' must be a string, number or boolean"));
    }
    params.emplace_back(kv.first, text);
  }
  int target = q["target"].is_number() ? int(q["target"].num()) : -1;
  xm::Status s = a.lab.start_run(method, params, target);
  if (s) {
    a.method = method;
    auto& values = a.param_values[method];
    for (auto& p : params) values[p.first] = p.second;
    a.target = target;
  }
  return result(a, s);
}

void xm_api_cancel() { xm::app().lab.cancel(); }

// What window.xmediaLab.run polls each frame while a method runs, instead of
// the whole status (a few KB of JSON, a mask scan and the address encoded):
// the number of finished runs times two, plus one while the lab is busy.
int xm_api_run_state() {
  const xm::Lab& lab = xm::app().lab;
  return int(lab.runs_finished()) * 2 + (lab.busy() ? 1 : 0);
}

const char* xm_api_set_case(const char* scenario, int seed) {
  xm::App& a = xm::app();
  xm::Status s = a.lab.set_scenario(scenario);
  if (s && seed >= 0) s = a.lab.set_seed(uint64_t(seed));
  return result(a, s);
}

const char* xm_api_set_knob(const char* name, double value) {
  xm::App& a = xm::app();
  return result(a, a.lab.set_knob(name, float(value)));
}

const char* xm_api_compare(const char* methods_csv) {
  xm::App& a = xm::app();
  std::vector<std::string> ms;
  std::string cur;
  for (const char* p = methods_csv;; ++p) {
    if (*p == ',' || *p == 0) {
      if (!cur.empty()) ms.push_back(cur);
      cur.clear();
      if (!*p) break;
    } else {
      cur += *p;
    }
  }
  for (auto& m : ms)
    if (!xm::explain_find_method(m)) return result(a, xm::Status::error("compare: unknown method '" + m + "'"));
  a.compare_methods = ms;
  a.show_compare = true;
  a.lab.queue_compare(ms);
  for (auto& run : a.lab.compare_queue) run.second = xm::app_params_for(a, run.first);
  return out("");
}

// The zoo the page found in models/index.json: "name|url|scenario" lines.
void xm_api_set_zoo(const char* lines) {
  xm::App& a = xm::app();
  a.zoo.clear();
  std::string s = lines;
  size_t pos = 0;
  while (pos < s.size()) {
    size_t e = s.find('\n', pos);
    if (e == std::string::npos) e = s.size();
    std::string line = s.substr(pos, e - pos);
    pos = e + 1;
    size_t b1 = line.find('|'), b2 = b1 == std::string::npos ? b1 : line.find('|', b1 + 1);
    if (b1 == std::string::npos || b2 == std::string::npos) continue;
    a.zoo.push_back({line.substr(0, b1), line.substr(b1 + 1, b2 - b1 - 1), line.substr(b2 + 1), ""});
  }
}

void xm_api_loading_model(const char* name) { xm::app().loading_model = name; }

// A failure the page found (e.g. ONNX Runtime Web refusing a model), shown as the app's own.
void xm_api_report(const char* message) { xm::app_report(xm::app(), message); }

// The attribution currently shown, as .npy bytes (pointer to a static buffer, size in *size).
const unsigned char* xm_api_attribution_npy(int* size) {
  static std::vector<uint8_t> bytes;
  bytes = xm::npy_encode(xm::app().lab.attribution());
  *size = int(bytes.size());
  return bytes.data();
}

}
