// A small JSON reader for model cards, lesson files and deep-link state.
// Parses the whole text into a tree; errors give the byte offset.
//
//   Result<Json> card = json_parse(text, "models/cardiac_lge.json");
//   const Json& in = (*card)["input"];
//   std::vector<double> mean = in["mean"].numbers();
//   std::string name = (*card)["name"].str("unnamed");
//
// Missing keys and wrong types read as a null Json, so chained lookups never
// crash; callers that need a value check is_*() and report what is missing.
// Writing JSON goes through the one writer, core/json_writer.h.
#pragma once
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/status.h"

namespace xm {

class Json {
public:
  enum class Type { NUL, BOOL, NUMBER, STRING, ARRAY, OBJECT };

  Type type() const { return type_; }
  bool is_null() const { return type_ == Type::NUL; }
  bool is_bool() const { return type_ == Type::BOOL; }
  bool is_number() const { return type_ == Type::NUMBER; }
  bool is_string() const { return type_ == Type::STRING; }
  bool is_array() const { return type_ == Type::ARRAY; }
  bool is_object() const { return type_ == Type::OBJECT; }

  double num(double fallback = 0) const { return is_number() ? number_ : fallback; }
  bool boolean(bool fallback = false) const { return is_bool() ? bool_ : fallback; }
  const std::string& str() const;
  std::string str(const std::string& fallback) const { return is_string() ? string_ : fallback; }
  // Array of numbers; non-numbers are skipped.
  std::vector<double> numbers() const;

  size_t size() const { return is_array() ? array_.size() : is_object() ? object_.size() : 0; }
  const Json& operator[](size_t i) const;
  const Json& operator[](int i) const { return (*this)[size_t(i < 0 ? size_t(-1) : size_t(i))]; }
  const Json& operator[](const std::string& key) const;
  const Json& operator[](const char* key) const { return (*this)[std::string(key)]; }
  bool has(const std::string& key) const { return is_object() && object_.count(key) != 0; }
  const std::vector<Json>& items() const { return array_; }
  const std::map<std::string, Json>& members() const { return object_; }

private:
  friend class JsonParser;
  Type type_ = Type::NUL;
  bool bool_ = false;
  double number_ = 0;
  std::string string_;
  std::vector<Json> array_;
  std::map<std::string, Json> object_;
};

// Parses `text`; `name` (a file name) prefixes error messages.
Result<Json> json_parse(const std::string& text, const std::string& name);
// Quotes and escapes s as a JSON string literal.
std::string json_quote(const std::string& s);

}  // namespace xm
