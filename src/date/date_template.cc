#include "date/date_template.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstring>

#include "date/directives.h"
#include "date/template_regex.h"

namespace portcullis::date {
namespace {

constexpr std::string_view kEpochRegex = R"(\d{10,11}\b(?:\.\d{3,6})?)";
constexpr std::string_view kLongEpochRegex = R"(\d{10,11}(?:\d{3}(?:\.\d{1,6}|\d{3})?)?)";

std::string SetPatternError(std::string_view pattern, std::string_view reason) {
  return "Failed to set datepattern '" + std::string(pattern) +
         "' (may be an invalid format or unescaped percent char): " + std::string(reason);
}

bool EqualsIgnoreCase(std::string_view text, std::string_view upper) {
  if (text.size() != upper.size()) return false;
  for (size_t i = 0; i < text.size(); ++i)
    if (std::toupper(static_cast<unsigned char>(text[i])) != upper[i]) return false;
  return true;
}

// Length of an unescaped {EPOCH} / {LEPOCH} token (any case) at `pos`, 0 if none.
size_t EpochTokenAt(std::string_view s, size_t pos) {
  if (s[pos] != '{' || (pos > 0 && s[pos - 1] == '\\')) return 0;
  if (EqualsIgnoreCase(s.substr(pos, 7), "{EPOCH}")) return 7;
  if (EqualsIgnoreCase(s.substr(pos, 8), "{LEPOCH}")) return 8;
  return 0;
}

}  // namespace

bool DateTemplate::anchored() const { return (flags_ & (kLineBegin | kLineEnd)) != 0; }

Result<void> DateTemplate::Build(Compiled& c, const std::string& regex) {
  regex::CompileOptions options;
  options.prefilter = false;  // a template is searched where a date is expected: no literal check
  options.replay = true;      // and lines of one minute differ in the digits of its seconds
  auto compiled = regex::Regex::Compile(regex, options);
  if (!compiled) return Fail(compiled.error().message);
  c.regex = std::move(*compiled);
  for (const auto& [group, index] : c.regex->NamedGroups())
    if (auto field = FieldForGroup(group)) c.fields.emplace_back(index, *field);
  std::sort(c.fields.begin(), c.fields.end());
  for (const auto& [index, field] : c.fields) c.field_spans.push_back(2 * static_cast<size_t>(index));
  for (size_t i = 0; i < c.fields.size(); ++i) {
    const Field f = c.fields[i].second;
    if (f == Field::kd) c.day_field = static_cast<int>(i);
    if (f == Field::km || f == Field::kb || f == Field::kB) c.month_field = static_cast<int>(i);
    if (f == Field::kY || f == Field::ky) c.year_fields.push_back(static_cast<int>(i));
    if (f == Field::kS) c.seconds_field = static_cast<int>(i);
  }
  if (c.day_field < 0 || c.month_field < 0) c.seconds_field = -1;
  return {};
}

Result<void> DateTemplate::Compile(std::string_view error_pattern, bool deferred) {
  compiled_ = std::make_shared<Compiled>();
  if (deferred) return {};
  if (auto built = CompileNow(); !built) return Fail(SetPatternError(error_pattern, built.error().message));
  return {};
}

// Builds the regex once; the first caller gets the outcome. A deferred template that
// does not compile (none of the defaults) matches nothing.
Result<void> DateTemplate::CompileNow() const {
  Result<void> built;
  std::call_once(compiled_->once, [&] {
    built = Build(*compiled_, regex_);
    compiled_->ready.store(true, std::memory_order_release);
  });
  return built;
}

Result<DateTemplate> DateTemplate::FromPattern(std::string_view pattern, std::string_view exact_year,
                                               bool deferred) {
  DateTemplate t;
  t.pattern_ = pattern;
  BeginBound begin = BeginBound::kWord;
  bool word_end = true;
  if (pattern.starts_with("{UNB}")) {
    pattern.remove_prefix(5);
    begin = BeginBound::kNone;
    word_end = false;
  }
  if (begin != BeginBound::kNone && pattern.starts_with("{^LN-BEG}")) {
    pattern.remove_prefix(9);
    begin = BeginBound::kLineStart;
  }
  auto translated = TranslateDirectives(pattern, exact_year);
  if (!translated) return Fail(SetPatternError(pattern, translated.error().message));
  std::string regex = UsesAlphaDirective(pattern) ? "(?iu)" + translated->regex : translated->regex;
  BoundRegex bound = ApplyBoundaries(regex, begin, word_end);
  t.name_ = bound.anchored_at_start && !translated->name.starts_with("{^LN-BEG}")
                ? "{^LN-BEG}" + translated->name
                : std::move(translated->name);
  t.regex_ = std::move(bound.regex);
  t.flags_ = bound.flags;
  if (auto ok = t.Compile(pattern, deferred); !ok) return Fail(ok.error());
  return t;
}

Result<DateTemplate> DateTemplate::Epoch(bool line_start, bool long_form) {
  DateTemplate t;
  t.kind_ = Kind::kEpoch;
  t.long_form_ = long_form;
  std::string number(long_form ? kLongEpochRegex : kEpochRegex);
  std::string regex =
      line_start ? R"(((?P<square>(?<=^\[))?)" + number + R"()(?(square)(?=\])))"
                 : R"(((?:^|(?P<square>(?<=^\[))|(?P<selinux>(?<=\baudit\())))" + number +
                       R"()(?:(?(selinux)(?=:\d+\)))|(?(square)(?=\]))))";
  BoundRegex bound = ApplyBoundaries(regex, line_start ? BeginBound::kLineStart : BeginBound::kNone, true);
  t.name_ = std::string(line_start ? "{^LN-BEG}" : "") + (long_form ? "LongEpoch" : "Epoch");
  t.regex_ = std::move(bound.regex);
  t.flags_ = bound.flags;
  if (auto ok = t.Compile(t.name_); !ok) return Fail(ok.error());
  return t;
}

Result<DateTemplate> DateTemplate::EpochInPattern(std::string_view pattern, bool long_form) {
  DateTemplate t;
  t.kind_ = Kind::kEpoch;
  t.long_form_ = long_form;
  t.value_group_ = 2;
  t.name_ = t.pattern_ = pattern;
  std::string regex = "(";
  for (size_t i = 0; i < pattern.size();) {
    size_t token = EpochTokenAt(pattern, i);
    if (token == 0) {
      regex += pattern[i++];
      continue;
    }
    regex += "(" + std::string(long_form ? kLongEpochRegex : kEpochRegex) + ")";
    i += token;
  }
  BoundRegex bound = ApplyBoundaries(regex + ")", BeginBound::kWord, true);
  t.regex_ = std::move(bound.regex);
  t.flags_ = bound.flags;
  if (auto ok = t.Compile(pattern); !ok) return Fail(ok.error());
  return t;
}

Result<DateTemplate> DateTemplate::Tai64n(bool line_start) {
  DateTemplate t;
  t.kind_ = Kind::kTai64n;
  BoundRegex bound =
      ApplyBoundaries("@[0-9a-f]{24}", line_start ? BeginBound::kLineStart : BeginBound::kNone, true);
  t.name_ = line_start ? "{^LN-BEG}TAI64N" : "TAI64N";
  t.regex_ = std::move(bound.regex);
  t.flags_ = bound.flags;
  if (auto ok = t.Compile(t.name_); !ok) return Fail(ok.error());
  return t;
}

std::optional<ConvertedTime> DateTemplate::EpochTime(std::string_view value) const {
  double seconds = 0;
  auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), seconds);
  if (ec != std::errc() || end != value.data() + value.size()) return std::nullopt;
  if (long_form_ && value.size() >= 13)
    seconds /= value.size() >= 16 && value.find('.') == std::string_view::npos ? 1000000 : 1000;
  return ConvertedTime{seconds, false};
}

