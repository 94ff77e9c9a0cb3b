#include "date/date_fields.h"

#include <array>
#include <cmath>
#include <cstdint>
#include <ctime>

#include "date/time_zone.h"

namespace portcullis::date {
namespace {

constexpr std::array<std::string_view, 12> kMonths = {"jan", "feb", "mar", "apr", "may", "jun",
                                                      "jul", "aug", "sep", "oct", "nov", "dec"};
constexpr std::array<std::string_view, 12> kFullMonths = {"january", "february", "march",     "april",
                                                          "may",     "june",     "july",      "august",
                                                          "september", "october", "november", "december"};
constexpr std::array<std::string_view, 7> kDays = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};
constexpr std::array<std::string_view, 7> kFullDays = {"monday", "tuesday",  "wednesday", "thursday",
                                                       "friday", "saturday", "sunday"};

constexpr std::array<std::pair<std::string_view, Field>, 20> kGroupFields = {{
    {"Y", Field::kY}, {"y", Field::ky}, {"m", Field::km}, {"d", Field::kd}, {"H", Field::kH},
    {"M", Field::kM}, {"S", Field::kS}, {"f", Field::kf}, {"I", Field::kI}, {"p", Field::kp},
    {"a", Field::ka}, {"A", Field::kA}, {"b", Field::kb}, {"B", Field::kB}, {"w", Field::kw},
    {"j", Field::kj}, {"U", Field::kU}, {"W", Field::kW}, {"z", Field::kz}, {"Z", Field::kZ},
}};

bool EqualsLower(std::string_view text, std::string_view lower) {
  if (text.size() != lower.size()) return false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != lower[i]) return false;
  }
  return true;
}

template <size_t N>
std::optional<int> IndexOf(const std::array<std::string_view, N>& names, std::string_view text) {
  for (size_t i = 0; i < N; ++i)
    if (EqualsLower(text, names[i])) return static_cast<int>(i);
  return std::nullopt;
}

// Python's int() on a captured group: optional surrounding blanks, then digits.
std::optional<int> ParseInt(std::string_view text) {
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
  if (text.empty() || text.size() > 9) return std::nullopt;
  int value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + (c - '0');
  }
  return value;
}

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
int64_t DaysFromCivil(int64_t y, int m, int d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

struct Civil {
  int year, month, day;
};

Civil CivilFromDays(int64_t z) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  const int d = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  const int m = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  return Civil{static_cast<int>(yoe + era * 400 + (m <= 2)), m, d};
}

bool IsLeap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int DaysInMonth(int y, int m) {
  static constexpr int kDim[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && IsLeap(y) ? 29 : kDim[m - 1];
}

bool ValidDate(int y, int m, int d) { return y >= 1 && y <= 9999 && m >= 1 && m <= 12 && d >= 1 && d <= DaysInMonth(y, m); }

// A naive (zone-less) datetime as seconds on a uniform scale, like Python's datetime.
int64_t NaiveSeconds(int y, int m, int d, int hh, int mm, int ss) {
  return DaysFromCivil(y, m, d) * 86400 + hh * 3600 + mm * 60 + ss;
}

// "now" as Python's datetime.fromtimestamp: local wall-clock time.
struct LocalNow {
  double naive;  // NaiveSeconds of the local time, plus the fraction
  int year, month, day;
};

// Both conversions below go through libc's zone code (~1,000 instructions a call) for
// every new second of a log; each thread keeps its last answer.
LocalNow LocalTimeOf(double now) {
  double whole = std::floor(now);
  thread_local double cached_whole = std::nan("");
  thread_local LocalNow cached{};
  if (whole == cached_whole) return LocalNow{cached.naive + (now - whole), cached.year, cached.month, cached.day};
  time_t t = static_cast<time_t>(whole);
  struct tm tm {};
  localtime_r(&t, &tm);
  int y = tm.tm_year + 1900, m = tm.tm_mon + 1;
  double naive = static_cast<double>(NaiveSeconds(y, m, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec));
  cached_whole = whole;
  cached = LocalNow{naive, y, m, tm.tm_mday};
  return LocalNow{naive + (now - whole), y, m, tm.tm_mday};
}

// _strptime._calc_julian_from_U_or_W: day of the year from a week number and weekday.
int JulianFromWeek(int year, int week, int weekday, bool week_starts_monday) {
  int first_weekday = static_cast<int>((DaysFromCivil(year, 1, 1) + 3) % 7);  // Monday = 0
  if (first_weekday < 0) first_weekday += 7;
  if (!week_starts_monday) {
    first_weekday = (first_weekday + 1) % 7;
    weekday = (weekday + 1) % 7;
  }
  int week_0_length = (7 - first_weekday) % 7;
  if (week == 0) return 1 + weekday - first_weekday;
  return 1 + week_0_length + 7 * (week - 1) + weekday;
}

// mktime of a local wall-clock time: that of the minute's start plus the seconds (zone
// transitions fall on whole minutes), so one libc call per minute of log.
double LocalMktime(int64_t naive) {
  const int64_t minute = naive >= 0 ? naive / 60 : (naive - 59) / 60;
  const int64_t second = naive - minute * 60;
  thread_local int64_t cached_minute = INT64_MIN;
  thread_local double cached_time = 0;
  if (minute == cached_minute) return cached_time + static_cast<double>(second);
  naive = minute * 60;
  int64_t days = naive >= 0 ? naive / 86400 : (naive - 86399) / 86400;
  int64_t secs = naive - days * 86400;
  Civil c = CivilFromDays(days);
  struct tm tm {};
  tm.tm_year = c.year - 1900;
  tm.tm_mon = c.month - 1;
  tm.tm_mday = c.day;
  tm.tm_hour = static_cast<int>(secs / 3600);
  tm.tm_min = static_cast<int>(secs / 60 % 60);
  tm.tm_sec = static_cast<int>(secs % 60);
  tm.tm_isdst = -1;
  time_t t = mktime(&tm);
  if (t == static_cast<time_t>(-1)) return static_cast<double>(t);  // out of range: not cached
  cached_minute = minute;
  cached_time = static_cast<double>(t);
  return cached_time + static_cast<double>(second);
}

}  // namespace

