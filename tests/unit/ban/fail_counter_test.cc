#include "portcullis/ban/fail_counter.h"

#include <gtest/gtest.h>

#include <ostream>
#include <string>
#include <vector>

namespace portcullis::ban {
namespace {

Ticket FailureAt(double time, std::string_view ip = "192.0.2.1", std::vector<std::string> matches = {}) {
  Ticket t;
  t.id = IpAddr::Parse(ip);
  t.time = time;
  t.matches = matches.empty() ? std::vector<std::string>{"m" + std::to_string(static_cast<int>(time))}
                              : std::move(matches);
  return t;
}

struct CountingCase {
  const char* name;
  int maxretry;
  std::vector<double> times;
  std::vector<int> attempts;  // after each failure
  bool banned;                // ToBan hands the ticket out after the last one
};

void PrintTo(const CountingCase& c, std::ostream* os) { *os << c.name; }

class CountsAttemptsLikeFailManager : public ::testing::TestWithParam<CountingCase> {};

TEST_P(CountsAttemptsLikeFailManager, AfterEachFailure) {
  const CountingCase& c = GetParam();
  FailCounter counter({.maxretry = c.maxretry, .findtime = 600});
  std::vector<int> attempts;
  for (double t : c.times) attempts.push_back(counter.AddFailure(FailureAt(t)));
  EXPECT_EQ(attempts, c.attempts);
  EXPECT_EQ(counter.ToBan(IpAddr::Parse("192.0.2.1")).has_value(), c.banned);
  EXPECT_EQ(counter.total(), c.times.size());
}

// Attempts printed by fail2ban 1.0.2's FailManager.addFailure (findtime 600) for the
// same sequences of failure times.
INSTANTIATE_TEST_SUITE_P(
    FailCounterTest, CountsAttemptsLikeFailManager,
    ::testing::Values(
        CountingCase{"SlowFailuresAreScaledToTheRateOverFindtime", 3, {0, 500, 1000, 1100}, {1, 2, 2, 3}, true},
        CountingCase{"ThreeQuickFailuresBan", 3, {0, 100, 200}, {1, 2, 3}, true},
        CountingCase{"TwoFailuresAreNotEnough", 3, {0, 100}, {1, 2}, false},
        CountingCase{"HalvesRoundToEven", 10, {0, 1, 2, 3, 4, 1200}, {1, 2, 3, 4, 5, 3}, false},
        CountingCase{"ExactRateIsKept", 10, {0, 1, 2, 1800}, {1, 2, 3, 2}, false},
        CountingCase{"RateRoundsUp", 10, {0, 1, 1500}, {1, 2, 2}, false},
        CountingCase{"EvenlySpacedSlowFailuresStayAtTwo", 10, {0, 700, 1400, 2100}, {1, 2, 2, 2}, false},
        CountingCase{"EarlierFailuresStillCount", 10, {100, 50, 20}, {1, 2, 3}, false}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(FailCounterTest, HandsOutTheTicketWithTheLastTimeAndAllFailures) {
  FailCounter counter({.maxretry = 3, .findtime = 600});
  for (double t : {0, 500, 1000, 1100}) counter.AddFailure(FailureAt(t));
  auto ticket = counter.ToBan(IpAddr::Parse("192.0.2.1"));
  ASSERT_TRUE(ticket);
  EXPECT_EQ(ticket->time, 1100);
  EXPECT_EQ(ticket->failures, 4);
  EXPECT_EQ(ticket->matches, (std::vector<std::string>{"m0", "m500", "m1000", "m1100"}));
  EXPECT_EQ(counter.size(), 0u);
}

struct MatchesCase {
  int maxmatches;
  int failures;
  std::vector<std::string> kept;
};

void PrintTo(const MatchesCase& c, std::ostream* os) {
  *os << "maxmatches " << c.maxmatches << ", " << c.failures << " failures";
}

class KeepsTheLastMaxmatchesLines : public ::testing::TestWithParam<MatchesCase> {};

TEST_P(KeepsTheLastMaxmatchesLines, OfTwoLinesPerFailure) {
  FailCounter counter({.maxretry = 1, .findtime = 600, .maxmatches = GetParam().maxmatches});
  for (int t = 0; t < GetParam().failures; ++t) {
    std::string n = std::to_string(t);
    counter.AddFailure(FailureAt(t, "192.0.2.1", {"m" + n, "n" + n}));
  }
  auto ticket = counter.ToBan(IpAddr::Parse("192.0.2.1"));
  ASSERT_TRUE(ticket);
  EXPECT_EQ(ticket->matches, GetParam().kept);
  EXPECT_EQ(ticket->failures, GetParam().failures);
}

// fail2ban trims only when a second failure is merged: a single failure keeps its lines
// even with maxmatches 0 or fewer than its lines.
INSTANTIATE_TEST_SUITE_P(FailCounterTest, KeepsTheLastMaxmatchesLines,
                         ::testing::Values(MatchesCase{3, 7, {"n5", "m6", "n6"}},
                                           MatchesCase{0, 1, {"m0", "n0"}},
                                           MatchesCase{0, 3, {}},
                                           MatchesCase{1, 1, {"m0", "n0"}},
                                           MatchesCase{5, 2, {"m0", "n0", "m1", "n1"}}));

TEST(FailCounterTest, AttemptCommandCountsEachLine) {
  // `set <jail> attempt <ip> a b` adds a failure counted as 2 attempts, failures 1.
  FailCounter counter({.maxretry = 3, .findtime = 600});
  EXPECT_EQ(counter.AddFailure(FailureAt(10, "192.0.2.1", {"a", "b"}), 2), 2);
  EXPECT_EQ(counter.AddFailure(FailureAt(20, "192.0.2.1", {"c"}), 1), 3);
  auto ticket = counter.ToBan(IpAddr::Parse("192.0.2.1"));
  ASSERT_TRUE(ticket);
  EXPECT_EQ(ticket->failures, 2);
}

TEST(FailCounterTest, CleanupForgetsIdsWhoseLastFailureIsFindtimeOld) {
  FailCounter counter({.maxretry = 3, .findtime = 600});
  counter.AddFailure(FailureAt(0, "1.1.1.1"));
  counter.AddFailure(FailureAt(100, "1.1.1.2"));
  counter.AddFailure(FailureAt(400, "1.1.1.3"));
  counter.Cleanup(700);  // removes last <= 100
  EXPECT_EQ(counter.size(), 1u);
  EXPECT_NE(counter.Find(IpAddr::Parse("1.1.1.3")), nullptr);
  EXPECT_EQ(counter.total(), 3u);
  counter.Cleanup(1000);
  EXPECT_EQ(counter.size(), 0u);
}

TEST(FailCounterTest, ObservedFailureRaisesAttemptsOfACountedIdOnly) {
  FailCounter counter({.maxretry = 5, .findtime = 600});
  counter.AddFailure(FailureAt(0));
  EXPECT_EQ(counter.AddObservedFailure(IpAddr::Parse("192.0.2.1"), 2), 3);
  EXPECT_EQ(counter.Find(IpAddr::Parse("192.0.2.1"))->ticket.failures, 2);
  EXPECT_EQ(counter.AddObservedFailure(IpAddr::Parse("192.0.2.9"), 2), std::nullopt);
  EXPECT_EQ(counter.total(), 2u);
}

TEST(FailCounterTest, ToBanAnyFindsAnIdAtMaxretry) {
  FailCounter counter({.maxretry = 2, .findtime = 600});
  counter.AddFailure(FailureAt(0, "1.1.1.1"));
  EXPECT_FALSE(counter.ToBanAny());
  counter.AddFailure(FailureAt(1, "1.1.1.1"));
  auto ticket = counter.ToBanAny();
  ASSERT_TRUE(ticket);
  EXPECT_EQ(ticket->id, IpAddr::Parse("1.1.1.1"));
}

TEST(FailCounterTest, ScalesToThreeHundredThousandIds) {
  FailCounter counter({.maxretry = 3, .findtime = 600, .maxmatches = 1});
  for (uint32_t i = 0; i < 300000; ++i) {
    Ticket t;
    t.id = IpAddr::Parse(std::to_string(10 + (i >> 16)) + "." + std::to_string((i >> 8) & 255) + "." +
                         std::to_string(i & 255) + ".1");
    t.time = i % 1000;
    counter.AddFailure(t);
  }
  EXPECT_EQ(counter.size(), 300000u);
  counter.Cleanup(1100);  // last time <= 500 goes: times 0..500 of each 1000
  EXPECT_EQ(counter.size(), 300000u / 1000 * 499);
}

}  // namespace
}  // namespace portcullis::ban
