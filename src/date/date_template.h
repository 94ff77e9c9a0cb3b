#pragma once
// One date template: a compiled regex that finds a date in a line, and the way to turn
// what it matched into a time (datetemplate.py: DatePatternRegex, DateEpoch, DateTai64n).
// Templates are immutable once built and may be shared by detectors; the per-detector
// hit counts live in the detector.

#include <atomic>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "date/date_fields.h"
#include "portcullis/base/error.h"
#include "portcullis/regex/regex.h"

namespace portcullis::date {

class DateTemplate {
 public:
  enum class Kind { kPattern, kEpoch, kTai64n };

  // A strptime-style pattern (`%ExY-%m-%d ...`, optionally `{UNB}` / `{^LN-BEG}` first).
  // Error: "Failed to set datepattern '<p>' (may be an invalid format or unescaped
  // percent char): <reason>".
  // `deferred`: compiled on first use (the default templates: a detector searches a few
  // of its thirty); otherwise at once, so that an error is reported here.
  static Result<DateTemplate> FromPattern(std::string_view pattern, std::string_view exact_year,
                                          bool deferred = false);
  // EPOCH / LEPOCH (`long_form`: milli- and microseconds too); `line_start` for the
  // `{^LN-BEG}EPOCH` / `^EPOCH` forms.
  static Result<DateTemplate> Epoch(bool line_start, bool long_form);
  // A regex containing {EPOCH} or {LEPOCH}: the whole match is cut, the token is the time.
  static Result<DateTemplate> EpochInPattern(std::string_view pattern, bool long_form);
  // TAI64N (`@4000000041f4104f00000000`).
  static Result<DateTemplate> Tai64n(bool line_start);

  Kind kind() const { return kind_; }
  // Whether its regex compiles (compiling it now if it was deferred).
  bool compiles() const { return compiled().regex.has_value(); }
  const std::string& name() const { return name_; }
  // The pattern it was built from (kPattern and epoch patterns), else empty.
  const std::string& pattern() const { return pattern_; }
  const std::string& regex() const { return regex_; }
  unsigned flags() const { return flags_; }
  // Anchored at the line's begin or end: searched on the whole line, wins at once.
  bool anchored() const;
  double weight() const { return weight_; }
  void set_weight(double weight) { weight_ = weight; }
  // fail2ban's pattern-cache key: the pattern, upper-cased when it has no `%`.
  const std::string& key() const { return key_; }
  void set_key(std::string key) { key_ = std::move(key); }

  // Searches `text`; `m` receives the spans.
  bool Search(std::string_view text, regex::Match& m) const {
    const Compiled& c = compiled();
    return c.regex && c.regex->Search(text, m);
  }

  // Where its regex's choice-free start ends in `text` (see regex::Match::Shifted).
  std::ptrdiff_t ChoiceFreeStartEnd(std::string_view text) const {
    const Compiled& c = compiled();
    return c.regex ? c.regex->ChoiceFreeStartEnd(text) : -1;
  }

  // The time of a match of this template (group 1 non-empty); nullopt when it does not
  // convert.
  std::optional<ConvertedTime> ToTime(const regex::Match& m, std::optional<int> default_tz_minutes,
                                      double now) const;
  // What ToTime reads from a match: the text from its first field group's begin to its
  // last one's end, and where each field lies in it. Equal keys of this template give
  // equal times for equal arguments.
  struct TimeKey {
    std::string text;
    std::vector<std::ptrdiff_t> spans;  // each field's begin and end, relative to the text; -1: none
    int anchor = -1;  // a field that begins the text (its index among the fields); -1: none
  };
  void WriteTimeKey(const regex::Match& m, TimeKey& key) const;
  // 0 when `m` has the key `key` was written for (equal field texts and layout); when it
  // differs only in the seconds, both valid (0-59), and the time follows from the other
  // fields with no inference (day and month taken part; see DateDetector's Convert for
  // the year): how many seconds later `m` is. Within one minute a time moves with its
  // seconds (zone changes fall on whole minutes). nullopt otherwise.
  std::optional<int> SecondsLater(const regex::Match& m, const TimeKey& key) const;
  // Whether the match `key` was written for took its year from "now" (no %Y or %y field
  // took part).
  bool InfersYear(const TimeKey& key) const;
  // The bytes of `m`'s seconds field when a match differing from it only there, in two
  // digits 0-59 each, has its time moved by their difference, as SecondsLater allows
  // (a pattern whose day and month took part); {-1, -1} otherwise. `infers_year`
  // receives InfersYear of `m`.
  std::pair<std::ptrdiff_t, std::ptrdiff_t> MovableSeconds(const regex::Match& m, bool& infers_year) const;

 private:
  DateTemplate() = default;
  // The compiled regex and what is read from it; shared by copies, built once.
  struct Compiled {
    std::once_flag once;
    std::atomic<bool> ready{false};  // read on every search: cheaper than call_once
    std::optional<regex::Regex> regex;
    std::vector<std::pair<int, Field>> fields;  // strptime groups by index
    std::vector<size_t> field_spans;            // where each one's begin is in a match's spans
    int seconds_field = -1;  // index in `fields` of %S, when day and month are fields too
    int day_field = -1, month_field = -1;  // their indices in `fields`
    std::vector<int> year_fields;  // indices in `fields` of %Y and %y
  };
  Result<void> Compile(std::string_view error_pattern, bool deferred = false);
  static Result<void> Build(Compiled& c, const std::string& regex);
  const Compiled& compiled() const {
    if (!compiled_->ready.load(std::memory_order_acquire)) (void)CompileNow();
    return *compiled_;
  }
  Result<void> CompileNow() const;
  std::optional<ConvertedTime> EpochTime(std::string_view value) const;
  std::pair<std::ptrdiff_t, std::ptrdiff_t> KeyRange(const std::vector<std::ptrdiff_t>& spans) const;

  Kind kind_ = Kind::kPattern;
  bool long_form_ = false;
  int value_group_ = 1;
  std::string name_, pattern_, regex_, key_;
  unsigned flags_ = 0;
  double weight_ = 1.0;
  std::shared_ptr<Compiled> compiled_;
};

}  // namespace portcullis::date
