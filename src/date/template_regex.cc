#include "date/template_regex.h"

namespace portcullis::date {
namespace {

bool IsWordChar(char c) {
  unsigned char u = static_cast<unsigned char>(c);
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || u >= 0x80;
}

bool IsSpace(char c) { return c == ' ' || (c >= '\t' && c <= '\r') || (c >= '\x1c' && c <= '\x1f'); }

std::string_view Strip(std::string_view s) {
  while (!s.empty() && IsSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsSpace(s.back())) s.remove_suffix(1);
  return s;
}

// Length of a `(?\w+)` inline-flag group at `pos`, 0 when there is none.
size_t FlagGroupAt(std::string_view s, size_t pos) {
  if (s.substr(pos, 2) != "(?") return 0;
  size_t i = pos + 2;
  while (i < s.size() && IsWordChar(s[i])) ++i;
  return i > pos + 2 && i < s.size() && s[i] == ')' ? i + 1 - pos : 0;
}

size_t SkipParens(std::string_view s, size_t pos) {
  while (pos < s.size() && s[pos] == '(') ++pos;
  return pos;
}

// RE_GLOBALFLAGS: the first `(?[a-z]+)` anywhere; returns its position and length.
std::pair<size_t, size_t> FindGlobalFlags(std::string_view s) {
  for (size_t pos = s.find("(?"); pos != std::string_view::npos; pos = s.find("(?", pos + 1)) {
    size_t i = pos + 2;
    while (i < s.size() && s[i] >= 'a' && s[i] <= 'z') ++i;
    if (i > pos + 2 && i < s.size() && s[i] == ')') return {pos, i + 1 - pos};
  }
  return {std::string_view::npos, 0};
}

// Tries `\(*(?:\(\?\w+\))?` followed by `tail` at the start of `s`, as Python backtracks.
template <class Tail>
bool LeadingParensThen(std::string_view s, Tail tail) {
  for (size_t j = SkipParens(s, 0) + 1; j-- > 0;) {
    size_t flags = FlagGroupAt(s, j);
    if (flags && tail(j + flags)) return true;
    if (tail(j)) return true;
  }
  return false;
}

// RE_NO_WRD_BOUND_BEG: the pattern starts at `^` (also `(^`, `(?:^`) or with `**`.
bool StartsUnbounded(std::string_view s) {
  return LeadingParensThen(s, [&](size_t p) {
    std::string_view rest = s.substr(p);
    return rest.starts_with('^') || rest.starts_with("(^") || rest.starts_with("(?:^") ||
           s.substr(SkipParens(s, p)).starts_with("**");
  });
}

bool EscapedAt(std::string_view s, size_t pos) { return pos > 0 && s[pos - 1] == '\\'; }

// Position of a trailing `**` followed only by `)`s, npos when there is none.
size_t TrailingStars(std::string_view s) {
  size_t end = s.size();
  while (end > 0 && s[end - 1] == ')') --end;
  if (end < 2 || s.substr(end - 2, 2) != "**" || EscapedAt(s, end - 2)) return std::string_view::npos;
  return end - 2;
}

// RE_NO_WRD_BOUND_END: ends with `$`, `$)`, `\b`, `\s` or `**` (plus closing parens).
bool EndsUnbounded(std::string_view s) {
  size_t n = s.size();
  if (n >= 1 && s[n - 1] == '$' && !EscapedAt(s, n - 1)) return true;
  if (n >= 2 && s.substr(n - 2) == "$)" && !EscapedAt(s, n - 2)) return true;
  if (n >= 2 && (s.substr(n - 2) == "\\b" || s.substr(n - 2) == "\\s") && !EscapedAt(s, n - 2)) return true;
  return TrailingStars(s) != std::string_view::npos;
}

// RE_GROUPED: an unescaped `(` opening a capturing group.
bool HasCapturingGroup(std::string_view s) {
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '(' || EscapedAt(s, i)) continue;
    if (i + 1 < s.size() && s[i + 1] == '?') continue;
    if (i >= 2 && s.substr(i - 2, 2) == "(?") continue;
    return true;
  }
  return false;
}

