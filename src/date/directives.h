#pragma once
// strptime-style `%` directives of fail2ban's date patterns (strptime.py `timeRE`).
//
// A datepattern such as `%ExY-%Exm-%Exd %H:%M:%S` is a Python regex in which every
// directive stands for a named group: `%Y` -> `(?P<Y>\d{4})`, `%b` -> `(?P<b>jan|...)`.
// TranslateDirectives() turns the pattern into that regex and into the display name
// fail2ban-regex prints (`ExYear-ExMonth-ExDay 24hour:Minute:Second`).

#include <string>
#include <string_view>

#include "portcullis/base/error.h"

namespace portcullis::date {

struct TranslatedPattern {
  std::string name;   // directives replaced by words (Year, MON, %k, ...)
  std::string regex;  // directives replaced by their named-group regexes
};

// The regex of `%ExY` for a process whose "now" is in `year`: the century prefixes of
// year-1 .. year+3 and of every year from 2000 on, e.g. `(?P<Y>20[012]\d)` for 2026.
std::string ExactYearRegex(int year);

// Replaces every directive of `pattern`; `exact_year` is ExactYearRegex()'s result.
// Error (message only, as Python's `%` formatting words it): an unknown directive
// ("unsupported format character 'q' (0x71) at index 1") or a lone trailing `%`
// ("incomplete format").
Result<TranslatedPattern> TranslateDirectives(std::string_view pattern, std::string_view exact_year);

// Whether `pattern` uses %a, %A, %b, %B, %p or %c, so the template must ignore case
// (fail2ban's RE_ALPHA_PATTERN: a `%` not preceded by `%`).
bool UsesAlphaDirective(std::string_view pattern);

}  // namespace portcullis::date
