#include "portcullis/regex/regex.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <new>
#include <optional>
#include <ostream>
#include <string>

// Counts heap allocations so a test can prove that a warmed-up search allocates
// nothing. Counting only; every allocation still goes to malloc.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
namespace {
std::atomic<long> g_allocations{0};
}  // namespace

void* operator new(std::size_t size) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }

namespace portcullis::regex {
namespace {

// The first match of `python` in `text` as Python's re.search finds it (byte offsets;
// expectations checked with python3).
struct SearchCase {
  const char* python;
  std::string text;
  bool multiline;
  std::optional<std::pair<size_t, size_t>> span;
};

void PrintTo(const SearchCase& c, std::ostream* os) { *os << c.python << (c.multiline ? " (m)" : ""); }

class SearchesLikePython : public ::testing::TestWithParam<SearchCase> {};

TEST_P(SearchesLikePython, FindingTheSameSpan) {
  const SearchCase& c = GetParam();
  auto re = Regex::Compile(c.python, {.multiline = c.multiline});
  ASSERT_TRUE(re) << re.error().ToString();
  Match m;
  const bool found = re->Search(c.text, m);
  ASSERT_EQ(found, c.span.has_value()) << "translated: " << re->translated();
  if (found) {
    EXPECT_EQ(m.Begin(0), c.span->first);
    EXPECT_EQ(m.End(0), c.span->second);
  }
}

using Span = std::pair<size_t, size_t>;

INSTANTIATE_TEST_SUITE_P(
    RegexTest, SearchesLikePython,
    ::testing::Values(
        // Single-line `$`: at the end or before one final newline.
        SearchCase{"a$", "a\n", false, Span{0, 1}},
        SearchCase{"a$", "a", false, Span{0, 1}},
        SearchCase{"a$", "a\nb\n", false, std::nullopt},
        SearchCase{"b$", "a\nb\n", false, Span{2, 3}},
        SearchCase{"a$", "a\n\n", false, std::nullopt},
        SearchCase{"a$", "a\r\n", false, std::nullopt},
        SearchCase{"$", "a\nb\n", false, Span{3, 3}},
        // Multiline `$` and `^`: at every \n, and only there.
        SearchCase{"a$", "a\nb\n", true, Span{0, 1}},
        SearchCase{"$", "a\nb\n", true, Span{1, 1}},
        SearchCase{"a$", "a\rb", true, std::nullopt},
        SearchCase{"^b", "a\nb\n", false, std::nullopt},
        SearchCase{"^b", "a\nb\n", true, Span{2, 3}},
        SearchCase{"^b", "a\rb", true, std::nullopt},
        SearchCase{"\n^", "a\n", true, Span{1, 2}},
        SearchCase{"(?m)^b$", "a\nb\n", false, Span{2, 3}},
        // `.` stops at \n only; \Z is the very end.
        SearchCase{"a.b", "a\rb", false, Span{0, 3}},
        SearchCase{"a.b", "a\fb", false, Span{0, 3}},
        SearchCase{"a.b", "a\nb", false, std::nullopt},
        SearchCase{"(?s)a.b", "a\nb", false, Span{0, 3}},
        SearchCase{R"(a\Z)", "a\n", false, std::nullopt},
        SearchCase{R"(a\Z)", "a", false, Span{0, 1}},
        // \w \b \s on UTF-8 text.
        SearchCase{R"(\w+)", "\xc3\xa9t\xc3\xa9 x", false, Span{0, 5}},
        SearchCase{R"(\bt)", "\xc3\xa9t", false, std::nullopt},
        SearchCase{R"(\s)", "\x1c", false, Span{0, 1}},
        SearchCase{R"(\d)", "x5", false, Span{1, 2}},
        // \B holds at the text's ends next to a non-word character, never in "".
        SearchCase{R"(\B)", ".x", false, Span{0, 0}},
        SearchCase{R"(\B)", "<ab<", false, Span{0, 0}},
        SearchCase{R"(a\B)", "ab", false, Span{0, 1}},
        SearchCase{R"(\B)", "", false, std::nullopt},
        // A repeated multi-byte character repeats whole.
        SearchCase{"x\xc3\xa9+", "x\xc3\xa9\xc3\xa9!", false, Span{0, 5}},
        // Literal <, > are not Boost's word anchors.
        SearchCase{R"(\<W\>)", "a <W> b", false, Span{2, 5}},
        // {,n} is a quantifier, not text.
        SearchCase{R"(\(\d{,3}\))", "errors (8);", false, Span{7, 10}},
        SearchCase{R"(\(\d{,3}\))", "errors (1234);", false, std::nullopt},
        SearchCase{R"(a{,3})", "a{,3}", false, Span{0, 1}},
        // Case-insensitive flags.
        SearchCase{"(?iu)abc", "xABC", false, Span{1, 4}},
        SearchCase{"SASL (?i:login)", "SASL LoGiN", false, Span{0, 10}},
        SearchCase{"(?i)ABC", "xabc", false, Span{1, 4}},
        // Leading lookarounds are checked where the rest matches: same leftmost match.
        SearchCase{R"((?=\b|\W)\d+)", "ab12 34", false, Span{5, 7}},
        SearchCase{R"((?<=\[)\d+(?=\]))", "[x] 12 [34]", false, Span{8, 10}},
        // Multiline `^` first: tried at each line start.
        SearchCase{R"(^b\d)", "ab1\nb2\n", true, Span{4, 6}},
        SearchCase{R"(^\s*(?P<host>\S+) says)", "x\n  h1 says\n", true, Span{2, 11}},
        // Required literal text: a repeated or optional literal is not required.
        SearchCase{"x*abc", "ab", false, std::nullopt},
        SearchCase{"x*abc", "zabc", false, Span{1, 4}},
        SearchCase{"a+b", "b", false, std::nullopt},
        SearchCase{"a+b", "aab", false, Span{0, 3}},
        SearchCase{"ab?c", "ac", false, Span{0, 2}},
        SearchCase{"a(?#c)b", "xab", false, Span{1, 3}}));

TEST(RegexTest, ConditionalTakesTheYesBranchWhenTheGroupMatched) {
  auto re = Regex::Compile(R"re(^(?P<q>")?\w+(?(q)"|!)$)re");
  ASSERT_TRUE(re) << re.error().ToString();
  Match m;
  EXPECT_TRUE(re->Search("\"word\"", m));
  EXPECT_TRUE(re->Search("word!", m));
  EXPECT_FALSE(re->Search("\"word!", m));
  EXPECT_FALSE(re->Search("word\"", m));
}

TEST(RegexTest, NamedBackreferenceRepeatsTheGroupText) {
  auto re = Regex::Compile(R"(\d+(?P<sep>[-/])\d+(?P=sep)\d+)");
  ASSERT_TRUE(re);
  Match m;
  EXPECT_TRUE(re->Search("2024-01-02", m));
  EXPECT_FALSE(re->Search("2024-01/02", m));
}

TEST(RegexTest, ReportsGroupsByNameAndIndex) {
  auto re = Regex::Compile(R"((?P<user>\w+)(x)? from (?P<ip>\S+)$)");
  ASSERT_TRUE(re);
  EXPECT_EQ(re->GroupCount(), 3);
  EXPECT_EQ(re->GroupIndex("user"), 1);
  EXPECT_EQ(re->GroupIndex("ip"), 3);
  EXPECT_EQ(re->GroupIndex("nope"), -1);
  const std::vector<std::pair<std::string, int>> named = {{"ip", 3}, {"user", 1}};
  EXPECT_EQ(re->NamedGroups(), named);
  Match m;
  ASSERT_TRUE(re->Search("log: root from 192.0.2.1\n", m));
  EXPECT_EQ(m.Group(1), "root");
  EXPECT_EQ(m.Begin(1), 5u);
  EXPECT_EQ(m.End(1), 9u);
  EXPECT_FALSE(m.Matched(2));
  EXPECT_EQ(m.Group(2), "");
  EXPECT_EQ(m.Group(re->GroupIndex("ip")), "192.0.2.1");
  EXPECT_FALSE(m.Matched(-1));
  EXPECT_FALSE(m.Matched(9));
}

TEST(RegexTest, MatchAtStartAnchorsAtOffsetZero) {
  auto re = Regex::Compile(R"(\d+)");
  ASSERT_TRUE(re);
  Match m;
  EXPECT_FALSE(re->MatchAtStart("x12", m));
  EXPECT_TRUE(re->Search("x12", m));
  EXPECT_TRUE(re->MatchAtStart("12x", m));
  EXPECT_EQ(m.Group(0), "12");
}

TEST(RegexTest, AMissClearsThePreviousMatch) {
  auto re = Regex::Compile("(a)");
  ASSERT_TRUE(re);
  Match m;
  ASSERT_TRUE(re->Search("a", m));
  EXPECT_FALSE(re->Search("b", m));
  EXPECT_FALSE(m.Matched(0));
  EXPECT_FALSE(m.Matched(1));
}

TEST(RegexTest, KeepsThePatternAndItsTranslation) {
  auto re = Regex::Compile("^(?P<x>a)$");
  ASSERT_TRUE(re);
  EXPECT_EQ(re->pattern(), "^(?P<x>a)$");
  EXPECT_EQ(re->translated(), R"(\A(?<x>a)(?=\n?\z))");
}

TEST(RegexTest, LeadingGlobalFlagsAreShownAsAGroup) {
  auto re = Regex::Compile("(?iu)^x$");
  ASSERT_TRUE(re);
  EXPECT_EQ(re->translated(), R"((?i)\Ax(?=\n?\z))");
}

TEST(RegexTest, IgnoreCaseOptionAppliesToTheWholePattern) {
  auto re = Regex::Compile("failed", {.ignore_case = true});
  ASSERT_TRUE(re);
  Match m;
  EXPECT_TRUE(re->Search("FAILED", m));
}

TEST(RegexTest, BoostCompileErrorIsAValueWithBoostsReason) {
  auto re = Regex::Compile("(?<=a+)b");
  ASSERT_FALSE(re);
  EXPECT_FALSE(re.error().message.empty());
  EXPECT_EQ(re.error().message.find("The error occurred"), std::string::npos);
  EXPECT_EQ(re.error().fragment, "(?<=a+)b");
}

TEST(RegexTest, ExceedingBoostsComplexityLimitIsAMissNotACrash) {
  auto re = Regex::Compile("(a*)*b");
  ASSERT_TRUE(re);
  Match m;
  EXPECT_FALSE(re->Search(std::string(40, 'a') + "-b", m));
  EXPECT_TRUE(m.complexity_exceeded());
  EXPECT_FALSE(m.Matched(0));
  EXPECT_TRUE(re->Search("aab", m));
  EXPECT_FALSE(m.complexity_exceeded());
}

TEST(RegexTest, AWarmedUpSearchAllocatesNothing) {
  auto re = Regex::Compile(R"(^\s*Failed (?P<what>\S+) for (?:invalid user )?(?P<user>.*?) from (?P<ip>\S+)(?: port \d+)?$)");
  ASSERT_TRUE(re);
  Match m;
  const std::string hit = " Failed password for invalid user bob from 192.0.2.1 port 22\n";
  const std::string miss = " Accepted password for bob from 192.0.2.1 port 22\n";
  auto guarded = Regex::Compile(R"((?=\b|\W)(?P<port>\d+)$)", {.multiline = true});
  ASSERT_TRUE(guarded);
  Match g;
  ASSERT_TRUE(re->Search(hit, m));
  re->Search(miss, m);
  ASSERT_TRUE(guarded->Search(hit, g));
  guarded->MatchAtStart(miss, g);
  const long before = g_allocations.load();
  for (int i = 0; i < 100; ++i) {
    re->Search(hit, m);
    re->Search(miss, m);
    guarded->Search(hit, g);
    guarded->MatchAtStart(miss, g);
  }
  EXPECT_EQ(g_allocations.load() - before, 0);
  EXPECT_EQ(m.Group(re->GroupIndex("user")), "");
}

TEST(RegexTest, AMovedFromMatchCanBeReused) {
  auto re = Regex::Compile("a");
  ASSERT_TRUE(re);
  Match m;
  Match other(std::move(m));
  EXPECT_FALSE(m.Matched(0));
  EXPECT_TRUE(re->Search("a", m));
  EXPECT_TRUE(m.Matched(0));
}

}  // namespace
}  // namespace portcullis::regex
