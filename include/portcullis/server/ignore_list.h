#pragma once
// Which failures a jail never counts: fail2ban's Filter.inIgnoreIPList.
//
//   ignoreself = true     the machine's own addresses (interfaces, host name)
//   ignoreip = 127.0.0.1/8 ::1 192.0.2.7 mx.example.org
//                         addresses, networks (a/len, a/mask) and DNS names, resolved
//                         once when the jail starts (fail2ban resolves them lazily and
//                         caches them the same way)
//   ignorecommand = /usr/local/bin/is-friend <ip>
//                         exit 0: ignore, 1: count it; values are passed as positional
//                         variables, never spliced into the script
//
// Checked in that order; the first rule that matches names itself in the log
// ("[sshd] Ignore 192.0.2.7 by ip").

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "portcullis/ban/ticket.h"
#include "portcullis/base/error.h"
#include "portcullis/base/ip_addr.h"
#include "portcullis/platform/process_runner.h"

namespace portcullis::server {

// Resolves a host name to its addresses (getaddrinfo in production, a map in tests).
using HostResolver = std::function<std::vector<IpAddr>(std::string_view name)>;
HostResolver SystemHostResolver();
// The machine's own addresses: every interface's, plus the host name's.
std::vector<IpAddr> SelfAddresses(const HostResolver& resolve);

struct IgnoreOptions {
  std::vector<std::string> ignoreip;  // as the jail lists them
  bool ignoreself = true;
  std::string ignorecommand;          // empty: none
  double command_timeout = 60;
};

class IgnoreList {
 public:
  // Errors: an ignoreip entry with a bad mask ("invalid mask ...", the entry as fragment).
  static Result<IgnoreList> Create(const IgnoreOptions& options, const HostResolver& resolve,
                                   platform::CommandRunner* runner);

  // The rule that ignores `ticket`'s id ("ip", "dns", "ignoreself rule", "command"),
  // nullopt when none does.
  std::optional<std::string_view> Match(const ban::Ticket& ticket);

  // Adds or removes entries at run time (`set <jail> addignoreip`).
  Result<void> Add(std::string_view entry, const HostResolver& resolve);
  const std::vector<std::string>& entries() const { return entries_; }

 private:
  struct Net {
    IpAddr net;
    bool from_dns = false;
  };
  bool RunCommand(const ban::Ticket& ticket);

  std::vector<std::string> entries_;
  std::vector<Net> nets_;
  std::vector<IpAddr> self_;
  bool ignoreself_ = true;
  std::string command_;
  double command_timeout_ = 60;
  platform::CommandRunner* runner_ = nullptr;
};

}  // namespace portcullis::server
