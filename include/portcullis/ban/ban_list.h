#pragma once
// The ids a jail currently bans and when each ban ends: fail2ban's BanManager.
//
//   BanList bans(600);                       // the jail's bantime
//   bans.Add(ticket, now)  -> kBanned        // run the ban actions
//   bans.Add(again, now)   -> kAlreadyBanned or kProlonged (no actions run)
//   bans.Add(old, now)     -> kExpired       // "Ignore <ip>, expired bantime"
//   bans.TakeExpired(now)  -> tickets to unban (their end of ban < now)
//
// A ban ends at the ticket's time (its last failure, not "now") plus its ban time.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <unordered_map>
#include <vector>

#include "portcullis/ban/ticket.h"
#include "portcullis/base/ip_addr.h"

namespace portcullis::ban {

enum class AddBanResult {
  kBanned,         // new in the list: the caller runs the ban actions
  kExpired,        // its end of ban is already past: not banned
  kAlreadyBanned,  // banned already, not longer than the current ban
  kProlonged,      // banned already; the existing ban now lasts longer
};

class BanList {
 public:
  explicit BanList(double bantime = 600) : bantime_(bantime) {}

  // Adds a ban for `ticket` (BanManager.addBanTicket). When the id is banned already
  // and the new ban ends later, the existing ticket's ban time grows by the new ban
  // time plus the time between the two tickets (or becomes -1).
  AddBanResult Add(Ticket ticket, double now);
  // Removes and returns up to `max_count` tickets whose ban ended before `now`.
  std::vector<Ticket> TakeExpired(double now, size_t max_count = SIZE_MAX);
  // Removes and returns every ticket (jail stop, flush).
  std::vector<Ticket> TakeAll();
  // Removes and returns the ticket of `id`; nullopt when not banned.
  std::optional<Ticket> Take(const IpAddr& id);

  // nullptr when `id` is not banned.
  const Ticket* Find(const IpAddr& id) const;
  Ticket* Find(const IpAddr& id);
  // The banned tickets ordered by end of ban (`get <jail> banip --with-time`).
  std::vector<const Ticket*> OrderedByEnd() const;
  // The earliest end of ban, kMaxTime when nothing is banned.
  double NextUnbanTime() const;

  double bantime() const { return bantime_; }
  // fail2ban keeps the jail's bantime as an int.
  void set_bantime(double bantime) { bantime_ = static_cast<double>(static_cast<int64_t>(bantime)); }
  // "Currently banned".
  size_t size() const { return bans_.size(); }
  // "Total banned".
  uint64_t total() const { return total_; }
  void set_total(uint64_t total) { total_ = total; }

 private:
  double bantime_;
  std::unordered_map<IpAddr, Ticket, IpAddrHash> bans_;
  uint64_t total_ = 0;
};

}  // namespace portcullis::ban
