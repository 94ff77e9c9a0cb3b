#include "portcullis/tester/out_format.h"

#include <gtest/gtest.h>

namespace portcullis::tester {
namespace {

const char kLine[] = "Dec 31 11:59:59 [sshd] error: PAM: Authentication failure for kevin from 192.0.2.0";

filter::Failure UserFailure() {
  filter::Failure f;
  f.id = IpAddr::Parse("192.0.2.0");
  f.time = 1104490799.0;
  f.data.Set("user", std::string("kevin"));
  f.data.Set("ip4", std::string("192.0.2.0"));
  f.data.Set("ip6", std::monostate{});
  f.data.Set("matches", filter::Lines{{"", "Dec 31 11:59:59", std::string(kLine).substr(15)}});
  return f;
}

std::string Print(const std::string& format, const std::vector<filter::Failure>& failures) {
  std::vector<const filter::Failure*> ptrs;
  for (const auto& f : failures) ptrs.push_back(&f);
  std::string out;
  OutFormat(format).Print(ptrs, 1700000000.5, out);
  return out;
}

TEST(OutFormatTest, PrintsTheNamedFields) {
  std::vector<filter::Failure> f{UserFailure()};
  EXPECT_EQ(Print("id", f), "192.0.2.0\n");
  EXPECT_EQ(Print("ip", f), "192.0.2.0\n");
  EXPECT_EQ(Print("msg", f), std::string(kLine) + "\n");
  EXPECT_EQ(Print("user", f), "kevin\n");
  EXPECT_EQ(Print("dns", f), "None\n");
  EXPECT_EQ(Print("ip6", f), "None\n");
  EXPECT_EQ(Print("row", f),
            "['192.0.2.0',\t1104490799.0,\t{'user': 'kevin', 'ip4': '192.0.2.0', 'ip6': None}],\n");
}

TEST(OutFormatTest, SubstitutesTemplateTags) {
  std::vector<filter::Failure> f{UserFailure()};
  EXPECT_EQ(Print("<ip>, <F-USER>, <family>", f), "192.0.2.0, kevin, inet4\n");
  EXPECT_EQ(Print("<ip-rev>|<time>|<failures>|<unknown>|<F-MISSING>|<F-IP6>|a<sp>b", f),
            "0.2.0.192.|1104490799.0|0|<unknown>|||a b\n");
  filter::Failure dateless = UserFailure();
  dateless.time.reset();
  EXPECT_EQ(Print("<time>", {dateless}), "1700000000.5\n");
}

TEST(OutFormatTest, IdDiffersFromAddress) {
  filter::Failure f;
  f.id = IpAddr::Raw("[192.0.2.4]:12345");
  f.data.Set("fid", std::string("[192.0.2.4]:12345"));
  f.data.Set("ip", std::string("192.0.2.4"));
  EXPECT_EQ(Print("ip", {f}), "192.0.2.4\n");
  EXPECT_EQ(Print("ID:<fid> | IP:<ip>", {f}), "ID:[192.0.2.4]:12345 | IP:192.0.2.4\n");
}

TEST(OutFormatTest, WrapsMultiLineMessagesOnePerLine) {
  filter::Failure f = UserFailure();
  f.data.Set("matches", filter::Lines{{"", "", "first"}, {"", "", "second"}});
  filter::Failure single = UserFailure();
  // Once a failure wrapped, the following ones of the same line are deferred too.
  EXPECT_EQ(Print("<ip> <msg>", {f, single}),
            "192.0.2.0 first\n192.0.2.0 second\n192.0.2.0 " + std::string(kLine) + "\n");
  EXPECT_EQ(Print("<ip> <msg>", {single, f}),
            "192.0.2.0 " + std::string(kLine) + "\n192.0.2.0 first\n192.0.2.0 second\n");
}

}  // namespace
}  // namespace portcullis::tester
