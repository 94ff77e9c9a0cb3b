#pragma once
// One running jail: fail2ban's Jail with its FileFilter and Actions, on one thread.
//
//   log source -> LogFile (complete lines, rotation) -> Filter -> IgnoreList
//     -> FailCounter (maxretry over findtime) -> BanList (bantime, increment)
//     -> ActionRunner (queued; a slow action never stalls this thread)
//     -> BanStore (the ban and the log position, one transaction per read round)
//
//   auto jail = Jail::Create(spec, context);   // config -> compiled filter, actions
//   (*jail)->Start();                          // actionstart, restore bans, read logs
//   (*jail)->Stop();                           // flush/unban, actionstop; bans stay in the db
//
// The jail thread owns the filter and the log files. Counters and bans are shared with
// the control socket's thread under the jail's mutex.

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "portcullis/action/action_runner.h"
#include "portcullis/ban/ban_list.h"
#include "portcullis/ban/ban_time.h"
#include "portcullis/ban/fail_counter.h"
#include "portcullis/base/clock.h"
#include "portcullis/base/error.h"
#include "portcullis/config/jail_reader.h"
#include "portcullis/control/control_handler.h"
#include "portcullis/filter/filter.h"
#include "portcullis/log/log_file.h"
#include "portcullis/log/log_source.h"
#include "portcullis/platform/process_runner.h"
#include "portcullis/server/ignore_list.h"
#include "portcullis/server/server_log.h"
#include "portcullis/server/store_writer.h"
#include "portcullis/store/ban_store.h"

namespace portcullis::server {

// What every jail of a server shares.
struct JailContext {
  const Clock* clock = nullptr;
  ServerLog* log = nullptr;
  store::BanStore* store = nullptr;           // nullptr: dbfile = None
  StoreWriter* writer = nullptr;              // writes to `store`; set when store is
  platform::CommandRunner* runner = nullptr;  // runs actions and ignorecommand
  HostResolver resolve;
  log::LogSourceOptions source_options;
  // Makes the jail's log source; empty: log::MakeLogSource (tests pass a fake).
  std::function<Result<std::unique_ptr<log::LogSource>>(log::Backend)> make_source;
  // <fq-hostname> and <sh-hostname> for the actions.
  std::optional<std::string> fq_hostname, sh_hostname;
  // Bans waiting per action before more are refused (and logged as errors).
  size_t action_queue_limit = 1'000'000;
};

// The jail's numbers, as fail2ban's jail options read them.
struct JailOptions {
  int maxretry = 5;
  double findtime = 600;
  double bantime = 600;
  int maxmatches = 5;
  bool increment = false;
  bool overalljails = false;
  ban::BanTimeIncrement increment_options;
  std::string logencoding = "auto";
};

// Reads the jail's options (defaults as fail2ban's jail.conf). Errors name the option.
Result<JailOptions> ReadJailOptions(const config::JailSpec& spec);

class Jail {
 public:
  // Compiles the filter, reads the actions, prepares the ignore list. Errors say which
  // part of the jail is broken (the regex's file:line, the action's file).
  static Result<std::unique_ptr<Jail>> Create(const config::JailSpec& spec, const JailContext& context);
  ~Jail();
  Jail(const Jail&) = delete;
  Jail& operator=(const Jail&) = delete;

  const std::string& name() const { return spec_.name; }
  const config::JailSpec& spec() const { return spec_; }
  bool running() const { return started_; }

  // Runs actionstart, restores the bans in the database, opens the logs and starts
  // the thread (unless `own_thread` is false: tests then call RunOnce). Errors: the
  // backend (systemd) or the log source cannot be set up.
  Result<void> Start(bool own_thread = true);
  // One round of the jail thread: wait for the log source (at most until the next
  // unban, or a second), read what changed, unban what expired, write the database.
  void RunOnce();
  // Ends the thread; the actions flush (or unban each ban) and stop. The bans stay in
  // the database, to be restored at the next start.
  void Stop();

  control::JailStatus Status(control::StatusFlavor flavor);
  control::JailSettings Settings() const;
  std::vector<std::string> BannedIps();
  bool IsBanned(const IpAddr& ip);
  // `set <jail> banip`: bans now; how many were not banned before.
  int BanIps(const std::vector<std::string>& ips);
  // `set <jail> unbanip`: how many were banned; `absent` gets the others.
  int UnbanIps(const std::vector<std::string>& ips, std::vector<std::string>* absent);
  // Unbans every ban (actions and database); how many.
  int UnbanAll();
  // Waits until every queued action command has run (tests, benchmarks).
  bool WaitActionsIdle(std::chrono::milliseconds timeout);

 private:
  struct WatchedLog {
    std::string path;
    bool tail = false;
    std::optional<log::LogFile> file;
    std::optional<log::LogPosition> saved_position;  // last written to the database
  };

  Jail(config::JailSpec spec, const JailContext& context) : spec_(std::move(spec)), context_(context) {}

  void Loop();
  void ReadLog(WatchedLog& log);
  bool OpenLog(WatchedLog& log);
  void HandleLine(std::string_view line);
  void HandleFailure(const filter::Failure& failure);
  // Under mu_: count one observed attempt more for a repeat offender (increment).
  void ObserveRepeatOffender(const ban::Ticket& ticket);
  // Under mu_: hands every ticket of `id` that reached maxretry to Ban.
  void BanReady(const IpAddr& id);
  // Under mu_: fail2ban's Actions.__checkBan for one ticket.
  bool Ban(ban::Ticket ticket);
  void UnbanExpired();
  void UnbanTicket(const ban::Ticket& ticket, bool forget);
  void RestoreBans();
  // Queues the logs' positions for the database (the jail thread only, or after it
  // ended), after the bans their lines produced.
  void SavePositions();
  double Now() const { return context_.clock->Now(); }
  void Log(LogLevel level, std::string_view logger, const std::string& message) const {
    context_.log->Write(level, logger, message);
  }

  config::JailSpec spec_;
  JailContext context_;
  JailOptions options_;
  std::shared_ptr<const filter::CompiledFilter> compiled_;
  std::unique_ptr<filter::Resolver> dns_;
  std::optional<filter::Filter> filter_;
  std::unique_ptr<action::ActionRunner> actions_;
  std::unique_ptr<log::LogSource> source_;
  std::vector<WatchedLog> logs_;
  std::vector<log::LogEvent> events_;
  double last_cleanup_ = 0;

  mutable std::mutex mu_;  // guards what the control thread also reads:
  std::optional<IgnoreList> ignore_;
  ban::FailCounter counter_;
  ban::BanList bans_;
  std::atomic<bool> stopping_{false};
  bool started_ = false;
  // Whether a banned ticket keeps its matched lines after the ban actions got them:
  // only when an action's unban or flush command uses <matches> (the ban list of a
  // storm then holds addresses, not log lines).
  bool keep_matches_ = false;
  // Whether a restored ban needs its stored data (matches, failures, captured groups):
  // only when a ban command uses such a tag (restoring 300,000 bans parses no JSON).
  bool restore_data_ = false;
  std::thread thread_;
};

}  // namespace portcullis::server
