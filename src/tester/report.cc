#include "portcullis/tester/report.h"

#include <charconv>
#include <cmath>
#include <ctime>

#include "portcullis/base/py_repr.h"

namespace portcullis::tester {

std::string ShortStr(std::string_view text, size_t limit) {
  // Count code points; remember where the (limit-3)th one ends.
  size_t chars = 0, cut = text.size();
  for (size_t i = 0; i < text.size(); ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) == 0x80) continue;
    if (chars == limit - 3) cut = i;
    ++chars;
  }
  if (chars <= limit) return std::string(text);
  return std::string(text.substr(0, cut)) + "...";
}

std::string PprintList(const std::vector<std::string>& items, std::string_view header) {
  if (items.empty()) return "";
  std::string out;
  if (!header.empty()) out += "|- " + std::string(header) + "\n";
  for (const std::string& item : items) out += "|  " + item + "\n";
  return out + "`-";
}

std::string PyFloatRepr(double value) {
  if (std::isnan(value)) return "nan";
  if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value, std::chars_format::scientific);
  std::string sci(buf, end);  // e.g. "-1.124013599e+09"
  size_t e = sci.find('e');
  int exponent = std::stoi(sci.substr(e + 1));
  std::string mantissa = sci.substr(0, e);
  bool negative = mantissa.front() == '-';
  if (negative) mantissa.erase(0, 1);
  std::string digits;
  for (char c : mantissa)
    if (c != '.') digits += c;
  std::string out = negative ? "-" : "";
  if (exponent < -4 || exponent >= 16) {
    out += digits.substr(0, 1);
    if (digits.size() > 1) out += "." + digits.substr(1);
    char exp[16];
    std::snprintf(exp, sizeof exp, "e%c%02d", exponent < 0 ? '-' : '+', std::abs(exponent));
    return out + exp;
  }
  if (exponent < 0) return out + "0." + std::string(static_cast<size_t>(-exponent - 1), '0') + digits;
  size_t point = static_cast<size_t>(exponent) + 1;
  if (digits.size() <= point) return out + digits + std::string(point - digits.size(), '0') + ".0";
  return out + digits.substr(0, point) + "." + digits.substr(point);
}

std::string PyTimeRepr(std::optional<double> time, bool is_integer) {
  if (!time) return "None";
  if (is_integer) return std::to_string(static_cast<long long>(*time));
  return PyFloatRepr(*time);
}

std::string JoinedLine(const filter::LineParts& line) { return line.prefix + line.date + line.suffix; }

namespace {

std::string LinesRepr(const filter::Lines& lines) {
  std::string out = "[";
  for (size_t i = 0; i < lines.size(); ++i) {
    if (i) out += ", ";
    out += "(" + PyRepr(lines[i].prefix) + ", " + PyRepr(lines[i].date) + ", " +
           PyRepr(lines[i].suffix) + ")";
  }
  return out + "]";
}

std::string UsersRepr(const filter::Users& users) {
  if (users.empty()) return "set()";
  std::string out = "{";
  for (size_t i = 0; i < users.size(); ++i) out += (i ? ", " : "") + PyRepr(users[i]);
  return out + "}";
}

}  // namespace

std::string PyValueRepr(const filter::FailValue& value) {
  struct Visitor {
    std::string operator()(std::monostate) const { return "None"; }
    std::string operator()(const std::string& s) const { return PyRepr(s); }
    std::string operator()(const filter::Tuple& t) const { return PyRepr(t); }
    std::string operator()(const filter::Lines& l) const { return LinesRepr(l); }
    std::string operator()(const filter::Users& u) const { return UsersRepr(u); }
    std::string operator()(std::int64_t n) const { return std::to_string(n); }
  };
  return std::visit(Visitor{}, value);
}

std::string PyValueStr(const filter::FailValue& value) {
  if (const auto* s = std::get_if<std::string>(&value)) return *s;
  return PyValueRepr(value);
}

std::string PyDictRepr(const filter::FailData& data, std::string_view skip) {
  std::string out = "{";
  bool first = true;
  for (const auto& [key, value] : data.entries()) {
    if (!skip.empty() && key == skip) continue;
    out += (first ? "" : ", ") + PyRepr(key) + ": " + PyValueRepr(value);
    first = false;
  }
  return out + "}";
}

namespace {
const filter::Tuple* TupleId(const filter::Failure& failure) {
  const filter::FailValue* fid = failure.data.Find("fid");
  return fid ? std::get_if<filter::Tuple>(fid) : nullptr;
}
}  // namespace

std::string IdStr(const filter::Failure& failure) {
  return failure.id ? failure.id->ToString() : "None";
}

std::string IdRepr(const filter::Failure& failure) {
  if (!failure.id) return "None";
  std::string text = failure.id->ToString();
  if (const filter::Tuple* tuple = TupleId(failure); tuple && PyRepr(*tuple) == text) return text;
  return PyRepr(text);
}

std::string LocalTimeText(double time) {
  std::time_t secs = static_cast<std::time_t>(std::floor(time));
  std::tm tm{};
  localtime_r(&secs, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%a %b %d %H:%M:%S %Y", &tm);
  return buf;
}

}  // namespace portcullis::tester