std::optional<ConvertedTime> DateTemplate::ToTime(const regex::Match& m, std::optional<int> default_tz_minutes,
                                                  double now) const {
  if (kind_ == Kind::kEpoch) return EpochTime(m.Group(value_group_));
  if (kind_ == Kind::kTai64n) {
    // The hex digits 2..16 of "@4000000041f4104f00000000" are the seconds (TAI label
    // offset ignored, as fail2ban does).
    std::string_view hex = m.Group(1).substr(2, 15);
    uint64_t seconds = 0;
    auto [end, ec] = std::from_chars(hex.data(), hex.data() + hex.size(), seconds, 16);
    if (ec != std::errc() || end != hex.data() + hex.size()) return std::nullopt;
    return ConvertedTime{static_cast<double>(seconds), true};
  }
  DateFields fields;
  for (const auto& [index, field] : compiled().fields)
    if (m.Matched(index)) fields.Set(field, m.Group(index));
  return fields.ToTime(default_tz_minutes, now);
}

// The bytes ToTime reads: the value group of an epoch or TAI64N template, else from the
// first field's begin to the last one's end (the match may hold more: a prefix such as
// `^[^\[]*\[` before the date).
std::pair<std::ptrdiff_t, std::ptrdiff_t> DateTemplate::KeyRange(const std::vector<std::ptrdiff_t>& spans) const {
  if (kind_ != Kind::kPattern) {
    const size_t g = static_cast<size_t>(kind_ == Kind::kEpoch ? value_group_ : 1);
    return {spans[2 * g], spans[2 * g + 1]};
  }
  std::ptrdiff_t begin = PTRDIFF_MAX, end = -1;
  for (const size_t at : compiled().field_spans) {
    const std::ptrdiff_t b = spans[at], e = spans[at + 1];
    if (b < 0 || e < 0) continue;
    begin = std::min(begin, b);
    end = std::max(end, e);
  }
  return end < 0 ? std::pair<std::ptrdiff_t, std::ptrdiff_t>{0, 0} : std::pair{begin, end};
}

