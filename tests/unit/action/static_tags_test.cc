#include "portcullis/action/static_tags.h"

#include <gtest/gtest.h>

#include <ostream>
#include <string>

namespace portcullis::action {
namespace {

config::OptionMap IptablesLike() {
  config::OptionMap p;
  p.Set("actionban", "<iptables> -I f2b-<name> 1 -s <ip> -j <blocktype>");
  p.Set("iptables", "iptables <lockingopt>");
  p.Set("iptables?family=inet6", "ip6tables <lockingopt>");
  p.Set("lockingopt", "-w");
  p.Set("name", "sshd");
  p.Set("blocktype", "REJECT");
  p.Set("blocktype?family=inet6", "DROP");
  p.Set("matches", "x;y");
  p.Set("msg", "a<br>b<sp>c <matches> <fq-hostname> <unknown>");
  return p;
}

struct ReplaceCase {
  const char* query;
  const char* conditional;
  const char* expected;
};

void PrintTo(const ReplaceCase& c, std::ostream* os) { *os << c.query << " [" << c.conditional << "]"; }

class ReplacesOptionsLikeReplaceTag : public ::testing::TestWithParam<ReplaceCase> {};

TEST_P(ReplacesOptionsLikeReplaceTag, InTheActionsCommands) {
  StaticTagOptions options{.conditional = GetParam().conditional, .fq_hostname = "vm"};
  auto replaced = ReplaceTag(GetParam().query, IptablesLike(), options);
  ASSERT_TRUE(replaced) << replaced.error().ToString();
  EXPECT_EQ(*replaced, GetParam().expected);
}

// Results of fail2ban 1.0.2's CommandAction.replaceTag on the same properties.
INSTANTIATE_TEST_SUITE_P(
    StaticTagsTest, ReplacesOptionsLikeReplaceTag,
    ::testing::Values(ReplaceCase{"<actionban>", "family=inet4", "iptables -w -I f2b-sshd 1 -s <ip> -j REJECT"},
                      ReplaceCase{"<actionban>", "family=inet6", "ip6tables -w -I f2b-sshd 1 -s <ip> -j DROP"},
                      ReplaceCase{"<actionban>", "", "iptables -w -I f2b-sshd 1 -s <ip> -j REJECT"},
                      ReplaceCase{"<msg>", "", "a\nb c x\\;y vm <unknown>"},
                      ReplaceCase{"no tags", "", "no tags"},
                      ReplaceCase{"<F-USER> <sh-hostname>", "", "<F-USER> <sh-hostname>"}));

TEST(StaticTagsTest, ReportsSelfReferencingProperties) {
  config::OptionMap p;
  p.Set("a", "<b>");
  p.Set("b", "<a>");
  auto replaced = ReplaceTag("<a>", p);
  ASSERT_FALSE(replaced);
  EXPECT_EQ(replaced.error().message,
            "properties contain self referencing definitions and cannot be resolved, fail tag: a, found: a");
}

TEST(StaticTagsTest, GivesUpOnAQueryThatKeepsChanging) {
  config::OptionMap p;
  p.Set("x", "<");
  std::string query = "<x>";
  for (int i = 0; i < 30; ++i) query += "x>";
  auto replaced = ReplaceTag(query, p);
  ASSERT_FALSE(replaced);
  EXPECT_EQ(replaced.error().message,
            "unexpected too long replacement interpolation, possible self referencing definitions in query");
}

struct EscapeCase {
  const char* value;
  const char* escaped;
};

void PrintTo(const EscapeCase& c, std::ostream* os) { *os << ::testing::PrintToString(std::string(c.value)); }

class EscapesLikeEscapeTag : public ::testing::TestWithParam<EscapeCase> {};

TEST_P(EscapesLikeEscapeTag, EveryShellMetacharacter) { EXPECT_EQ(EscapeTag(GetParam().value), GetParam().escaped); }

INSTANTIATE_TEST_SUITE_P(StaticTagsTest, EscapesLikeEscapeTag,
                         ::testing::Values(EscapeCase{"a\\b#c\nd\re$f", "a\\\\b\\#c\\nd\\re\\$f"},
                                           EscapeCase{"&;`|*?~<>^()[]{}'\"", "\\&\\;\\`\\|\\*\\?\\~\\<\\>\\^\\(\\)\\[\\]\\{\\}\\'\\\""},
                                           EscapeCase{"plain text, 1.2.3.4!", "plain text, 1.2.3.4!"}));

}  // namespace
}  // namespace portcullis::action
