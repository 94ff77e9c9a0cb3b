#pragma once
// Counting failures per id until an id is ready to be banned: fail2ban's FailManager.
//
//   FailCounter counter({.maxretry = 3, .findtime = 600});
//   counter.AddFailure(failure_at(0));     // 1
//   counter.AddFailure(failure_at(500));   // 2
//   counter.AddFailure(failure_at(1000));  // 2: the rate 2 per 1000 s is 1.2 per 600 s
//   counter.AddFailure(failure_at(1100));  // 3 >= maxretry
//   counter.ToBan(id);                     // the ticket, removed from the counter
//
// A failure later than an id's last one, when the id's window has grown past findtime,
// first scales the attempts down to the rate over findtime: retry = round(retry /
// (t - first) * findtime) (Python's round: halves to even), first = t - findtime.
// Matches keep the last `maxmatches` lines (0: none) once a second failure arrives.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <unordered_map>

#include "portcullis/ban/ticket.h"
#include "portcullis/base/ip_addr.h"

namespace portcullis::ban {

struct FailCounterOptions {
  int maxretry = 3;
  double findtime = 600;
  int maxmatches = 5;
};

// One id being counted.
struct FailEntry {
  Ticket ticket;            // time = last failure, failures, matches, data of the first
  double first_time = 0;    // start of the window the attempts are counted over
  int retry = 0;            // the attempts compared with maxretry
};

class FailCounter {
 public:
  explicit FailCounter(FailCounterOptions options = {});

  // Counts `failure` (whose id is the key) as `count` attempts and returns the id's
  // attempts afterwards; attempts >= maxretry means ToBan will hand the ticket out.
  int AddFailure(const Ticket& failure, int count = 1);
  // The observer's extra attempts for a repeat offender (bantime.increment): adds
  // `count` attempts and one failure to an id being counted and returns its attempts;
  // nullopt (nothing added) when the id is not counted (already handed out).
  std::optional<int> AddObservedFailure(const IpAddr& id, int count);

  // Removes and returns the ticket of `id` when its attempts reached maxretry.
  std::optional<Ticket> ToBan(const IpAddr& id);
  // The same for any id that reached maxretry (fail2ban's toBan() without an id).
  std::optional<Ticket> ToBanAny();
  // Forgets ids whose last failure is at or before now - findtime.
  void Cleanup(double now);
  // Forgets `id` (unban, ban by command).
  void Remove(const IpAddr& id) { entries_.erase(id); }

  // nullptr when `id` is not being counted.
  const FailEntry* Find(const IpAddr& id) const;
  // "Currently failed": ids being counted.
  size_t size() const { return entries_.size(); }
  // "Total failed": failures counted since start (or since set_total).
  uint64_t total() const { return total_; }
  void set_total(uint64_t total) { total_ = total; }
  const FailCounterOptions& options() const { return options_; }
  void set_options(const FailCounterOptions& options) { options_ = options; }

 private:
  void Merge(FailEntry& entry, const Ticket& failure, int count) const;
  void TrimMatches(Ticket& ticket) const;

  FailCounterOptions options_;
  std::unordered_map<IpAddr, FailEntry, IpAddrHash> entries_;
  uint64_t total_ = 0;
};

}  // namespace portcullis::ban
