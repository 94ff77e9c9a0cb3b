#pragma once
// The strptime fields a date template captured (named groups Y, m, d, H, b, z, ...)
// and their conversion to epoch seconds, as fail2ban's `reGroupDictStrptime` does it:
// a missing year is "now"'s year (previous year if that lands more than a day ahead),
// a time without a date is today (yesterday if ahead of now), `%f` is ignored, a zone
// in the line or the log time zone gives UTC arithmetic, otherwise local time (TZ).

#include <optional>
#include <string_view>

namespace portcullis::date {

// The strptime directives that carry a value, by the name of their group.
enum class Field { kY, ky, km, kd, kH, kM, kS, kf, kI, kp, ka, kA, kb, kB, kw, kj, kU, kW, kz, kZ };

// The Field a group name stands for, nullopt for other groups (_sep, square, ...).
std::optional<Field> FieldForGroup(std::string_view group_name);

// The converted time. fail2ban returns an int when a zone offset was applied
// (calendar.timegm) and a float from the local-time path (time.mktime).
struct ConvertedTime {
  double seconds = 0;
  bool integral = false;
};

class DateFields {
 public:
  // Records one group's text; call in group order (a later group wins, as in Python's
  // dict iteration over the match's groupdict).
  void Set(Field field, std::string_view text);

  // The time these fields denote. `default_tz_minutes` applies when the line had no
  // zone; `now` (epoch seconds) fills in a missing year or date. nullopt when a field
  // does not parse or the date does not exist (fail2ban: ValueError, KeyError).
  std::optional<ConvertedTime> ToTime(std::optional<int> default_tz_minutes, double now) const;

 private:
  struct Day {
    int year;
    std::optional<int> month, day;
    bool assumed_today;
  };
  std::optional<Day> ResolveDay(int year, int today_month, int today_day) const;
  int Hour24() const;

  std::optional<int> year_, month_, day_, weekday_, julian_, week_of_year_, zone_minutes_;
  bool week_starts_monday_ = false;
  int hour_ = 0, minute_ = 0, second_ = 0;
  bool hour_is_12h_ = false;
  bool pm_ = false;
  bool invalid_ = false;
};

}  // namespace portcullis::date
