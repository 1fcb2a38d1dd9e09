// The one JSON writer: every JSON the core, the page and the CLI print goes
// through it, so numbers, NaN and quoting are decided in one place.
//
//   JsonWriter w;
//   w.begin_object();
//   w.key("model").str("cardiac_lge");
//   w.key("prediction").begin_array().num(0.25).num(NAN).end_array();  // [0.25,null]
//   w.key("last").null();
//   w.end_object();
//   puts(w.text().c_str());  // {"model":"cardiac_lge","prediction":[0.25,null],"last":null}
//
// Commas come by themselves. Numbers print with 9 significant digits (a float
// comes back exactly) unless a producer's output has always had another form
// (fixed(), num(v, digits)); NaN and infinities print as null whatever the form.
// Strings are quoted and escaped by json_quote (core/json.h).
#pragma once
#include <string>
#include <type_traits>
#include <vector>

namespace xm {

class JsonWriter {
public:
  // COMPACT: {"a":1,"b":2}; SPACED: {"a": 1, "b": 2} (the CLI's phantom and
  // dataset lines and the page's render statistics have always been spaced).
  enum class Style { COMPACT, SPACED };
  explicit JsonWriter(Style style = Style::COMPACT) : spaced_(style == Style::SPACED) {}

  JsonWriter& begin_object();
  JsonWriter& end_object();
  JsonWriter& begin_array();
  JsonWriter& end_array();
  // The next value is this member of the open object.
  JsonWriter& key(const std::string& k);

  JsonWriter& str(const std::string& s);
  // %.{digits}g; NaN and infinities as null.
  JsonWriter& num(double v, int digits = 9);
  // %.{decimals}f; NaN and infinities as null.
  JsonWriter& fixed(double v, int decimals);
  template <class I, std::enable_if_t<std::is_integral_v<I> && !std::is_same_v<I, bool>, int> = 0>
  JsonWriter& integer(I v) {
    return value(std::to_string(v));
  }
  JsonWriter& boolean(bool b) { return value(b ? "true" : "false"); }
  JsonWriter& null() { return value("null"); }

  // An array of numbers (9 significant digits, NaN as null).
  template <class V>
  JsonWriter& nums(const V& values) {
    begin_array();
    for (auto v : values) num(double(v));
    return end_array();
  }
  JsonWriter& strs(const std::vector<std::string>& values);

  // Everything written so far (complete once every object and array is closed).
  const std::string& text() const { return out_; }
  std::string take() { return std::move(out_); }

private:
  JsonWriter& value(const std::string& literal);
  void separate();
  JsonWriter& open(char c);
  JsonWriter& close(char c);

  std::string out_;
  std::vector<bool> first_;  // per open object or array: nothing written in it yet
  bool after_key_ = false;
  bool spaced_ = false;
};

// One number as JsonWriter::num writes it.
std::string json_number(double v, int digits = 9);

}  // namespace xm
