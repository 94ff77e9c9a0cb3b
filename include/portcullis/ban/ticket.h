#pragma once
// A ticket: one failure id with its time, attempts, matched lines and filter data, as
// fail2ban's Ticket/FailTicket/BanTicket carry them from the filter to the actions.
//
//   Ticket t = TicketFromFailure(failure, time);   // failures 0 until counted
//   t.EndOfBan(600)  == t.time + 600
//   t.EndOfBan(-1)   == kMaxTime                   // permanent
//
// The ban time of a ticket is unset until something (bantime.increment, a restore from
// the database) decides it; until then the jail's bantime applies.

#include <optional>
#include <string>
#include <vector>

#include "portcullis/base/ip_addr.h"
#include "portcullis/filter/failure.h"

namespace portcullis::ban {

// fail2ban's Ticket.MAX_TIME: the end of a permanent ban (year 4461763).
inline constexpr double kMaxTime = 0x7FFFFFFFFFFF;

struct Ticket {
  IpAddr id;                          // the failure id (an address, or text)
  double time = 0;                    // time of the last failure
  std::vector<std::string> matches;   // matched lines, oldest first (maxmatches kept)
  int failures = 0;                   // fail2ban's data['failures']: the attempts seen
  filter::FailData data;              // the filter's data without "matches", None dropped
  std::optional<double> bantime;      // nullopt: the jail's bantime
  int ban_count = 0;
  bool restored = false;              // read back from the database
  bool banned = false;                // the ban actions ran

  // The address for actions: the data's "ip" when the filter set one, else the id.
  IpAddr Ip() const;
  // The ticket's ban time, or `jail_bantime` when it has none.
  double BanTime(double jail_bantime) const { return bantime.value_or(jail_bantime); }
  // time + ban time; kMaxTime for a permanent (-1) ban.
  double EndOfBan(double jail_bantime) const;
  // Whether the ban is over at `now` (strictly after its end); never for -1.
  bool IsTimedOut(double now, double jail_bantime) const;
};

// The ticket fail2ban's filter builds for a failure found at `time` (FailTicket(ip,
// time, data=fail)): matches joined from the failure's lines, other data copied,
// failures 0 (the counter makes it 1). A failure without id gets an empty id.
Ticket TicketFromFailure(const filter::Failure& failure, double time);

}  // namespace portcullis::ban
