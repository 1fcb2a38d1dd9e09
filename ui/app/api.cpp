// The functions window.xmediaLab calls (exported by name at link time). They
// return "" on success or the user-facing message; state is unchanged on failure.
#include <cstdio>
#include <string>

#include "app.h"
#include "core/json.h"
#include "core/json_writer.h"
#include "explain/explainer.h"
#include "image/npy.h"

namespace xm {

const char* app_api_return(App& a, std::string s) {
  a.api_out = std::move(s);
  return a.api_out.c_str();
}

const char* app_api_status(App& a, const Status& s, bool report) {
  if (!s && report) app_report(a, s.error());
  return app_api_return(a, s ? "" : s.error());
}

// Every method's parameters as their specs declare them (ParamSpec,
// wasm/explain/explainer.h): [{"name", "params": [{"key", "kind", "default",
// "help", "lo", "hi", "log", "slider", "image_side", "choices", "open"}]}].
std::string methods_json() {
  JsonWriter w;
  w.begin_array();
  for (auto& m : explain_methods()) {
    w.begin_object().key("name").str(m.name).key("params").begin_array();
    for (const ParamSpec& p : m.params) {
      w.begin_object().key("key").str(p.key).key("kind").str(param_kind_name(p.kind));
      w.key("default").str(p.default_value).key("help").str(p.help);
      if (p.kind == ParamKind::INT || p.kind == ParamKind::FLOAT || p.kind == ParamKind::SIZE)
        w.key("lo").num(p.lo, 17).key("hi").num(p.hi, 17);
      w.key("log").boolean(p.log_scale).key("slider").boolean(p.slider).key("image_side").boolean(p.image_side);
      if (p.kind == ParamKind::CHOICE) {
        w.key("choices").begin_array();
        for (const std::string& c : p.choices) w.str(c);
        w.end_array().key("open").boolean(p.open);
      }
      w.end_object();
    }
    w.end_array().end_object();
  }
  w.end_array();
  return w.text();
}

}  // namespace xm

extern "C" {

const char* xm_api_status_json() {
  xm::App& a = xm::app();
  return xm::app_api_return(a, xm::app_status_json(a));
}

const char* xm_api_load_image(const unsigned char* data, int size, const char* name) {
  xm::App& a = xm::app();
  return xm::app_api_status(a, a.lab.load_image(data, size_t(size), name));
}

const char* xm_api_load_model(const unsigned char* data, int size, const char* name, const char* card_json) {
  xm::App& a = xm::app();
  a.loading_model.clear();
  xm::Status s = a.lab.load_model(data, size_t(size), name, card_json);
  if (s && !a.lab.last_run() && !a.lab.busy()) xm::app_run_current(a);  // first model: show an explanation at once
  return xm::app_api_status(a, s);
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
  if (!s) xm::app_report(a, s.error());
  xm::JsonWriter w;
  w.begin_object().key("error").str(s ? "" : s.error()).key("ort_probe").begin_array();
  for (int64_t d : probe.input) w.integer(d);
  w.end_array().key("refusal").str(probe.refusal).end_object();
  return xm::app_api_return(a, w.text());
}

// request: {"method": "...", "params": {"k": "v" | number | bool}, "target": -1}
const char* xm_api_run(const char* request_json) {
  xm::App& a = xm::app();
  auto r = xm::json_parse(request_json, "run request");
  if (!r) return xm::app_api_status(a, r.status());
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
      return xm::app_api_status(a, xm::Status::error("parameter '" + kv.first + "' must be a string, number or boolean"));
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
  return xm::app_api_status(a, s);
}

void xm_api_cancel() { xm::app().lab.cancel(); }

const char* xm_api_methods() {
  xm::App& a = xm::app();
  return xm::app_api_return(a, xm::methods_json());
}

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
  return xm::app_api_status(a, s);
}

const char* xm_api_set_knob(const char* name, double value) {
  xm::App& a = xm::app();
  return xm::app_api_status(a, a.lab.set_knob(name, float(value)));
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
    if (!xm::explain_find_method(m)) return xm::app_api_status(a, xm::Status::error("compare: unknown method '" + m + "'"));
  a.compare_methods = ms;
  a.show_compare = true;
  a.lab.queue_compare(ms);
  for (auto& run : a.lab.compare_queue) run.second = xm::app_params_for(a, run.first);
  return xm::app_api_return(a, "");
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

// The attribution currently shown, as .npy bytes (pointer to App::api_bytes, size in *size).
const unsigned char* xm_api_attribution_npy(int* size) {
  std::vector<uint8_t>& bytes = xm::app().api_bytes;
  bytes = xm::npy_encode(xm::app().lab.attribution());
  *size = int(bytes.size());
  return bytes.data();
}

}
