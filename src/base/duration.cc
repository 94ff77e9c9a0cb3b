#include "portcullis/base/duration.h"

#include <array>
#include <charconv>
#include <cmath>
#include <string>
#include <vector>

namespace portcullis {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsBlank(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }
bool IsWord(char c) { return IsAlpha(c) || IsDigit(c) || c == '_' || static_cast<unsigned char>(c) >= 0x80; }
char Lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

// One unit of str2seconds: the spellings in the order Python's alternation tries
// them (`days?|da|dd?` tries days, day, da, dd, d) and the factor that replaces them.
struct Unit {
  std::vector<std::string_view> spellings;
  std::string_view factor;
};

const std::array<Unit, 7>& Units() {
  static const std::array<Unit, 7> units = {{
      {{"days", "day", "da", "dd", "d"}, "*86400"},
      {{"weeks", "week", "wee", "we", "ww", "w"}, "*604800"},
      {{"months", "month", "mon", "mo"}, "*2629800.0"},
      {{"years", "year", "yea", "ye", "yy", "y"}, "*31557600.0"},
      {{"seconds", "second", "sec", "se", "ss", "s"}, "*1"},
      {{"minutes", "minute", "min", "mi", "mm", "m"}, "*60"},
      {{"hours", "hour", "hou", "ho", "hh", "h"}, "*3600"},
  }};
  return units;
}

// `(?i)(?<=[a-z])(\d)` -> ` \1`: "1d12h" -> "1d 12h".
std::string SeparateParts(std::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (i > 0 && IsDigit(text[i]) && IsAlpha(text[i - 1])) out += ' ';
    out += text[i];
  }
  return out;
}

// Length of the spelling of `unit` that matches at `at` and ends at a word
// boundary, 0 when none does.
size_t UnitAt(const Unit& unit, std::string_view text, size_t at) {
  for (std::string_view spelling : unit.spellings) {
    if (text.size() - at < spelling.size()) continue;
    bool same = true;
    for (size_t k = 0; k < spelling.size() && same; ++k) same = Lower(text[at + k]) == spelling[k];
    const size_t end = at + spelling.size();
    if (same && (end == text.size() || !IsWord(text[end]))) return spelling.size();
  }
  return 0;
}

// `(?i)(?<=[\d\s])(spellings)\b` -> factor, scanning as re.sub does.
std::string ReplaceUnit(const Unit& unit, std::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size();) {
    const size_t n = i > 0 && (IsDigit(text[i - 1]) || IsBlank(text[i - 1])) ? UnitAt(unit, text, i) : 0;
    if (n == 0) {
      out += text[i++];
      continue;
    }
    out += unit.factor;
    i += n;
  }
  return out;
}

// `(\d)\s+(\d)` -> `\1+\2`: "1*3600 30*60" -> "1*3600+30*60" (non-overlapping).
std::string JoinWithPlus(std::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size();) {
    size_t j = i + 1;
    while (IsDigit(text[i]) && j < text.size() && IsBlank(text[j])) ++j;
    if (IsDigit(text[i]) && j > i + 1 && j < text.size() && IsDigit(text[j])) {
      out += text[i];
      out += '+';
      out += text[j];
      i = j + 1;
      continue;
    }
    out += text[i++];
  }
  return out;
}

// The arithmetic Python's eval() is given here: numbers, + - * /, parentheses.
class Arithmetic {
 public:
  explicit Arithmetic(std::string_view text) : text_(text) {}

  Result<double> Evaluate() {
    auto value = Sum();
    Skip();
    if (value && pos_ != text_.size()) return Invalid();
    return value;
  }

 private:
  std::unexpected<Error> Invalid() const {
    return Fail("invalid time expression", "", 0, std::string(text_));
  }

  void Skip() {
    while (pos_ < text_.size() && IsBlank(text_[pos_])) ++pos_;
  }