// A field's span relative to the key's text, -1 when it did not take part.
static std::ptrdiff_t Relative(std::ptrdiff_t offset, std::ptrdiff_t other, std::ptrdiff_t base) {
  return offset < 0 || other < 0 ? -1 : offset - base;
}

// A field's text as Python's int() reads it (blanks around digits), -1 when it does not.
static int SecondsValue(std::string_view text) {
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
  if (text.empty() || text.size() > 2) return -1;
  int value = 0;
  for (const char c : text) {
    if (c < '0' || c > '9') return -1;
    value = value * 10 + (c - '0');
  }
  return value;
}

std::optional<int> DateTemplate::SecondsLater(const regex::Match& m, const TimeKey& key) const {
  const Compiled& c = compiled();
  const std::vector<std::ptrdiff_t>& spans = m.Spans();
  if (spans.empty()) return std::nullopt;
  std::ptrdiff_t begin = 0;
  if (kind_ != Kind::kPattern) {
    const auto [b, e] = KeyRange(spans);
    if (b < 0 || static_cast<size_t>(e - b) != key.text.size()) return std::nullopt;
    begin = b;
  } else {
    // The key's text begins with its anchor field: the same field, at the same offsets
    // relative to it, means the same range wherever the date lies in the line (an
    // access log's date moves with the address before it).
    if (key.anchor < 0 || key.spans.size() != 2 * c.field_spans.size()) return std::nullopt;
    begin = spans[c.field_spans[static_cast<size_t>(key.anchor)]];
    if (begin < 0 || spans[1] - begin < static_cast<std::ptrdiff_t>(key.text.size())) return std::nullopt;
    const std::ptrdiff_t* relative = key.spans.data();
    for (const size_t at : c.field_spans) {
      const std::ptrdiff_t b = spans[at], e = spans[at + 1];
      if (relative[0] != Relative(b, e, begin) || relative[1] != Relative(e, b, begin)) return std::nullopt;
      relative += 2;
    }
  }
  const std::string_view text = m.Slice(static_cast<size_t>(begin), static_cast<size_t>(begin) + key.text.size());
  if (text == key.text) return 0;  // the same key
  if (kind_ != Kind::kPattern || c.seconds_field < 0) return std::nullopt;
  const std::ptrdiff_t s_begin = key.spans[2 * static_cast<size_t>(c.seconds_field)];
  const std::ptrdiff_t s_end = key.spans[2 * static_cast<size_t>(c.seconds_field) + 1];
  if (s_begin < 0) return std::nullopt;
  const auto sb = static_cast<size_t>(s_begin), se = static_cast<size_t>(s_end);
  if (text.substr(0, sb) != std::string_view(key.text).substr(0, sb) ||
      text.substr(se) != std::string_view(key.text).substr(se))
    return std::nullopt;
  // The day and month took part (else the date would be today's, inferred from now).
  if (key.spans[2 * static_cast<size_t>(c.day_field)] < 0 || key.spans[2 * static_cast<size_t>(c.month_field)] < 0)
    return std::nullopt;
  const int now_seconds = SecondsValue(text.substr(sb, se - sb));
  const int then_seconds = SecondsValue(std::string_view(key.text).substr(sb, se - sb));
  if (now_seconds < 0 || now_seconds > 59 || then_seconds < 0 || then_seconds > 59) return std::nullopt;
  return now_seconds - then_seconds;
}