std::optional<Field> FieldForGroup(std::string_view group_name) {
  for (const auto& [name, field] : kGroupFields)
    if (name == group_name) return field;
  return std::nullopt;
}

void DateFields::Set(Field field, std::string_view text) {
  if (invalid_) return;  // Python raised at the first bad field
  std::optional<int> number;
  auto numeric = [&](std::optional<int>& into) {
    number = ParseInt(text);
    if (number) into = number; else invalid_ = true;
  };
  auto clock = [&](int& into) {
    number = ParseInt(text);
    if (number) into = *number; else invalid_ = true;
  };
  switch (field) {
    case Field::kY: numeric(year_); break;
    case Field::ky:
      numeric(year_);
      if (year_ && *year_ <= 2000) *year_ += 2000;
      break;
    case Field::km: numeric(month_); break;
    case Field::kd: numeric(day_); break;
    case Field::kH: clock(hour_); hour_is_12h_ = false; break;
    case Field::kI: clock(hour_); hour_is_12h_ = true; break;
    case Field::kM: clock(minute_); break;
    case Field::kS: clock(second_); break;
    case Field::kf: break;  // fail2ban ignores sub-seconds
    case Field::kp: pm_ = EqualsLower(text, "pm"); break;
    case Field::kb: if ((month_ = IndexOf(kMonths, text))) ++*month_; else invalid_ = true; break;
    case Field::kB: if ((month_ = IndexOf(kFullMonths, text))) ++*month_; else invalid_ = true; break;
    case Field::ka: if (!(weekday_ = IndexOf(kDays, text))) invalid_ = true; break;
    case Field::kA: if (!(weekday_ = IndexOf(kFullDays, text))) invalid_ = true; break;
    case Field::kw:
      numeric(weekday_);
      if (weekday_) weekday_ = *weekday_ == 0 ? 6 : *weekday_ - 1;
      break;
    case Field::kj: numeric(julian_); break;
    case Field::kU: numeric(week_of_year_); week_starts_monday_ = false; break;
    case Field::kW: numeric(week_of_year_); week_starts_monday_ = true; break;
    case Field::kz:
    case Field::kZ:
      zone_minutes_ = ZoneOffsetMinutes(text);
      if (!zone_minutes_) invalid_ = true;
      break;
  }
}

// The calendar date: given, from a day of the year or week, or today (assume_today).
std::optional<DateFields::Day> DateFields::ResolveDay(int year, int today_month, int today_day) const {
  Day day{year, month_, day_, false};
  if (!day.month || !day.day) {
    std::optional<int> julian = julian_;
    if (!julian && week_of_year_ && weekday_)
      julian = JulianFromWeek(year, *week_of_year_, *weekday_, week_starts_monday_);
    if (julian) {
      if (year < 1 || year > 9999) return std::nullopt;
      Civil c = CivilFromDays(DaysFromCivil(year, 1, 1) + *julian - 1);
      day = Day{c.year, c.month, c.day, false};
    }
  }
  if (!day.month && !day.day) day = Day{day.year, today_month, today_day, true};
  if (!day.month || !day.day) return std::nullopt;  // fail2ban: TypeError on a half date
  return day;
}

int DateFields::Hour24() const {
  if (!hour_is_12h_) return hour_;
  if (!pm_) return hour_ == 12 ? 0 : hour_;
  return hour_ == 12 ? 12 : hour_ + 12;
}

std::optional<ConvertedTime> DateFields::ToTime(std::optional<int> default_tz_minutes, double now) const {
  if (invalid_) return std::nullopt;
  const LocalNow local = LocalTimeOf(now);
  const bool assume_year = !year_;
  std::optional<Day> day = ResolveDay(year_.value_or(local.year), local.month, local.day);
  const int hour = Hour24();
  if (!day || !ValidDate(day->year, *day->month, *day->day) || hour > 23 || minute_ > 59 || second_ > 59)
    return std::nullopt;
  int64_t result = NaiveSeconds(day->year, *day->month, *day->day, hour, minute_, second_);
  const std::optional<int> zone = zone_minutes_ ? zone_minutes_ : default_tz_minutes;
  if (zone) result -= static_cast<int64_t>(*zone) * 60;
  // Naive comparisons, as fail2ban's (UTC-shifted) datetime against local "now".
  if (day->assumed_today && static_cast<double>(result) > local.naive) result -= 86400;
  if (assume_year && static_cast<double>(result) > local.naive + 86400) {
    // Python's replace(year=year-1, month, day): the date resets, the clock time stays.
    if (!ValidDate(day->year - 1, *day->month, *day->day)) return std::nullopt;
    int64_t days = result >= 0 ? result / 86400 : (result - 86399) / 86400;
    result = DaysFromCivil(day->year - 1, *day->month, *day->day) * 86400 + (result - days * 86400);
  }
  if (zone) return ConvertedTime{static_cast<double>(result), true};
  return ConvertedTime{LocalMktime(result), false};
}

}  // namespace portcullis::date
