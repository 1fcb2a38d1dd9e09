#include "state/link_state.h"

#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "phantoms/phantom.h"

namespace xm {
namespace {

std::string fnum(double v) {
  char b[32];
  std::snprintf(b, sizeof b, "%.9g", v);  // 9 significant digits: a float comes back exactly
  return b;
}

bool parse_float(const std::string& t, float* v) {
  if (t.empty() || t.size() > 40) return false;
  char* e = nullptr;
  *v = std::strtof(t.c_str(), &e);
  return e && *e == 0 && std::isfinite(*v);
}

bool parse_int(const std::string& t, long long lo, long long hi, long long* v) {
  if (t.empty() || t.size() > 20) return false;
  char* e = nullptr;
  *v = std::strtoll(t.c_str(), &e, 10);
  return e && *e == 0 && *v >= lo && *v <= hi;
}

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  size_t p = 0;
  for (;;) {
    size_t e = s.find(sep, p);
    out.push_back(s.substr(p, e == std::string::npos ? std::string::npos : e - p));
    if (e == std::string::npos) break;
    p = e + 1;
  }
  return out;
}

bool sign_from_name(const std::string& n, HeatSign* s) {
  for (HeatSign c : {HeatSign::ALL, HeatSign::POSITIVE, HeatSign::NEGATIVE, HeatSign::ABSOLUTE})
    if (n == heat_sign_name(c)) return *s = c, true;
  return false;
}

bool colormap_from_name(const std::string& n, HeatColormap* m) {
  for (HeatColormap c : {HeatColormap::AUTO, HeatColormap::DIVERGING, HeatColormap::INFERNO, HeatColormap::VIRIDIS, HeatColormap::GREY})
    if (n == heat_colormap_name(c)) return *m = c, true;
  return false;
}

Status view_check(const LinkState& s, const std::string& where) {
  if (!(s.view.opacity >= 0 && s.view.opacity <= 1)) return Status::error(where + ": view opacity must be in [0, 1]");
  if (!(s.view.clip_percentile >= 50 && s.view.clip_percentile <= 100))
    return Status::error(where + ": view clip must be a percentile in [50, 100]");
  if (!(s.zoom >= 1 && s.zoom <= 16)) return Status::error(where + ": zoom must be in [1, 16]");
  if (!(std::fabs(s.pan_x) <= 0.5f && std::fabs(s.pan_y) <= 0.5f)) return Status::error(where + ": pan must be in [-0.5, 0.5]");
  return Status::ok();
}

}  // namespace

std::string link_percent_encode(const std::string& s) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    // Unreserved characters plus the separators our own values use (readable links).
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' || c == ',' || c == ':' || c == ';') {
      out += char(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

Result<std::string> link_percent_decode(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      out += s[i];
      continue;
    }
    auto hexval = [](char c) { return std::isdigit((unsigned char)c) ? c - '0' : (c >= 'a' && c <= 'f') ? c - 'a' + 10 : (c >= 'A' && c <= 'F') ? c - 'A' + 10 : -1; };
    if (i + 2 >= s.size() || hexval(s[i + 1]) < 0 || hexval(s[i + 2]) < 0)
      return Status::error("link: a '%' is not followed by two hex digits");
    out += char(hexval(s[i + 1]) * 16 + hexval(s[i + 2]));
    i += 2;
  }
  return out;
}

std::string link_encode(const LinkState& s) {
  std::string f = "v=1";
  auto add = [&](const std::string& key, const std::string& value) { f += "&" + link_percent_encode(key) + "=" + link_percent_encode(value); };
  if (s.has_case) {
    add("case", s.scenario);
    add("seed", std::to_string(s.seed));
    for (auto& k : s.knobs) add("k." + k.first, fnum(k.second));
    if (!s.edits.empty()) add("edit", edits_encode(s.edits));
  }
  if (!s.model.empty()) add("model", s.model);
  if (s.has_method) {
    add("m", s.method);
    for (auto& p : s.params) add("p." + p.first, p.second);
    if (s.target != -1) add("t", std::to_string(s.target));
    if (!s.run) add("run", "0");
  }
  if (s.has_view) {
    add("view", std::string(heat_sign_name(s.view.sign)) + "," + heat_colormap_name(s.view.colormap) + "," +
                    fnum(s.view.opacity) + "," + fnum(s.view.clip_percentile) + "," + (s.view.outline ? "1" : "0"));
    if (s.zoom != 1.0f || s.pan_x != 0.0f || s.pan_y != 0.0f) add("zoom", fnum(s.zoom) + "," + fnum(s.pan_x) + "," + fnum(s.pan_y));
  }
  if (!s.lesson.empty()) {
    add("lesson", s.lesson);
    add("step", std::to_string(s.step));
  }
  return f;
}

