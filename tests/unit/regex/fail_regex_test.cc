#include "portcullis/regex/fail_regex.h"

#include <gtest/gtest.h>

#include <ostream>
#include <string>

namespace portcullis::regex {
namespace {

// fail2ban 1.0.2's expansions, printed by Regex._resolveHostTag.
constexpr const char* kIp4 = R"((?:::f{4,6}:)?(?P<ip4>(?:\d{1,3}\.){3}\d{1,3}))";
constexpr const char* kIp6 = R"((?P<ip6>(?:[0-9a-fA-F]{1,4}::?|::){1,7}(?:[0-9a-fA-F]{1,4}|(?<=:):)))";
constexpr const char* kDns = R"((?P<dns>[\w\-.^_]*\w))";
const std::string kAddr = std::string(R"(\[?(?:)") + kIp4 + "|" + kIp6 + R"()\]?)";

struct ExpandCase {
  std::string regex;
  std::string expanded;
  bool usedns_no = false;
};

void PrintTo(const ExpandCase& c, std::ostream* os) { *os << c.regex; }

class ExpandsTagsLikeFail2ban : public ::testing::TestWithParam<ExpandCase> {};

TEST_P(ExpandsTagsLikeFail2ban, ToTheSamePythonText) {
  const ExpandCase& c = GetParam();
  EXPECT_EQ(ExpandTags(c.regex, {.usedns_no = c.usedns_no}), c.expanded);
}

INSTANTIATE_TEST_SUITE_P(
    FailRegexTest, ExpandsTagsLikeFail2ban,
    ::testing::Values(
        ExpandCase{"<IP4>", kIp4}, ExpandCase{"<F-IP4/>", kIp4},
        ExpandCase{"<IP6>", kIp6}, ExpandCase{"<F-IP6/>", kIp6},
        ExpandCase{"<DNS>", kDns}, ExpandCase{"<F-DNS/>", kDns},
        ExpandCase{"<ADDR>", kAddr}, ExpandCase{"<F-ADDR/>", kAddr},
        ExpandCase{"<HOST>", "(?:" + kAddr + "|" + kDns + ")"},
        ExpandCase{"<HOST>", kAddr, true},
        ExpandCase{"<CIDR>", R"((?P<cidr>\d+))"}, ExpandCase{"<F-CIDR/>", R"((?P<cidr>\d+))"},
        ExpandCase{"<SUBNET>", std::string(R"(\[?(?:)") + kIp4 + "|" + kIp6 + R"()(?:/(?P<cidr>\d+))?\]?)"},
        ExpandCase{"<F-ID/>", R"((?P<fid>\S+))"},
        ExpandCase{"<F-PORT/>", R"((?P<fport>\w+))"},
        ExpandCase{"a<SKIPLINES>b<SKIPLINES>",
                   R"(a\n(?P<skiplines0>(?:(?:.*\n)*?))b\n(?P<skiplines1>(?:(?:.*\n)*?)))"},
        // Custom tags: upper-case names only, lower-cased groups, id/port mapped.
        ExpandCase{"<F-USER>\\S+</F-USER>", "(?P<user>\\S+)"},
        ExpandCase{"<F-ID>.*?</F-ID>", "(?P<fid>.*?)"},
        ExpandCase{"<F-PORT>\\d+</F-PORT>", "(?P<fport>\\d+)"},
        ExpandCase{"<F-ALT_USER1>x</F-ALT_USER1>", "(?P<alt_user1>x)"},
        ExpandCase{"x</F-USER>", "x</F-USER>"},
        ExpandCase{"<F-USER/>", "<F-USER/>"},
        ExpandCase{"<f-user>x</f-user>", "<f-user>x</f-user>"},
        ExpandCase{"<F-USER>a</F-USER>b</F-USER>", "(?P<user>a)b)"},
        // Unknown tags stay literal text.
        ExpandCase{"<FOO> <mdre-normal> <<HOST>", "<FOO> <mdre-normal> <(?:" + kAddr + "|" + kDns + ")"},
        // Global flags in a group become scoped flags.
        ExpandCase{"SASL ((?i)LOGIN|PLAIN)", "SASL (?i:LOGIN|PLAIN)"},
        ExpandCase{"(?:(?i)x)y", "(?i:x)y"},
        ExpandCase{R"(\((?i)x))", R"(\((?i)x))"},
        ExpandCase{"(?i)x", "(?i)x"}));

TEST(FailRegexTest, RejectsABlankRegex) {
  for (const char* blank : {"", "   ", "\t"}) {
    auto re = FailRegex::Compile(blank);
    ASSERT_FALSE(re);
    EXPECT_EQ(re.error().message, "Cannot add empty regex");
  }
}

TEST(FailRegexTest, NamesTheExpandedRegexWhenItDoesNotCompile) {
  auto re = FailRegex::Compile("(abc");
  ASSERT_FALSE(re);
  EXPECT_EQ(re.error().message,
            "Unable to compile regular expression '(abc':\n"
            "missing ), unterminated subpattern at position 0");
}

TEST(FailRegexTest, RejectsDuplicateGroupNamesAsPythonDoes) {
  auto re = FailRegex::Compile("<HOST> <HOST>");
  ASSERT_FALSE(re);
  EXPECT_NE(re.error().message.find("redefinition of group name 'ip4' as group 4; was group 1"),
            std::string::npos)
      << re.error().message;
}

// fail2banregextestcase testFrmtOutput: `$` before the buffer's final newline.
TEST(FailRegexTest, DollarMatchesBeforeTheFinalNewline) {
  auto re = FailRegex::Compile("Authentication failure for <F-ID>.*?</F-ID> from <ADDR>$");
  ASSERT_TRUE(re) << re.error().ToString();
  Match m;
  ASSERT_TRUE(re->regex().Search(
      "Dec 31 11:59:59 [sshd] error: PAM: Authentication failure for kevin from 192.0.2.0\n", m));
  EXPECT_EQ(m.Group(re->groups().fid), "kevin");
  EXPECT_EQ(m.Group(re->groups().ip4), "192.0.2.0");
}

// tests/files/logs/assp with the date cut out: `\(\d{,3}\)` must be a quantifier.
TEST(FailRegexTest, AsspRegexWithOpenRangeQuantifierMatches) {
  auto re = FailRegex::Compile(R"(^ Blocking <HOST> - too much AUTH errors \(\d{,3}\);$)");
  ASSERT_TRUE(re) << re.error().ToString();
  Match m;
  ASSERT_TRUE(re->regex().Search(" Blocking 217.194.197.97 - too much AUTH errors (8);\n", m));
  EXPECT_EQ(m.Group(re->groups().ip4), "217.194.197.97");
}

// sshd mode=aggressive relies on the conditional (?(cond_user)...).
TEST(FailRegexTest, SshdConditionalOnUserGroupMatches) {
  auto re = FailRegex::Compile(
      R"(^Failed publickey for invalid user <F-USER>(?P<cond_user>\S+)|(?:(?! from ).)*?</F-USER> from <HOST>(?: (?:port \d+|on \S+)){0,2}(?: ssh\d*)?(?(cond_user): |(?:(?:(?! from ).)*)$))");
  ASSERT_TRUE(re) << re.error().ToString();
  Match m;
  ASSERT_TRUE(re->regex().Search(
      "Failed publickey for invalid user graysky from 127.0.0.1 port 37954 ssh2: RSA SHA256:v3\n", m));
  EXPECT_EQ(m.Group(re->groups().user), "graysky");
  EXPECT_EQ(m.Group(re->groups().ip4), "127.0.0.1");
}

TEST(FailRegexTest, UsednsNoMakesHostRejectNames) {
  auto with_dns = FailRegex::Compile("^from <HOST>$");
  auto no_dns = FailRegex::Compile("^from <HOST>$", {}, {.usedns_no = true});
  ASSERT_TRUE(with_dns && no_dns);
  Match m;
  EXPECT_TRUE(with_dns->regex().Search("from example.com\n", m));
  EXPECT_FALSE(no_dns->regex().Search("from example.com\n", m));
  EXPECT_TRUE(no_dns->regex().Search("from ::ffff:192.0.2.7\n", m));
  EXPECT_EQ(m.Group(no_dns->groups().ip4), "192.0.2.7");
}

TEST(FailRegexTest, FailureIdAndPortInsideACustomIdTag) {
  auto re = FailRegex::Compile(R"(^<F-ID><ADDR>:<F-PORT/></F-ID>)");
  ASSERT_TRUE(re) << re.error().ToString();
  Match m;
  ASSERT_TRUE(re->regex().Search("[192.0.2.4]:12345 right\n", m));
  EXPECT_EQ(m.Group(re->groups().fid), "[192.0.2.4]:12345");
  EXPECT_EQ(m.Group(re->groups().ip4), "192.0.2.4");
  EXPECT_EQ(m.Group(re->groups().fport), "12345");
}

TEST(FailRegexTest, MapsEveryMeaningfulGroup) {
  auto re = FailRegex::Compile(
      "^<F-MLFID>m</F-MLFID><F-NOFAIL>n</F-NOFAIL><F-MLFFORGET>f</F-MLFFORGET>"
      "<F-MLFGAINED>g</F-MLFGAINED><F-USER>u</F-USER><F-CONTENT>.+</F-CONTENT><SUBNET>"
      "<SKIPLINES><SKIPLINES><F-PORT/><DNS>",
      {.multiline = true});
  ASSERT_TRUE(re) << re.error().ToString();
  const GroupMap& g = re->groups();
  const Regex& r = re->regex();
  EXPECT_EQ(g.mlfid, r.GroupIndex("mlfid"));
  EXPECT_EQ(g.nofail, r.GroupIndex("nofail"));
  EXPECT_EQ(g.mlfforget, r.GroupIndex("mlfforget"));
  EXPECT_EQ(g.mlfgained, r.GroupIndex("mlfgained"));
  EXPECT_EQ(g.user, r.GroupIndex("user"));
  EXPECT_EQ(g.content, r.GroupIndex("content"));
  EXPECT_EQ(g.ip4, r.GroupIndex("ip4"));
  EXPECT_EQ(g.ip6, r.GroupIndex("ip6"));
  EXPECT_EQ(g.cidr, r.GroupIndex("cidr"));
  EXPECT_EQ(g.fport, r.GroupIndex("fport"));
  EXPECT_EQ(g.dns, r.GroupIndex("dns"));
  EXPECT_EQ(g.fid, -1);
  EXPECT_EQ(g.skiplines, (std::vector<int>{r.GroupIndex("skiplines0"), r.GroupIndex("skiplines1")}));
  EXPECT_EQ(g.named, r.NamedGroups());
  EXPECT_TRUE(re->HasFailureIdGroup());
  EXPECT_TRUE(g.alt.empty());
  EXPECT_TRUE(g.tuple.empty());
}

TEST(FailRegexTest, AltGroupsTargetTheirNameWithoutTheNumberSuffix) {
  auto re = FailRegex::Compile(
      "<F-USER>a</F-USER>|<F-ALT_USER>b</F-ALT_USER>|<F-ALT_USER_2>c</F-ALT_USER_2>|"
      "<F-ALT_USER1>d</F-ALT_USER1>|<F-ALT_ID>e</F-ALT_ID>");
  ASSERT_TRUE(re) << re.error().ToString();
  const Regex& r = re->regex();
  const std::vector<std::pair<int, std::string>> alt = {{r.GroupIndex("alt_id"), "fid"},
                                                        {r.GroupIndex("alt_user"), "user"},
                                                        {r.GroupIndex("alt_user1"), "user1"},
                                                        {r.GroupIndex("alt_user_2"), "user"}};
  EXPECT_EQ(re->groups().alt, alt);
  EXPECT_FALSE(re->HasFailureIdGroup());
}

// fail2banregextestcase testFrmtOutput's tuple regex.
TEST(FailRegexTest, TupleGroupsAreSortedByGroupName) {
  auto re = FailRegex::Compile(
      R"(^\s*<F-TUPLE_ID_1>\S+</F-TUPLE_ID_1> <F-ID><ADDR>:<F-PORT/></F-ID> <F-TUPLE_ID_2>\S+</F-TUPLE_ID_2>)");
  ASSERT_TRUE(re) << re.error().ToString();
  const Regex& r = re->regex();
  const std::vector<std::pair<int, std::string>> tuple = {{r.GroupIndex("tuple_id_1"), "fid"},
                                                          {r.GroupIndex("tuple_id_2"), "fid"}};
  EXPECT_EQ(re->groups().tuple, tuple);
  Match m;
  ASSERT_TRUE(r.Search(" left [192.0.2.4]:12345 right\n", m));
  EXPECT_EQ(m.Group(re->groups().tuple[0].first), "left");
  EXPECT_EQ(m.Group(re->groups().fid), "[192.0.2.4]:12345");
  EXPECT_EQ(m.Group(re->groups().tuple[1].first), "right");
}

TEST(FailRegexTest, KeepsTheSourceAsWritten) {
  auto re = FailRegex::Compile("^<HOST>$");
  ASSERT_TRUE(re);
  EXPECT_EQ(re->source(), "^<HOST>$");
  EXPECT_EQ(re->regex().pattern(), ExpandTags("^<HOST>$"));
}

}  // namespace
}  // namespace portcullis::regex
