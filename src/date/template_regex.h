#pragma once
// The regex post-processing every date template goes through (datetemplate.py
// `DateTemplate.setRegex`): word or line-begin boundaries around the date, `**` to
// switch a boundary off, group 1 wrapped around the date when the pattern has no
// group of its own, and the LINE_BEGIN / LINE_END flags that decide how the detector
// may search with the template.

#include <string>
#include <string_view>

namespace portcullis::date {

enum class BeginBound {
  kNone,       // leave the start as written
  kWord,       // `(?=^|\b|\W)` unless the pattern starts at `^` or `**`
  kLineStart,  // {^LN-BEG}: `^(?:\W{0,2})?`, up to two non-word characters first
};

inline constexpr unsigned kLineBegin = 8;
inline constexpr unsigned kLineEnd = 4;
inline constexpr unsigned kWordBegin = 2;
inline constexpr unsigned kWordEnd = 1;

struct BoundRegex {
  std::string regex;
  unsigned flags = 0;              // kLineBegin | kLineEnd | kWordBegin | kWordEnd
  bool anchored_at_start = false;  // the {^LN-BEG} prefix was added: name gets "{^LN-BEG}"
};

// Applies fail2ban's boundary rules to `regex` (a Python regex).
BoundRegex ApplyBoundaries(std::string_view regex, BeginBound begin, bool word_end);

// The pattern without {UNB}, {^LN-BEG} and the word-boundary prefix/suffix fail2ban
// adds, as substituted for {DATE} (DateTemplate.unboundPattern).
std::string UnboundPattern(std::string_view pattern);

}  // namespace portcullis::date
