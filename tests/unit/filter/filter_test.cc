#include "portcullis/filter/filter.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <ctime>

#include "portcullis/base/py_repr.h"

namespace portcullis::filter {
namespace {

constexpr double kTestNow = 1124013600;  // 2005-08-14 12:00:00 CEST

class FilterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    setenv("TZ", "CET-01CEST-02,M3.5.0,M10.5.0", 1);
    tzset();
  }

  // A filter from literal regexes, the way fail2ban-regex builds one.
  Filter Make(std::vector<std::string> failregex, std::vector<std::string> ignoreregex = {},
              std::string prefregex = "", int maxlines = 1, bool check_all = false) {
    FilterConfig config;
    for (auto& r : failregex) config.failregex.push_back({r, "", 0});
    for (auto& r : ignoreregex) config.ignoreregex.push_back({r, "", 0});
    if (!prefregex.empty()) config.prefregex = RegexSource{prefregex, "", 0};
    config.maxlines = maxlines;
    config.check_all_regex = check_all;
    config.return_raw_host = true;
    auto compiled = CompiledFilter::Compile(config);
    EXPECT_TRUE(compiled) << compiled.error().ToString();
    auto filter = Filter::Create(*compiled, clock_);
    EXPECT_TRUE(filter) << filter.error().ToString();
    return std::move(*filter);
  }

  FakeClock clock_{kTestNow};
};

std::string IdOf(const Failure& f) { return f.id ? f.id->ToString() : "None"; }

TEST_F(FilterTest, CutsTheDateOutBeforeFailregexRuns) {
  // Hard part 3: the regex sees " machine test-demo[13709]: F2B: failure from 192.0.2.1".
  Filter filter = Make({"^ machine test-demo\\[\\d+\\]: F2B: failure from <HOST>$"});
  const auto& found = filter.ProcessLine("Jun 21 16:47:46 machine test-demo[13709]: F2B: failure from 192.0.2.1");
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(IdOf(found[0]), "192.0.2.1");
  ASSERT_TRUE(found[0].time);
  std::tm tm{};
  std::time_t t = static_cast<std::time_t>(*found[0].time);
  localtime_r(&t, &tm);
  EXPECT_EQ(tm.tm_year + 1900, 2005);
  EXPECT_EQ(tm.tm_mon + 1, 6);
  EXPECT_EQ(tm.tm_hour, 16);
  const Lines& matches = found[0].data.matches();
  ASSERT_EQ(matches.size(), 1u);
  EXPECT_EQ(matches[0].prefix, "");
  EXPECT_EQ(matches[0].date, "Jun 21 16:47:46");
  EXPECT_EQ(matches[0].suffix, " machine test-demo[13709]: F2B: failure from 192.0.2.1");
}

// With several lines in the buffer and every failregex tried, a hit takes its lines
// out: the failregexes after it are picked by the first byte of what is left, not of
// the buffer the line began with.
// With several lines in the buffer and every failregex tried, a hit takes its lines out
// and the failregexes after it run on what is left: one whose `^` fits only the B line
// is not skipped for the A line the buffer began with.
TEST_F(FilterTest, FailregexesAfterAHitRunOnTheBufferLeft) {
  // Failregex 0 takes the A line once a B line follows it.
  Filter filter = Make({"^A  from <HOST>\\n(?=B)", "^B  from <HOST>$"}, {}, "", 2, true);
  EXPECT_TRUE(filter.ProcessLine("A Jun 21 16:47:46 from 192.0.2.1").empty());
  const auto& found = filter.ProcessLine("B Jun 21 16:47:47 from 192.0.2.2");
  ASSERT_EQ(found.size(), 2u);
  EXPECT_EQ(found[0].failregex, 0);
  EXPECT_EQ(IdOf(found[0]), "192.0.2.1");
  EXPECT_EQ(found[1].failregex, 1);
  EXPECT_EQ(IdOf(found[1]), "192.0.2.2");
}

