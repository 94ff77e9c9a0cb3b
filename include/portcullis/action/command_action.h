#pragma once
// One action of a jail run through fail2ban's lifecycle: CommandAction's start, ban,
// unban, flush and stop, synchronously. ActionRunner puts it on a worker thread.
//
//   start   actionstart per family ("" or, with `x?family=` options, inet4 and inet6),
//           skipped for actionstart_on_demand (the default with such options)
//   ban     actionstart of the ticket's family if on demand and not started; actionban;
//           on failure with actioncheck: check, then actionrepair (or stop + start) when
//           the check fails, and one retry. Restored tickets skip norestored actions.
//   unban   only for a family that had a ban; check/repair only with
//           actionrepair_on_unban
//   flush   actionflush once per family that had bans
//   stop    actionstop per started family
//
// A command that is the same text for two families runs once, as in fail2ban.
// Every command runs with the action's `timeout` (default 60 s).

#include <chrono>
#include <functional>
#include <map>
#include <utility>
#include <string>
#include <string_view>
#include <vector>

#include "portcullis/action/shell_command.h"
#include "portcullis/action/static_tags.h"
#include "portcullis/ban/ticket.h"
#include "portcullis/base/error.h"
#include "portcullis/config/action_reader.h"
#include "portcullis/platform/process_runner.h"

namespace portcullis::action {

struct CommandActionOptions {
  double jail_bantime = 600;
  bool allow_ipv6 = true;                          // inet6 among the families
  std::chrono::milliseconds kill_grace{1'000};      // SIGTERM -> SIGKILL after a timeout
  StaticTagOptions hostnames;                       // <fq-hostname>, <sh-hostname>
  std::function<double()> now;                      // <time> of start/stop; default: system time
  std::function<void(std::string_view)> log_error;  // failures, already worded; may be empty
};

class CommandAction {
 public:
  // Errors: an action `timeout` that is no duration ("wrong timeout value for action
  // <actname>", fragment: the value).
  static Result<CommandAction> Create(const config::ActionSpec& spec, platform::CommandRunner& runner,
                                      CommandActionOptions options);

  const std::string& name() const { return name_; }
  // The families actionstart runs for: {""} or {"inet4", "inet6"}.
  const std::vector<std::string>& families() const { return families_; }
  bool has_flush() const;

  // Each returns false when a command failed (and was logged).
  bool Start();
  bool Ban(const ban::Ticket& ticket);
  bool Unban(const ban::Ticket& ticket);
  bool Flush();
  bool Stop();

 private:
  // Bits of started_: actionstart ran, and a ban happened since (fail2ban's 1 and 2).
  static constexpr int kStarted = 1;
  static constexpr int kHasItems = 2;

  CommandAction(platform::CommandRunner& runner, CommandActionOptions options)
      : runner_(&runner), options_(std::move(options)) {}

  std::string FamilyOf(const ban::Ticket& ticket) const;
  bool HasCommand(std::string_view option) const;
  // <option> built for an operation (empty ticket) of `family`, run unless it is the
  // command `done` already holds for another family; the text run is kept in `done`.
  bool RunOperation(std::string_view option, const std::string& family,
                    std::map<std::string, std::string>& done);
  bool StartFamily(const std::string& family);
  bool StopFamily(const std::string& family);
  // fail2ban's _processCmd: the command for a ticket with check/repair and one retry.
  bool ProcessTicketCommand(std::string_view option, const ban::Ticket& ticket);
  // fail2ban's _invariantCheck; `repair` false: a failed check is not repaired.
  bool CheckAndRepair(const std::string& family, bool repair, bool force_start);
  bool Execute(const Result<ShellCommand>& command, std::string_view what);

  platform::CommandRunner* runner_;
  CommandActionOptions options_;
  std::string name_;
  config::OptionMap properties_;
  std::vector<std::string> families_;
  bool start_on_demand_ = false;
  bool repair_on_unban_ = false;
  bool norestored_ = false;
  std::chrono::milliseconds timeout_{60'000};
  std::map<std::string, int> started_;
  std::map<std::string, std::string> started_commands_;  // actionstart text per family
};

}  // namespace portcullis::action
