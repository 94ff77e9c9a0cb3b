// DateDetector: finding, cutting and converting the date of a line like fail2ban 1.0.2.

#include "portcullis/date/date_detector.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "date_test_fixture.h"

namespace portcullis::date {
namespace {

class DateDetectorTest : public DateTest {
 protected:
  // One detector reads `lines` in turn (`rounds` times); each line must get what a fresh
  // detector finds for it alone: the same span and time.
  void ExpectAsFresh(std::optional<std::string_view> pattern, const std::vector<std::string>& lines, int rounds = 1) {
    DateDetector warm = Detector(pattern);
    for (int round = 0; round < rounds; ++round) {
      for (const std::string& line : lines) {
        DateDetector fresh = Detector(pattern);
        auto a = warm.Match(line);
        auto b = fresh.Match(line);
        ASSERT_EQ(a.has_value(), b.has_value()) << line;
        if (!a) continue;
        EXPECT_EQ(a->begin, b->begin) << line;
        EXPECT_EQ(a->end, b->end) << line;
        EXPECT_EQ(a->time, b->time) << line;
        EXPECT_EQ(a->time_is_integer, b->time_is_integer) << line;
      }
    }
  }
};

struct YearCase {
  const char* line;
  double expected;
};

TEST_F(DateDetectorTest, InfersMissingYearFromNowAndRollsBackWhenMoreThanADayAhead) {
  // now = 2005-08-14 12:00:00 CEST
  const YearCase cases[] = {
      {"Dec 31 11:59:59 host x", Local(2004, 12, 31, 11, 59, 59)},
      {"Aug 15 11:59:59 host x", Local(2005, 8, 15, 11, 59, 59)},  // within now + 1 day
      {"Aug 15 13:00:00 host x", Local(2004, 8, 15, 13, 0, 0)},    // beyond now + 1 day
      {"Aug 14 12:00:00 host x", kTestNow},
      {"Nov 28 09:16:05 host x", Local(2004, 11, 28, 9, 16, 5)},
      {"Jan 23 21:59:59 [sshd] error", 1106513999.0},
  };
  for (const YearCase& c : cases) {
    DateDetector detector = Detector();
    auto m = detector.Match(c.line);
    ASSERT_TRUE(m && m->time) << c.line;
    EXPECT_EQ(*m->time, c.expected) << c.line;
    EXPECT_FALSE(m->time_is_integer) << c.line;
  }
}

TEST_F(DateDetectorTest, TakesATimeWithoutDateAsTodayOrYesterday) {
  const YearCase cases[] = {
      {"23:59:59", Local(2005, 8, 13, 23, 59, 59)},
      {"12:00:00", kTestNow},
      {"11:59:59", kTestNow - 1},
      {"00:00:01", 1123970401.0},
  };
  for (const YearCase& c : cases) {
    DateDetector detector = Detector("^%ExH:%ExM:%ExS**");
    auto m = detector.Match(c.line);
    ASSERT_TRUE(m && m->time) << c.line;
    EXPECT_EQ(*m->time, c.expected) << c.line;
  }
}

TEST_F(DateDetectorTest, ReportsTheSpanTheFilterCutsOut) {
  DateDetector detector = Detector();
  const std::string line = "Jun 21 16:47:46 machine test-demo[13709]: F2B: failure from 192.0.2.1";
  auto m = detector.Match(line);
  ASSERT_TRUE(m && m->time);
  EXPECT_EQ(m->begin, 0u);
  EXPECT_EQ(m->end, 15u);
  EXPECT_EQ(line.substr(0, m->begin) + line.substr(m->end), " machine test-demo[13709]: F2B: failure from 192.0.2.1");
  EXPECT_EQ(*m->time, Local(2005, 6, 21, 16, 47, 46));
}

TEST_F(DateDetectorTest, FindsADateMidLineOnlyWithoutLineBeginAnchoring) {
  DateDetector defaults = Detector();
  auto m = defaults.Match("a 2005-08-14 12:00:00 b");
  ASSERT_TRUE(m && m->time);
  EXPECT_EQ(m->begin, 2u);
  EXPECT_EQ(m->end, 21u);
  EXPECT_EQ(*m->time, kTestNow);

  DateDetector anchored = Detector("{^LN-BEG}");
  EXPECT_FALSE(anchored.Match("a 2005-08-14 12:00:00 b"));
  EXPECT_EQ(Cut(anchored, "[2005-08-14 12:00:00] b"), "2005-08-14 12:00:00");  // up to 2 non-word chars
}

TEST_F(DateDetectorTest, PrefersTheNearestDateAmongAmbiguousOrderedTemplates) {
  // datedetectortestcase.py testAmbiguousInOrderedTemplates: one detector, lines in turn.
  struct Case {
    const char* expected;
    const char* line;
    int count;
  };
  const Case cases[] = {
      {"030324  0:03:59", "some free text 030324  0:03:59 -- 2003-03-07 17:05:01 ...", 1},
      {"2003-03-07 17:05:01", "some free text 2003-03-07 17:05:01 test ...", 15},
      {"030324  0:04:00",
       "server mysqld[1000]: 030324  0:04:00 [Warning] Access denied ... foreign-input just some free text "
       "2003-03-07 17:05:01 test",
       10},
      {"Sep 16 21:30:26", "server mysqld[1020]: Sep 16 21:30:26 server mysqld: 030916 21:30:26 [Warning] Access denied",
       15},
      {"2005-10-07 06:09:42", "server mysqld[5906]: 2005-10-07 06:09:42 5907 [Warning] Access denied", 20},
      {"2005-10-08T15:26:18.237955", "server mysqld[5906]: 2005-10-08T15:26:18.237955 6 [Note] Access denied", 20},
      {"051009 10:05:30", "server mysqld[1000]: 051009 10:05:30 [Warning] Access denied ...", 50},
  };
  DateDetector detector = Detector();
  for (const Case& c : cases)
    for (int i = 0; i < c.count; ++i) EXPECT_EQ(Cut(detector, c.line), c.expected) << c.line << " #" << i;
}

TEST_F(DateDetectorTest, CountsHitsAndBubblesWinnersUpAsFail2banRegexPrintsThem) {
  DateDetector detector = Detector();
  const std::pair<const char*, int> lines[] = {{"2005-01-23 21:59:59 a", 3},
                                               {"Jan 23 21:59:59 b", 5},
                                               {"host 23/01/2005 21:59:59 c", 2},
                                               {"@4000000041f4104f00000000 d", 1}};
  for (const auto& [line, count] : lines)
    for (int i = 0; i < count; ++i) ASSERT_TRUE(detector.Match(line)) << line;
  const std::pair<unsigned, std::string> expected[] = {
      {3, R"({^LN-BEG}ExYear(?P<_sep>[-/.])Month(?P=_sep)Day(?:T|  ?)24hour:Minute:Second(?:[.,]Microseconds)?(?:\s*Zone offset)?)"},
      {5, R"({^LN-BEG}(?:DAY )?MON Day %k:Minute:Second(?:\.Microseconds)?(?: ExYear)?)"},
      {2, R"(Day(?P<_sep>[-/])Month(?P=_sep)(?:ExYear|ExYear2) %k:Minute:Second)"},
      {1, R"({^LN-BEG}TAI64N)"},
      {0, R"({^LN-BEG}(?:DAY )?MON Day ExYear %k:Minute:Second(?:\.Microseconds)?)"},
  };
  auto templates = detector.Templates();
  ASSERT_EQ(templates.size(), 31u);
  for (size_t i = 0; i < std::size(expected); ++i) {
    EXPECT_EQ(templates[i].hits, expected[i].first) << i;
    EXPECT_EQ(templates[i].name, expected[i].second) << i;
  }
}

TEST_F(DateDetectorTest, GivesAHeavierWeightToADatepatternLineThatIsADefaultAnchoredCopy) {
  // nsd: "{^LN-BEG}Epoch" shares fail2ban's cached default copy (weight 100), so the
  // ISO template winning once does not overtake it.
  DateDetector detector = Detector("{^LN-BEG}Epoch\n{^LN-BEG}");
  for (const char* line : {"[1387288694] nsd[7745]: info: ratelimit", "[1387348935] nsd[23600]: info: axfr",
                           "[2021-03-05 05:25:14.562] nsd[160800]: info: axfr"})
    ASSERT_TRUE(detector.Match(line)) << line;
  auto templates = detector.Templates();
  ASSERT_EQ(templates.size(), 17u);
  EXPECT_EQ(templates[0].name, "{^LN-BEG}Epoch");
  EXPECT_EQ(templates[0].hits, 2u);
  EXPECT_EQ(templates[0].weight, 100.0);
  EXPECT_EQ(templates[1].hits, 1u);
}

// A line that begins as the last one did is answered without a search: the same date,
// counted as a hit, and converted again once "now" is in another second (the year of a
// date without one follows now).
TEST_F(DateDetectorTest, ALineBeginningAsTheLastOneGetsItsAnswerWhileNowStaysInItsSecond) {
  DateDetector detector = Detector();
  const double this_year = Local(2005, 8, 15, 11, 59, 59);
  EXPECT_EQ(detector.Match("Aug 15 11:59:59 host a")->time, this_year);
  EXPECT_EQ(detector.Match("Aug 15 11:59:59 host b")->time, this_year);
  EXPECT_EQ(detector.Match("Aug 15 11:59:59 host e")->time, this_year);
  clock_.Set(kTestNow - 3600);  // now the date is more than a day ahead: last year's
  EXPECT_EQ(detector.Match("Aug 15 11:59:59 host c")->time, Local(2004, 8, 15, 11, 59, 59));
  EXPECT_EQ(Cut(detector, "Aug 15 11:59:59.250 host d"), "Aug 15 11:59:59.250");
  EXPECT_EQ(detector.Match("Aug 15 11:59:5")->time, Local(2004, 8, 15, 11, 59, 5));
  unsigned hits = 0;
  for (const TemplateInfo& t : detector.Templates()) hits += t.hits;
  EXPECT_EQ(hits, 6u);
}

// Over lines a second apart, one detector (which moves its last time by the seconds
// when only they differ) gives every line the time a fresh detector gives it: across
// minutes, days, years, both changes of summer time in the test zone, invalid seconds,
// 12-hour clocks, zones in the line, and dates near "now" (where the year is inferred).
TEST_F(DateDetectorTest, TimesOfTheNextSecondsEqualFreshConversions) {
  std::vector<std::string> lines;
  auto seconds = [&](const std::string& before, const std::string& after) {
    for (int s : {57, 58, 59, 0, 1, 2, 59, 60, 61, 7})
      lines.push_back(before + (s < 10 ? "0" : "") + std::to_string(s) + after);
  };
  for (const char* minute : {"Mar 27 01:59:", "Mar 27 03:00:", "Oct 30 02:59:", "Oct 30 02:00:", "Dec 31 23:59:",
                             "Jan  1 00:00:", "Aug 15 11:59:", "Aug 15 12:00:", "Aug 13 11:59:"})
    seconds(minute, " host sshd[1]: x");
  seconds("2005-03-27 01:59:", " +0100 x");
  seconds("2005-10-30 02:59:", " x");
  seconds("2005-08-14 12:00:", ",123 x");
  seconds("Aug 14, 2005 11:59:", " PM x");
  seconds("Aug 14, 2005 12:59:", " AM x");
  seconds("[14/Aug/2005:11:59:", " +0200] x");
  for (const std::optional<std::string_view> pattern :
       {std::optional<std::string_view>(), std::optional<std::string_view>("^(?:%d/%m )?%H:%M:%S"),
        std::optional<std::string_view>("^(?:%d/%m/)?%Y %H:%M:%S")}) {
    if (pattern) {  // a date that may be left out: today's, or yesterday's if ahead of now
      lines.clear();
      const std::string year = pattern->find("%Y") != std::string_view::npos ? "2005 " : "";
      seconds(year + "12:00:", " x");
      seconds(year + "11:59:", " x");
      seconds(year.empty() ? "14/08 12:00:" : "14/08/2005 12:00:", " x");
    }
    ExpectAsFresh(pattern, lines);
  }
}

// An access log's date follows `^[^\[]*\[`, wherever the address before it ends: a line
// whose bytes after that start equal the last line's gets the last answer moved, and
// exactly what a fresh detector finds (span, time), also where the last search read to
// the end of its line and the length from the start took part.
TEST_F(DateDetectorTest, ALineWithTheLastDateAfterAnotherPrefixGetsTheSameAnswerMoved) {
  const std::string_view pattern = "^[^\\[]*\\[({DATE})";
  const std::vector<std::string> lines = {
      "192.0.2.1 - - [14/Aug/2005:11:59:59 +0200] \"GET / HTTP/1.1\" 404",
      "2001:db8::1 - - [14/Aug/2005:11:59:59 +0200] \"GET / HTTP/1.1\" 404",
      "10.0.0.1 - b\xc3\xa9 [14/Aug/2005:11:59:59 +0200] \"GET /x HTTP/1.1\" 200",
      "10.0.0.1 - - [14/Aug/2005:11:59:59 +0200] \"GET /x HTTP/1.1\" 200",
      "10.0.0.12 - - [14/Aug/2005:11:59:58 +0200] \"GET /x HTTP/1.1\" 200",
      "10.0.0.1 [14/Aug/2005:11:59:58",
      "10.0.0.123 [14/Aug/2005:11:59:58",
      "10.0.0.1 [14/Aug/2005:11:59:58 +0200]",
      "10.0.0.1 [14/Aug/2005:11:59:58 +0200",
      "10.0.0.1 14/Aug/2005:11:59:58 +0200]",
      "[[14/Aug/2005:11:59:58 +0200]",
      "x [14/Aug/2005:11:59:58 +0200]",
      "xy [14/Aug/2005:11:59:58 +0200] [14/Aug/2005:11:59:57 +0200]",
      "x [14/Aug/2005:11:59:58 +0200] [14/Aug/2005:11:59:57 +0200]",
  };
  ExpectAsFresh(pattern, lines, 2);
}

// And a line whose bytes after that start differ from the last line's only in the
// seconds gets the last time moved by them, as a fresh detector converts it: across
// minutes, invalid seconds, dates without a year near "now" (where the year is
// inferred), and addresses of every length before the date.
TEST_F(DateDetectorTest, ALineWithTheNextSecondAfterAnotherPrefixGetsTheTimeMoved) {
  std::vector<std::string> lines;
  const std::vector<std::string> prefixes = {"192.0.2.1 - - [", "2001:db8::17 - - [", "10.0.0.1 - - ["};
  size_t n = 0;
  auto seconds = [&](const std::string& before, const std::string& after) {
    for (int s : {57, 58, 58, 59, 0, 1, 1, 2, 59, 60, 61, 7, 7, 30})
      lines.push_back(prefixes[n++ % prefixes.size()] + before + (s < 10 ? "0" : "") + std::to_string(s) + after);
  };
  for (const char* minute : {"14/Aug/2005:11:59:", "14/Aug/2005:12:00:", "15/Aug/2005:11:59:", "15/Aug/2005:12:00:",
                             "31/Dec/2004:23:59:", "01/Jan/2005:00:00:", "27/Mar/2005:01:59:"})
    seconds(minute, " +0200] \"GET / HTTP/1.1\" 404");
  seconds("14/Aug/2005:11:59:", "]");
  seconds("15/Aug 11:59:", " x");  // no year: inferred from now, a day after which it is last year's
  seconds("15/Aug 12:00:", " x");
  seconds("16/Aug 11:59:", " x");
  for (const std::string_view pattern : {"^[^\\[]*\\[({DATE})", "^[^\\[]*\\[(%d/%b(?:/%Y)?[: ]%H:%M:%S)"})
    ExpectAsFresh(pattern, lines);
}

// They are compiled on first use, where an error could not be reported: every one must.
TEST_F(DateDetectorTest, EveryDefaultTemplateCompiles) {
  auto ok = DateDetector::CompileDefaults();
  EXPECT_TRUE(ok) << (ok ? "" : ok.error().ToString());
}

TEST_F(DateDetectorTest, ListsTheDefaultTemplatesOnlyAfterTheFirstLineAsFail2banDoes) {
  DateDetector detector = Detector();
  EXPECT_TRUE(detector.Templates().empty());
  EXPECT_EQ(detector.Description(), "Default Detectors");
  detector.Match("no date here");
  auto templates = detector.Templates();
  ASSERT_EQ(templates.size(), 31u);
  const char* names[] = {
      R"({^LN-BEG}ExYear(?P<_sep>[-/.])Month(?P=_sep)Day(?:T|  ?)24hour:Minute:Second(?:[.,]Microseconds)?(?:\s*Zone offset)?)",
      R"({^LN-BEG}(?:DAY )?MON Day %k:Minute:Second(?:\.Microseconds)?(?: ExYear)?)",
      R"({^LN-BEG}(?:DAY )?MON Day ExYear %k:Minute:Second(?:\.Microseconds)?)",
      R"({^LN-BEG}Day(?P<_sep>[-/])Month(?P=_sep)(?:ExYear|ExYear2) %k:Minute:Second)",
      R"({^LN-BEG}Day(?P<_sep>[-/])MON(?P=_sep)ExYear[ :]?24hour:Minute:Second(?:\.Microseconds)?(?: Zone offset)?)",
      R"({^LN-BEG}Month/Day/ExYear:24hour:Minute:Second)",
      R"({^LN-BEG}Month-Day-ExYear %k:Minute:Second(?:\.Microseconds)?)",
      R"({^LN-BEG}Epoch)",
      R"({^LN-BEG}ExYear2ExMonthExDay  ?24hour:Minute:Second)",
      R"({^LN-BEG}MON Day, ExYear 12hour:Minute:Second AMPM)",
      R"({^LN-BEG}ExYearExMonthExDay(?:T|  ?)Ex24hourExMinuteExSecond(?:[.,]Microseconds)?(?:\s*Zone offset)?)",
      R"({^LN-BEG}(?:Zone name )?(?:DAY )?MON Day %k:Minute:Second(?:\.Microseconds)?(?: ExYear)?)",
      R"({^LN-BEG}(?:Zone offset )?(?:DAY )?MON Day %k:Minute:Second(?:\.Microseconds)?(?: ExYear)?)",
      R"({^LN-BEG}TAI64N)",
      R"(ExYear(?P<_sep>[-/.])Month(?P=_sep)Day(?:T|  ?)24hour:Minute:Second(?:[.,]Microseconds)?(?:\s*Zone offset)?)",
      R"((?:DAY )?MON Day %k:Minute:Second(?:\.Microseconds)?(?: ExYear)?)",
      R"((?:DAY )?MON Day ExYear %k:Minute:Second(?:\.Microseconds)?)",
      R"(Day(?P<_sep>[-/])Month(?P=_sep)(?:ExYear|ExYear2) %k:Minute:Second)",
      R"(Day(?P<_sep>[-/])MON(?P=_sep)ExYear[ :]?24hour:Minute:Second(?:\.Microseconds)?(?: Zone offset)?)",
      R"(Month/Day/ExYear:24hour:Minute:Second)",
      R"(Month-Day-ExYear %k:Minute:Second(?:\.Microseconds)?)",
      R"(Epoch)",
      R"({^LN-BEG}24hour:Minute:Second)",
      R"(^<Month/Day/ExYear2@24hour:Minute:Second>)",
      R"(ExYear2ExMonthExDay  ?24hour:Minute:Second)",
      R"(MON Day, ExYear 12hour:Minute:Second AMPM)",
      R"(^MON-Day-ExYear2 %k:Minute:Second)",
      R"(ExYearExMonthExDay(?:T|  ?)Ex24hourExMinuteExSecond(?:[.,]Microseconds)?(?:\s*Zone offset)?)",
      R"((?:Zone name )?(?:DAY )?MON Day %k:Minute:Second(?:\.Microseconds)?(?: ExYear)?)",
      R"((?:Zone offset )?(?:DAY )?MON Day %k:Minute:Second(?:\.Microseconds)?(?: ExYear)?)",
      R"(TAI64N)",
  };
  for (size_t i = 0; i < templates.size(); ++i) {
    EXPECT_EQ(templates[i].name, names[i]) << i;
    EXPECT_EQ(templates[i].weight, i < 14 ? 100.0 : 1.0) << i;
    EXPECT_EQ(templates[i].hits, 0u) << i;
  }
}

TEST_F(DateDetectorTest, BuildsRegexesWithFail2bansBoundariesAndGroups) {
  struct Case {
    const char* pattern;
    const char* name;
    const char* regex;
  };
  const Case cases[] = {
      {"{NONE}", "^", "^()"},
      {"^WARNING:()**", "^WARNING:()**", "^WARNING:()"},
      {R"x(^I\(()**)x", R"x(^I\(()**)x", R"x(^I\(())x"},
      {"EPOCH", "Epoch",
       R"(((?:^|(?P<square>(?<=^\[))|(?P<selinux>(?<=\baudit\()))\d{10,11}\b(?:\.\d{3,6})?)(?:(?(selinux)(?=:\d+\)))|(?(square)(?=\])))(?=\b|\W|$))"},
      {"^LEPOCH", "{^LN-BEG}LongEpoch",
       R"(^(?:\W{0,2})?((?P<square>(?<=^\[))?\d{10,11}(?:\d{3}(?:\.\d{1,6}|\d{3})?)?)(?(square)(?=\]))(?=\b|\W|$))"},
      {"{^LN-BEG}TAI64N", "{^LN-BEG}TAI64N", R"(^(?:\W{0,2})?(@[0-9a-f]{24})(?=\b|\W|$))"},
      {R"(^\[{LEPOCH}\]\s+)", R"(^\[{LEPOCH}\]\s+)",
       R"((^\[(\d{10,11}(?:\d{3}(?:\.\d{1,6}|\d{3})?)?)\]\s+)(?=\b|\W|$))"},
      {"{^LN-BEG}%H:%M:%S", "{^LN-BEG}24hour:Minute:Second",
       R"(^(?:\W{0,2})?((?P<H>[0-1]?\d|2[0-3]):(?P<M>[0-5]?\d):(?P<S>[0-5]?\d|6[0-1]))(?=\b|\W|$))"},
      {"^%Y %b %d", "^Year MON Day",
       R"((?iu)^((?P<Y>\d{4}) (?P<b>jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec) (?P<d>[1-2]\d|[0 ]?[1-9]|3[0-1]))(?=\b|\W|$))"},
      {"(?iu)**time:%H**", "(?iu)**time:24hour**", R"((?iu)(time:(?P<H>[0-1]?\d|2[0-3])))"},
      {R"(\**%H:%M\**)", R"(\**24hour:Minute\**)",
       R"((?=^|\b|\W)(\**(?P<H>[0-1]?\d|2[0-3]):(?P<M>[0-5]?\d)\**)(?=\b|\W|$))"},
      {"{UNB}%H:%M:%S", "24hour:Minute:Second",
       R"(((?P<H>[0-1]?\d|2[0-3]):(?P<M>[0-5]?\d):(?P<S>[0-5]?\d|6[0-1])))"},
      {"%H:%M:%S%%", "24hour:Minute:Second%",
       R"((?=^|\b|\W)((?P<H>[0-1]?\d|2[0-3]):(?P<M>[0-5]?\d):(?P<S>[0-5]?\d|6[0-1])%)(?=\b|\W|$))"},
  };
  for (const Case& c : cases) {
    auto detector = DateDetector::Create(c.pattern, clock_);
    ASSERT_TRUE(detector) << c.pattern << ": " << detector.error().message;
    auto templates = detector->Templates();
    ASSERT_EQ(templates.size(), 1u) << c.pattern;
    EXPECT_EQ(templates[0].name, c.name) << c.pattern;
    EXPECT_EQ(templates[0].regex, c.regex) << c.pattern;
    EXPECT_EQ(detector->Description(), c.name) << c.pattern;
  }
}

TEST_F(DateDetectorTest, DescribesOneOrTwoTemplatesByTheFirstNameElseAsDefaultDetectors) {
  EXPECT_EQ(Detector("{^LN-BEG}").Description(), "Default Detectors");
  EXPECT_EQ(Detector("{DEFAULT}").Description(), "Default Detectors");
  EXPECT_EQ(Detector("^%Y-%m-%d %H:%M:%S").Description(), "^Year-Month-Day 24hour:Minute:Second");
  EXPECT_EQ(Detector("^%b %d, %ExY %I:%M:%S %p\n^WARNING:()**").Description(),
            "^MON Day, ExYear 12hour:Minute:Second AMPM");
  EXPECT_EQ(Detector("EPOCH\nTAI64N\n{NONE}").Description(), "Default Detectors");
  EXPECT_EQ(Detector("  \n").Description(), "Default Detectors");
}

TEST_F(DateDetectorTest, ReadsOneTemplatePerLineOfAMultiLineDatepattern) {
  DateDetector detector = Detector("{^LN-BEG}%b-%d-%Exy %H:%M:%S\n\n  {^LN-BEG}  \n");
  auto templates = detector.Templates();
  ASSERT_EQ(templates.size(), 18u);
  EXPECT_EQ(templates[0].name, "{^LN-BEG}MON-Day-ExYear2 24hour:Minute:Second");
  EXPECT_EQ(templates[1].name.substr(0, 18), "{^LN-BEG}ExYear(?P");
  EXPECT_EQ(templates[0].weight, 1.0);
  EXPECT_EQ(templates[1].weight, 100.0);
}

TEST_F(DateDetectorTest, SubstitutesEachDefaultTemplateForDATE) {
  DateDetector detector = Detector(R"(^<\d+>\d+\s+{DATE})");
  auto templates = detector.Templates();
  ASSERT_EQ(templates.size(), 17u);
  EXPECT_EQ(templates[7].name, R"(^<\d+>\d+\s+Epoch)");  // EPOCH's name, read as plain text
  EXPECT_EQ(templates[9].name, R"(^<\d+>\d+\s+^<Month/Day/ExYear2@24hour:Minute:Second>)");
  EXPECT_EQ(templates[16].regex, R"(^(<\d+>\d+\s+TAI64N)(?=\b|\W|$))");
  EXPECT_EQ(Cut(detector, "<30>1 2005-08-14 12:00:00 host x"), "<30>1 2005-08-14 12:00:00");

  DateDetector at_start = Detector("^{DATE}");
  auto names = at_start.Templates();
  ASSERT_EQ(names.size(), 17u);
  EXPECT_EQ(names[7].name, "{^LN-BEG}Epoch");
  EXPECT_EQ(names[8].name, "^24hour:Minute:Second");
}

TEST_F(DateDetectorTest, MatchesNothingButAnEmptyDateForNONE) {
  DateDetector detector = Detector("{NONE}");
  auto m = detector.Match("Aug 14 12:00:00 something");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->begin, 0u);
  EXPECT_EQ(m->end, 0u);
  EXPECT_FALSE(m->time);
}

TEST_F(DateDetectorTest, ReadsAsspDatesWithTwoDigitYears) {
  DateDetector detector = Detector("^%b-%d-%Exy %k:%M:%S");
  auto m = detector.Match("Apr-27-13 02:25:09 Blocking 217.194.197.97 - too much AUTH errors (8);");
  ASSERT_TRUE(m && m->time);
  EXPECT_EQ(m->end, 18u);
  EXPECT_EQ(*m->time, Local(2013, 4, 27, 2, 25, 9));
}

TEST_F(DateDetectorTest, LeavesTheTimeUnsetWhenTheMatchDoesNotConvert) {
  DateDetector detector = Detector();
  for (const char* line : {"XYZ Aug 14 12:00:00 unknown zone (fail2ban: KeyError)", "Feb 29 12:00:00 no such day",
                           "Aug 14 29:00:00 no such hour"}) {
    auto m = detector.Match(line);
    ASSERT_TRUE(m) << line;
    EXPECT_GT(m->end, m->begin) << line;
    EXPECT_FALSE(m->time) << line;
  }
}

TEST_F(DateDetectorTest, RejectsABadDatepatternWithFail2bansMessage) {
  struct Case {
    const char* pattern;
    const char* message;
  };
  const Case cases[] = {
      {"%q", "Failed to set datepattern '%q' (may be an invalid format or unescaped percent char): "
             "unsupported format character 'q' (0x71) at index 1"},
      {"{^LN-BEG}%Y-%m-%d %", "Failed to set datepattern '%Y-%m-%d %' (may be an invalid format or unescaped "
                              "percent char): incomplete format"},
      {"%Y %q", "Failed to set datepattern '%Y %q' (may be an invalid format or unescaped percent char): "
                "not enough arguments for format string"},
      {"% d", "Failed to set datepattern '% d' (may be an invalid format or unescaped percent char): "
              "%d format: a real number is required, not dict"},
      {"EPOCH\nepoch", "There is already a template with name Epoch"},
      {"{^LN-BEG}\n{^LN-BEG}Epoch", "There is already a template with name {^LN-BEG}Epoch"},
  };
  for (const Case& c : cases) {
    auto detector = DateDetector::Create(c.pattern, clock_);
    ASSERT_FALSE(detector) << c.pattern;
    EXPECT_EQ(detector.error().message, c.message);
  }
}

TEST_F(DateDetectorTest, RejectsAPatternWhoseRegexDoesNotCompile) {
  // fail2ban compiles on first use and logs "Compile ... failed"; we refuse up front.
  // "%k..." first loses the optional space of %k to strip(), leaving "?(?P<H>...".
  for (const char* pattern : {"(%ExY%Exm%Exd", "%k:%M:%S", "%H %H"}) {
    auto detector = DateDetector::Create(pattern, clock_);
    ASSERT_FALSE(detector) << pattern;
    EXPECT_TRUE(detector.error().message.starts_with("Failed to set datepattern '" + std::string(pattern) +
                                                     "' (may be an invalid format or unescaped percent char): "))
        << detector.error().message;
  }
}

TEST_F(DateDetectorTest, SkipsDuplicateDefaultsAddedAfterOtherTemplates) {
  DateDetector detector = Detector("^EPOCH\n{^LN-BEG}");
  auto templates = detector.Templates();
  ASSERT_EQ(templates.size(), 17u);
  EXPECT_EQ(templates[0].name, "{^LN-BEG}Epoch");
  EXPECT_EQ(templates[0].weight, 1.0);  // "^EPOCH" is not the cached default copy
}

}  // namespace
}  // namespace portcullis::date
