// The functions window.xmediaLab calls (exported by name at link time). They
// return "" on success or the user-facing message; state is unchanged on failure.
#include <cstdio>
#include <string>

#include "app.h"
#include "panel_backend.h"
#include "core/json.h"
#include "image/npy.h"
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

// Every method's parameters as their specs declare them (ParamSpec,
// wasm/explain/explainer.h): [{"name", "params": [{"key", "kind", "default",
// "help", "lo", "hi", "log", "slider", "image_side", "choices", "open"}]}].
std::string methods_json() {
  auto num = [](double v) {
    char b[32];
    std::snprintf(b, sizeof b, "%.17g", v);
    return std::string(b);
  };
  std::string o = "[";
  for (auto& m : xm::explain_methods()) {
    o += (o.size() > 1 ? ",{\"name\":" : "{\"name\":") + xm::json_quote(m.name) + ",\"params\":[";
    for (size_t i = 0; i < m.params.size(); ++i) {
      const xm::ParamSpec& p = m.params[i];
      o += std::string(i ? "," : "") + "{\"key\":" + xm::json_quote(p.key) + ",\"kind\":\"" + xm::param_kind_name(p.kind) +
           "\",\"default\":" + xm::json_quote(p.default_value) + ",\"help\":" + xm::json_quote(p.help);
      if (p.kind == xm::ParamKind::INT || p.kind == xm::ParamKind::FLOAT || p.kind == xm::ParamKind::SIZE)
        o += ",\"lo\":" + num(p.lo) + ",\"hi\":" + num(p.hi);
      o += std::string(",\"log\":") + (p.log_scale ? "true" : "false") + ",\"slider\":" + (p.slider ? "true" : "false") +
           ",\"image_side\":" + (p.image_side ? "true" : "false");
      if (p.kind == xm::ParamKind::CHOICE) {
        o += ",\"choices\":[";
        for (size_t c = 0; c < p.choices.size(); ++c) o += (c ? "," : "") + xm::json_quote(p.choices[c]);
        o += std::string("],\"open\":") + (p.open ? "true" : "false");
      }
      o += "}";
    }
    o += "]}";
  }
  return o + "]";
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

const char* xm_api_methods() { return out(methods_json()); }

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

void xm_api_compare(const char* methods_csv) {
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
  a.compare_methods = ms;
  a.show_compare = true;
  a.lab.queue_compare(ms);
  for (auto& run : a.lab.compare_queue) run.second = xm::app_params_for(a, run.first);
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

// The attribution currently shown, as .npy bytes (pointer to a static buffer, size in *size).
const unsigned char* xm_api_attribution_npy(int* size) {
  static std::vector<uint8_t> bytes;
  bytes = xm::npy_encode(xm::app().lab.attribution());
  *size = int(bytes.size());
  return bytes.data();
}

}
