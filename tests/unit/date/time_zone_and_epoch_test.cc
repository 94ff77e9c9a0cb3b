// Zones in the line, the log time zone (logtimezone / --timezone), and the epoch forms.

#include <gtest/gtest.h>

#include <string>

#include "date_test_fixture.h"

namespace portcullis::date {
namespace {

using TimeZoneTest = DateTest;
using EpochTest = DateTest;

TEST_F(TimeZoneTest, AppliesTheLogTimeZoneUnlessTheLineNamesOne) {
  // datedetectortestcase.py testDefaultTimeZone
  struct Case {
    const char* tz;  // nullptr: local time (CET in the test zone)
    const char* line;
    double utc;
  };
  const std::string logdt = "2017-01-23 15:00:00";
  const Case cases[] = {
      {"UTC+0300", "", Utc(2017, 1, 23, 12, 0)},  {"UTC", "", Utc(2017, 1, 23, 15, 0)},
      {"UTC-0430", "", Utc(2017, 1, 23, 19, 30)}, {"GMT+12", "", Utc(2017, 1, 23, 3, 0)},
      {nullptr, "", Utc(2017, 1, 23, 14, 0)},     {"CET", "", Utc(2017, 1, 23, 14, 0)},
      {"+0100", "", Utc(2017, 1, 23, 14, 0)},     {"CEST-01", "", Utc(2017, 1, 23, 14, 0)},
      {"CEST", "", Utc(2017, 1, 23, 13, 0)},      {"+0200", "", Utc(2017, 1, 23, 13, 0)},
      {"CET+01", "", Utc(2017, 1, 23, 13, 0)},    {"CET+0100", "", Utc(2017, 1, 23, 13, 0)},
      {"CET+0130", "", Utc(2017, 1, 23, 12, 30)},
      {"UTC+0300", " GMT", Utc(2017, 1, 23, 15, 0)}, {"UTC", " GMT", Utc(2017, 1, 23, 15, 0)},
      {"UTC-0430", " GMT", Utc(2017, 1, 23, 15, 0)}, {nullptr, " GMT", Utc(2017, 1, 23, 15, 0)},
      {"UTC", " -1045", Utc(2017, 1, 24, 1, 45)},    {nullptr, " -10:45", Utc(2017, 1, 24, 1, 45)},
      {"UTC", " +0945", Utc(2017, 1, 23, 5, 15)},    {nullptr, " +09:45", Utc(2017, 1, 23, 5, 15)},
      {"UTC+0300", " Z", Utc(2017, 1, 23, 15, 0)},   {"GMT+12", " CET", Utc(2017, 1, 23, 14, 0)},
      {"GMT+12", " CEST", Utc(2017, 1, 23, 13, 0)},  {"GMT+12", " CET+0130", Utc(2017, 1, 23, 12, 30)},
  };
  for (const Case& c : cases) {
    DateDetector detector = Detector("^%ExY-%Exm-%Exd %H:%M:%S(?: ?%Exz)?");
    if (c.tz) {
      ASSERT_TRUE(detector.SetDefaultTimeZone(c.tz)) << c.tz;
    }
    auto m = detector.Match(logdt + c.line);
    ASSERT_TRUE(m && m->time) << c.line;
    EXPECT_EQ(*m->time, c.utc) << (c.tz ? c.tz : "local") << " '" << c.line << "'";
    EXPECT_EQ(m->time_is_integer, c.tz != nullptr || *c.line != '\0') << c.line;
  }
}

TEST_F(TimeZoneTest, RejectsAnUnsupportedLogTimeZone) {
  DateDetector detector = Detector();
  for (const char* tz : {"WRONG-TZ", "XYZ", "UTC+3", "Europe/Paris", "CET+0160x"}) {
    auto result = detector.SetDefaultTimeZone(tz);
    ASSERT_FALSE(result) << tz;
    EXPECT_EQ(result.error().message, "Unknown or unsupported time zone: '" + std::string(tz) + "'");
  }
  for (const char* tz : {"UTC", "GMT+12", "UTC-0430", "+0100", "CEST-01", "CET+01:30", "Z", "A", "NZDT"})
    EXPECT_TRUE(detector.SetDefaultTimeZone(tz)) << tz;
}

TEST_F(TimeZoneTest, ReadsZonesOfTheDefaultTemplatesInTheLine) {
  struct Case {
    const char* line;
    double expected;
  };
  const Case cases[] = {
      {"2005-08-14T10:00:00Z x", 1124013600},
      {"2005-08-14 12:00:00 +0100 x", 1124017200},
      {"[14/Aug/2005:12:00:00 -0000] x", 1124020800},
      {"PDT Aug 14 03:00:00 x", 1124013600},
      {"+0130 Aug 14 11:30:00 x", 1124013600},
      {"CET Aug 14 12:00:00 x", 1124017200},  // a fixed offset: no summer time
  };
  for (const Case& c : cases) {
    DateDetector detector = Detector();
    auto m = detector.Match(c.line);
    ASSERT_TRUE(m && m->time) << c.line;
    EXPECT_EQ(*m->time, c.expected) << c.line;
    EXPECT_TRUE(m->time_is_integer) << c.line;
  }
}

TEST_F(TimeZoneTest, ReadsMilitaryLettersAndHalfHourZones) {
  struct Case {
    const char* zone;
    double hours_east;
  };
  const Case cases[] = {{"A", 1}, {"M", 12}, {"N", -1}, {"Y", -12}, {"Z", 0}, {"K", 10},
                        {"NPT", 5.75}, {"NFT", 11.5}, {"NST", -3.5}, {"MART", -9.5}, {"UTC-0130", -1.5}};
  for (const Case& c : cases) {
    DateDetector detector = Detector("^%ExY-%Exm-%Exd %H:%M:%S %ExZ");
    auto m = detector.Match(std::string("2017-01-23 15:00:00 ") + c.zone);
    if (std::string_view(c.zone).find_first_of("+-") != std::string_view::npos) {
      detector = Detector("^%ExY-%Exm-%Exd %H:%M:%S %Exz");
      m = detector.Match(std::string("2017-01-23 15:00:00 ") + c.zone);
    }
    ASSERT_TRUE(m && m->time) << c.zone;
    EXPECT_EQ(*m->time, Utc(2017, 1, 23, 15) - c.hours_east * 3600) << c.zone;
  }
}

TEST_F(EpochTest, CutsABracketedLongEpochAndKeepsMilliseconds) {
  // fail2banregextestcase.py testRegexEpochPatterns: -d '^\[{LEPOCH}\]\s+'
  struct Case {
    const char* line;
    size_t end;
    double expected;
  };
  const Case cases[] = {
      {"[1516469849] 192.0.2.1 FAIL: failure", 13, 1516469849.0},
      {"[1516469849551] 192.0.2.2 FAIL: failure", 16, 1516469849.551},
      {"[1516469849551000] 192.0.2.3 FAIL: failure", 19, 1516469849.551},
      {"[1516469849551.000] 192.0.2.4 FAIL: failure", 20, 1516469849.551},
  };
  DateDetector detector = Detector(R"(^\[{LEPOCH}\]\s+)");
  for (const Case& c : cases) {
    auto m = detector.Match(c.line);
    ASSERT_TRUE(m && m->time) << c.line;
    EXPECT_EQ(m->begin, 0u);
    EXPECT_EQ(m->end, c.end) << c.line;
    EXPECT_EQ(std::string(c.line).substr(m->end).substr(0, 8), "192.0.2.");
    EXPECT_DOUBLE_EQ(*m->time, c.expected) << c.line;
    EXPECT_FALSE(m->time_is_integer);
  }
}

TEST_F(EpochTest, ReadsShortEpochsAtLineStartInBracketsAndInAuditRecords) {
  // datedetectortestcase.py testGetEpochTime
  DateDetector detector = Detector("EPOCH");
  for (long long unix_time : {1138049999LL, 32535244799LL}) {
    const std::string n = std::to_string(unix_time);
    for (const std::string& date : {n, "[" + n + "]", "[" + n + ".555]", "audit(" + n + ".555:101)"}) {
      auto m = detector.Match(date + " [sshd] error: PAM: Authentication failure");
      ASSERT_TRUE(m && m->time) << date;
      EXPECT_EQ(static_cast<long long>(*m->time), unix_time) << date;
      std::string cut = date.substr(m->begin, m->end - m->begin);
      EXPECT_TRUE(cut == n || cut == n + ".555") << cut;
    }
  }
  for (const std::string n : {"123456789", "9999999999999999", "1138049999A", "A1138049999"})
    for (const std::string& date : {n, "[" + n + "]", "[" + n + ".555]", "audit(" + n + ".555:101)"})
      EXPECT_FALSE(detector.Match(date + " [sshd] error: PAM: Authentication failure")) << date;
}

TEST_F(EpochTest, ReadsLongEpochsInSecondsMillisecondsAndMicroseconds) {
  // datedetectortestcase.py testGetEpochMsTime
  DateDetector detector = Detector("LEPOCH");
  for (long long factor : {1LL, 1000LL, 1000000LL}) {
    for (long long unix_time : {1138049999LL, 32535244799LL}) {
      const std::string n = std::to_string(unix_time * factor);
      for (const std::string& date : {n, "[" + n + "]", "audit(" + n + ":101)"}) {
        auto m = detector.Match(date + " [sshd] error: PAM: Authentication failure");
        ASSERT_TRUE(m && m->time) << date;
        EXPECT_EQ(static_cast<long long>(*m->time), unix_time) << date;
        EXPECT_EQ(date.substr(m->begin, m->end - m->begin), n);
      }
    }
  }
  for (const std::string n : {"123456789", "999999999999999999", "1138049999A", "A1138049999"})
    for (const std::string& date : {n, "[" + n + "]", "[" + n + ".555]", "audit(" + n + ".555:101)"})
      EXPECT_FALSE(detector.Match(date + " [sshd] error: PAM: Authentication failure")) << date;
}

TEST_F(EpochTest, FindsAnEpochTokenInsideACustomRegex) {
  // datedetectortestcase.py testGetEpochPattern
  DateDetector detector = Detector(R"((?<=\|\s){LEPOCH}(?=\s\|))");
  std::string last;
  for (long long factor : {1LL, 1000LL, 1000000LL}) {
    for (long long unix_time : {1138049999LL, 32535244799LL}) {
      last = std::to_string(unix_time * factor);
      const std::string line = "auth-error | " + last + " | invalid password";
      auto m = detector.Match(line);
      ASSERT_TRUE(m && m->time) << line;
      EXPECT_EQ(static_cast<long long>(*m->time), unix_time) << line;
      EXPECT_EQ(line.substr(m->begin, m->end - m->begin), last);
    }
  }
  for (const std::string& line : {"test" + last + "123", "test-right | " + last + "test", "test" + last + " | test-left"})
    EXPECT_FALSE(detector.Match(line)) << line;
}

TEST_F(EpochTest, TakesABracketOrAuditEpochWithoutItsClosingCharacter) {
  // The `]` / `:<n>)` look-aheads of fail2ban's EPOCH regex sit in an alternation whose
  // first branch is always empty, so they never reject anything.
  struct Case {
    const char* line;
    size_t begin, end;
  };
  const Case cases[] = {{"[1234567890 x", 1, 11}, {"audit(1234567890.123 x", 6, 20}, {"[1234567890] y", 1, 11}};
  for (const Case& c : cases) {
    DateDetector detector = Detector("EPOCH");
    auto m = detector.Match(c.line);
    ASSERT_TRUE(m && m->time) << c.line;
    EXPECT_EQ(m->begin, c.begin) << c.line;
    EXPECT_EQ(m->end, c.end) << c.line;
  }
}

TEST_F(EpochTest, ReadsTai64nLabelsAsWholeSeconds) {
  DateDetector detector = Detector();
  auto m = detector.Match("@4000000041f4104f00000000 [sshd] error");
  ASSERT_TRUE(m && m->time);
  EXPECT_EQ(m->end, 25u);
  EXPECT_EQ(*m->time, 1106513999.0);
  EXPECT_TRUE(m->time_is_integer);
}

}  // namespace
}  // namespace portcullis::date
