// The backtracker against Boost: for every pattern of the subset, every text, both
// engines must agree on whether it matches and on every group's span.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "portcullis/regex/regex.h"

namespace portcullis::regex {
namespace {

struct Case {
  const char* pattern;
  std::vector<std::string> texts;
  CompileOptions options = {};
};

std::string Spans(const Regex& re, const Match& m) {
  std::string out;
  for (int g = 0; g <= re.GroupCount(); ++g)
    out += m.Matched(g) ? "(" + std::to_string(m.Begin(g)) + "," + std::to_string(m.End(g)) + ")" : "(-)";
  return out;
}

void ExpectSameAsBoost(const Case& c) {
  CompileOptions boost_only = c.options;
  boost_only.backtracker = false;
  auto native = Regex::Compile(c.pattern, c.options);
  auto boost = Regex::Compile(c.pattern, boost_only);
  ASSERT_TRUE(native && boost) << c.pattern;
  EXPECT_TRUE(native->backtracker()) << c.pattern;
  EXPECT_FALSE(boost->backtracker()) << c.pattern;
  Match a, b;
  for (const std::string& text : c.texts) {
    for (bool at_start : {false, true}) {
      const bool x = at_start ? native->MatchAtStart(text, a) : native->Search(text, a);
      const bool y = at_start ? boost->MatchAtStart(text, b) : boost->Search(text, b);
      if (b.complexity_exceeded()) continue;  // Boost gave up where Python (and we) go on
      ASSERT_EQ(x, y) << c.pattern << " on '" << text << "' at_start=" << at_start;
      if (x) EXPECT_EQ(Spans(*native, a), Spans(*boost, b)) << c.pattern << " on '" << text << "'";
    }
  }
}

const std::vector<std::string> kLines = {
    "",
    "a",
    "aaa",
    "abcabc",
    "Mar  1 00:00:00 mx1 postfix/smtpd[1]: connect from unknown[192.0.2.1]",
    "Mar 1 00:00:00.123 host sshd[22]: Failed password for root from 192.0.2.7 port 22 ssh2",
    "Tue Mar 01 2005 12:00:00 x",
    "2005-03-01 23:59:59,123 +0100 [error] client 198.51.100.2",
    "[01/Mar/2005:12:00:00 +0100] \"GET /x HTTP/1.1\" 404",
    "user=<bob> rip=2001:db8::1, lip=10.0.0.1",
    "line one\nline two\n",
    "end with newline\n",
    "été \xc3\xa9t\xc3\xa9 word_1 x",
    "  \t leading blanks",
    "1124013600.123 epoch",
    "foo foo bar bar",
    "FOO Foo foo",
};

// Anchored patterns whose start has no choice to make (checked in one pass before the
// matcher runs), and some whose start does.
const std::vector<std::string> kErrorLines = {
    "[error] 2101#2101: *1260 user \"admin\": password mismatch, client: 1.2.3.4",
    "[error] 2101#2101: *1003 open() \"/var/www/html/x\" failed",
    "  [error] 21#2: *1 user \"\"",
    "[error] #2101: *1 user \"a\"",
    "[error] 2101#2101: * user \"a\"",
    "[ERROR] 1#1: *1 USER \"a\"",
    "1234.5x",
    "123.45x",
    "12.x",
    "abc123def",
    "abcdef",
};

std::vector<Case> SubsetCases() {
  return {
      {R"re(^\s*\[error\] \d+#\d+: \*\d+ user "(?:[^"]+|.*?)")re", kErrorLines},
      {R"((?i)^\s*\[error\] \d+#\d+: \*\d+ user ")", kErrorLines},
      {R"(^\d{1,3}\.\d+x)", kErrorLines},
      {R"(^\d{2,3}\.\d*x?)", kErrorLines},
      {R"(^[a-z]+\d*[a-z])", kErrorLines},
      {R"(^a*a)", kLines},
      {R"(^\S+ \S*$)", kLines},
      {R"(^\s*$)", kLines},
      {"a", kLines},
      {"a*", kLines},
      {"a+?b?", kLines},
      {"(a|ab)(c|bcd)?", kLines},
      {"(?:a|b)*c", kLines},
      {"(a*)*b", kLines},
      {"(a|)*", kLines},
      {"(?:(a)|b)*", kLines},
      {"(a){2,3}", kLines},
      {"x{,2}y", kLines},
      {"a{2}", kLines},
      {"a{", kLines},
      {"^\\s*(\\S+)\\s+(\\S+)", kLines},
      {"(?P<w>\\w+) (?P=w)", kLines},
      {"(\\w+)\\s\\1", kLines},
      {"\\bfoo\\b", kLines},
      {"\\Bo\\B", kLines},
      {"o\\B", kLines},
      {"^line", kLines},
      {"^line", kLines, {.multiline = true}},
      {"two$", kLines},
      {"one$", kLines, {.multiline = true}},
      {"newline$", kLines},
      {"\\Z", kLines},
      {"\\Aa", kLines},
      {".+", kLines},
      {"(?s).+", kLines},
      {"(?i)foo", kLines},
      {"foo", kLines, {.ignore_case = true}},
      {"[^a-z]+", kLines},
      {"(?i)[^a-z]+", kLines},
      {"[]a]+|[a-]+", kLines},
      {"[\\d.]+", kLines},
      {"[\\w\\-]+@?", kLines},
      {"(?=\\d)\\d+(?!\\.)", kLines},
      {"(?<=from )\\S+", kLines},
      {"(?!\\s|$|\\d)\\w{2}", kLines},
      {"(?=\\b|\\W|$)[a-z]+(?=\\b|\\W|$)", kLines},
      {"\\d{1,3}(?:\\.\\d{1,3}){3}", kLines},
      {"(?<!\\d)\\d{3}(?!\\d)", kLines},
      {"(?<=\\s)\\w+", kLines},
      {"(?:\\[|\\()?\\d+(?:\\]|\\))?", kLines},
      {"\\xe9t\\xe9", kLines},
      {"\xc3\xa9+", kLines},
      {"for (?:invalid user )?(?P<user>.*?) from (?P<host>\\S+)( port \\d+)?", kLines},
      {"^(?P<a>.*?)(?P<b>o*)$", kLines},
      {"(?:\\s*\\w+)*x", kLines},
      {"(a|b|c|d|e|f|g|h|i|j|k|l|m|n|o|p|q|r|s|t|u|v|w|x|y|z)+", kLines},
      {"(?#comment)a(?#another)b?", kLines},
      {"(?P<q>\\[)?\\d+(?(q)\\])", kLines},
      {"(a)?(?(1)b|c)", kLines},
      {"for (?P<inv>invalid user )?(?P<user>(?(inv)\\S+|[^ ]+)) from", kLines},
      {"(?i:foo) (?-i:foo)", kLines},
      {"(?i)foo (?-i:Foo)", kLines},
      {"(?s:.)(?m:^line)", kLines},
      {"(?:x0|x1|x2|x3|x4|x5|x6|x7|x8|x9|y0|y1|y2|y3|y4|y5|y6|y7|y8|y9|z0|z1|z2|z3|z4|z5|z6|z7|z8|z9|w0|w1|w2|"
       "w3|w4|w5|w6|w7|w8|w9|v0|v1|v2|v3|v4|v5|v6|v7|v8|v9|u0|u1|u2|u3|u4|u5|u6|u7|u8|u9|t0|t1|t2|t3|t4|t5|"
       "t6|t7|t8|t9|word|bar)+",
       kLines},
      // Short counted repeats of capture-free bodies, emitted as copies: fixed counts
      // (also of bodies that can be empty), ranges greedy and lazy, and those left as
      // loops (a body that can be empty past its minimum, a capture, a count over 4).
      {"^(?:\\d{1,3}\\.){3}\\d{1,3}(?: (?:port \\d+|on \\S+)){0,2}(?: ssh\\d*)?$",
       {"192.0.2.1", "192.0.2.1 port 22", "192.0.2.1 port 22 on x ssh2", "192.0.2.1 port 22 on x port 3",
        "1.2.3", "1.2.3.4.5", "1234.2.3.4", "1.2.3.4 port", "1.2.3.4 on  x"}},
      {"(?:a?){3}b|(?:ab|a){2,3}?c|(?:x|){0,3}y|(?:(q)r){1,2}s|(?:t[uv]){2,5}w",
       {"aab", "b", "aaab", "ababc", "abac", "aac", "abababac", "xxxy", "xxxxy", "y", "qrqrs", "qrs", "tututuw",
        "tutw", "tuw", "tutututututuw", "aaaab"}},
      {"^(?:[a-z]+ ){1,3}?(?P<last>\\w+)$", {"a b c d", "one", "a b", "a b c d e", "a  b"}},
      {"^(?:a|ab){1,2}?(?P<rest>.*)|^(?:a|ab){0,2}(?P<all>.*)", {"abab", "aab", "b", "ababab"}},
      // Copies inside a loop that is not copied (its body holds a loop of its own).
      {"^(?:(?:ab){2}c){3}d|(?:x(?:yz){0,2}){2,3}w", {"ababcababcababcd", "ababcababcd", "xyzxw", "xxyzyzxw", "xw"}},
      // Branches skipped when a literal they need later (past a repeat) is missing.
      {"^Failed (?:(?P<nofail>publickey)|\\S+) for (?P<cond_inv>invalid user )?(?P<user>(?P<cond_user>\\S+)|"
       "(?(cond_inv)(?:(?! from ).)*?|[^:]+)) from (?P<ip>[\\d.]+|\\S+)(?: (?:port \\d+|on \\S+)){0,2}(?: ssh\\d*)?"
       "(?(cond_user): |(?:(?:(?! from ).)*)$)",
       {"Failed password for root from 192.0.2.1 port 22 ssh2", "Failed password for root from 192.0.2.1 port 22 ssh2\n",
        "Failed publickey for bob from 192.0.2.1 port 22 ssh2: RSA SHA256:abc",
        "Failed password for invalid user x y from 192.0.2.1 port 22 ssh2",
        "Failed password for invalid user from from 192.0.2.1 port 2", "Failed none for a: from b from c",
        "Failed x for u from h: ", "Failed x for u from h port 1 ssh2: z"}},
      // fail2ban's <HOST>, whose IPv4 address is taken at once before <HOST> runs as
      // written: addresses it would not take first (a part of four digits, a '[' or
      // "::ffff:" before), a ']' after, and continuations that fail after the quick
      // take, so that the DNS branch or a shorter last part must match instead.
      {"^(?:\\[?(?:(?:::f{4,6}:)?(?P<ip4>(?:\\d{1,3}\\.){3}\\d{1,3})|(?P<ip6>(?:[0-9a-fA-F]{1,4}::?|::){1,7}"
       "(?:[0-9a-fA-F]{1,4}|(?<=:):)))\\]?|(?P<dns>[\\w\\-.^_]*\\w))(?: port (?P<port>\\d+)|x| (?P<five>5) y|(?P<end>$))",
       {"192.0.2.1 port 22", "192.0.2.1", "192.0.2.1x", "192.0.2.1] port 22", "[192.0.2.1] port 22", "[192.0.2.1",
        "1234.0.2.1 port 22", "192.0.2.1234 port 1", "192.0.2 port 2", "192.0.2.1.7 port 3", "01.2.3.4 port 4",
        "::ffff:192.0.2.1 port 5", "2001:db8::1 port 6", "host.example.org port 7", "192.0.2.1y port 8",
        "1.2.3.45 y", "1.2.3.4 5 y", "1.2.3.", "1.2.3.4:80", "1.2.3.4.", "9.9.9.9999x",
        // IPv6, taken at once too where no dotted quad starts.
        "2001:db8::1 port 6", "2001:db8::1", "2001:db8::1] port 2", "[2001:db8::1] port 2", "2001:db8:: port 3",
        "2001:db8::", "1:2:3:4:5:6:7:8 port 1", "1:2:3:4:5:6:7:8:9 port 1", "1:2:3:4:5:6:7::", "a::b::c port 1",
        "12345::1 port 1", "abcd:EF01::1x", "fe80::1%eth0 port 1", "2001:db8::1 5 y", "1::2:3.4.5.6 port 1",
        "1:: 5 y", "1:2 port 3", "1: port 3", "dead:beef", "ab:cd:ef:: port 9", "2001:db8::g port 1"}},
      // A start of many runs whose prefilter (a long literal) is checked instead of
      // walking it: texts with the literal but another start, or the start but not it.
      {"^\\s*\\[[a-z]+\\] \\d+#\\d+: \\*\\d+ limiting requests, excess: [\\d\\.]+ by zone \"(?:[^\"]+)\", client: "
       "(?P<ip>[\\d.]+),",
       {" [error] 2101#2101: *1003 limiting requests, excess: 0.560 by zone \"one\", client: 192.0.2.1, server: x",
        " [error] 2101#: *1003 limiting requests, excess: 0.560 by zone \"one\", client: 192.0.2.1, server: x",
        "[error] x 2101#2101: *1003 limiting requests, excess: 0.560 by zone \"one\", client: 192.0.2.1,",
        " [error] 2101#2101: *1003 open() failed, limiting requests, excess: 1 by zone \"a\", client: 1.2.3.4,",
        " [error] 2101#2101: *1003 open() \"/x\" failed (2: No such file or directory), client: 192.0.2.1"}},
      {"^(?:(?P<w>\\w+)|\\d+)\\s+(?:a+|b)(?(w)x: |y)", {"abc  aax: ", "12 by", "abc b", "abc by x: ", "12 x: ", "a\\nx: "}},
      // Entered at a later position first, then (backtracking) at an earlier one.
      {"^.*(?:(?P<g>x+)|y)\\S*?(?(g)END|q)", {"xxENDzz", "xxENDzzx", "xENDzzxx", "xxEN Dzz", "yq", "xEND", "ENDxx", "xxENDzzxEND"}},
      {"^(?:\\S+|x)+ (?:(?P<k>k)\\d+|z) (?(k)end|fin)", {"aa k12 end", "aa z fin", "aa k12 fin", "x z end fin", "k1 k1 end"}},
      {"(?iu)^(?:\\W{0,2})?((?:(?P<a>mon|tue|wed|thu|fri|sat|sun)\\s+)?(?P<b>jan|feb|mar|apr|may|jun|jul|aug|sep|"
       "oct|nov|dec)\\s+(?P<d>[1-2]\\d|[0 ]?[1-9]|3[0-1]) ?(?P<H>[0-2]?\\d):(?P<M>[0-5]?\\d):(?P<S>[0-5]?\\d|6[0-1])"
       "(?:\\.(?P<f>[0-9]{1,6}))?)(?=\\b|\\W|$)",
       kLines},
      {"(?=^|\\b|\\W)((?P<Y>\\d{4})-(?P<m>0?[1-9]|1[0-2])-(?P<d>[1-2]\\d|[0 ]?[1-9]|3[0-1])[T ](?P<H>[0-1]?\\d|2[0-3])"
       ":(?P<M>[0-5]?\\d):(?P<S>[0-5]?\\d|6[0-1])(?:[.,](?P<f>[0-9]{1,6}))?(?:\\s*(?P<z>Z|UTC|GMT|[+-][01]\\d(?::?\\d{2})"
       "?))?)(?=\\b|\\W|$)",
       kLines},
  };
}

TEST(BacktrackerTest, AgreesWithBoostOnTheSubset) {
  for (const Case& c : SubsetCases()) ExpectSameAsBoost(c);
}

// <HOST>'s addresses taken at once (an IPv4 one, or an IPv6 one where no dotted quad
// starts) against Boost on random runs of address-like pieces, with continuations that
// hold right after the address, later, or only for another way through <HOST>.
TEST(BacktrackerTest, HostAddressesTakenAtOnceAgreeWithBoost) {
  const std::string host =
      "(?:\\[?(?:(?:::f{4,6}:)?(?P<ip4>(?:\\d{1,3}\\.){3}\\d{1,3})|(?P<ip6>(?:[0-9a-fA-F]{1,4}::?|::){1,7}"
      "(?:[0-9a-fA-F]{1,4}|(?<=:):)))\\]?|(?P<dns>[\\w\\-.^_]*\\w))";
  const std::vector<std::string> continuations = {
      "(?: port (?P<port>\\d+)|x| (?P<five>5) y|(?P<end>$))", "(?::(?P<p>\\d+))?$", ":\\s*11:", ":(?P<w>[a-f]+)$",
      "\\] ", " ", "(?P<rest>.*)$", "::(?P<t>\\w)"};
  const std::vector<std::string> pieces = {"2001", "db8", "0", "1", "7", "ffff", "abcd", "ABCD", "12345", "g",  ":",
                                           "::",   ".",   "192", "2", "]", "[", " port 22", " 5 y", "x", " ", ":11:"};
  uint64_t state = 12345;
  auto next = [&state](uint64_t n) {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return (state >> 33) % n;
  };
  std::vector<std::string> texts = {"1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7::", "a:b:c:d:e:f:1:2:3",
                                    "1::2::3::4::5::6::7::8::9", "::1", "1:2:3:4:5:6:7:8] :11:"};
  for (int i = 0; i < 3000; ++i) {
    std::string text;
    for (uint64_t k = 1 + next(9); k > 0; --k) text += pieces[next(pieces.size())];
    texts.push_back(text);
  }
  for (const std::string& cont : continuations) ExpectSameAsBoost(Case{("^" + host + cont).c_str(), texts});
}

// Counted repeats nested ten deep: copying each level's body would make 4^10 copies of
// the innermost one; only the innermost is copied, so this compiles as it is written.
TEST(BacktrackerTest, NestedCountedRepeatsStayTheSizeOfThePattern) {
  std::string pattern = "a{1,2}b";
  for (int i = 0; i < 10; ++i) pattern = "(?:" + pattern + "){1,4}";
  ExpectSameAsBoost({pattern.c_str(), {"ab", "aab", "abab", "b", std::string(40, 'a') + "b"}});
}

// Texts like `line` that a recorded search may not tell apart from it: each digit and
// each letter in turn replaced by the next one, the line cut short and made longer.
std::vector<std::string> Neighbours(const std::string& line) {
  std::vector<std::string> out = {line, line};
  for (size_t i = 0; i < line.size(); ++i) {
    std::string t = line;
    const char c = t[i];
    if (c >= '0' && c <= '9') t[i] = c == '9' ? '0' : static_cast<char>(c + 1);
    else if ((c >= 'a' && c < 'z') || (c >= 'A' && c < 'Z')) t[i] = static_cast<char>(c + 1);
    else if (c == ' ') t[i] = '\n';
    else continue;
    out.push_back(t);
  }
  if (!line.empty()) out.push_back(line.substr(0, line.size() - 1));
  out.push_back(line + "0");
  out.push_back(line + " ");
  out.push_back("x" + line);  // everything one byte later (shifted replays)
  out.push_back("1.2." + line);
  if (!line.empty()) out.push_back(line.substr(1));
  return out;
}

// With replay on, one warm Match searching text after text gives what a fresh search
// without replay gives: on every pattern of the subset, over lines and their neighbours
// (the replay is answered from the classes the last recorded search's tests saw).
TEST(BacktrackerTest, ReplayedSearchesGiveFreshResults) {
  std::vector<Case> cases = SubsetCases();
  cases.push_back({R"(^(?P<mon>[A-Z][a-z]{2}) +(?P<day>\d+) (?P<t>\d\d:\d\d:\d\d)(?:\.(?P<f>\d+))?\b)",
                   {"Mar  1 00:00:00 a", "Mar  1 00:00:00.5 c", "Mar  1 00:00:00", "Mar  1 00:00:00x", "Mar  1 00:00:0"}});
  cases.push_back({R"((?iu)^(?:\W{0,2})?((?:(?P<a>mon|tue|wed|thu|fri|sat|sun) )?(?P<b>jan|feb|mar|apr|may|jun|jul|aug|)"
                   R"(sep|oct|nov|dec) (?P<d>[1-2]\d|[0 ]?[1-9]|3[0-1])  ?(?P<H>[0-2]?\d):(?P<M>[0-5]?\d):(?P<S>[0-5]?\d|)"
                   R"(6[0-1])(?:\.(?P<f>[0-9]{1,6}))?(?: (?P<Y>20[012]\d))?)(?=\b|\W|$))",
                   {"Mar  1 00:00:59 mx1 postfix/x[1]: a", "Mar  1 00:00:60 x", "Mar 31 23:59:61", "Mar 30 9:5:5 2025 x",
                    "Sun Mar  3 00:00:00.123456 x", "Mar  1 00:00:00", "Mar  1 00:00:00\n"}});
  // A choice-free start before the date: lines whose start ends elsewhere replay shifted.
  cases.push_back({R"((?iu)^[^\[]*\[((?P<d>[1-2]\d|[0 ]?[1-9]|3[0-1])(?P<_sep>[-/])(?P<b>jan|feb|mar|apr|may|jun|jul|)"
                   R"(aug|sep|oct|nov|dec)(?P=_sep)(?P<Y>20[012]\d)[ :]?(?P<H>[0-1]?\d|2[0-3]):(?P<M>[0-5]?\d):(?P<S>[0-5]?\d|)"
                   R"(6[0-1])(?:\.(?P<f>[0-9]{1,6}))?(?: (?P<z>Z|UTC|GMT|[+-][01]\d(?::?\d{2})?))?)(?=\b|\W|$))",
                   {"203.0.113.9 - - [01/Mar/2023:00:00:00 +0000] \"GET / HTTP/1.1\" 404",
                    "2001:db8::1 - - [01/Mar/2023:00:00:01 +0000] \"GET / HTTP/1.1\" 404",
                    "198.51.100.20 - bob [01/Mar/2023:23:59:60 +0000] x", "[01/Mar/2023:00:00:00 +0000]",
                    "1.2.3.4 - - [01-Mar-2023 00:00:00]", "1.2.3.4 - - [x] [01/Mar/2023:00:00:00 +0000]",
                    "no bracket here", "1.2.3.4 - - [01/Mar/2023:00:00:0"}});
  cases.push_back({R"(^[^\[]*\[(?<=a\[)(?P<n>\d+))", {"xa[12", "a[1", "ba[3]", "xxa[1", "[1"}});
  cases.push_back({R"(^\S+ (?P<u>\w+) \[(?<=\[)(?P<n>\d+)\]\b)",
                   {"host bob [12] x", "a.b.c alice [3]", "h x [1]", "h  [1]", "hh bob [12]x", "h bob [12"}});
  // A tail run (a prefregex's `.+$`): replayed with only the run checked to the end.
  cases.push_back({R"(^(?P<mlfid>(?:\[\])?\s*(?:<[^.]+\.[^.]+>\s+)?(?:\S+\s+)?(?:kernel:\s?\[ *\d+\.\d+\]:?\s+)?)"
                   R"((?:@vserver_\S+\s+)?(?:(?:(?:\[\d+\])?:\s+[\[\(]?sshd(?:\(\S+\))?[\]\)]?:?|[\[\(]?sshd(?:\(\S+\))?)"
                   R"([\]\)]?:?(?:\[\d+\])?:?)\s+)?(?:\[ID \d+ \S+\]\s+)?)(?:(?:error|fatal): (?:PAM: )?)?(?P<content>.+)$)",
                   {" srv1 sshd[3036]: Failed password for root from 192.0.2.1 port 22 ssh2\n",
                    " srv1 CRON[314]: pam_unix(cron:session): session closed for user root\n",
                    " srv1 sshd[3036]: error: PAM: Authentication failure\n", " srv1 sshd[3036]: \n",
                    " srv1 sshd[3036]: a\nb\n", " srv1 sshd[3036]: x", " srv1 sudo:   alice : TTY=pts/0\n", "\n", ""}});
  cases.push_back({R"(^(?P<h>\S+) (?P<c>.+)$)", {"host msg", "host msg\n", "host \n", "host a\nb", "h  \n\n", "h x\n"}});
  cases.push_back({R"(^(a|ab)(?P<c>(?P<d>[^x]+))$)", {"ab", "abc", "a\n", "ab\n", "abx", "axb", "ab\nc"}});
  for (const Case& c : cases) {
    CompileOptions with_replay = c.options;
    with_replay.replay = true;
    auto replaying = Regex::Compile(c.pattern, with_replay);
    auto fresh = Regex::Compile(c.pattern, c.options);
    ASSERT_TRUE(replaying && fresh) << c.pattern;
    for (bool at_start : {false, true}) {
      Match warm;
      for (const std::string& line : c.texts) {
        for (const std::string& text : Neighbours(line)) {
          Match once;
          const bool a = at_start ? replaying->MatchAtStart(text, warm) : replaying->Search(text, warm);
          const bool b = at_start ? fresh->MatchAtStart(text, once) : fresh->Search(text, once);
          ASSERT_EQ(a, b) << c.pattern << " on '" << text << "' at_start=" << at_start;
          if (a) EXPECT_EQ(Spans(*replaying, warm), Spans(*fresh, once)) << c.pattern << " on '" << text << "'";
        }
      }
    }
  }
}

// One Match used by several replaying regexes in turn (as the date detector's templates
// share one) keeps a record of each, and answers each only from its own.
TEST(BacktrackerTest, RecordsOfSeveralRegexesStayApart) {
  CompileOptions replay;
  replay.replay = true;
  auto a = Regex::Compile(R"(^(?P<h>\S+) (?P<c>.+)$)", replay);
  auto b = Regex::Compile(R"(^(?P<h>\S+) (?P<p>\d+)(?P<c>.+)$)", replay);
  auto fresh_a = Regex::Compile(R"(^(?P<h>\S+) (?P<c>.+)$)");
  auto fresh_b = Regex::Compile(R"(^(?P<h>\S+) (?P<p>\d+)(?P<c>.+)$)");
  ASSERT_TRUE(a && b && fresh_a && fresh_b);
  const std::vector<std::string> texts = {"host 12 x\n", "h 1 yy\n", "host 12 zz\n", "host ab\n", "hq 7\n", "host 12 x"};
  Match warm;
  for (int round = 0; round < 3; ++round) {
    for (const std::string& text : texts) {
      for (const Regex* re : {&*a, &*b}) {
        const Regex& fresh = re == &*a ? *fresh_a : *fresh_b;
        Match once;
        const bool got = re->Search(text, warm);
        ASSERT_EQ(got, fresh.Search(text, once)) << re->pattern() << " on '" << text << "'";
        if (got) EXPECT_EQ(Spans(*re, warm), Spans(fresh, once)) << re->pattern() << " on '" << text << "'";
      }
    }
  }
}

// A search after a choice-free start tells where that start ended and which bytes after
// it the outcome rested on (Match::Shifted); a text differing from it only in bytes the
// search took alike gets the same outcome moved (ShiftedAccepts), as a fresh search
// finds it; one differing in a byte that led elsewhere does not.
TEST(BacktrackerTest, AShiftedRecordTellsWhichBytesItRestedOn) {
  CompileOptions replay;
  replay.replay = true;
  const char* pattern = R"(^[^\[]*\[(?:(?P<low>[0-4])|(?P<high>[5-9]))(?P<rest>\d)\])";
  auto re = Regex::Compile(pattern, replay);
  auto fresh = Regex::Compile(pattern);
  ASSERT_TRUE(re && fresh);
  Match warm, once;
  ASSERT_TRUE(re->Search("a b [12] x", warm));
  const Match::ShiftedExtent shifted = warm.Shifted();
  ASSERT_EQ(shifted.start, 5);
  EXPECT_EQ(shifted.end, 8);  // "12]": the byte after the bracket was not read
  EXPECT_EQ(re->ChoiceFreeStartEnd("address [13] y"), 9);
  EXPECT_EQ(re->ChoiceFreeStartEnd("no bracket"), -1);
  const std::string alike = "address [37] y";  // '3' in [0-4] as '1' was, '7' a digit as '2' was
  EXPECT_TRUE(warm.ShiftedAccepts(alike, 9, 0, 2));
  ASSERT_TRUE(fresh->Search(alike, once));
  EXPECT_EQ(once.Group(fresh->GroupIndex("low")), "3");
  EXPECT_FALSE(warm.ShiftedAccepts("address [72] y", 9, 0, 1));  // '7' takes the other branch
  EXPECT_FALSE(warm.ShiftedAccepts("address [1x] y", 9, 1, 2));
  EXPECT_TRUE(warm.ShiftedAccepts("address [1x] y", 9, 3, 4));  // past what the search read
  Match other;
  EXPECT_FALSE(other.ShiftedAccepts(alike, 9, 0, 2));  // no search: not known
  EXPECT_FALSE(re->Search("no bracket", warm));
  EXPECT_FALSE(warm.ShiftedAccepts(alike, 9, 0, 2));  // the last search was not that one
}

// What the backtracker does not run stays on Boost.
TEST(BacktrackerTest, OtherConstructsStayOnBoost) {
  for (const char* pattern : {"(?x) a b # comment", "(?x:a b)", "(?>a+)b", "a{1234567}b", "a++", "[é]", "\\N{DIGIT ONE}"}) {
    auto re = Regex::Compile(pattern);
    if (!re) continue;  // rejected as Python rejects it
    EXPECT_FALSE(re->backtracker()) << pattern;
  }
}

// A search that runs too long on the backtracker is handed to Boost, which decides.
TEST(BacktrackerTest, GivingUpFallsBackToBoost) {
  auto re = Regex::Compile(R"((?:a|aa)+b)");
  ASSERT_TRUE(re);
  Match m;
  const std::string text(40, 'a');
  EXPECT_FALSE(re->Search(text, m));
  EXPECT_TRUE(re->Search(text + "b", m));
  EXPECT_EQ(m.Begin(0), 0u);
}

}  // namespace
}  // namespace portcullis::regex
