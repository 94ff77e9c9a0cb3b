#include "date/directives.h"

#include <algorithm>
#include <array>
#include <cstdio>
#include <set>
#include <vector>

namespace portcullis::date {
namespace {

struct Directive {
  std::string_view key;    // what follows the `%`
  std::string_view regex;  // strptime.py's timeRE value (empty: %ExY, built from now)
  std::string_view name;   // fail2ban-regex's display word
};

// Longer keys first: the scanner tries the Ex forms before the single letters.
// %c, %x and %X are CPython's C-locale compositions (built before fail2ban overrides
// %d, %H, ...), hence their slightly different day/hour alternatives.
constexpr std::array kDirectives = {
    Directive{"ExZ", R"((?P<Z>[A-Z](?:[A-Z]{2,4})?))", "ExZone name"},
    Directive{"Exz", R"((?P<z>(?:[A-Z](?:[A-Z]{2,4})?)?[+-][01]\d(?::?\d{2})?|[A-Z](?:[A-Z]{2,4})?))",
              "ExZone offset"},
    Directive{"Exd", R"((?P<d>[1-2]\d|0[1-9]|3[0-1]))", "ExDay"},
    Directive{"Exm", R"((?P<m>0[1-9]|1[0-2]))", "ExMonth"},
    Directive{"ExH", R"((?P<H>[0-1]\d|2[0-3]))", "Ex24hour"},
    // fail2ban names %Exk/%Exl "%Exk" or "Ex%k" depending on Python's hash seed.
    Directive{"Exk", R"( ?(?P<H>[0-1]?\d|2[0-3]))", "%Exk"},
    Directive{"Exl", R"( ?(?P<I>1[0-2]|\d))", "%Exl"},
    Directive{"ExM", R"((?P<M>[0-5]\d))", "ExMinute"},
    Directive{"ExS", R"((?P<S>[0-5]\d|6[0-1]))", "ExSecond"},
    Directive{"ExY", "", "ExYear"},
    Directive{"Exy", R"((?P<y>\d{2}))", "ExYear2"},
    Directive{"%", "%", "%"},
    Directive{"a", "(?P<a>mon|tue|wed|thu|fri|sat|sun)", "DAY"},
    Directive{"A", "(?P<A>wednesday|thursday|saturday|tuesday|monday|friday|sunday)", "DAYNAME"},
    Directive{"b", "(?P<b>jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)", "MON"},
    Directive{"B", "(?P<B>september|february|november|december|january|october|august|march|april|june|july|may)",
              "MONTH"},
    Directive{"c",
              R"((?P<a>mon|tue|wed|thu|fri|sat|sun)\s+(?P<b>jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)\s+)"
              R"((?P<d>3[0-1]|[1-2]\d|0[1-9]|[1-9]| [1-9])\s+(?P<H>2[0-3]|[0-1]\d|\d):(?P<M>[0-5]\d|\d):)"
              R"((?P<S>6[0-1]|[0-5]\d|\d)\s+(?P<Y>\d\d\d\d))",
              "%c"},
    Directive{"d", R"((?P<d>[1-2]\d|[0 ]?[1-9]|3[0-1]))", "Day"},
    Directive{"f", "(?P<f>[0-9]{1,6})", "Microseconds"},
    Directive{"G", R"((?P<G>\d\d\d\d))", "%G"},
    Directive{"H", R"((?P<H>[0-1]?\d|2[0-3]))", "24hour"},
    Directive{"I", "(?P<I>1[0-2]|0[1-9]|[1-9])", "12hour"},
    Directive{"j", R"((?P<j>36[0-6]|3[0-5]\d|[1-2]\d\d|0[1-9]\d|00[1-9]|[1-9]\d|0[1-9]|[1-9]))", "Yearday"},
    Directive{"k", R"( ?(?P<H>[0-2]?\d))", "%k"},
    Directive{"l", R"( ?(?P<I>1?\d))", "%l"},
    Directive{"m", "(?P<m>0?[1-9]|1[0-2])", "Month"},
    Directive{"M", R"((?P<M>[0-5]?\d))", "Minute"},
    Directive{"p", "(?P<p>am|pm)", "AMPM"},
    Directive{"S", R"((?P<S>[0-5]?\d|6[0-1]))", "Second"},
    Directive{"u", "(?P<u>[1-7])", "%u"},
    Directive{"U", R"((?P<U>5[0-3]|[0-4]\d|\d))", "Yearweek"},
    Directive{"V", R"((?P<V>5[0-3]|0[1-9]|[1-4]\d|\d))", "%V"},
    Directive{"w", "(?P<w>[0-6])", "Weekday"},
    Directive{"W", R"((?P<W>5[0-3]|[0-4]\d|\d))", "Yearweek"},
    Directive{"x",
              R"((?P<m>1[0-2]|0[1-9]|[1-9])/(?P<d>3[0-1]|[1-2]\d|0[1-9]|[1-9]| [1-9])/(?P<y>\d\d))", "%x"},
    Directive{"X", R"((?P<H>2[0-3]|[0-1]\d|\d):(?P<M>[0-5]\d|\d):(?P<S>6[0-1]|[0-5]\d|\d))", "%X"},
    Directive{"y", R"((?P<y>\d\d))", "Year2"},
    Directive{"Y", R"((?P<Y>\d{4}))", "Year"},
    Directive{"z", R"((?P<z>Z|UTC|GMT|[+-][01]\d(?::?\d{2})?))", "Zone offset"},
    Directive{"Z", "(?P<Z>Z|[A-Z]{3,5})", "Zone name"},
};

const Directive* FindDirective(std::string_view rest) {
  for (const Directive& d : kDirectives)
    if (rest.starts_with(d.key)) return &d;
  return nullptr;
}

const Directive* FindByKey(std::string_view key) {
  for (const Directive& d : kDirectives)
    if (d.key == key) return &d;
  return nullptr;
}

// strptime.py's grouping of century prefixes: a shared prefix, then a class or an
// alternation of what differs ({"200","201","202"} -> "20[012]").
std::string GroupPrefixes(const std::vector<std::string>& set) {
  if (set.size() == 1) return set[0];
  std::string common = set[0].substr(0, set[0].size() - 1);
  for (const auto& s : set)
    if (s.substr(0, s.size() - 1) != common) common.clear();
  if (common.empty()) {
    common = set[0].substr(0, 1);
    for (const auto& s : set)
      if (s.substr(0, 1) != common) common.clear();
  }
  if (!common.empty()) {
    std::vector<std::string> rest;
    for (const auto& s : set) rest.push_back(s.substr(common.size()));
    return common + GroupPrefixes(rest);
  }
  std::string out = set[0].size() > 1 ? "(?:" : "[";
  for (size_t i = 0; i < set.size(); ++i) {
    if (i && set[0].size() > 1) out += '|';
    out += set[i];
  }
  return out + (set[0].size() > 1 ? ")" : "]");
}

// Python's `fmt % mapping` fails on a `%` that is not a directive; these are its words.
std::string StrayPercentError(std::string_view fmt, size_t at, bool after_key) {
  size_t i = at + 1;
  while (i < fmt.size() && std::string_view("-+ #0123456789.*hlL").find(fmt[i]) != std::string_view::npos) ++i;
  if (i >= fmt.size()) return "incomplete format";
  if (after_key) return "not enough arguments for format string";
  char c = fmt[i];
  std::string conv(1, c);
  if (std::string_view("diu").find(c) != std::string_view::npos)
    return "%" + conv + " format: a real number is required, not dict";
  if (std::string_view("oxX").find(c) != std::string_view::npos)
    return "%" + conv + " format: an integer is required, not dict";
  if (std::string_view("eEfFgG").find(c) != std::string_view::npos) return "must be real number, not dict";
  if (c == 'c') return "%c requires int or char";
  char buf[96];
  std::snprintf(buf, sizeof buf, "unsupported format character '%c' (0x%x) at index %zu", c,
                static_cast<unsigned char>(c), i);
  return buf;
}

}  // namespace

std::string ExactYearRegex(int year) {
  auto century = [](int y) { return std::to_string(y).substr(0, 3); };
  std::set<std::string> prefixes{century(year - 1), century(year + 3)};
  for (int y = 2000; y <= year; y += 3) prefixes.insert(century(y));
  return "(?P<Y>" + GroupPrefixes({prefixes.begin(), prefixes.end()}) + "\\d)";
}

Result<TranslatedPattern> TranslateDirectives(std::string_view pattern, std::string_view exact_year) {
  TranslatedPattern out;
  std::string fmt;  // the pattern as Python formats it, for error positions
  bool after_key = false;
  for (size_t i = 0; i < pattern.size();) {
    const Directive* d = pattern[i] == '%' ? FindDirective(pattern.substr(i + 1)) : nullptr;
    if (d == nullptr && pattern.substr(i).starts_with("%(")) {
      size_t close = pattern.find(")s", i);
      std::string_view key = close == std::string_view::npos ? "" : pattern.substr(i + 2, close - i - 2);
      d = FindByKey(key);
      if (d == nullptr) return Fail("'" + std::string(key) + "'");
      i = close + 2;
    } else if (d != nullptr) {
      i += 1 + d->key.size();
    }
    if (d == nullptr) {
      if (pattern[i] == '%') return Fail(StrayPercentError(std::string(fmt) + std::string(pattern.substr(i)),
                                                           fmt.size(), after_key));
      fmt += pattern[i];
      out.name += pattern[i];
      out.regex += pattern[i];
      ++i;
      continue;
    }
    fmt += "%(" + std::string(d->key) + ")s";
    after_key = true;
    out.name += d->name;
    out.regex += d->key == "ExY" ? exact_year : d->regex;
  }
  return out;
}

bool UsesAlphaDirective(std::string_view pattern) {
  for (size_t i = 0; i + 1 < pattern.size(); ++i) {
    if (pattern[i] != '%' || (i > 0 && pattern[i - 1] == '%')) continue;
    if (std::string_view("aAbBpc").find(pattern[i + 1]) != std::string_view::npos) return true;
  }
  return false;
}

}  // namespace portcullis::date
