#include "portcullis/store/ticket_data.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "portcullis/base/json.h"
#include "portcullis/base/py_repr.h"

namespace portcullis::store {
namespace {

// Python's float repr: the shortest digits that read back the same, fixed notation for
// decimal exponents -4..15, else d.ddde+XX.
void AppendPythonFloat(double d, std::string& out) {
  if (std::isnan(d)) { out += "NaN"; return; }
  if (std::isinf(d)) { out += d < 0 ? "-Infinity" : "Infinity"; return; }
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, d, std::chars_format::scientific);
  std::string_view sci(buf, static_cast<size_t>(end - buf));  // "-1.2345e-05"
  bool negative = sci.front() == '-';
  if (negative) sci.remove_prefix(1);
  size_t e = sci.find('e');
  int exponent = std::atoi(std::string(sci.substr(e + 1)).c_str());
  std::string digits;
  for (char c : sci.substr(0, e)) if (c != '.') digits += c;
  if (negative) out += '-';
  if (exponent >= 16 || exponent < -4) {
    out += digits[0];
    if (digits.size() > 1) out += "." + digits.substr(1);
    char exp[16];
    std::snprintf(exp, sizeof exp, "e%c%02d", exponent < 0 ? '-' : '+', std::abs(exponent));
    out += exp;
  } else if (exponent < 0) {
    out += "0." + std::string(static_cast<size_t>(-exponent - 1), '0') + digits;
  } else {
    size_t whole = static_cast<size_t>(exponent) + 1;
    if (digits.size() <= whole) {
      out += digits + std::string(whole - digits.size(), '0') + ".0";
    } else {
      out += digits.substr(0, whole) + "." + digits.substr(whole);
    }
  }
}

void AppendNumber(double d, std::string& out) {
  if (std::isfinite(d) && d == std::trunc(d) && std::fabs(d) < 1e16) {
    char buf[32];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, static_cast<long long>(d));
    out.append(buf, end);
    return;
  }
  AppendPythonFloat(d, out);
}

void AppendValue(const json::Value& value, std::string& out);

void AppendArray(std::span<const json::Value> items, std::string& out) {
  out += '[';
  for (size_t i = 0; i < items.size(); ++i) {
    if (i) out += ", ";
    AppendValue(items[i], out);
  }
  out += ']';
}

void AppendValue(const json::Value& value, std::string& out) {
  if (value.is_null()) out += "null";
  else if (value.is_bool()) out += value.as_bool() ? "true" : "false";
  else if (value.is_number()) AppendNumber(value.as_number(), out);
  else if (value.is_string()) json::AppendQuoted(value.as_string(), out);
  else if (value.is_array()) AppendArray(value.as_array(), out);
  else AppendTicketJson(value, -1, out);
}

}  // namespace

void AppendTicketJson(const json::Value& value, int max_matches, std::string& out) {
  if (!value.is_object()) return AppendValue(value, out);
  out += '{';
  bool first = true;
  for (const auto& [key, item] : value.as_object()) {
    bool matches = max_matches >= 0 && key == "matches" && item.is_array();
    if (matches && max_matches == 0 && !item.as_array().empty()) continue;
    if (!first) out += ", ";
    first = false;
    json::AppendQuoted(key, out);
    out += ": ";
    if (matches && item.as_array().size() > static_cast<size_t>(max_matches)) {
      std::span<const json::Value> all = item.as_array();
      AppendArray(all.last(static_cast<size_t>(max_matches)), out);
    } else {
      AppendValue(item, out);
    }
  }
  out += '}';
}

std::string PythonStrRepr(std::string_view text) { return PyRepr(text); }

std::string PythonListRepr(std::span<const std::string> items) {
  std::string out = "[";
  for (size_t i = 0; i < items.size(); ++i) {
    if (i) out += ", ";
    out += PythonStrRepr(items[i]);
  }
  return out + "]";
}

}  // namespace portcullis::store
