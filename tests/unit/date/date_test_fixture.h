#pragma once
// Shared set-up of the date tests: fail2ban's test clock (2005-08-14 12:00:00 CEST,
// MyTime.setTime(1124013600)) and time zone (TZ=CET-01CEST-02,M3.5.0,M10.5.0).

#include <gtest/gtest.h>

#include <cstdlib>
#include <ctime>
#include <optional>
#include <string>
#include <string_view>

#include "portcullis/base/clock.h"
#include "portcullis/date/date_detector.h"

namespace portcullis::date {

inline constexpr double kTestNow = 1124013600;

class DateTest : public ::testing::Test {
 protected:
  void SetUp() override {
    setenv("TZ", "CET-01CEST-02,M3.5.0,M10.5.0", 1);
    tzset();
  }

  DateDetector Detector(std::optional<std::string_view> pattern = std::nullopt) {
    auto detector = DateDetector::Create(pattern, clock_);
    EXPECT_TRUE(detector) << (detector ? "" : detector.error().message);
    return std::move(*detector);
  }

  // Epoch seconds of a UTC wall-clock time.
  static double Utc(int y, int mo, int d, int h = 0, int mi = 0, int s = 0) {
    struct tm tm {};
    tm.tm_year = y - 1900, tm.tm_mon = mo - 1, tm.tm_mday = d;
    tm.tm_hour = h, tm.tm_min = mi, tm.tm_sec = s;
    return static_cast<double>(timegm(&tm));
  }

  // Epoch seconds of a wall-clock time in the test zone (CET/CEST).
  static double Local(int y, int mo, int d, int h = 0, int mi = 0, int s = 0) {
    struct tm tm {};
    tm.tm_year = y - 1900, tm.tm_mon = mo - 1, tm.tm_mday = d;
    tm.tm_hour = h, tm.tm_min = mi, tm.tm_sec = s, tm.tm_isdst = -1;
    return static_cast<double>(mktime(&tm));
  }

  // The date text a detector cuts out of `line`, "<none>" without a match.
  static std::string Cut(DateDetector& detector, std::string_view line) {
    auto m = detector.Match(line);
    return m ? std::string(line.substr(m->begin, m->end - m->begin)) : "<none>";
  }

  FakeClock clock_{kTestNow};
};

}  // namespace portcullis::date
