#pragma once
// What the control socket asks of the server: one method per command, typed arguments.
// The control module checks each request (words, jail names) before calling, so a
// handler sees only well-formed commands for jails HasJail() knows; it builds the reply
// JSON from what these methods return (docs/portcullis-client.md has the shapes).
//
// The UnixServer calls the handler from its own thread, one request at a time.

#include <optional>
#include <string>
#include <vector>

#include "portcullis/base/error.h"

namespace portcullis::control {

// `status <jail>`: fail2ban's Filter and Actions sections.
struct FilterStatus {
  long long currently_failed = 0;  // IPs with failures not (yet) banned
  long long total_failed = 0;      // failures seen since the jail started
  std::vector<std::string> file_list;
};
struct ActionsStatus {
  long long currently_banned = 0;
  long long total_banned = 0;
  std::vector<std::string> banned_ip_list;  // not sent for StatusFlavor::kShort
};
struct JailStatus {
  FilterStatus filter;
  ActionsStatus actions;
};

// `status <jail> [basic|short]`: short leaves out the banned IP list.
enum class StatusFlavor { kBasic, kShort };

// `reload [--restart] [--unban] [--if-exists] [<jail>|--all]`.
struct ReloadRequest {
  std::optional<std::string> jail;  // nullopt: all jails (--all or no jail given)
  bool restart = false;             // stop and start the affected jails
  bool unban = false;               // unban their IPs first
  bool if_exists = false;           // a jail missing from the config is no error
};

// One jail's banned IPs, for `banned`.
struct JailBans {
  std::string jail;
  std::vector<std::string> ips;
};

// The values `get <jail> <option>` reads.
struct JailSettings {
  long long bantime = 0;  // seconds; -1 = permanent
  long long findtime = 0;
  long long maxretry = 0;
  long long maxmatches = 0;
  std::vector<std::string> logpath;
  std::vector<std::string> ignoreip;
  std::vector<std::string> actions;  // action names, in order
};

class ControlHandler {
 public:
  virtual ~ControlHandler() = default;

  // Whether the server has jail `jail` (the name as configured).
  virtual bool HasJail(const std::string& jail) = 0;
  // `version`: the server's version text.
  virtual std::string Version() = 0;
  // `status`: the jails' names (any order; the reply sorts them as fail2ban does).
  virtual std::vector<std::string> Jails() = 0;
  // `status <jail> [flavor]`.
  virtual Result<JailStatus> Status(const std::string& jail, StatusFlavor flavor) = 0;
  // `start <jail>` / `stop <jail>`.
  virtual Result<void> StartJail(const std::string& jail) = 0;
  virtual Result<void> StopJail(const std::string& jail) = 0;
  // `stop`: stop every jail and the server. The reply is sent before the connection
  // closes, so the server should quit after returning (not inside this call).
  virtual Result<void> StopServer() = 0;
  // `reload ...`: re-read the configuration. Errors (config errors, an unknown jail
  // without --if-exists) are shown to the user as they are.
  virtual Result<void> Reload(const ReloadRequest& request) = 0;
  // `set <jail> banip <ip>...`: bans now; the number of IPs newly banned.
  virtual Result<int> BanIps(const std::string& jail, const std::vector<std::string>& ips) = 0;
  // `set <jail> unbanip [--report-absent] <ip>...`: the number unbanned. With
  // report_absent, IPs that were not banned are an error "not banned: ['x', 'y']".
  virtual Result<int> UnbanIps(const std::string& jail, const std::vector<std::string>& ips,
                               bool report_absent) = 0;
  // `unban <ip>...`: unban in every jail and the database; the number unbanned.
  virtual Result<int> UnbanEverywhere(const std::vector<std::string>& ips) = 0;
  // `unban --all`: unban every IP in every jail and the database; the number unbanned.
  virtual Result<int> UnbanAll() = 0;
  // `banned`, `banned <ip>...`, `get <jail> banned [ip...]`: every jail's banned IPs,
  // in the server's jail order.
  virtual std::vector<JailBans> Banned() = 0;
  // `get <jail> bantime|findtime|maxretry|maxmatches|logpath|ignoreip|actions`.
  virtual Result<JailSettings> Settings(const std::string& jail) = 0;

  // Optional: `set|get loglevel` (the level's name after the change) and
  // `set|get dbpurgeage` (seconds; nullopt when there is no database). The defaults
  // answer "not supported by this server".
  virtual Result<std::string> SetLogLevel(const std::string& level);
  virtual Result<std::string> GetLogLevel();
  virtual Result<std::optional<long long>> SetDbPurgeAge(const std::string& age);
  virtual Result<std::optional<long long>> GetDbPurgeAge();
};

}  // namespace portcullis::control
