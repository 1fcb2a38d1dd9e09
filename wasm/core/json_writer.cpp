#include "core/json_writer.h"

#include <cmath>
#include <cstdio>

#include "core/json.h"
#include "core/status.h"

namespace xm {

std::string json_number(double v, int digits) {
  if (!std::isfinite(v)) return "null";
  char b[40];
  std::snprintf(b, sizeof b, "%.*g", digits, v);
  return b;
}

void JsonWriter::separate() {
  if (after_key_) {
    after_key_ = false;
    return;
  }
  if (first_.empty()) return;
  if (!first_.back()) out_ += spaced_ ? ", " : ",";
  first_.back() = false;
}

JsonWriter& JsonWriter::value(const std::string& literal) {
  separate();
  out_ += literal;
  return *this;
}

JsonWriter& JsonWriter::open(char c) {
  separate();
  out_ += c;
  first_.push_back(true);
  return *this;
}

JsonWriter& JsonWriter::close(char c) {
  XM_ASSERT(!first_.empty() && !after_key_);
  first_.pop_back();
  out_ += c;
  return *this;
}

JsonWriter& JsonWriter::begin_object() { return open('{'); }
JsonWriter& JsonWriter::end_object() { return close('}'); }
JsonWriter& JsonWriter::begin_array() { return open('['); }
JsonWriter& JsonWriter::end_array() { return close(']'); }

JsonWriter& JsonWriter::key(const std::string& k) {
  XM_ASSERT(!after_key_);
  separate();
  out_ += json_quote(k);
  out_ += spaced_ ? ": " : ":";
  after_key_ = true;
  return *this;
}

JsonWriter& JsonWriter::str(const std::string& s) { return value(json_quote(s)); }

JsonWriter& JsonWriter::num(double v, int digits) { return value(json_number(v, digits)); }

JsonWriter& JsonWriter::fixed(double v, int decimals) {
  if (!std::isfinite(v)) return null();
  char b[352];  // %f of the largest double is 309 digits
  std::snprintf(b, sizeof b, "%.*f", decimals, v);
  return value(b);
}

JsonWriter& JsonWriter::strs(const std::vector<std::string>& values) {
  begin_array();
  for (auto& s : values) str(s);
  return end_array();
}

}  // namespace xm