// RE_GROUP: `<flags>^<flags>` + `(` body `)` + optional final `$`.
std::string WrapInGroup(std::string_view s) {
  size_t p = FlagGroupAt(s, 0);
  if (p < s.size() && s[p] == '^') ++p;
  p += FlagGroupAt(s, p);
  size_t body_end = s.size() > p && s.back() == '$' ? s.size() - 1 : s.size();
  return std::string(s.substr(0, p)) + "(" + std::string(s.substr(p, body_end - p)) + ")" +
         std::string(s.substr(body_end));
}

// RE_LINE_BOUND_BEG: `^`, `(^` or `(?:^` (not `(^|`) first, after optional flags.
bool StartsAtLineBegin(std::string_view s) {
  auto at = [&](size_t p) {
    std::string_view rest = s.substr(p);
    if (rest.starts_with('^')) return true;
    size_t caret = rest.starts_with("(^") ? 1 : rest.starts_with("(?:^") ? 3 : 0;
    return caret && rest.substr(caret + 1, 1) != "|";
  };
  size_t flags = FlagGroupAt(s, 0);
  return (flags && at(flags)) || at(0);
}

// RE_LINE_BOUND_END: `$` or `$)` at the end, not escaped and not after `|`.
bool EndsAtLineEnd(std::string_view s) {
  size_t n = s.size();
  size_t dollar = n >= 1 && s[n - 1] == '$' ? n - 1 : n >= 2 && s.substr(n - 2) == "$)" ? n - 2 : n;
  return dollar < n && !(dollar > 0 && (s[dollar - 1] == '\\' || s[dollar - 1] == '|'));
}

// RE_DEL_WRD_BOUNDS: drops the `**` markers at the start and at the end.
std::string RemoveStarMarkers(std::string s) {
  size_t lead = std::string::npos;
  LeadingParensThen(s, [&](size_t p) {
    size_t q = SkipParens(s, p);
    if (std::string_view(s).substr(q, 2) != "**") return false;
    lead = q;
    return true;
  });
  size_t scan_from = 0;
  if (lead != std::string::npos) {
    s.erase(lead, 2);
    scan_from = lead;
  }
  size_t trail = TrailingStars(s);
  if (trail != std::string::npos && trail >= scan_from) s.erase(trail, 2);
  return s;
}

}  // namespace

BoundRegex ApplyBoundaries(std::string_view input, BeginBound begin, bool word_end) {
  std::string regex(Strip(input));
  auto [gf_pos, gf_len] = FindGlobalFlags(regex);
  std::string global_flags;
  if (gf_len) {
    global_flags = regex.substr(gf_pos, gf_len);
    regex.erase(gf_pos, gf_len);
  }
  const bool bound_begin = begin != BeginBound::kNone && !StartsUnbounded(regex);
  const bool bound_end = word_end && !EndsUnbounded(regex);
  if (!HasCapturingGroup(regex)) regex = WrapInGroup(regex);
  BoundRegex out;
  if (bound_begin && begin == BeginBound::kWord) {
    out.flags |= kWordBegin;
    regex = "(?=^|\\b|\\W)" + regex;
  } else if (bound_begin) {
    out.flags |= kLineBegin;
    out.anchored_at_start = true;
    regex = "^(?:\\W{0,2})?" + regex;
  }
  if (bound_end) {
    out.flags |= kWordEnd;
    regex += "(?=\\b|\\W|$)";
  }
  if (StartsAtLineBegin(regex)) out.flags |= kLineBegin;
  if (EndsAtLineEnd(regex)) out.flags |= kLineEnd;
  out.regex = global_flags + RemoveStarMarkers(std::move(regex));
  return out;
}

std::string UnboundPattern(std::string_view pattern) {
  if (pattern.starts_with("{UNB}")) pattern.remove_prefix(5);
  if (pattern.starts_with("{^LN-BEG}")) pattern.remove_prefix(9);
  if (pattern.starts_with("(^|\\b|\\W)")) pattern.remove_prefix(9);
  else if (pattern.starts_with("(?:^|\\b|\\W)")) pattern.remove_prefix(11);
  if (pattern.ends_with("(?=\\b|\\W|$)")) pattern.remove_suffix(11);
  return std::string(pattern);
}

}  // namespace portcullis::date