Result<LinkState> link_decode(const std::string& fragment) {
  LinkState s;
  std::string text = fragment;
  if (!text.empty() && text[0] == '#') text.erase(0, 1);
  if (text.size() > 100000) return Status::error("link: the fragment is too long");
  if (text.empty()) return s;
  for (const std::string& part : split(text, '&')) {
    if (part.empty()) continue;
    size_t eq = part.find('=');
    auto key = link_percent_decode(part.substr(0, eq));
    if (!key) return key.status();
    auto val = link_percent_decode(eq == std::string::npos ? "" : part.substr(eq + 1));
    if (!val) return val.status();
    const std::string& k = *key;
    const std::string& v = *val;
    const std::string where = "link: '" + k + "'";
    long long n = 0;
    if (k == "v") {
      if (v != "1") return Status::error("link: version " + v + " is newer than this page understands");
    } else if (k == "case") {
      s.has_case = true;
      s.scenario = v;
    } else if (k == "seed") {
      if (!parse_int(v, 0, 2147483647LL, &n)) return Status::error(where + ": seed must be a whole number 0..2147483647");
      s.seed = uint64_t(n);
    } else if (k.rfind("k.", 0) == 0) {
      float f;
      if (!parse_float(v, &f)) return Status::error(where + ": '" + v + "' is not a number");
      s.knobs.emplace_back(k.substr(2), f);
    } else if (k == "edit") {
      auto e = edits_decode(v);
      if (!e) return Status::error("link: " + e.status().error());
      s.edits = e.take();
      s.dropped = edits_fit_budget(&s.edits);
    } else if (k == "model") {
      s.model = v;
    } else if (k == "m") {
      s.has_method = true;
      s.method = v;
    } else if (k.rfind("p.", 0) == 0) {
      s.params.emplace_back(k.substr(2), v);
    } else if (k == "t") {
      if (!parse_int(v, -1, 100000, &n)) return Status::error(where + ": target must be -1 or a class index");
      s.target = int(n);
    } else if (k == "run") {
      s.run = v != "0";
    } else if (k == "view") {
      auto f = split(v, ',');
      if (f.size() != 5 || !sign_from_name(f[0], &s.view.sign) || !colormap_from_name(f[1], &s.view.colormap) ||
          !parse_float(f[2], &s.view.opacity) || !parse_float(f[3], &s.view.clip_percentile) || (f[4] != "0" && f[4] != "1"))
        return Status::error(where + ": expected sign,colormap,opacity,clip,outline, got '" + v.substr(0, 60) + "'");
      s.view.outline = f[4] == "1";
      s.has_view = true;
    } else if (k == "zoom") {
      auto f = split(v, ',');
      if (f.size() != 3 || !parse_float(f[0], &s.zoom) || !parse_float(f[1], &s.pan_x) || !parse_float(f[2], &s.pan_y))
        return Status::error(where + ": expected zoom,pan_x,pan_y");
    } else if (k == "lesson") {
      s.lesson = v;
    } else if (k == "step") {
      if (!parse_int(v, 0, 1000, &n)) return Status::error(where + ": step must be a whole number 0..1000");
      s.step = int(n);
    }
    // Other keys: from a newer page; ignored so old links keep working the other way round.
  }
  XM_TRY(view_check(s, "link"));
  return s;
}

