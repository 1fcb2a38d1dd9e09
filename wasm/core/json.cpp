#include "core/json.h"

#include <cstdio>
#include <cstdlib>

namespace xm {

namespace {
const Json& null_json() {
  static const Json n;
  return n;
}
const std::string& empty_string() {
  static const std::string s;
  return s;
}
constexpr int JSON_MAX_DEPTH = 64;
}  // namespace

const std::string& Json::str() const { return is_string() ? string_ : empty_string(); }

std::vector<double> Json::numbers() const {
  std::vector<double> r;
  for (auto& v : array_)
    if (v.is_number()) r.push_back(v.number_);
  return r;
}

const Json& Json::operator[](size_t i) const { return is_array() && i < array_.size() ? array_[i] : null_json(); }

const Json& Json::operator[](const std::string& key) const {
  if (!is_object()) return null_json();
  auto it = object_.find(key);
  return it == object_.end() ? null_json() : it->second;
}

class JsonParser {
public:
  JsonParser(const std::string& t, const std::string& name) : t_(t), name_(name) {}

  Result<Json> parse() {
    Json v;
    if (!value(&v, 0)) return Status::error(error_);
    ws();
    if (p_ != t_.size()) {
      fail("unexpected text after the JSON value");
      return Status::error(error_);
    }
    return v;
  }

private:
  bool fail(const std::string& what) {
    error_ = name_ + ": invalid JSON at byte " + std::to_string(p_) + ": " + what;
    return false;
  }
  void ws() {
    while (p_ < t_.size() && (t_[p_] == ' ' || t_[p_] == '\n' || t_[p_] == '\t' || t_[p_] == '\r')) p_++;
  }
  bool lit(const char* s) {
    size_t n = std::char_traits<char>::length(s);
    if (t_.compare(p_, n, s) != 0) return false;
    p_ += n;
    return true;
  }
  bool value(Json* v, int depth) {
    if (depth > JSON_MAX_DEPTH) return fail("nested too deeply");
    ws();
    if (p_ >= t_.size()) return fail("unexpected end");
    char c = t_[p_];
    if (c == '{') return object(v, depth);
    if (c == '[') return array(v, depth);
    if (c == '"') {
      v->type_ = Json::Type::STRING;
      return string(&v->string_);
    }
    if (lit("true")) { v->type_ = Json::Type::BOOL; v->bool_ = true; return true; }
    if (lit("false")) { v->type_ = Json::Type::BOOL; v->bool_ = false; return true; }
    if (lit("null")) { v->type_ = Json::Type::NUL; return true; }
    if (c == '-' || (c >= '0' && c <= '9')) {
      const char* b = t_.c_str() + p_;
      char* e = nullptr;
      double d = std::strtod(b, &e);
      if (e == b) return fail("bad number");
      p_ += size_t(e - b);
      v->type_ = Json::Type::NUMBER;
      v->number_ = d;
      return true;
    }
    return fail(std::string("unexpected character '") + c + "'");
  }
  bool string(std::string* out) {
    p_++;  // opening quote
    while (p_ < t_.size()) {
      char c = t_[p_++];
      if (c == '"') return true;
      if (c != '\\') {
        *out += c;
        continue;
      }
      if (p_ >= t_.size()) break;
      char e = t_[p_++];
      switch (e) {
        case '"': *out += '"'; break;
        case '\\': *out += '\\'; break;
        case '/': *out += '/'; break;
        case 'b': *out += '\b'; break;
        case 'f': *out += '\f'; break;
        case 'n': *out += '\n'; break;
        case 'r': *out += '\r'; break;
        case 't': *out += '\t'; break;
        case 'u': {
          if (p_ + 4 > t_.size()) return fail("bad \\u escape");
          unsigned cp = unsigned(std::strtoul(t_.substr(p_, 4).c_str(), nullptr, 16));
          p_ += 4;
          if (cp < 0x80) {
            *out += char(cp);
          } else if (cp < 0x800) {
            *out += char(0xC0 | (cp >> 6));
            *out += char(0x80 | (cp & 0x3F));
          } else {
            *out += char(0xE0 | (cp >> 12));
            *out += char(0x80 | ((cp >> 6) & 0x3F));
            *out += char(0x80 | (cp & 0x3F));
          }
          break;
        }
        default: return fail("bad escape");
      }
    }
    return fail("unterminated string");
  }
  bool array(Json* v, int depth) {
    p_++;
    v->type_ = Json::Type::ARRAY;
    ws();
    if (p_ < t_.size() && t_[p_] == ']') { p_++; return true; }
    for (;;) {
      v->array_.emplace_back();
      if (!value(&v->array_.back(), depth + 1)) return false;
      ws();
      if (p_ < t_.size() && t_[p_] == ',') { p_++; continue; }
      if (p_ < t_.size() && t_[p_] == ']') { p_++; return true; }
      return fail("expected ',' or ']'");
    }
  }
  bool object(Json* v, int depth) {
    p_++;
    v->type_ = Json::Type::OBJECT;
    ws();
    if (p_ < t_.size() && t_[p_] == '}') { p_++; return true; }
    for (;;) {
      ws();
      if (p_ >= t_.size() || t_[p_] != '"') return fail("expected a key string");
      std::string key;
      if (!string(&key)) return false;
      ws();
      if (p_ >= t_.size() || t_[p_] != ':') return fail("expected ':'");
      p_++;
      Json item;
      if (!value(&item, depth + 1)) return false;
      v->object_[key] = std::move(item);
      ws();
      if (p_ < t_.size() && t_[p_] == ',') { p_++; continue; }
      if (p_ < t_.size() && t_[p_] == '}') { p_++; return true; }
      return fail("expected ',' or '}'");
    }
  }

  const std::string& t_;
  const std::string& name_;
  size_t p_ = 0;
  std::string error_;
};

Result<Json> json_parse(const std::string& text, const std::string& name) { return JsonParser(text, name).parse(); }

std::string json_quote(const std::string& s) {
  std::string r = "\"";
  for (unsigned char c : s) {
    switch (c) {
      case '"': r += "\\\""; break;
      case '\\': r += "\\\\"; break;
      case '\n': r += "\\n"; break;
      case '\t': r += "\\t"; break;
      case '\r': r += "\\r"; break;
      default:
        if (c < 0x20) {
          char b[8];
          std::snprintf(b, sizeof b, "\\u%04x", c);
          r += b;
        } else {
          r += char(c);
        }
    }
  }
  return r + "\"";
}

}  // namespace xm
