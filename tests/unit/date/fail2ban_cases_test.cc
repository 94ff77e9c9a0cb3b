// The expectations of fail2ban 1.0.2's tests/datedetectortestcase.py, as tables.

#include <gtest/gtest.h>

#include <string>
#include <variant>

#include "date_test_fixture.h"

namespace portcullis::date {
namespace {

using Fail2banDateCases = DateTest;

// What the date of a line should be: nothing, the cut text, or the time.
using Expect = std::variant<std::monostate, std::string, double>;

void ExpectDate(DateDetector& detector, const std::string& line, const Expect& expected, const std::string& what) {
  auto m = detector.Match(line);
  if (std::holds_alternative<std::monostate>(expected)) {
    EXPECT_TRUE(!m || !m->time) << what << ": found " << (m ? line.substr(m->begin, m->end - m->begin) : "");
    return;
  }
  ASSERT_TRUE(m && m->time) << what;
  if (auto* text = std::get_if<std::string>(&expected))
    EXPECT_EQ(line.substr(m->begin, m->end - m->begin), *text) << what;
  else
    EXPECT_EQ(*m->time, std::get<double>(expected)) << what;
}

TEST_F(Fail2banDateCases, VariousTimesAreFoundWithTheRightBoundaries) {
  // testVariousTimes: anchored formats must not match after "bogus-prefix ", and no
  // format matches glued to a word ("word-boundary").
  struct Case {
    bool anchored;
    bool bound;
    const char* date;
    const char* cut;  // nullptr: the date itself
  };
  const Case cases[] = {
      {false, true, "Jan 23 21:59:59", nullptr},
      {false, false, "Sun Jan 23 21:59:59 2005", nullptr},
      {false, false, "Sun Jan 23 21:59:59", nullptr},
      {false, false, "Sun Jan 23 2005 21:59:59", nullptr},
      {false, true, "2005/01/23 21:59:59", nullptr},
      {false, true, "2005.01.23 21:59:59", nullptr},
      {false, true, "23/01/2005 21:59:59", nullptr},
      {false, true, "23/01/05 21:59:59", nullptr},
      {false, true, "23/Jan/2005:21:59:59", nullptr},
      {false, true, "23/Jan/2005:21:59:59 +0100", nullptr},
      {false, true, "01/23/2005:21:59:59", nullptr},
      {false, true, "2005-01-23 21:59:59", nullptr},
      {false, true, "2005-01-23 21:59:59,000", nullptr},
      {false, true, "23-Jan-2005 21:59:59", nullptr},
      {false, true, "23-Jan-2005 21:59:59.02", nullptr},
      {false, true, "23-Jan-2005 21:59:59 +0100", nullptr},
      {false, true, "23-01-2005 21:59:59", nullptr},
      {true, true, "1106513999", nullptr},
      {false, true, "01-23-2005 21:59:59.252", nullptr},
      {false, false, "@4000000041f4104f00000000", nullptr},
      {false, true, "2005-01-23T20:59:59.252Z", nullptr},
      {false, true, "2005-01-23T15:59:59-05:00", nullptr},
      {false, true, "2005-01-23 21:59:59", nullptr},
      {false, true, "20050123T215959", nullptr},
      {false, true, "20050123 215959", nullptr},
      {true, true, "<01/23/05@21:59:59>", nullptr},
      {false, true, "050123 21:59:59", nullptr},
      {true, true, "Jan-23-05 21:59:59", nullptr},
      {false, true, "Jan 23, 2005 9:59:59 PM", nullptr},
      {true, true, "1106513999.000", nullptr},
      {true, true, "[1106513999.000]", "1106513999.000"},
      {false, true, "audit(1106513999.000:987)", "1106513999.000"},
  };
  DateDetector detector = Detector();
  for (const Case& c : cases) {
    const std::string cut = c.cut ? c.cut : c.date;
    for (const auto& [should_match, prefix] : {std::pair{true, ""}, std::pair{!c.anchored, "bogus-prefix "},
                                               std::pair{false, "word-boundary"}}) {
      if (!c.bound && std::string_view(prefix) == "word-boundary") continue;
      const std::string line = std::string(prefix) + c.date + "[sshd] error: PAM: Authentication failure";
      for (int twice = 0; twice < 2; ++twice) {  // fail2ban checks getTime and matchTime+getTime
        auto m = detector.Match(line);
        if (!should_match) {
          EXPECT_TRUE(!m || !m->time) << line;
          continue;
        }
        ASSERT_TRUE(m && m->time) << line;
        EXPECT_EQ(*m->time, 1106513999.0) << line;
        EXPECT_EQ(line.substr(m->begin, m->end - m->begin), cut) << line;
      }
    }
  }
  EXPECT_FALSE(detector.Match("no date line[sshd] error: PAM: Authentication failure"));
}

TEST_F(Fail2banDateCases, AmbiguousDatePatternsResolveAsInFail2ban) {
  // CustomDateFormatsTest.testAmbiguousDatePattern; nullptr pattern = one shared default detector.
  struct Case {
    Expect expected;
    const char* pattern;
    const char* line;
  };
  const Case cases[] = {
      {"Jan 23 21:59:59", nullptr, "Test failure Jan 23 21:59:59 for 192.0.2.1"},
      {{}, nullptr, "Test failure TestJan 23 21:59:59.011 2015 for 192.0.2.1"},
      {{}, nullptr, "Test failure Jan 23 21:59:59123456789 for 192.0.2.1"},
      {"Aug 8 11:25:50", nullptr, "Aug 8 11:25:50 20030f2329b8 Authentication failed from 192.0.2.1"},
      {"Aug 8 11:25:50", nullptr, "[Aug 8 11:25:50] 20030f2329b8 Authentication failed from 192.0.2.1"},
      {"Aug 8 11:25:50 2014", nullptr, "Aug 8 11:25:50 2014 20030f2329b8 Authentication failed from 192.0.2.1"},
      {"20:00:00 01.02.2003", R"(%H:%M:%S %d.%m.%Y$)", "192.0.2.1 at 20:00:00 01.02.2003"},
      {"[20:00:00 01.02.2003]", R"(\[%H:%M:%S %d.%m.%Y\])", "192.0.2.1[20:00:00 01.02.2003]"},
      {"[20:00:00 01.02.2003]", R"(\[%H:%M:%S %d.%m.%Y\])", "[20:00:00 01.02.2003]192.0.2.1"},
      {"[20:00:00 01.02.2003]", R"(\[%H:%M:%S %d.%m.%Y\]$)", "192.0.2.1[20:00:00 01.02.2003]"},
      {"[20:00:00 01.02.2003]", R"(^\[%H:%M:%S %d.%m.%Y\])", "[20:00:00 01.02.2003]192.0.2.1"},
      {"[17/Jun/2011 17:00:45]", R"(^\[%d/%b/%Y %H:%M:%S\])", "[17/Jun/2011 17:00:45] Attempt, IP address 192.0.2.1"},
      {"[17/Jun/2011 17:00:45]", R"(\[%d/%b/%Y %H:%M:%S\])", "Attempt [17/Jun/2011 17:00:45] IP address 192.0.2.1"},
      {"[17/Jun/2011 17:00:45]", R"(\[%d/%b/%Y %H:%M:%S\])",
       "Attempt IP address 192.0.2.1, date: [17/Jun/2011 17:00:45]"},
      {{}, "%H:%M:%S %d.%m.%Y", "192.0.2.1x20:00:00 01.02.2003"},
      {{}, "%H:%M:%S %d.%m.%Y", "20:00:00 01.02.2003x192.0.2.1"},
      {"20:00:00 01.02.2003", "**%H:%M:%S %d.%m.%Y**", "192.0.2.1x20:00:00 01.02.2003"},
      {"20:00:00 01.02.2003", "**%H:%M:%S %d.%m.%Y**", "20:00:00 01.02.2003x192.0.2.1"},
      {"*20:00:00 01.02.2003*", R"(\**%H:%M:%S %d.%m.%Y\**)", "test*20:00:00 01.02.2003*test"},
      {"20:00:00 01.02.2003", "%H:%M:%S %d.%m.%Y", "192.0.2.1 20:00:00 01.02.2003"},
      {"20:00:00 01.02.2003", "%H:%M:%S %d.%m.%Y", "20:00:00 01.02.2003 192.0.2.1"},
      {{}, "%Y-%Exm-%Exd %ExH:%ExM:%ExS", "0000-12-30 00:00:00 - 2003-12-30 00:00:00"},
      {"2003-12-30 00:00:00", "%ExY-%Exm-%Exd %ExH:%ExM:%ExS", "0000-12-30 00:00:00 - 2003-12-30 00:00:00"},
      {"2003-12-30 00:00:00", nullptr, "0000-12-30 00:00:00 - 2003-12-30 00:00:00"},
      {"200333 010203", "%Y%m%d %H%M%S", "text:200333 010203 | date:20031230 010203"},
      {"20031230 010203", "%ExY%Exm%Exd %ExH%ExM%ExS", "text:200333 010203 | date:20031230 010203"},
      {"20031230 010203", nullptr, "text:200333 010203 | date:20031230 010203"},
      {"20030101 000000", "%ExY%Exm%Exd %ExH%ExM%ExS", "00001230 010203 - 20030101 000000"},
      {{}, "{^LN-BEG}%ExY%Exm%Exd %ExH%ExM%ExS", "00001230 010203 - 20030101 000000"},
      {"20031230 010203", "{^LN-BEG}%ExY%Exm%Exd %ExH%ExM%ExS", "20031230 010203 - 20030101 000000"},
      {"20031230010203", "{^LN-BEG}%ExY%Exm%Exd%ExH%ExM%ExS**", "2003123001020320030101000000"},
      {"20031230010203", "{^LN-BEG}%ExY%Exm%Exd%ExH%ExM%ExS**", "#2003123001020320030101000000"},
      {"20031230010203", "{^LN-BEG}%ExY%Exm%Exd%ExH%ExM%ExS**", "##2003123001020320030101000000"},
      {"20031230010203", "{^LN-BEG}%ExY%Exm%Exd%ExH%ExM%ExS", "[20031230010203]20030101000000"},
      {1072746123.0 - 3600, "{^LN-BEG}%ExY-%Exm-%Exd %ExH:%ExM:%ExS(?: %z)?", "[2003-12-30 01:02:03] server ..."},
      {1072746123.0 - 3600, "{^LN-BEG}%ExY-%Exm-%Exd %ExH:%ExM:%ExS(?: %Z)?", "[2003-12-30 01:02:03] server ..."},
      {1072746123.0, "{^LN-BEG}%ExY-%Exm-%Exd %ExH:%ExM:%ExS(?: %z)?", "[2003-12-30 01:02:03 UTC] server ..."},
      {1072746123.0, "{^LN-BEG}%ExY-%Exm-%Exd %ExH:%ExM:%ExS(?: %Z)?", "[2003-12-30 01:02:03 UTC] server ..."},
      {1072746123.0, "{^LN-BEG}%ExY-%Exm-%Exd %ExH:%ExM:%ExS(?: %z)?", "[2003-12-30 01:02:03 Z] server ..."},
      {1072746123.0, "{^LN-BEG}%ExY-%Exm-%Exd %ExH:%ExM:%ExS(?: %z)?", "[2003-12-30 01:02:03 +0000] server ..."},
      {1072746123.0, "{^LN-BEG}%ExY-%Exm-%Exd %ExH:%ExM:%ExS(?: %Z)?", "[2003-12-30 01:02:03 Z] server ..."},
  };
  DateDetector defaults = Detector();
  for (const Case& c : cases) {
    if (c.pattern == nullptr) {
      ExpectDate(defaults, c.line, c.expected, c.line);
      continue;
    }
    DateDetector detector = Detector(c.pattern);
    ExpectDate(detector, c.line, c.expected, std::string(c.pattern) + " on " + c.line);
  }
}

TEST_F(Fail2banDateCases, FormatSpecsConvertAsInFail2ban) {
  // testVariousFormatSpecs
  struct Case {
    double expected;
    const char* pattern;
    const char* line;
  };
  const Case cases[] = {
      {1106438399.0, "^%B %Exd %I:%ExM:%ExS**", "January 23 12:59:59"},
      {985208399.0, "^%y %U %A %ExH:%ExM:%ExS**", "01 11 Wednesday 21:59:59"},
      {984603599.0, "^%y %W %A %ExH:%ExM:%ExS**", "01 11 Wednesday 21:59:59"},
      {984949199.0, "^%y %W %w %ExH:%ExM:%ExS**", "01 11 0 21:59:59"},
      {984862799.0, "^%y %W %w %ExH:%ExM:%ExS**", "01 11 6 21:59:59"},
      {1123963199.0, "^%ExH:%ExM:%ExS**", "21:59:59"},
      {1123970401.0, "^%ExH:%ExM:%ExS**", "00:00:01"},
      {1094068799.0, "^%m/%d %ExH:%ExM:%ExS**", "09/01 21:59:59"},
      {1093989600.0, "^%Y-%m-%d**", "2004-09-01"},
      {1093996800.0, "^%Y-%m-%d%z**", "2004-09-01Z"},
  };
  for (const Case& c : cases) {
    DateDetector detector = Detector(c.pattern);
    ExpectDate(detector, c.line, c.expected, std::string(c.pattern) + " on " + c.line);
  }
}

TEST_F(Fail2banDateCases, ANotAnchoredTemplateFollowsItsDateAcrossShiftingBoundaries) {
  // testNotAnchoredCollision
  const char* times[] = {"00:01:02", "00:01:2", "00:1:2", "0:1:2", "00:1:2", "00:01:2", "00:01:02", "0:1:2", "00:01:02"};
  for (const char* pattern : {"%H:%M:%S", "{UNB}%H:%M:%S"}) {
    DateDetector detector = Detector(pattern);
    for (int layout = 0; layout < 4; ++layout) {
      for (std::string dt : times) {
        std::string padded = std::string(dt.size() < 8 ? 8 - dt.size() : 0, ' ') + dt;
        std::string line = layout == 0   ? dt + " test"
                           : layout == 1 ? padded + " test"
                           : layout == 2 ? "test " + dt
                                         : "test " + padded;
        ExpectDate(detector, line, dt, std::string(pattern) + " on '" + line + "'");
        auto m = detector.Match(line);
        ASSERT_TRUE(m && m->time);
        EXPECT_EQ(*m->time, 1123970462.0) << line;
      }
    }
  }
}

TEST_F(Fail2banDateCases, AFullYearDateIsNotConfusedWithADayFirstDate) {
  // testFullYearMatch_gh130
  const double expected = Local(2012, 10, 11, 2, 37, 17);
  DateDetector detector = Detector();
  ExpectDate(detector, "2012/10/11 02:37:17 [error] 18434#0", "2012/10/11 02:37:17", "year first");
  for (int i = 0; i < 10; ++i) {
    ExpectDate(detector, "11/10/2012 02:37:17 [error] 18434#0", "11/10/2012 02:37:17", "day first");
    ExpectDate(detector, "11/10/2012 02:37:17 [error] 18434#0", expected, "day first");
  }
  ExpectDate(detector, "2012/10/11 02:37:17 [error] 18434#0", expected, "year first again");
}

TEST_F(Fail2banDateCases, TemplateBoundariesCaseAndStarsWorkAsInFail2ban) {
  // testDateTemplate
  struct Case {
    const char* pattern;
    const char* line;
    const char* cut;  // nullptr: no match
  };
  const Case cases[] = {
      {"^a{3,5}b?c*$", "aaaac", "aaaac"},
      {"(?iu)**time:%ExY%Exm%ExdT%ExH%ExM%ExS**", "XTIME:20050102T010203X", "TIME:20050102T010203"},
      {"(?iu)**time:%ExY%Exm%ExdT%ExH%ExM%ExS**", "TIME:20050102T010203", "TIME:20050102T010203"},
      {"(?iu)**time:%ExY%Exm%ExdT%ExH%ExM%ExS**", "TIME:50050102T010203", nullptr},
      {"{^LN-BEG}time:%ExY%Exm%ExdT%ExH%ExM%ExS", "Xtime:20050102T010203", nullptr},
      {"{^LN-BEG}time:%ExY%Exm%ExdT%ExH%ExM%ExS", "time:20050102T010203X", nullptr},
      {"{^LN-BEG}time:%ExY%Exm%ExdT%ExH%ExM%ExS", "##time:20050102T010203...", "time:20050102T010203"},
      {"{^LN-BEG}time:%ExY%Exm%ExdT%ExH%ExM%ExS", "time:20050102T010203", "time:20050102T010203"},
      {"{^LN-BEG}time:%ExY%Exm%ExdT%ExH%ExM%ExS", "TIME:20050102T010203", nullptr},
      {"^%Y %b %d", "2005 jun 03", "2005 jun 03"},
      {"^%Y %b %d", "2005 Jun 03", "2005 Jun 03"},
      {"^%Y %b %d", "2005 JUN 03", "2005 JUN 03"},
  };
  for (const Case& c : cases) {
    DateDetector detector = Detector(c.pattern);
    EXPECT_EQ(Cut(detector, c.line), c.cut ? c.cut : "<none>") << c.pattern << " on " << c.line;
  }
  EXPECT_EQ(Detector("^a{3,5}b?c*$").Templates()[0].regex, "^(a{3,5}b?c*)$");
}

TEST_F(Fail2banDateCases, Iso8601DatesConvertWithTheirOffsets) {
  // CustomDateFormatsTest.testIso8601
  struct Case {
    const char* line;
    Expect expected;
  };
  const Case cases[] = {
      {"2007-01-25T12:00:00Z", Utc(2007, 1, 25, 12)},
      {"", {}},
      {"Z", {}},
      {"2007-01-01T120:00:00Z", {}},
      {"2007-13-01T12:00:00Z", {}},
      {"2007-01-25T12:00:00+0400", Utc(2007, 1, 25, 8)},
      {"2007-01-25T12:00:00+04:00", Utc(2007, 1, 25, 8)},
      {"2007-01-25T12:00:00-0400", Utc(2007, 1, 25, 16)},
      {"2007-01-25T12:00:00-04", Utc(2007, 1, 25, 16)},
  };
  for (const Case& c : cases) {
    DateDetector detector = Detector(R"(%Y-%m-%d[T ]%H:%M:%S(?:\.%f)?%z)");
    ExpectDate(detector, c.line, c.expected, c.line);
  }
}

}  // namespace
}  // namespace portcullis::date
