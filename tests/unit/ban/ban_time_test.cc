#include "portcullis/ban/ban_time.h"

#include <gtest/gtest.h>

#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "portcullis/base/duration.h"

namespace portcullis::ban {
namespace {

double NoRandom() { return 0; }

BanTimeIncrement Increment(BanTimeIncrementOptions options) {
  auto increment = BanTimeIncrement::Parse(options);
  EXPECT_TRUE(increment) << increment.error().ToString();
  return increment.value_or(BanTimeIncrement{});
}

struct IncrementCase {
  const char* name;
  BanTimeIncrementOptions options;
  double bantime;
  std::vector<double> by_count;  // Evaluate for counts 0, 1, 2, ...
};

void PrintTo(const IncrementCase& c, std::ostream* os) { *os << c.name; }

class EvaluatesLikeFail2bansFormula : public ::testing::TestWithParam<IncrementCase> {};

TEST_P(EvaluatesLikeFail2bansFormula, ForEachPreviousBanCount) {
  const BanTimeIncrement increment = Increment(GetParam().options);
  std::vector<double> got;
  for (size_t count = 0; count < GetParam().by_count.size(); ++count) {
    got.push_back(increment.Evaluate(GetParam().bantime, static_cast<int>(count), [] { return 0.5; }));
  }
  ASSERT_EQ(got.size(), GetParam().by_count.size());
  for (size_t i = 0; i < got.size(); ++i) EXPECT_DOUBLE_EQ(got[i], GetParam().by_count[i]) << "count " << i;
}

// Values of fail2ban 1.0.2's evformula (Jail.setBanTimeExtra) with random.random() = 0.5.
INSTANTIATE_TEST_SUITE_P(
    BanTimeTest, EvaluatesLikeFail2bansFormula,
    ::testing::Values(
        IncrementCase{"DefaultFormulaDoubles", {}, 600, {600, 1200, 2400, 4800, 9600, 19200}},
        IncrementCase{"MultipliersOneTwoFourEight", {.multipliers = "1 2 4 8"}, 600,
                      {600, 1200, 2400, 4800, 4800, 4800}},
        IncrementCase{"StockAggressiveMultipliers", {.multipliers = "1 5 30 60 300 720 1440 2880"}, 60,
                      {60, 300, 1800, 3600, 18000, 43200, 86400, 172800, 172800, 172800}},
        IncrementCase{"FactorTwo", {.factor = "2"}, 600, {1200, 2400, 4800, 9600}},
        IncrementCase{"StockExponentialFormula",
                      {.formula = "ban.Time * math.exp(float(ban.Count+1)*banFactor)/math.exp(1*banFactor)"},
                      600, {600, 1630.9690970754273, 4433.43365935839, 12051.3221539126}},
        IncrementCase{"MaxtimeCaps", {.maxtime = "1h"}, 600, {600, 1200, 2400, 3600, 3600}},
        IncrementCase{"RndtimeAddsAfterTheCap", {.maxtime = "1h", .rndtime = "5m"}, 600,
                      {750, 1350, 2550, 3750, 3750}}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(BanTimeTest, DefaultFormulaStopsGrowingAfterTwentyBans) {
  const BanTimeIncrement increment;
  EXPECT_EQ(increment.Evaluate(600, 20, NoRandom), 600.0 * (1 << 20));
  EXPECT_EQ(increment.Evaluate(600, 25, NoRandom), 600.0 * (1 << 20));
}

struct SequenceCase {
  const char* name;
  BanTimeIncrementOptions options;
  std::vector<double> bans;  // the 1st, 2nd, 3rd ... ban of one id
};

void PrintTo(const SequenceCase& c, std::ostream* os) { *os << c.name; }

class IncreasesEachNextBan : public ::testing::TestWithParam<SequenceCase> {};

TEST_P(IncreasesEachNextBan, OfARepeatOffender) {
  const BanTimeIncrement increment = Increment(GetParam().options);
  std::vector<double> bans;
  for (int previous = 0; previous < static_cast<int>(GetParam().bans.size()); ++previous) {
    bans.push_back(IncreasedBanTime(increment, 600, previous, NoRandom));
  }
  EXPECT_EQ(bans, GetParam().bans);
}

// Hard part 14: 600, 1200, 2400 ... and multipliers 1 2 4 8 give the same.
INSTANTIATE_TEST_SUITE_P(
    BanTimeTest, IncreasesEachNextBan,
    ::testing::Values(SequenceCase{"WithTheDefaultFormula", {}, {600, 1200, 2400, 4800}},
                      SequenceCase{"WithMultipliers", {.multipliers = "1 2 4 8"}, {600, 1200, 2400, 4800}},
                      // The first ban is never increased, whatever the factor.
                      SequenceCase{"WithFactorTwo", {.factor = "2"}, {600, 2400, 4800, 9600}}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(BanTimeTest, PermanentBansAreNotIncreased) {
  EXPECT_EQ(IncreasedBanTime(BanTimeIncrement{}, -1, 3, NoRandom), -1);
}

TEST(BanTimeTest, RejectsWhatItCannotEvaluate) {
  struct Bad {
    BanTimeIncrementOptions options;
    const char* message;
    const char* fragment;
  };
  for (const Bad& bad : std::vector<Bad>{
           {{.factor = "x"}, "invalid bantime.factor", "x"},
           {{.formula = "ban.Time * 3"}, "unsupported bantime.formula", "ban.Time * 3"},
           {{.multipliers = "1  2"}, "invalid bantime.multipliers", "1  2"},
           {{.multipliers = "1 2.5"}, "invalid bantime.multipliers", "1 2.5"},
           {{.maxtime = "1x"}, "invalid time expression", "1x"},
       }) {
    auto increment = BanTimeIncrement::Parse(bad.options);
    ASSERT_FALSE(increment) << bad.message;
    EXPECT_EQ(increment.error().message, bad.message);
    EXPECT_EQ(increment.error().fragment, bad.fragment);
  }
}

TEST(BanTimeTest, DefaultFormulaIsAcceptedWhenSpelledOut) {
  auto increment =
      BanTimeIncrement::Parse({.formula = "ban.Time * (1<<(ban.Count if ban.Count<20 else 20)) * banFactor"});
  ASSERT_TRUE(increment);
  EXPECT_EQ(increment->formula, BanTimeFormula::kPowerOfTwo);
}

TEST(BanTimeTest, RepeatOffendersFailureCountsAsMoreAttempts) {
  // "one try will count than 2, 3, 5, 9 ..." capped by maxretry.
  const std::vector<std::pair<int, int>> expected = {{0, 1}, {1, 2}, {2, 3}, {3, 5}, {4, 9}, {5, 10}, {30, 10}};
  for (auto [count, attempts] : expected) EXPECT_EQ(RepeatOffenderAttempts(count, 10), attempts) << count;
  EXPECT_EQ(RepeatOffenderAttempts(3, 3), 3);
}

struct RestoreCase {
  const char* name;
  StoredBan ban;
  RestorePolicy policy;
  std::optional<double> bantime;
};

void PrintTo(const RestoreCase& c, std::ostream* os) { *os << c.name; }

class RestoresBansAfterRestart : public ::testing::TestWithParam<RestoreCase> {};

TEST_P(RestoresBansAfterRestart, WithTheBantimeOfTheDatabaseOrTheJail) {
  EXPECT_EQ(RestoredBanTime(GetParam().ban, GetParam().policy, 10000), GetParam().bantime);
}

// now = 10000 (Database.getCurrentBans with correctBanTime, then Jail.restoreCurrentBans).
INSTANTIATE_TEST_SUITE_P(
    BanTimeTest, RestoresBansAfterRestart,
    ::testing::Values(
        RestoreCase{"RunningBanKeepsItsTime", {9800, 600}, {600}, 600},
        RestoreCase{"LongerBanIsClampedToTheJailBantime", {9800, 3600}, {600}, 600},
        RestoreCase{"PermanentBanIsClampedToTheJailBantime", {9800, -1}, {600}, 600},
        RestoreCase{"ClampedBanThatWouldHaveEndedIsDropped", {9000, 3600}, {600}, std::nullopt},
        RestoreCase{"PermanentBanStaysWhenTheJailBansForever", {0, -1}, {-1}, -1},
        RestoreCase{"EndedBanIsDropped", {9000, 600}, {600}, std::nullopt},
        RestoreCase{"UnknownBantimeTakesTheJails", {9800, -2}, {600}, 600},
        RestoreCase{"IncrementClampsToMaxtime", {5000, 86400}, {600, true, 7200}, 7200},
        RestoreCase{"IncrementClampsPermanentToMaxtime", {9000, -1}, {600, true, 7200}, 7200},
        RestoreCase{"IncrementWithoutMaxtimeKeepsLongBans", {5000, 86400}, {600, true}, 86400},
        RestoreCase{"IncrementWithoutMaxtimeKeepsPermanentBans", {0, -1}, {600, true}, -1},
        RestoreCase{"IncrementDropsBansPastMaxtime", {1000, 86400}, {600, true, 7200}, std::nullopt}),
    [](const auto& info) { return std::string(info.param.name); });

// Hard part 14's time values, as the jail options bantime/findtime/maxtime use them.
TEST(BanTimeTest, TimeValuesOfHardPartFourteen) {
  EXPECT_EQ(ParseDuration("10m"), 600);
  EXPECT_EQ(ParseDuration("1M"), 60);
  EXPECT_EQ(ParseDuration("1mo"), 2629800);
  EXPECT_EQ(Increment({.maxtime = "1mo"}).maxtime, 2629800);
  EXPECT_EQ(Increment({.rndtime = "10m"}).rndtime, 600);
}

}  // namespace
}  // namespace portcullis::ban
