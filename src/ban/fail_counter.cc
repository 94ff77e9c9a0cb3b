#include "portcullis/ban/fail_counter.h"

#include <cmath>
#include <iterator>

namespace portcullis::ban {

namespace {

// FailTicket.adjustTime: a later failure moves the window; when the window grew past
// findtime the attempts are scaled to the rate over findtime. std::nearbyint rounds
// halves to even, as Python's round() does.
void AdjustTime(FailEntry& entry, double time, double findtime) {
  if (time <= entry.ticket.time) return;
  if (entry.first_time < time - findtime) {
    entry.retry = static_cast<int>(std::nearbyint(entry.retry / (time - entry.first_time) * findtime));
    entry.first_time = time - findtime;
  }
  entry.ticket.time = time;
}

}  // namespace

FailCounter::FailCounter(FailCounterOptions options) : options_(options) {}

void FailCounter::TrimMatches(Ticket& ticket) const {
  auto& matches = ticket.matches;
  if (options_.maxmatches <= 0) {
    matches.clear();
  } else if (matches.size() > static_cast<size_t>(options_.maxmatches)) {
    matches.erase(matches.begin(), matches.end() - options_.maxmatches);
  }
}

void FailCounter::Merge(FailEntry& entry, const Ticket& failure, int count) const {
  // A failure that carries no attempt count still counts as one (FailManager.addFailure).
  int attempt = failure.failures <= 0 ? failure.failures + 1 : failure.failures;
  AdjustTime(entry, failure.time, options_.findtime);
  entry.retry += count;
  entry.ticket.failures += attempt;
  if (options_.maxmatches > 0) {
    entry.ticket.matches.insert(entry.ticket.matches.end(), failure.matches.begin(), failure.matches.end());
  }
  TrimMatches(entry.ticket);
}

int FailCounter::AddFailure(const Ticket& failure, int count) {
  ++total_;
  auto found = entries_.find(failure.id);
  if (found != entries_.end()) {
    Merge(found->second, failure, count);
    return found->second.retry;
  }
  // A new id keeps the failure as it is, matches untrimmed (as fail2ban does), with at
  // least `count` attempts (FailTicket.setRetry).
  FailEntry entry{failure, failure.time, failure.failures};
  if (count > entry.ticket.failures) {
    entry.retry = count;
    if (entry.ticket.failures == 0) entry.ticket.failures = 1;
    if (count == 0) entry.ticket.failures = 0, entry.ticket.matches.clear();
  }
  const int retry = entry.retry;
  entries_.insert_or_assign(failure.id, std::move(entry));
  return retry;
}

std::optional<int> FailCounter::AddObservedFailure(const IpAddr& id, int count) {
  auto found = entries_.find(id);
  if (found == entries_.end()) return std::nullopt;
  ++total_;
  found->second.retry += count;
  found->second.ticket.failures += 1;
  TrimMatches(found->second.ticket);
  return found->second.retry;
}

std::optional<Ticket> FailCounter::ToBan(const IpAddr& id) {
  auto found = entries_.find(id);
  if (found == entries_.end() || found->second.retry < options_.maxretry) return std::nullopt;
  Ticket ticket = std::move(found->second.ticket);
  entries_.erase(found);
  return ticket;
}

std::optional<Ticket> FailCounter::ToBanAny() {
  for (auto it = entries_.begin(); it != entries_.end(); ++it) {
    if (it->second.retry < options_.maxretry) continue;
    Ticket ticket = std::move(it->second.ticket);
    entries_.erase(it);
    return ticket;
  }
  return std::nullopt;
}

void FailCounter::Cleanup(double now) {
  const double oldest = now - options_.findtime;
  std::erase_if(entries_, [oldest](const auto& item) { return item.second.ticket.time <= oldest; });
}

const FailEntry* FailCounter::Find(const IpAddr& id) const {
  auto found = entries_.find(id);
  return found == entries_.end() ? nullptr : &found->second;
}

}  // namespace portcullis::ban
