#pragma once
// The values behind an action's dynamic tags: fail2ban's Actions.ActionInfo.
//
//   ActionInfo info = ActionInfo::FromTicket(ticket, 600);
//   *info.Find("ip")       == "192.0.2.1"
//   *info.Find("time")     == "1124013600.0"    (Python's str of a float)
//   *info.Find("matches")  == "line 1\nline 2"
//   *info.FindData("user") == "root"             (for <F-USER>)
//
// Values are the text fail2ban's str() gives them. Tags that need the database, DNS or
// the jail (ip-host, ipmatches, ipjailmatches, ipfailures, ipjailfailures, raw-ticket,
// jail.banned, jail.banned_total, jail.found, jail.found_total, fq-hostname,
// sh-hostname) are the caller's to Set.

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "portcullis/ban/ticket.h"
#include "portcullis/base/ip_addr.h"

namespace portcullis::action {

class ActionInfo {
 public:
  // The tags of a ban/unban/prolong: ip, family, ip-rev, fid, failures, time, bantime
  // (the ticket's, else `jail_bantime`, as an int), bancount, matches, restored, and the
  // ticket's data (with "failures" and "matches") for <F-NAME>.
  static ActionInfo FromTicket(const ban::Ticket& ticket, double jail_bantime);
  // The "empty ticket" of actionstart/stop/check/flush: <ip> "", <time> now, <family>
  // the family being started ("" when the action has no conditional families).
  static ActionInfo ForOperation(double now, std::string_view family, double jail_bantime);
  // Only <ip>: what ignorecommand gets when there is no ticket.
  static ActionInfo ForIp(const IpAddr& ip);

  // Adds or replaces a tag's value.
  void Set(std::string_view tag, std::string value);
  // The value of `tag`; nullptr when the tag is unknown (kept in the command).
  const std::string* Find(std::string_view tag) const;
  // The ticket data `key` (already mapped: <F-USER> -> "user", <F-ID> -> "fid");
  // nullptr when missing (the tag becomes empty).
  const std::string* FindData(std::string_view key) const;
  // Whether <F-NAME> tags are replaced (false for ForIp).
  bool has_ticket() const { return has_ticket_; }
  // The family selecting conditional options ("inet4", "inet6", or "" for text ids).
  const std::string& family() const { return family_; }

 private:
  using Entries = std::vector<std::pair<std::string, std::string>>;
  static void Put(Entries& entries, std::string_view key, std::string value);
  static const std::string* Get(const Entries& entries, std::string_view key);

  Entries tags_;
  Entries data_;
  std::string family_;
  bool has_ticket_ = false;
};

// Python's str() of a float, as fail2ban prints ticket times: "1124013600.0", "1.5",
// "1e+16".
std::string PyFloatStr(double value);

}  // namespace portcullis::action