TEST_F(FilterTest, FailregexSeesOnlyThePrefregexContent) {
  // Hard part 8: groups of prefregex (mlfid) are merged, content replaces the buffer.
  Filter filter = Make({"^Failed password for <F-USER>\\S+</F-USER> from <HOST>"}, {},
                       "^<F-MLFID>\\s*\\S+ sshd\\[\\d+\\]: </F-MLFID><F-CONTENT>.+</F-CONTENT>$");
  const auto& found = filter.ProcessLine("Aug 14 11:58:00 belka sshd[31602]: Failed password for ROOT from 194.117.26.69 port 5 ssh2");
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(IdOf(found[0]), "194.117.26.69");
  EXPECT_EQ(*found[0].data.Text("mlfid"), " belka sshd[31602]: ");
  EXPECT_EQ(*found[0].data.Text("user"), "ROOT");
  EXPECT_EQ(found[0].data.Find("content"), nullptr);
  // A line the prefregex misses never reaches failregex.
  EXPECT_TRUE(filter.ProcessLine("Aug 14 11:58:00 belka other[1]: Failed password for x from 1.2.3.4").empty());
}

// The failregex sees the content and a newline, not what follows the content in the
// line: here " [tail]", which a `$` after the address would not let match.
TEST_F(FilterTest, FailregexSeesContentEndingBeforeTheLineEnds) {
  Filter filter = Make({"^Failed password from <HOST>$"}, {},
                       "^<F-MLFID>\\s*\\S+ sshd\\[\\d+\\]: </F-MLFID><F-CONTENT>.+?</F-CONTENT>(?: \\[tail\\])?$");
  const auto& found = filter.ProcessLine("Aug 14 11:58:00 belka sshd[31602]: Failed password from 192.0.2.7 [tail]");
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(IdOf(found[0]), "192.0.2.7");
  // And when the content does run to the end.
  const auto& plain = filter.ProcessLine("Aug 14 11:58:01 belka sshd[31602]: Failed password from 192.0.2.8");
  ASSERT_EQ(plain.size(), 1u);
  EXPECT_EQ(IdOf(plain[0]), "192.0.2.8");
}

// A count-only caller (set_failure_data(false)) gets no data and no id for a hit of
// one address, but still whether the hit was a nofail.
TEST_F(FilterTest, NofailIsToldWithOrWithoutTheData) {
  for (const bool full : {true, false}) {
    Filter filter = Make({"^ <F-NOFAIL>Accepted</F-NOFAIL> from <HOST>$", "^ Failed from <HOST>$"});
    filter.set_failure_data(full);
    const auto& accepted = filter.ProcessLine("Aug 14 11:58:00 Accepted from 192.0.2.7");
    ASSERT_EQ(accepted.size(), 1u);
    EXPECT_TRUE(accepted[0].nofail);
    EXPECT_EQ(accepted[0].data.Truthy("nofail"), full);
    EXPECT_EQ(accepted[0].id.has_value(), full);
    const auto& failed = filter.ProcessLine("Aug 14 11:58:01 Failed from 192.0.2.8");
    ASSERT_EQ(failed.size(), 1u);
    EXPECT_FALSE(failed[0].nofail);
    EXPECT_EQ(failed[0].data.entries().empty(), !full);
  }
}

// A count-only hit keeps only the groups the filter reads, but a failregex group that
// did not take part still overrides the prefregex's group of that name (a dict update):
// here the second line's user is None, not "carol", so the connection keeps one user
// and its hits stay nofail. Taking "carol" would make two users, a failure.
TEST_F(FilterTest, CountOnlyHitsDecideAsFullOnes) {
  for (const bool full : {true, false}) {
    Filter filter = Make({"^<F-NOFAIL>probe</F-NOFAIL>(?: user <F-USER>\\S+</F-USER>)? from <HOST>$"}, {},
                         "^ <F-MLFID>c\\d+</F-MLFID>(?: u=<F-USER>\\S+</F-USER>)? <F-CONTENT>.+</F-CONTENT>$");
    filter.set_failure_data(full);
    EXPECT_TRUE(filter.ProcessLine("Aug 14 11:58:00 c1 u=alice probe user bob from 192.0.2.1").empty()) << full;
    EXPECT_TRUE(filter.ProcessLine("Aug 14 11:58:01 c1 u=carol probe from 192.0.2.1").empty()) << full;
    // A second user of its own does make the connection a failure.
    const auto& found = filter.ProcessLine("Aug 14 11:58:02 c1 probe user dave from 192.0.2.1");
    ASSERT_EQ(found.size(), 1u) << full;
    EXPECT_FALSE(found[0].nofail);
  }
}

