#include "portcullis/base/duration.h"

#include <gtest/gtest.h>

#include <ostream>
#include <string>

namespace portcullis {
namespace {

struct DurationCase {
  const char* text;
  double seconds;
};

void PrintTo(const DurationCase& c, std::ostream* os) { *os << '"' << c.text << '"'; }

class ParsesTimeValuesLikeFail2ban : public ::testing::TestWithParam<DurationCase> {};

TEST_P(ParsesTimeValuesLikeFail2ban, ToSeconds) {
  auto seconds = ParseDuration(GetParam().text);
  ASSERT_TRUE(seconds) << seconds.error().ToString();
  EXPECT_DOUBLE_EQ(*seconds, GetParam().seconds);
}

// Values printed by fail2ban 1.0.2's MyTime.str2seconds.
INSTANTIATE_TEST_SUITE_P(
    DurationTest, ParsesTimeValuesLikeFail2ban,
    ::testing::Values(DurationCase{"600", 600}, DurationCase{"10m", 600}, DurationCase{"1M", 60},
                      DurationCase{"1mo", 2629800}, DurationCase{"1y", 31557600},
                      DurationCase{"1d12h", 129600}, DurationCase{"1h 30m", 5400},
                      DurationCase{"1hour+30min", 5400}, DurationCase{"0.5h", 1800},
                      DurationCase{"1d-1h", 82800}, DurationCase{"-1", -1},
                      DurationCase{"2 days", 172800}, DurationCase{"1w", 604800},
                      DurationCase{"3 weeks", 1814400}, DurationCase{"1year-6mo", 15778800},
                      DurationCase{"6 months", 15778800}, DurationCase{"1dd", 86400},
                      DurationCase{"(1+2)*3h", 32400}, DurationCase{"1 h", 3600},
                      DurationCase{"5s", 5}, DurationCase{"1.5", 1.5},
                      DurationCase{"1min30s", 90}, DurationCase{"1m30", 90},
                      DurationCase{"2*(1h)", 7200}, DurationCase{"1hh", 3600},
                      DurationCase{"1HOURS", 3600}, DurationCase{"1h30", 3630},
                      DurationCase{"1d 2", 86402}, DurationCase{"1 1", 2},
                      DurationCase{"7/2", 3.5}));

TEST(DurationTest, RejectsWhatPythonCannotEvaluate) {
  for (const char* text : {"x", "", "1 2 3", "1dx", "1e3", "05", "1+", "(1", "1h)"}) {
    auto seconds = ParseDuration(text);
    ASSERT_FALSE(seconds) << '"' << text << "\" gave " << *seconds;
    EXPECT_EQ(seconds.error().message, "invalid time expression");
    EXPECT_EQ(seconds.error().fragment, text);
  }
}

TEST(DurationTest, RejectsDivisionByZero) {
  auto seconds = ParseDuration("1/0");
  ASSERT_FALSE(seconds);
  EXPECT_EQ(seconds.error().message, "division by zero");
}

struct FormatCase {
  double seconds;
  const char* text;
};

void PrintTo(const FormatCase& c, std::ostream* os) { *os << c.seconds; }

class FormatsSecondsLikeFail2ban : public ::testing::TestWithParam<FormatCase> {};

TEST_P(FormatsSecondsLikeFail2ban, ForLogText) {
  EXPECT_EQ(FormatDuration(GetParam().seconds), GetParam().text);
}

// Strings printed by fail2ban 1.0.2's MyTime.seconds2str.
INSTANTIATE_TEST_SUITE_P(
    DurationTest, FormatsSecondsLikeFail2ban,
    ::testing::Values(FormatCase{59, "59s"}, FormatCase{3595, "1h"}, FormatCase{3590, "59m 50s"},
                      FormatCase{86400 * 2 + 3600 * 7 + 60 * 15, "2d 7h 15m"},
                      FormatCase{86400 * 390, "1y 3w 4d"}, FormatCase{86400 * 368, "1y 3d"},
                      FormatCase{86400 * 365.5, "1y 1d"}, FormatCase{86400 * 2 + 3599, "2d 1h"},
                      FormatCase{0, "0"}, FormatCase{60, "1m"}, FormatCase{600, "10m"},
                      FormatCase{59.5, "59.5s"}, FormatCase{90.5, "1.0m 30.5s"},
                      FormatCase{-1, "-1s"}, FormatCase{604800, "1w"},
                      FormatCase{1209600 + 3600 * 5, "2w 5h"}, FormatCase{31557600, "1y"}));

}  // namespace
}  // namespace portcullis
