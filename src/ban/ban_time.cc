#include "portcullis/ban/ban_time.h"

#include <algorithm>
#include <charconv>
#include <cmath>

#include "portcullis/base/duration.h"

namespace portcullis::ban {

namespace {

std::string WithoutSpace(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c != ' ' && c != '\t' && c != '\n' && c != '\r') out += c;
  }
  return out;
}

std::string_view Trim(std::string_view text) {
  const auto blank = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
  while (!text.empty() && blank(text.front())) text.remove_prefix(1);
  while (!text.empty() && blank(text.back())) text.remove_suffix(1);
  return text;
}

template <class T>
std::optional<T> ParseNumber(std::string_view text) {
  text = Trim(text);
  T value{};
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

Result<BanTimeFormula> ParseFormula(std::string_view text) {
  const std::string key = WithoutSpace(text);
  if (key.empty() || key == "ban.Time*(1<<(ban.Countifban.Count<20else20))*banFactor") {
    return BanTimeFormula::kPowerOfTwo;
  }
  if (key == "ban.Time*math.exp(float(ban.Count+1)*banFactor)/math.exp(1*banFactor)") {
    return BanTimeFormula::kExponential;
  }
  return Fail("unsupported bantime.formula", "", 0, std::string(text));
}

Result<std::vector<long long>> ParseMultipliers(std::string_view text) {
  std::vector<long long> out;
  if (text.empty()) return out;
  for (size_t pos = 0;;) {
    size_t space = text.find(' ', pos);
    auto word = text.substr(pos, space == std::string_view::npos ? std::string_view::npos : space - pos);
    auto value = ParseNumber<long long>(word);
    if (!value) return Fail("invalid bantime.multipliers", "", 0, std::string(text));
    out.push_back(*value);
    if (space == std::string_view::npos) return out;
    pos = space + 1;
  }
}

Result<std::optional<double>> ParseOptionalDuration(std::string_view text) {
  if (text.empty()) return std::optional<double>();
  auto seconds = ParseDuration(text);
  if (!seconds) return Fail(seconds.error());
  return std::optional<double>(*seconds);
}

double Formula(BanTimeFormula formula, double bantime, int count, double factor) {
  if (formula == BanTimeFormula::kExponential) {
    return bantime * std::exp(static_cast<double>(count + 1) * factor) / std::exp(1 * factor);
  }
  return bantime * static_cast<double>(1LL << std::min(count, 20)) * factor;
}

}  // namespace

Result<BanTimeIncrement> BanTimeIncrement::Parse(const BanTimeIncrementOptions& options) {
  BanTimeIncrement out;
  if (!options.factor.empty()) {
    auto factor = ParseNumber<double>(options.factor);
    if (!factor) return Fail("invalid bantime.factor", "", 0, options.factor);
    out.factor = *factor;
  }
  auto formula = ParseFormula(options.formula);
  if (!formula) return Fail(formula.error());
  out.formula = *formula;
  auto multipliers = ParseMultipliers(options.multipliers);
  if (!multipliers) return Fail(multipliers.error());
  out.multipliers = std::move(*multipliers);
  auto maxtime = ParseOptionalDuration(options.maxtime);
  if (!maxtime) return Fail(maxtime.error());
  out.maxtime = *maxtime;
  auto rndtime = ParseOptionalDuration(options.rndtime);
  if (!rndtime) return Fail(rndtime.error());
  out.rndtime = *rndtime;
  return out;
}

double BanTimeIncrement::Evaluate(double bantime, int count, const RandomSource& random) const {
  double result;
  if (!multipliers.empty()) {
    const size_t index = std::min(static_cast<size_t>(std::max(count, 0)), multipliers.size() - 1);
    result = bantime * factor * static_cast<double>(multipliers[index]);
  } else {
    result = std::max(bantime, Formula(formula, bantime, count, factor));
  }
  if (maxtime) result = std::min(result, *maxtime);
  if (rndtime) result += random() * *rndtime;
  return result;
}

double IncreasedBanTime(const BanTimeIncrement& increment, double bantime, int previous_count,
                        const RandomSource& random) {
  if (bantime <= 0 || previous_count <= 0) return bantime;
  return increment.Evaluate(bantime, previous_count, random);
}

int RepeatOffenderAttempts(int previous_count, int maxretry) {
  if (previous_count <= 0) return 1;
  const int attempts = static_cast<int>((1LL << std::min(previous_count, 20)) / 2 + 1);
  return std::min(attempts, maxretry);
}

std::optional<double> RestoredBanTime(const StoredBan& ban, const RestorePolicy& policy, double now) {
  double bantime = ban.bantime;
  // The database query: still running (or permanent), and without increment started
  // within the jail's bantime.
  if (!(ban.time_of_ban + bantime > now || bantime <= -1)) return std::nullopt;
  if (!policy.increment && policy.jail_bantime != -1 && !(ban.time_of_ban > now - policy.jail_bantime)) {
    return std::nullopt;
  }
  // Jail.getMaxBanTime; -1 (or 0) means "no correction".
  const double correct = policy.increment ? policy.maxtime.value_or(-1) : policy.jail_bantime;
  if (bantime == -2) {
    bantime = policy.jail_bantime;
  } else if (correct > 0 && (bantime == -1 || bantime > correct)) {
    bantime = correct;
  }
  if (bantime != -1 && ban.time_of_ban + bantime <= now) return std::nullopt;
  return bantime;
}

}  // namespace portcullis::ban