TEST_F(FilterTest, MlfidStateMachineHoldsNofailAndDropsGainedSessions) {
  // Hard part 9 (fail2ban's testOutputNoPendingFailuresAfterGained).
  Filter filter = Make(
      {"^<F-MLFFORGET><F-NOFAIL>Accepted \\w+</F-NOFAIL></F-MLFFORGET> for \\S+ from <HOST>",
       "^<F-NOFAIL>Failed publickey</F-NOFAIL> for \\S+ from <HOST>",
       "^<F-MLFFORGET>Disconnecting</F-MLFFORGET>: Too many authentication failures"},
      {}, "^<F-MLFID>\\s*\\S+ sshd\\[\\d+\\]: </F-MLFID><F-CONTENT>.+</F-CONTENT>$");
  struct Step { const char* line; const char* expected_id; size_t attempts; };
  const Step steps[] = {
      {"Aug 14 11:50:00 srv sshd[1]: Failed publickey for git from 192.0.2.111", nullptr, 0},
      {"Aug 14 11:50:01 srv sshd[1]: Failed publickey for git from 192.0.2.111", nullptr, 0},
      {"Aug 14 11:50:02 srv sshd[1]: Disconnecting: Too many authentication failures", "192.0.2.111", 3},
      {"Aug 14 11:51:00 srv sshd[2]: Failed publickey for me from 192.0.2.1", nullptr, 0},
      {"Aug 14 11:51:01 srv sshd[2]: Accepted publickey for me from 192.0.2.1", nullptr, 0},
  };
  for (const Step& step : steps) {
    const auto& found = filter.ProcessLine(step.line);
    if (!step.expected_id) {
      EXPECT_TRUE(found.empty()) << step.line;
      continue;
    }
    ASSERT_EQ(found.size(), 1u) << step.line;
    EXPECT_EQ(IdOf(found[0]), step.expected_id);
    EXPECT_EQ(found[0].data.matches().size(), step.attempts);
  }
}

// A hit with an mlfid loses its mlfforget key (fail2ban pops it first thing); a
// failregex's unmatched mlfid group is None over the prefregex's, so no merge, and the
// key stays. The keys and their order are those fail2ban-regex -o row printed.
TEST_F(FilterTest, AHitWithAnMlfidLosesItsMlfforgetKey) {
  Filter filter = Make({"^<F-NOFAIL>open</F-NOFAIL> from <HOST>$",
                        "^fail (?:<F-MLFID>m\\d+</F-MLFID> )?from <HOST> (?:<F-MLFFORGET>last</F-MLFFORGET>)?",
                        "^(?P<mlfid>x)?close <F-MLFFORGET>now</F-MLFFORGET> <HOST>"},
                       {}, "^<F-MLFID>\\s*\\S+ c\\d+:</F-MLFID>(?: <F-MLFFORGET>bye</F-MLFFORGET>)? <F-CONTENT>.+</F-CONTENT>$");
  struct Step { const char* line; const char* keys; };
  const Step steps[] = {
      {"Jun 21 16:47:47 srv c1: fail from 192.0.2.1 ", "mlfid=None mlfforget=None ip4 ip6=None dns=None"},
      {"Jun 21 16:47:48 srv c1: fail m7 from 192.0.2.1 last", "mlfid ip4 ip6=None dns=None"},
      {"Jun 21 16:47:49 srv c1: fail from 192.0.2.1 last", "mlfid=None mlfforget ip4 ip6=None dns=None"},
      {"Jun 21 16:47:50 srv c2: bye close now 192.0.2.2", "mlfid=None mlfforget ip4 ip6=None dns=None"},
  };
  for (const Step& step : steps) {
    const auto& found = filter.ProcessLine(step.line);
    ASSERT_EQ(found.size(), 1u) << step.line;
    std::string keys;
    for (const auto& [key, value] : found[0].data.entries()) {
      if (key == "matches" || key == "users") continue;
      keys += (keys.empty() ? "" : " ") + key + (std::holds_alternative<std::monostate>(value) ? "=None" : "");
    }
    EXPECT_EQ(keys, step.keys) << step.line;
  }
}

