#pragma once
// Finding and reading the date of a log line, as fail2ban's DateDetector does.
//
// A DateDetector holds an ordered list of date templates: fail2ban's 31 defaults, or
// the ones a filter's `datepattern` names ({^LN-BEG}, {DEFAULT}, {DATE}, {NONE},
// EPOCH, LEPOCH, TAI64N, {EPOCH}/{LEPOCH} inside a regex, or a strptime-style pattern
// with %Y, %ExY, %b, %k, %z, %Z …). Match() searches a line, bumps the winning
// template's hits and lets it bubble up the list the way fail2ban reorders templates,
// then converts the matched text to a Unix time: a missing year is inferred from
// "now", a time without a date is today (or yesterday), `logtimezone` applies when the
// line carries no zone, and local time follows the process's TZ.
//
//   FakeClock clock(1124013600);
//   auto detector = DateDetector::Create(std::nullopt, clock);   // default templates
//   auto found = detector->Match("Jun 21 16:47:46 host sshd[1]: x");
//   // found->begin, found->end: the date's span (group 1), cut from the line by the filter
//   // found->time: 2005-06-21 16:47:46 local time as epoch seconds
//
// A detector has state (hit counts, order, last match) and is not shared across
// threads; give each filter instance its own.

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "portcullis/base/clock.h"
#include "portcullis/base/error.h"

namespace portcullis::date {

// Where a template found a date in a line.
struct DateMatch {
  size_t begin = 0;  // start of group 1 (the text the filter cuts out of the line)
  size_t end = 0;    // end of group 1; begin == end for an "optional date" match
  // The date as epoch seconds; unset when the group is empty or the text could not be
  // converted (fail2ban: "findFailure failed to parse timeText").
  std::optional<double> time;
  // fail2ban returns the time as an int, not a float, when a zone offset was applied
  // (zone in the line or logtimezone) and for TAI64N: `-o` prints `1124020800`, not
  // `1124020800.0`.
  bool time_is_integer = false;
};

// A template as fail2ban-regex lists it under "Date template hits".
struct TemplateInfo {
  std::string name;   // e.g. "{^LN-BEG}(?:DAY )?MON Day %k:Minute:Second(?:\.Microseconds)?(?: ExYear)?"
  std::string regex;  // the Python-syntax regex it searches with
  unsigned hits = 0;
  double weight = 0;  // fail2ban's template weight (100 for {^LN-BEG} copies, else 1)
  std::string pattern;  // the pattern it was built from (fail2ban-regex --VD), may be empty
};

class DateDetector {
 public:
  // No pattern (or "{DEFAULT}"): the 31 default templates. Otherwise the templates
  // `datepattern` names, one per line of the value. `clock` must outlive the detector.
  // Error: "Failed to set datepattern '<p>' (may be an invalid format or unescaped
  // percent char): <reason>".
  static Result<DateDetector> Create(std::optional<std::string_view> datepattern, const Clock& clock);

  // The default templates' regexes are compiled when first searched (a log needs a
  // few of the 31); this compiles every one now and names any that does not compile.
  static Result<void> CompileDefaults();

  DateDetector(DateDetector&&) noexcept;
  DateDetector& operator=(DateDetector&&) noexcept;
  ~DateDetector();

  // Sets `logtimezone` (fail2ban-regex --timezone): UTC, GMT+12, UTC-0430, +0100, CET+01:30 …
  // Error: "Unknown or unsupported time zone: '<tz>'".
  Result<void> SetDefaultTimeZone(std::string_view timezone);

  // Finds the date in `line` (without its newline). nullopt when no template matches.
  std::optional<DateMatch> Match(std::string_view line);
  // The same, with the clock already read (a caller reading it anyway spares a read).
  std::optional<DateMatch> Match(std::string_view line, double now);

  // The templates in their current order, with hit counts. Without a datepattern the
  // defaults are added on the first Match(), as fail2ban does: empty before that.
  std::vector<TemplateInfo> Templates() const;

  // What decides how the next line is matched while the fast path decides: the last
  // winning template and where its date was, as text. Two detectors with equal keys
  // find the same dates in the same lines, with the same effect on themselves, for as
  // long as neither needs a full search that finds a date (full_search_wins()): only
  // that consults (and changes) the template order and the hit counts.
  std::string ContinuationKey() const;
  // Lines whose date a search over all templates found (the rest: the fast path, or
  // no date anywhere).
  unsigned long full_search_wins() const;

  // The display name fail2ban-regex prints after "Use datepattern : <pattern> :"
  // ("Default Detectors" for the default lists, else the single template's name).
  std::string Description() const;

 private:
  struct Impl;
  explicit DateDetector(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace portcullis::date