  bool Take(char c) {
    Skip();
    if (pos_ < text_.size() && text_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }

  Result<double> Sum() {
    auto left = Product();
    while (left) {
      if (Take('+')) {
        auto right = Product();
        if (!right) return right;
        *left += *right;
      } else if (Take('-')) {
        auto right = Product();
        if (!right) return right;
        *left -= *right;
      } else {
        break;
      }
    }
    return left;
  }

  Result<double> Product() {
    auto left = Unary();
    while (left) {
      Skip();
      if (text_.substr(pos_, 2) == "//" || text_.substr(pos_, 2) == "**") return Invalid();
      if (Take('*')) {
        auto right = Unary();
        if (!right) return right;
        *left *= *right;
      } else if (Take('/')) {
        auto right = Unary();
        if (!right) return right;
        if (*right == 0) return Fail("division by zero", "", 0, std::string(text_));
        *left /= *right;
      } else {
        break;
      }
    }
    return left;
  }

  Result<double> Unary() {
    if (Take('-')) {
      auto value = Unary();
      if (value) *value = -*value;
      return value;
    }
    if (Take('+')) return Unary();
    if (Take('(')) {
      auto value = Sum();
      if (value && !Take(')')) return Invalid();
      return value;
    }
    return Number();
  }

  // A decimal literal as Python reads it: "5", "0.5", ".5", "5."; no "05".
  Result<double> Number() {
    Skip();
    const size_t begin = pos_;
    while (pos_ < text_.size() && IsDigit(text_[pos_])) ++pos_;
    const size_t int_end = pos_;
    if (pos_ < text_.size() && text_[pos_] == '.') {
      ++pos_;
      while (pos_ < text_.size() && IsDigit(text_[pos_])) ++pos_;
    }
    const std::string_view literal = text_.substr(begin, pos_ - begin);
    if (literal.empty() || literal == ".") return Invalid();
    if (int_end == pos_ && literal.size() > 1 && literal[0] == '0' &&
        literal.find_first_not_of('0') != std::string_view::npos)
      return Invalid();
    double value = 0;
    std::from_chars(literal.data(), literal.data() + literal.size(), value);
    if (pos_ < text_.size() && IsWord(text_[pos_])) return Invalid();
    return value;
  }

  std::string_view text_;
  size_t pos_ = 0;
};

// Python's str() of a number: integers without a fraction, floats always with one.
std::string PyNumber(double value, bool is_float) {
  if (!is_float) return std::to_string(static_cast<long long>(value));
  char buffer[64];
  auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value);
  std::string out(buffer, end);
  if (out.find_first_of(".en") == std::string::npos) out += ".0";
  return out;
}

// The largest units seconds2str prints: each step rounds to `step` seconds and
// prints up to three parts.
std::string LargeDuration(double seconds) {
  auto round_by = [](double s, double step) { return static_cast<long long>(std::nearbyint(s / step)); };
  std::string out;
  auto part = [&out](long long n, const char* unit) { out += std::to_string(n) + unit + " "; };
  if (seconds >= 31536000) {
    long long d = round_by(seconds, 86400);
    part(d / 365, "y");
    d %= 365;
    if (d >= 7) {
      part(d / 7, "w");
      d %= 7;
    }
    if (d) part(d, "d");
  } else if (seconds >= 604800) {
    long long h = round_by(seconds, 3600);
    part(h / 168, "w");
    h %= 168;
    if (h >= 24) {
      part(h / 24, "d");
      h %= 24;
    }
    if (h) part(h, "h");
  } else if (seconds >= 86400) {
    long long m = round_by(seconds, 60);
    part(m / 1440, "d");
    m %= 1440;
    if (m >= 60) {
      part(m / 60, "h");
      m %= 60;
    }
    if (m) part(m, "m");
  } else {
    long long t = round_by(seconds, 10);
    part(t / 360, "h");
    t %= 360;
    if (t >= 6) part(t / 6, "m");
  }
  out.pop_back();
  return out;
}

}  // namespace

Result<double> ParseDuration(std::string_view text) {
  std::string expression = SeparateParts(text);
  for (const Unit& unit : Units()) expression = ReplaceUnit(unit, expression);
  expression = JoinWithPlus(expression);
  auto seconds = Arithmetic(expression).Evaluate();
  if (!seconds) return Fail(seconds.error().message, "", 0, std::string(text));
  return seconds;
}

std::string FormatDuration(double seconds) {
  if (seconds >= 3595) return LargeDuration(seconds);
  const bool is_float = seconds != std::floor(seconds);
  double s = seconds;
  std::string out;
  if (s >= 60) {
    out += PyNumber(std::floor(s / 60), is_float) + "m ";
    s = std::fmod(s, 60);
  }
  if (s != 0) out += PyNumber(s, is_float) + "s ";
  else if (seconds == 0) out = "0 ";
  if (!out.empty()) out.pop_back();
  return out;
}

}  // namespace portcullis