TEST_F(FilterTest, ChoosesTheFailureIdFromFidAltAndTupleGroups) {
  // Hard part 10.
  struct Case { const char* regex; const char* line; const char* id; const char* ip; };
  const Case cases[] = {
      {"^\\s*<F-TUPLE_ID_1>\\S+</F-TUPLE_ID_1> <F-ID><ADDR>:<F-PORT/></F-ID> <F-TUPLE_ID_2>\\S+</F-TUPLE_ID_2>",
       "1591983743.667 left [192.0.2.4]:12345 right", "('[192.0.2.4]:12345', 'left', 'right')", "192.0.2.4"},
      {"^<F-ID/> <F-TUPLE_ID>\\S+</F-TUPLE_ID>$", "192.0.2.1 192.0.2.2", "('192.0.2.1', '192.0.2.2')", nullptr},
      {"^user <F-ID>\\S+</F-ID> from <ADDR>$", "user kevin from 192.0.2.0", "kevin", "192.0.2.0"},
      {"^from <ADDR>$", "from ::ffff:192.0.2.9", "192.0.2.9", nullptr},
  };
  for (const Case& c : cases) {
    Filter filter = Make({c.regex});
    const auto& found = filter.ProcessLine(c.line);
    ASSERT_EQ(found.size(), 1u) << c.regex;
    EXPECT_EQ(IdOf(found[0]), c.id) << c.regex;
    if (c.ip) {
      EXPECT_EQ(*found[0].data.Text("ip"), c.ip) << c.regex;
    }
  }
  Filter alt = Make({"^logname=\\S* ruser=<F-ALT_USER>\\S*</F-ALT_USER> rhost=<HOST>(?:\\s+user=<F-USER>\\S*</F-USER>)?$"});
  const auto& found = alt.ProcessLine("logname= ruser=root rhost=192.0.2.7");
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(*found[0].data.Text("user"), "root");
}

TEST_F(FilterTest, IgnoreregexPrecheckDependsOnHowManyFailregexesThereAre) {
  // Hard part 11: the whole-line pre-check runs only if #ignoreregex < #failregex - 2.
  struct Case { int failregexes; int ignored_lines; };
  const Case cases[] = {{4, 2}, {3, 1}};
  for (const Case& c : cases) {
    std::vector<std::string> failregex = {"^a <HOST>", "^b <HOST>", "^c <HOST>", "^d <HOST>"};
    failregex.resize(static_cast<size_t>(c.failregexes));
    int ignored = 0;
    struct Counter : FilterObserver {
      int* n;
      explicit Counter(int* count) : n(count) {}
      void OnIgnoreRegexMatch(int) override { ++*n; }
    } counter(&ignored);
    Filter filter = Make(failregex, {"zzz"});
    filter.set_observer(&counter);
    filter.ProcessLine("zzz line");
    filter.ProcessLine("a 1.2.3.4 zzz");
    EXPECT_EQ(ignored, c.ignored_lines) << c.failregexes << " failregexes";
  }
}

TEST_F(FilterTest, NormalisesAddressesAndSubnets) {
  // Hard part 12.
  struct Case { const char* regex; const char* line; const char* id; };
  const Case cases[] = {
      {"^<SUBNET>$", "192.0.2.1/24", "192.0.2.0/24"},
      {"^<SUBNET>$", "2001:DB8:FF:FF::1/60", "2001:db8:ff:f0::/60"},
      {"^from <HOST>$", "from ::ffff:1.2.3.4", "1.2.3.4"},
      {"^from <HOST>$", "from 192.030.0.6", "192.030.0.6"},
      {"^from <HOST>$", "from 2001:DB8::1", "2001:db8::1"},
  };
  for (const Case& c : cases) {
    Filter filter = Make({c.regex});
    const auto& found = filter.ProcessLine(c.line);
    ASSERT_EQ(found.size(), 1u) << c.line;
    EXPECT_EQ(IdOf(found[0]), c.id) << c.line;
  }
}

TEST_F(FilterTest, MultiLineBufferSkipsLinesAndConsumesMatchedOnes) {
  // fail2ban's testDirectMultilineBuf: SKIPLINES moves the skipped lines out of the hit.
  Filter filter = Make({"^\\s*FAIL\\s*$<SKIPLINES>^\\s*HOST <HOST>\\s*$"}, {}, "", 5);
  EXPECT_TRUE(filter.ProcessLine("1490349000 FAIL").empty());
  EXPECT_TRUE(filter.ProcessLine("1490349000 TEST1").empty());
  EXPECT_TRUE(filter.ProcessLine("1490349001 TEST2").empty());
  const auto& found = filter.ProcessLine("1490349001 HOST 192.0.2.34");
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(IdOf(found[0]), "192.0.2.34");
  ASSERT_EQ(found[0].data.matches().size(), 2u);
  EXPECT_EQ(found[0].data.matches()[0].suffix, " FAIL");
  EXPECT_EQ(found[0].data.matches()[1].suffix, " HOST 192.0.2.34");
}