bool DateTemplate::InfersYear(const TimeKey& key) const {
  for (const int f : compiled().year_fields)
    if (2 * static_cast<size_t>(f) < key.spans.size() && key.spans[2 * static_cast<size_t>(f)] >= 0) return false;
  return true;
}

std::pair<std::ptrdiff_t, std::ptrdiff_t> DateTemplate::MovableSeconds(const regex::Match& m,
                                                                       bool& infers_year) const {
  const std::pair<std::ptrdiff_t, std::ptrdiff_t> none{-1, -1};
  if (kind_ != Kind::kPattern) return none;
  const Compiled& c = compiled();
  const std::vector<std::ptrdiff_t>& spans = m.Spans();
  if (c.seconds_field < 0 || spans.empty()) return none;
  auto took_part = [&](int field) { return spans[c.field_spans[static_cast<size_t>(field)]] >= 0; };
  if (!took_part(c.day_field) || !took_part(c.month_field)) return none;
  infers_year = true;
  for (const int f : c.year_fields) infers_year = infers_year && !took_part(f);
  const size_t at = c.field_spans[static_cast<size_t>(c.seconds_field)];
  const std::ptrdiff_t b = spans[at], e = spans[at + 1];
  if (b < 0 || e - b != 2 || SecondsValue(m.Slice(static_cast<size_t>(b), static_cast<size_t>(e))) < 0) return none;
  return {b, e};
}

void DateTemplate::WriteTimeKey(const regex::Match& m, TimeKey& key) const {
  const std::vector<std::ptrdiff_t>& spans = m.Spans();
  const auto [begin, end] = KeyRange(spans);
  key.text.assign(m.Slice(static_cast<size_t>(begin), static_cast<size_t>(end)));
  key.spans.resize(kind_ == Kind::kPattern ? 2 * compiled().field_spans.size() : 0);
  key.anchor = -1;
  std::ptrdiff_t* relative = key.spans.data();
  int index = 0;
  for (const size_t at : compiled().field_spans) {
    const std::ptrdiff_t b = spans[at], e = spans[at + 1];
    relative[0] = Relative(b, e, begin);
    relative[1] = Relative(e, b, begin);
    if (key.anchor < 0 && relative[0] == 0) key.anchor = index;
    relative += 2;
    ++index;
  }
}

}  // namespace portcullis::date
