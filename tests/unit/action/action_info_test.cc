#include "portcullis/action/action_info.h"

#include <gtest/gtest.h>

#include <ostream>
#include <string>

namespace portcullis::action {
namespace {

ban::Ticket SampleTicket(std::string_view ip) {
  ban::Ticket t;
  t.id = IpAddr::Parse(ip);
  t.time = 1124013600.5;
  t.matches = {"line 1", "line 2"};
  t.failures = 3;
  t.ban_count = 2;
  t.data.Set("user", std::string("root"));
  t.data.Set("fport", std::string("22"));
  return t;
}

struct TagCase {
  const char* ip;
  const char* tag;
  const char* value;
};

void PrintTo(const TagCase& c, std::ostream* os) { *os << '<' << c.tag << "> of " << c.ip; }

class GivesTicketTagsTheirPythonText : public ::testing::TestWithParam<TagCase> {};

TEST_P(GivesTicketTagsTheirPythonText, ForABan) {
  ActionInfo info = ActionInfo::FromTicket(SampleTicket(GetParam().ip), 600.9);
  const std::string* value = info.Find(GetParam().tag);
  ASSERT_NE(value, nullptr);
  EXPECT_EQ(*value, GetParam().value);
}

// Values of fail2ban 1.0.2's Actions.ActionInfo for the same ticket.
INSTANTIATE_TEST_SUITE_P(
    ActionInfoTest, GivesTicketTagsTheirPythonText,
    ::testing::Values(TagCase{"192.0.2.1", "ip", "192.0.2.1"}, TagCase{"192.0.2.1", "fid", "192.0.2.1"},
                      TagCase{"192.0.2.1", "family", "inet4"}, TagCase{"192.0.2.1", "ip-rev", "1.2.0.192."},
                      TagCase{"2001:db8::1", "family", "inet6"},
                      TagCase{"2001:db8::1", "ip-rev", "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2."},
                      TagCase{"example.com", "family", "None"}, TagCase{"example.com", "ip-rev", ""},
                      TagCase{"192.0.2.1", "failures", "3"}, TagCase{"192.0.2.1", "time", "1124013600.5"},
                      TagCase{"192.0.2.1", "bantime", "600"}, TagCase{"192.0.2.1", "bancount", "2"},
                      TagCase{"192.0.2.1", "matches", "line 1\nline 2"}, TagCase{"192.0.2.1", "restored", "0"}));

TEST(ActionInfoTest, TicketBantimeWinsOverTheJails) {
  ban::Ticket t = SampleTicket("192.0.2.1");
  t.bantime = -1;
  EXPECT_EQ(*ActionInfo::FromTicket(t, 600).Find("bantime"), "-1");
}

TEST(ActionInfoTest, DataTagsSeeTheTicketData) {
  ActionInfo info = ActionInfo::FromTicket(SampleTicket("192.0.2.1"), 600);
  EXPECT_EQ(*info.FindData("user"), "root");
  EXPECT_EQ(*info.FindData("fport"), "22");
  EXPECT_EQ(*info.FindData("failures"), "3");
  EXPECT_EQ(*info.FindData("matches"), "['line 1', 'line 2']");
  EXPECT_EQ(info.FindData("missing"), nullptr);
  EXPECT_TRUE(info.has_ticket());
}

TEST(ActionInfoTest, OperationsGetAnEmptyTicketAtNow) {
  ActionInfo info = ActionInfo::ForOperation(1124013600, "inet6", 600);
  EXPECT_EQ(*info.Find("ip"), "");
  EXPECT_EQ(*info.Find("time"), "1124013600.0");
  EXPECT_EQ(*info.Find("family"), "inet6");
  EXPECT_EQ(info.family(), "inet6");
  EXPECT_EQ(*info.Find("matches"), "");
}

TEST(ActionInfoTest, CallerAddsTagsNeedingTheDatabaseOrDns) {
  ActionInfo info = ActionInfo::FromTicket(SampleTicket("192.0.2.1"), 600);
  EXPECT_EQ(info.Find("ipjailmatches"), nullptr);
  info.Set("ipjailmatches", "a\nb");
  EXPECT_EQ(*info.Find("ipjailmatches"), "a\nb");
}

struct FloatCase {
  double value;
  const char* text;
};

void PrintTo(const FloatCase& c, std::ostream* os) { *os << c.text; }

class FormatsFloatsLikePythonStr : public ::testing::TestWithParam<FloatCase> {};

TEST_P(FormatsFloatsLikePythonStr, ForTicketTimes) { EXPECT_EQ(PyFloatStr(GetParam().value), GetParam().text); }

// repr() of the same floats in Python 3.
INSTANTIATE_TEST_SUITE_P(
    ActionInfoTest, FormatsFloatsLikePythonStr,
    ::testing::Values(FloatCase{1124013600.0, "1124013600.0"}, FloatCase{1.5, "1.5"}, FloatCase{1e16, "1e+16"},
                      FloatCase{1.5e15, "1500000000000000.0"}, FloatCase{123456789012.25, "123456789012.25"},
                      FloatCase{0.1, "0.1"}, FloatCase{1e-5, "1e-05"}, FloatCase{12.0000001, "12.0000001"},
                      FloatCase{0.0001, "0.0001"}, FloatCase{0.0, "0.0"}, FloatCase{-2.5, "-2.5"},
                      FloatCase{1124013600.123456, "1124013600.123456"},
                      FloatCase{9999999999999998.0, "9999999999999998.0"}, FloatCase{1.2345e-7, "1.2345e-07"},
                      FloatCase{1e22, "1e+22"}));

}  // namespace
}  // namespace portcullis::action