TEST_F(FilterTest, ReportsRegexErrorsWithTheirFileAndLine) {
  struct Case { RegexSource source; const char* starts_with; };
  const Case cases[] = {
      {{"^(unbalanced <HOST>", "filter.d/bad.conf", 7}, "filter.d/bad.conf:7: Unable to compile regular expression"},
      {{"^no host here$", "filter.d/bad.conf", 9}, "filter.d/bad.conf:9: No failure-id group in '^no host here$'"},
      {{"^<UNKNOWN> <HOST>$", "filter.d/ok.conf", 3}, ""},
  };
  for (const Case& c : cases) {
    FilterConfig config;
    config.failregex.push_back(c.source);
    auto compiled = CompiledFilter::Compile(config);
    if (std::string(c.starts_with).empty()) {
      EXPECT_TRUE(compiled) << "an unknown tag stays literal text";
      continue;
    }
    ASSERT_FALSE(compiled);
    EXPECT_EQ(compiled.error().ToString().rfind(c.starts_with, 0), 0u) << compiled.error().ToString();
  }
}

TEST(PyReprTest, SpellsStringsAndTuplesAsPython) {
  EXPECT_EQ(PyRepr("a'b"), "\"a'b\"");
  EXPECT_EQ(PyRepr("a\nb"), "'a\\nb'");
  EXPECT_EQ(PyRepr(Tuple{std::string("x")}), "('x',)");
  EXPECT_EQ(PyRepr(Tuple{std::string("x"), std::nullopt}), "('x', None)");
}

}  // namespace
}  // namespace portcullis::filter

