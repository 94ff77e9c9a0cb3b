#pragma once
// A small JSON value, parser and writer: sample annotations (`# failJSON: {...}`),
// ticket data in the ban database and `--json` output. Objects keep key order.

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "portcullis/base/error.h"

namespace portcullis::json {

class Value;
using Array = std::vector<Value>;
using Object = std::vector<std::pair<std::string, Value>>;

class Value {
 public:
  Value() = default;
  Value(std::nullptr_t) {}
  Value(bool b) : data_(b) {}
  Value(double d) : data_(d) {}
  Value(int i) : data_(static_cast<double>(i)) {}
  Value(long long i) : data_(static_cast<double>(i)) {}
  Value(std::string s) : data_(std::move(s)) {}
  Value(const char* s) : data_(std::string(s)) {}
  Value(Array a) : data_(std::move(a)) {}
  Value(Object o) : data_(std::move(o)) {}

  bool is_null() const { return std::holds_alternative<std::monostate>(data_); }
  bool is_bool() const { return std::holds_alternative<bool>(data_); }
  bool is_number() const { return std::holds_alternative<double>(data_); }
  bool is_string() const { return std::holds_alternative<std::string>(data_); }
  bool is_array() const { return std::holds_alternative<Array>(data_); }
  bool is_object() const { return std::holds_alternative<Object>(data_); }

  bool as_bool() const { return std::get<bool>(data_); }
  double as_number() const { return std::get<double>(data_); }
  const std::string& as_string() const { return std::get<std::string>(data_); }
  const Array& as_array() const { return std::get<Array>(data_); }
  Array& as_array() { return std::get<Array>(data_); }
  const Object& as_object() const { return std::get<Object>(data_); }
  Object& as_object() { return std::get<Object>(data_); }

  // Member `key` of an object; nullptr when absent or not an object.
  const Value* Find(std::string_view key) const;

  // Compact JSON text.
  std::string Dump() const;

 private:
  std::variant<std::monostate, bool, double, std::string, Array, Object> data_;
};

// Parses one JSON document (trailing white space allowed). Errors say what and at
// which 1-based column: "invalid JSON at column 7: expected ':'".
Result<Value> Parse(std::string_view text);

// A JSON string literal for `text` (quotes included), escaped as Python's json.dumps
// escapes (\b, \f, \n, \r, \t, other controls as \u00XX; UTF-8 kept as it is).
std::string Quote(std::string_view text);
// The same, appended to `out`.
void AppendQuoted(std::string_view text, std::string& out);

}  // namespace portcullis::json
