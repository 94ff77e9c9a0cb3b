#include <gtest/gtest.h>

#include <ostream>
#include <string>

#include "portcullis/regex/regex.h"

namespace portcullis::regex {
namespace {

struct PrefilterCase {
  const char* python;
  const char* prefilter;
};

void PrintTo(const PrefilterCase& c, std::ostream* os) { *os << c.python; }

class PrefilterOfPattern : public ::testing::TestWithParam<PrefilterCase> {};

TEST_P(PrefilterOfPattern, ListsTheLiteralsEveryMatchContains) {
  auto re = Regex::Compile(GetParam().python);
  ASSERT_TRUE(re) << re.error().ToString();
  EXPECT_EQ(re->prefilter(), GetParam().prefilter);
}

INSTANTIATE_TEST_SUITE_P(
    Table, PrefilterOfPattern,
    ::testing::Values(
        PrefilterCase{R"(^Failed \S+ for (?P<u>\S+) from \S+$)", R"(("Failed " AND " from "))"},
        PrefilterCase{R"(^Failed \S+ for (?:invalid user )?\S+)", R"(("Failed " AND " for "))"},
        // A run of literals, classes of a few characters and fixed repeats stay one literal.
        PrefilterCase{R"(ab[cd]e{2}f)", R"(("abceef" OR "abdeef"))"},
        // Alternatives sharing a long piece need only that piece.
        PrefilterCase{R"([iI]nvalid user)", R"("nvalid user")"},
        PrefilterCase{R"((?:Connection closed|Connection reset) by)", R"("Connection ")"},
        // Optional, repeated, case-insensitive and unknown parts require nothing.
        PrefilterCase{R"(^(?:foo)?\d+ bar)", R"(" bar")"},
        PrefilterCase{R"(x(?:abc)*y)", R"("x")"},  // the first top-level literal, however short
        PrefilterCase{R"((?:abc)+ defg)", R"((" defg" AND "abc"))"},
        PrefilterCase{R"((?i)Failed password)", "*"},
        PrefilterCase{R"(a(?i:Failed password)b)", R"("a")"},
        PrefilterCase{R"(^abc|\d+)", "*"},
        // Lookarounds and backreferences consume nothing that must be there.
        PrefilterCase{R"((?<=user )root(?= from)(?P<x>ab)(?P=x)zz)", R"("rootab")"},
        PrefilterCase{R"(\[(?P<ip>[\d.]+)\]:\d+ after)", R"(" after")"},
        // Strings that are every combination of a class per position: one run of classes.
        PrefilterCase{R"(: [45][50][04] [45]\.\d)", R"(": [45][05][04] [45].")"},
        PrefilterCase{R"(x[ab][cd]yz|x[ab]dyz)", R"("x[ab][cd]yz")"},
        PrefilterCase{R"((?:abc|abd|xbc))", R"(("abc" OR "abd" OR "xbc"))"},  // not every combination
        // An alternative holding another's literal adds nothing to their OR.
        PrefilterCase{R"((?:extmail|horde|mail|v-webmail))", R"(("horde" OR "mail"))"},
        // After an AND's longest literals, the OR of fewest choices (scanned last).
        PrefilterCase{R"(^\S+ "GET /\S*(?:pma|cgi-bin|roundcube)\S* HTTP/\S+" 404 (?:x|yz)*)",
                      R"((" "GET /" AND " HTTP/" AND ("cgi-bin" OR "pma" OR "roundcube")))"},
        // Other literals shorter than 3 filter too little to be scanned for.
        PrefilterCase{R"(\d+(?:ab|c)\d+)", "*"}));

TEST(PrefilterTest, ARunOfClassesRejectsOnlyTextsWithoutIt) {
  auto re = Regex::Compile(R"(: [45][50][04] [45]\.\d)");
  ASSERT_TRUE(re);
  Match m;
  EXPECT_TRUE(re->Search("x]: 554 5.7.1 Service", m));
  EXPECT_TRUE(re->Search(": 550 4.7 : 404 4.1", m));  // the second ':' starts it
  EXPECT_FALSE(re->Search("x]: 554 6.7.1 Service", m));
  EXPECT_FALSE(re->Search(": 554 5.", m));
  EXPECT_FALSE(re->Search(": 55", m));
}

TEST(PrefilterTest, AnAndsChoiceRejectsTextsWithNoneOfItsLiterals) {
  auto re = Regex::Compile(R"(^\S+ "GET /\S*(?:pma|cgi-bin|roundcube)\S* HTTP/\S+" 404 )");
  ASSERT_TRUE(re);
  Match m;
  EXPECT_TRUE(re->Search(R"(1.2.3.4 "GET /cgi-bin/x HTTP/1.1" 404 153)", m));
  EXPECT_TRUE(re->Search(R"(1.2.3.4 "GET /roundcube HTTP/1.1" 404 153)", m));
  EXPECT_FALSE(re->Search(R"(1.2.3.4 "GET /.git/config HTTP/1.1" 404 153)", m));
  EXPECT_FALSE(re->Search(R"(1.2.3.4 "GET /pma HTTP/1.1" 200 153)", m));
}

// The literal scan looks at sixteen starts at a time, the last sixteen overlapping the
// block before (one by one in a text of fewer): a literal found anywhere, in a block,
// across one or in the overlap, is found.
TEST(PrefilterTest, FindsALiteralAtEveryOffset) {
  const std::string alphabet = "ab\" 4";
  uint32_t seed = 12345;
  auto next = [&seed](uint32_t bound) {
    seed = seed * 1103515245u + 12345u;
    return (seed >> 16) % bound;
  };
  for (int k = 0; k < 3000; ++k) {
    std::string literal, text;
    for (uint32_t i = 0, n = 2 + next(6); i < n; ++i) literal += alphabet[next(5)];
    for (uint32_t i = 0, n = next(70); i < n; ++i) text += alphabet[next(5)];
    if (next(2)) text.insert(next(static_cast<uint32_t>(text.size()) + 1), literal);
    auto re = Regex::Compile(literal);  // no byte of the alphabet is special
    ASSERT_TRUE(re) << literal;
    Match m;
    EXPECT_EQ(re->Search(text, m), text.find(literal) != std::string::npos) << "'" << literal << "' in '" << text << "'";
  }
}

TEST(PrefilterTest, RejectsOnlyTextsThatCannotMatch) {
  auto re = Regex::Compile(R"(^Failed \S+ for (?:invalid user )?(?P<u>\S+) from (?P<ip>\S+))");
  ASSERT_TRUE(re);
  Match m;
  EXPECT_TRUE(re->Search("Failed password for invalid user bob from 192.0.2.1 port 22", m));
  EXPECT_EQ(m.Group(re->GroupIndex("ip")), "192.0.2.1");
  EXPECT_FALSE(re->Search("Accepted password for bob from 192.0.2.1 port 22", m));
  EXPECT_FALSE(re->Search("Failed password for bob", m));
  EXPECT_FALSE(m.complexity_exceeded());
}

}  // namespace
}  // namespace portcullis::regex
