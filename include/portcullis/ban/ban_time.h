#pragma once
// Ban time arithmetic beyond "time + bantime": bantime.increment (fail2ban's
// Jail.setBanTimeExtra and ObserverThread.incrBanTime), the observer's extra attempts
// for repeat offenders, and the ban time a ban gets back when restored after a restart.
//
//   jail bantime 600, defaults, previous ban count C:
//     C = 0 -> 600 (first ban), C = 1 -> 1200, C = 2 -> 2400, ... C >= 20 -> 600 * 2^20
//   bantime.multipliers = 1 2 4 8    -> 600 * multipliers[min(C, 3)]: 600, 1200, 2400, 4800, 4800
//   bantime.maxtime = 1h             -> never more than 3600
//   bantime.rndtime = 5m             -> plus random() * 300
//
// Which previous bans count (this jail's, or all jails' with overalljails) is the
// caller's business; these functions only do the arithmetic.

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "portcullis/base/error.h"

namespace portcullis::ban {

// A uniform random number in [0, 1) (Python's random.random()); tests pass a fake.
using RandomSource = std::function<double()>;

// The bantime.formula values portcullis evaluates natively.
enum class BanTimeFormula {
  kPowerOfTwo,   // ban.Time * (1<<(ban.Count if ban.Count<20 else 20)) * banFactor  (default)
  kExponential,  // ban.Time * math.exp(float(ban.Count+1)*banFactor)/math.exp(1*banFactor)
};

// The jail's bantime.* option texts, empty when not set.
struct BanTimeIncrementOptions {
  std::string factor;
  std::string formula;
  std::string multipliers;
  std::string maxtime;
  std::string rndtime;
};

struct BanTimeIncrement {
  double factor = 1;
  BanTimeFormula formula = BanTimeFormula::kPowerOfTwo;
  std::vector<long long> multipliers;  // when given, used instead of the formula
  std::optional<double> maxtime;
  std::optional<double> rndtime;

  // Reads the options. Errors (fragment = the text): "invalid bantime.factor" (not a
  // number), "unsupported bantime.formula" (neither of the two formulas above, compared
  // without white space), "invalid bantime.multipliers" (a word that is no integer; words
  // are separated by single spaces, as Python's split(' ')), and ParseDuration's errors
  // for maxtime and rndtime.
  static Result<BanTimeIncrement> Parse(const BanTimeIncrementOptions& options);

  // fail2ban's evformula for a ban of `bantime` seconds with `count` previous bans:
  // multipliers -> bantime * factor * multipliers[min(count, n - 1)]; otherwise
  // max(bantime, formula); then min(., maxtime); then + random() * rndtime.
  double Evaluate(double bantime, int count, const RandomSource& random) const;
};

// The ban time of a new ban (ObserverThread.incrBanTime): unchanged for a permanent or
// zero ban time or when the id was never banned (previous_count 0), else Evaluate.
// The ban count to store is previous_count + 1.
double IncreasedBanTime(const BanTimeIncrement& increment, double bantime, int previous_count,
                        const RandomSource& random);

// How many attempts a new failure of an id with `previous_count` earlier bans counts as
// (ObserverThread.failureFound): min(2^min(C, 20) / 2 + 1, maxretry) -> 2, 3, 5, 9, ...
// An id without a ban in the database (C = 0) counts 1.
int RepeatOffenderAttempts(int previous_count, int maxretry);

// A ban as the database stores it (table bips).
struct StoredBan {
  double time_of_ban = 0;
  double bantime = 0;  // -1 permanent; -2 unknown (a database from before 0.11)
};

// What restoring bans after a restart depends on.
struct RestorePolicy {
  double jail_bantime = 600;
  bool increment = false;          // bantime.increment
  std::optional<double> maxtime;   // bantime.maxtime
};

// The ban time a stored ban is restored with at `now`, nullopt when it is over
// (Database.getCurrentBans + Jail.restoreCurrentBans). Without increment a longer or
// permanent stored ban is clamped to the jail's bantime (and must have started less than
// one bantime ago); with increment it is clamped to maxtime, or kept when there is none.
std::optional<double> RestoredBanTime(const StoredBan& ban, const RestorePolicy& policy, double now);

}  // namespace portcullis::ban