Result<LinkState> link_from_json(const Json& j, const std::string& where) {
  LinkState s;
  if (j.is_null()) return s;
  if (!j.is_object()) return Status::error(where + ": \"state\" must be an object");
  static const char* known[] = {"scenario", "seed", "knobs", "edits", "model", "method", "params", "target", "run", "view", "compare"};
  for (auto& kv : j.members()) {
    bool ok = false;
    for (const char* k : known) ok = ok || kv.first == k;
    if (!ok) return Status::error(where + ": unknown key \"" + kv.first + "\" in \"state\"");
  }
  auto text_of = [](const Json& v) -> std::string {
    if (v.is_string()) return v.str();
    if (v.is_bool()) return v.boolean() ? "true" : "false";
    if (v.is_number()) return fnum(v.num());
    return "";
  };
  if (j.has("scenario")) {
    if (!j["scenario"].is_string()) return Status::error(where + ": \"scenario\" must be a string");
    s.has_case = true;
    s.scenario = j["scenario"].str();
    const double seed = j["seed"].num(1);
    if (seed < 0 || seed > 2147483647.0 || seed != std::floor(seed)) return Status::error(where + ": \"seed\" must be a whole number 0..2147483647");
    s.seed = uint64_t(seed);
    for (auto& kv : j["knobs"].members()) {
      const Json& v = kv.second;
      if (!v.is_number() && !v.is_bool()) return Status::error(where + ": knob \"" + kv.first + "\" must be a number");
      s.knobs.emplace_back(kv.first, v.is_bool() ? (v.boolean() ? 1.0f : 0.0f) : float(v.num()));
    }
    if (j.has("edits")) {
      auto e = edits_decode(j["edits"].str(""));
      if (!e) return Status::error(where + ": " + e.status().error());
      s.edits = e.take();
      s.dropped = edits_fit_budget(&s.edits);
    }
  } else if (j.has("seed") || j.has("knobs") || j.has("edits")) {
    return Status::error(where + ": \"seed\", \"knobs\" and \"edits\" need a \"scenario\"");
  }
  s.model = j["model"].str("");
  if (j.has("method")) {
    s.has_method = true;
    s.method = j["method"].str("");
    for (auto& kv : j["params"].members()) {
      std::string t = text_of(kv.second);
      if (t.empty()) return Status::error(where + ": parameter \"" + kv.first + "\" must be a string, number or boolean");
      s.params.emplace_back(kv.first, t);
    }
    s.target = int(j["target"].num(-1));
    s.run = j["run"].boolean(true);
  } else if (j.has("params") || j.has("target")) {
    return Status::error(where + ": \"params\" and \"target\" need a \"method\"");
  }
  if (j.has("view")) {
    const Json& v = j["view"];
    if (!v.is_object()) return Status::error(where + ": \"view\" must be an object");
    s.has_view = true;
    if (v.has("sign") && !sign_from_name(v["sign"].str(""), &s.view.sign))
      return Status::error(where + ": view sign must be signed, positive, negative or absolute");
    if (v.has("colormap") && !colormap_from_name(v["colormap"].str(""), &s.view.colormap))
      return Status::error(where + ": view colormap must be auto, diverging, inferno, viridis or grey");
    s.view.opacity = float(v["opacity"].num(s.view.opacity));
    s.view.clip_percentile = float(v["clip"].num(s.view.clip_percentile));
    s.view.outline = v["outline"].boolean(s.view.outline);
    s.zoom = float(v["zoom"].num(1));
    XM_TRY(view_check(s, where));
  }
  for (auto& m : j["compare"].items()) s.compare.push_back(m.str(""));
  return s;
}

LinkState link_merge(const LinkState& base, const LinkState& over) {
  LinkState m = base;
  if (over.has_case) {
    m.has_case = true;
    m.scenario = over.scenario;
    m.seed = over.seed;
    m.knobs = over.knobs;
    m.edits = over.edits;
    m.dropped = over.dropped;
  }
  if (!over.model.empty()) m.model = over.model;
  if (over.has_method) {
    m.has_method = true;
    m.method = over.method;
    m.params = over.params;
    m.target = over.target;
    m.run = over.run;
  }
  if (over.has_view) {
    m.has_view = true;
    m.view = over.view;
    m.zoom = over.zoom;
    m.pan_x = over.pan_x;
    m.pan_y = over.pan_y;
  }
  m.compare = over.compare;
  m.lesson = over.lesson;
  m.step = over.step;
  return m;
}

Status link_validate(const LinkState& s, const std::string& where) {
  if (s.has_case) {
    auto spec = phantom_spec(s.scenario);
    if (!spec) return Status::error(where + ": unknown scenario '" + s.scenario + "' (" + phantom_scenario_list() + ")");
    PhantomSpec sp = *spec;
    for (auto& k : s.knobs) {
      Status st = phantom_set_knob(sp, k.first, k.second);
      if (!st) return Status::error(where + ": " + st.error());
    }
    XM_TRY(edits_validate(s.edits));
  }
  auto check_method = [&](const std::string& m) -> Status {
    if (!explain_find_method(m)) return Status::error(where + ": unknown method '" + m + "'");
    return Status::ok();
  };
  if (s.has_method) {
    XM_TRY(check_method(s.method));
    const MethodInfo* mi = explain_find_method(s.method);
    for (auto& p : s.params) {
      bool found = false;
      for (auto& spec : mi->params) found = found || p.first == spec.key;
      if (!found) return Status::error(where + ": " + s.method + " has no parameter '" + p.first + "'");
    }
  }
  for (auto& m : s.compare) XM_TRY(check_method(m));
  return Status::ok();
}

}  // namespace xm
