#include "state/param_kinds.h"

#include <cctype>
#include <cstdlib>
#include <cstring>

namespace xm {
namespace {

bool parse_number(const std::string& s, double* v, bool* is_int) {
  if (s.empty()) return false;
  char* end = nullptr;
  double x = std::strtod(s.c_str(), &end);
  if (end != s.c_str() + s.size()) return false;
  *v = x;
  *is_int = s.find_first_of(".eE") == std::string::npos;
  return true;
}

bool is_identifier(const std::string& s) {
  if (s.empty() || !(std::isalpha(static_cast<unsigned char>(s[0])))) return false;
  for (char c : s)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_')) return false;
  return true;
}

std::string trim(const std::string& s) {
  size_t a = s.find_first_not_of(' '), b = s.find_last_not_of(' ');
  return a == std::string::npos ? std::string() : s.substr(a, b - a + 1);
}

}  // namespace

bool param_parse_range(const std::string& text, double* lo, double* hi) {
  // "lo..hi": numbers around the first "..".
  size_t dots = text.find("..");
  if (dots != std::string::npos && dots > 0) {
    size_t a = dots;
    while (a > 0 && (std::isdigit(static_cast<unsigned char>(text[a - 1])) || text[a - 1] == '.' || text[a - 1] == '-')) --a;
    size_t b = dots + 2;
    while (b < text.size() && (std::isdigit(static_cast<unsigned char>(text[b])) || text[b] == '.')) ++b;
    // A trailing '.' belongs to the sentence, not the number.
    while (b > dots + 2 && text[b - 1] == '.') --b;
    bool i1, i2;
    if (a < dots && b > dots + 2 && parse_number(text.substr(a, dots - a), lo, &i1) &&
        parse_number(text.substr(dots + 2, b - dots - 2), hi, &i2) && *lo < *hi)
      return true;
  }
  // "(0,1]" or "[0,1]": an interval.
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '(' && text[i] != '[') continue;
    size_t comma = text.find(',', i), close = text.find_first_of(")]", i);
    if (comma == std::string::npos || close == std::string::npos || comma > close) continue;
    bool i1, i2;
    if (parse_number(trim(text.substr(i + 1, comma - i - 1)), lo, &i1) &&
        parse_number(trim(text.substr(comma + 1, close - comma - 1)), hi, &i2) && *lo < *hi)
      return true;
  }
  return false;
}

ParamKind param_kind(const ParamSpec& spec) {
  ParamKind k;
  const std::string def = spec.default_value ? spec.default_value : "";
  const std::string help = spec.help ? spec.help : "";
  const std::string key = spec.key ? spec.key : "";
  if (def == "true" || def == "false") {
    k.type = ParamType::BOOL;
    return k;
  }
  // "a | b | c": the part of the help before a comma that is not inside parentheses.
  if (help.find(" | ") != std::string::npos) {
    std::string list = help;
    size_t colon = list.find(": ");
    if (colon != std::string::npos && colon < list.find(" | ")) list = list.substr(colon + 2);
    std::vector<std::string> parts;
    int depth = 0;
    std::string cur;
    for (char c : list) {
      if (c == '(') ++depth;
      if (c == ')') --depth;
      if (depth == 0 && c == ',') break;
      if (depth == 0 && c == '|') {
        parts.push_back(trim(cur));
        cur.clear();
        continue;
      }
      if (depth == 0 && c != ')') cur += c;
    }
    parts.push_back(trim(cur));
    for (auto& p : parts) {
      if (is_identifier(p))
        k.choices.push_back(p);
      else
        k.open_choice = true;
    }
    bool def_listed = false;
    for (auto& c : k.choices) def_listed |= c == def;
    if (k.choices.size() >= 2 || (k.choices.size() == 1 && def_listed && k.open_choice)) {
      k.type = ParamType::CHOICE;
      if (!def_listed) k.open_choice = true;
      return k;
    }
    k.choices.clear();
    k.open_choice = false;
  }
  double v;
  bool is_int;
  if (parse_number(def, &v, &is_int)) {
    k.type = is_int ? ParamType::INT : ParamType::FLOAT;
    k.is_seed = key == "seed" || (key.size() > 5 && key.compare(key.size() - 5, 5, "_seed") == 0);
    if (!k.is_seed && param_parse_range(help, &k.lo, &k.hi)) {
      k.has_range = true;
      k.log_scale = k.lo > 0 && k.hi / k.lo > 100.0;
    }
    return k;
  }
  return k;
}

}  // namespace xm