namespace portcullis::filter {
namespace {

// MlfidEventsFollow replays a logged segment's cache uses on another cache's contents:
// every lookup must find what the logged cache found, with the same data the first time
// a connection is met; stores evict the oldest of 100 connections as fail2ban's cache does.
// The filter's mlfid cache, logged from empty, answers every lookup as the replay of its
// log does: stores, forgets and the eviction of the oldest of 100 connections, over a
// few thousand lines of 300 connections opened, failed and closed in random order.
TEST_F(FilterTest, TheMlfidCacheEvictsAsItsLogReplays) {
  Filter filter = Make({"^<F-NOFAIL>open</F-NOFAIL> from <HOST>$", "^fail from <HOST>$",
                        "^<F-MLFFORGET>close</F-MLFFORGET>$"},
                       {}, "^ <F-MLFID>c\\d+</F-MLFID> <F-CONTENT>.+</F-CONTENT>$");
  MlfidLog log;
  filter.LogMlfidCache(&log);
  uint32_t seed = 99;
  for (int k = 0; k < 4000; ++k) {
    seed = seed * 1103515245u + 12345u;
    const std::string conn = "c" + std::to_string((seed >> 16) % 300);
    const char* what[] = {"open from 192.0.2.1", "open from 192.0.2.1", "fail from 192.0.2.2", "close"};
    filter.ProcessLine("Jun 21 16:47:46 " + conn + " " + what[(seed >> 8) % 4]);
  }
  filter.LogMlfidCache(nullptr);
  EXPECT_GT(log.events.size(), 4000u);
  EXPECT_LE(filter.MlfidCacheSnapshot().size(), 100u);
  EXPECT_TRUE(MlfidEventsFollow({}, log));
}

// A log numbers connections in the order it meets them, the same number every time
// (also after its table grew), and finds only those it met.
TEST(MlfidLogTest, InternsEachConnectionOnce) {
  MlfidLog log;
  bool is_new = false;
  for (uint32_t i = 0; i < 5000; ++i) {
    EXPECT_EQ(log.Intern(" srv1 sshd[" + std::to_string(i) + "]: ", is_new), i);
    EXPECT_TRUE(is_new);
    EXPECT_EQ(log.Intern(" srv1 sshd[" + std::to_string(i) + "]: ", is_new), i);  // the last one again
    EXPECT_FALSE(is_new);
  }
  EXPECT_EQ(log.size(), 5000u);
  for (uint32_t i = 0; i < 5000; i += 7) {
    EXPECT_EQ(log.Intern(" srv1 sshd[" + std::to_string(i) + "]: ", is_new), i);
    EXPECT_FALSE(is_new);
    EXPECT_EQ(log.Find(" srv1 sshd[" + std::to_string(i) + "]: "), std::optional<uint32_t>(i));
  }
  EXPECT_EQ(log.Find(" srv1 sshd[5000]: "), std::nullopt);
  EXPECT_EQ(log.Find(""), std::nullopt);
  EXPECT_EQ(MlfidLog().Find("a"), std::nullopt);
}

TEST(MlfidEventsFollowTest, ChecksLookupsAgainstTheOtherCache) {
  using Op = MlfidEvent::Op;
  struct Use {
    Op op;
    std::string id;
    bool found = false;
    std::optional<std::string> data;
  };
  auto get = [](std::string id, bool found, std::optional<std::string> data = std::nullopt) {
    return Use{Op::kGet, std::move(id), found, std::move(data)};
  };
  auto follows = [](const MlfidSnapshot& before, const std::vector<Use>& uses) {
    MlfidLog log;
    for (const Use& u : uses) log.Add(u.op, u.id, u.found, u.data);
    return MlfidEventsFollow(before, log);
  };
  const MlfidSnapshot before = {{"a", "data a"}, {"b", "data b"}};
  EXPECT_TRUE(follows(before, {get("a", true, "data a"), get("a", true), get("c", false)}));
  EXPECT_FALSE(follows(before, {get("a", true, "other data")}));
  EXPECT_FALSE(follows(before, {get("c", true, "data c")}));
  EXPECT_FALSE(follows(before, {get("b", false)}));
  // Stored or forgotten in the segment: later lookups follow the segment, no data compared.
  EXPECT_TRUE(follows(before, {{Op::kSet, "c"}, get("c", true), {Op::kUnset, "a"}, get("a", false)}));
  // A full cache evicts its oldest connection on every store.
  MlfidSnapshot full;
  for (int i = 0; i < 100; ++i) full.emplace_back("x" + std::to_string(i), "d");
  EXPECT_TRUE(follows(full, {{Op::kSet, "new"}, get("x0", false), get("x1", true, "d")}));
  EXPECT_FALSE(follows(full, {{Op::kSet, "new"}, get("x0", true, "d")}));
  EXPECT_TRUE(follows(full, {{Op::kSet, "x0"}, get("x0", true), get("x1", true, "d")}));  // x0 stored anew
  // Forgotten, then stored again: it goes to the back of the eviction order.
  EXPECT_TRUE(follows(full, {{Op::kUnset, "x0"}, {Op::kSet, "x0"}, {Op::kSet, "y"}, get("x1", false), get("x0", true)}));
  EXPECT_FALSE(follows(full, {{Op::kUnset, "x0"}, {Op::kSet, "x0"}, {Op::kSet, "y"}, get("x1", true, "d")}));
}

// The cache a logged chunk leaves, for the next chunk's check: in store order, the
// logged cache's data where the log met the connection, the cache before's elsewhere.
TEST(MlfidCacheAfterTest, ChainsTheCacheThroughALoggedChunk) {
  using Op = MlfidEvent::Op;
  const MlfidSnapshot before = {{"a", "data a"}, {"b", "data b"}, {"c", "data c"}};
  MlfidLog log;
  log.Add(Op::kGet, "a", true, "data a");
  log.Add(Op::kSet, "d");
  log.Add(Op::kUnset, "b");
  const MlfidSnapshot logged_after = {{"w", "warm-up only"}, {"a", "data a2"}, {"d", "data d"}};
  const MlfidSnapshot expected = {{"a", "data a2"}, {"c", "data c"}, {"d", "data d"}};
  EXPECT_EQ(MlfidCacheAfter(before, log, logged_after), std::optional<MlfidSnapshot>(expected));
  // The logged cache lost a connection this one keeps: the next chunk cannot be checked.
  EXPECT_EQ(MlfidCacheAfter(before, log, {{"a", "data a2"}}), std::nullopt);
  // A lookup the cache before does not answer alike: nothing.
  MlfidLog other;
  other.Add(Op::kGet, "b", false);
  EXPECT_EQ(MlfidCacheAfter(before, other, {}), std::nullopt);
}

}  // namespace
}  // namespace portcullis::filter
