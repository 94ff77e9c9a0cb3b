#pragma once
// The ban daemon: fail2ban's Server. Reads fail2ban.conf and the jails from a config
// folder, opens the ban database, starts every enabled jail, and answers the control
// socket (as a control::ControlHandler).
//
//   auto settings = ReadServerSettings("/etc/fail2ban");       // fail2ban.conf/.local/.d
//   auto server = Server::Create(*settings, context);
//   (*server)->Start();        // a broken jail is logged with file:line; the rest run
//   ...                        // control socket, signals (tools/server/main.cc)
//   (*server)->Stop();         // every jail: flush/unban actions, actionstop
//
// Reload (`reload`, SIGHUP) stops the affected jails and starts them from the new
// configuration; their bans come back from the database ("Restore Ban"), so they are
// kept, as fail2ban's `restart` does. Without a database (`dbfile = None`) a reload
// loses the jail's bans from its actions, as fail2ban's restart does.

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "portcullis/base/clock.h"
#include "portcullis/base/error.h"
#include "portcullis/control/control_handler.h"
#include "portcullis/platform/process_runner.h"
#include "portcullis/server/ignore_list.h"
#include "portcullis/server/jail.h"
#include "portcullis/server/server_log.h"
#include "portcullis/server/store_writer.h"
#include "portcullis/store/ban_store.h"

namespace portcullis::server {

// fail2ban.conf's [Definition] (falling back to [DEFAULT]).
struct ServerSettings {
  std::string basedir = "/etc/fail2ban";
  std::string loglevel = "INFO";
  std::string logtarget = "/var/log/fail2ban.log";
  std::string socket = "/var/run/fail2ban/fail2ban.sock";
  std::string pidfile = "/var/run/fail2ban/fail2ban.pid";
  std::string dbfile = "/var/lib/fail2ban/fail2ban.sqlite3";  // "None": no database
  double dbpurgeage = 86400;
  int dbmaxmatches = 10;
};

// Reads <basedir>/fail2ban.conf (+ .local, fail2ban.d). Errors name file and line.
Result<ServerSettings> ReadServerSettings(const std::string& basedir);

struct ServerContext {
  const Clock* clock = nullptr;
  ServerLog* log = nullptr;
  platform::CommandRunner* runner = nullptr;
  HostResolver resolve;
  log::LogSourceOptions source_options;
};

class Server final : public control::ControlHandler {
 public:
  // Opens the database (a corrupt file is moved aside and a new one created).
  // Error only when the database cannot be opened or created at all.
  static Result<std::unique_ptr<Server>> Create(ServerSettings settings, ServerContext context);
  ~Server() override;

  // Reads the jails and starts the enabled ones. Error when the jail configuration
  // as a whole cannot be read; a broken jail is only logged.
  Result<void> Start();
  // Stops every jail (in reverse order).
  void Stop();
  // Runs fail2ban's hourly database purge when it is due.
  void Housekeeping();

  // Set by the `stop` command; the main loop then calls Stop().
  bool stop_requested() const { return stop_requested_; }
  // Waits up to `timeout` for a stop request.
  bool WaitForStopRequest(std::chrono::milliseconds timeout);
  Jail* FindJail(const std::string& name);

  // control::ControlHandler
  bool HasJail(const std::string& jail) override;
  std::string Version() override;
  std::vector<std::string> Jails() override;
  Result<control::JailStatus> Status(const std::string& jail, control::StatusFlavor flavor) override;
  Result<void> StartJail(const std::string& jail) override;
  Result<void> StopJail(const std::string& jail) override;
  Result<void> StopServer() override;
  Result<void> Reload(const control::ReloadRequest& request) override;
  Result<int> BanIps(const std::string& jail, const std::vector<std::string>& ips) override;
  Result<int> UnbanIps(const std::string& jail, const std::vector<std::string>& ips, bool report_absent) override;
  Result<int> UnbanEverywhere(const std::vector<std::string>& ips) override;
  Result<int> UnbanAll() override;
  std::vector<control::JailBans> Banned() override;
  Result<control::JailSettings> Settings(const std::string& jail) override;
  Result<std::string> SetLogLevel(const std::string& level) override;
  Result<std::string> GetLogLevel() override;
  Result<std::optional<long long>> SetDbPurgeAge(const std::string& age) override;
  Result<std::optional<long long>> GetDbPurgeAge() override;

 private:
  Server(ServerSettings settings, ServerContext context) : settings_(std::move(settings)), context_(context) {}
  JailContext MakeJailContext();
  // Builds and starts `spec`'s jail; logs and returns the error when it fails.
  Result<void> StartSpec(const config::JailSpec& spec);
  void Log(LogLevel level, const std::string& message) { context_.log->Write(level, "fail2ban.server", message); }

  ServerSettings settings_;
  ServerContext context_;
  std::optional<store::BanStore> store_;
  std::unique_ptr<StoreWriter> writer_;  // after store_: destroyed (drained) first
  std::recursive_mutex mu_;  // jails_: the control thread and the main thread (SIGHUP)
  std::vector<std::unique_ptr<Jail>> jails_;  // running or stopped, in config order
  double next_purge_ = 0;
  bool hostnames_resolved_ = false;
  std::optional<std::string> fq_hostname_, sh_hostname_;

  std::mutex stop_mu_;
  std::condition_variable stop_cv_;
  std::atomic<bool> stop_requested_{false};
};

}  // namespace portcullis::server
