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
//
// Batches (portcullis's own, issue 5). An action.d file may add
//
//   actionban_batch   = nft add element <table_family> <table> <addr_set> "{ <ipbatch> }"
//   actionunban_batch = ...
//
// and BanBatch/UnbanBatch then run one command for many tickets. fail2ban skips the
// keys as unknown, so the file still works there one address at a time; an action
// without the key runs actionban/actionunban per ticket exactly as Ban/Unban do.
//   <ipbatch>   the batch's addresses joined by ", " ("192.0.2.1, 192.0.2.0/24"), each
//               address once: what nft's `{ a, b }` and a `tr`/`sed` pipeline want.
//               Like any dynamic tag it becomes "$f2bV_ipbatch" (a separate argv entry)
//               when it holds a shell metacharacter, so quote it "..." and never '...'.
//   the rest    as for actionstart: <family> (inet4/inet6), <time> now, <bantime> the
//               jail's; the per-ticket tags (<ip>, <fid>, <matches>, <F-*> ...) are
//               those of an empty ticket, so a batch command should not use them.
// A batch holds one address family only (inet4 first, then inet6), so `?family=inet6`
// options apply as for a single ban; ids that are no address go one by one through
// actionban/actionunban. A batch holds at most `batch_max` addresses and `batch_max_bytes` bytes of
// <ipbatch>, and is halved until each string of its argv fits Linux's MAX_ARG_STRLEN
// (131,072 bytes with the NUL). A batch of one still runs the batch command.
// When a batch command fails: with actioncheck, check and repair as for one ticket
// (fail2ban's rules, actionrepair_on_unban included) and retry the batch once; if it
// fails again (or there is no actioncheck), each ticket of the batch runs
// actionban/actionunban on its own (when the action has it), so one bad address (one
// inside a banned range, say) costs only itself. A failed repair stops there.
// Restored tickets still skip norestored actions; unbans still need a family with bans.

#include <chrono>
#include <cstddef>
#include <functional>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "portcullis/action/action_info.h"
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
  // Fills the tags of a ticket that need the ban database (<ipmatches>,
  // <ipjailmatches>, <ipfailures>, <ipjailfailures>); called only for actions whose
  // commands use one of them, from the action's worker. May be empty.
  std::function<void(const ban::Ticket&, ActionInfo&)> database_tags;
  size_t batch_max = 1'000;                         // addresses per batch command
  size_t batch_max_bytes = 64 * 1024;               // bytes of <ipbatch> per batch command
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
  // Whether the action has actionban_batch / actionunban_batch.
  bool has_ban_batch() const;
  bool has_unban_batch() const;
  // The commands run so far (each one /bin/sh started).
  size_t commands_run() const { return commands_run_; }

  // Each returns false when a command failed (and was logged).
  bool Start();
  bool Ban(const ban::Ticket& ticket);
  bool Unban(const ban::Ticket& ticket);
  bool Flush();
  bool Stop();
  // Ban/Unban for each of `tickets` through the batch command when there is one (see
  // the top of this file), else one by one. False when any command failed.
  bool BanBatch(std::span<const ban::Ticket> tickets);
  bool UnbanBatch(std::span<const ban::Ticket> tickets);

 private:
  // One address of a batch.
  struct BatchItem {
    const ban::Ticket* ticket;
    std::string ip;
  };

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
  // ActionInfo::FromTicket plus the database tags when the action uses them.
  ActionInfo TicketInfo(const ban::Ticket& ticket) const;
  // fail2ban's _invariantCheck; `repair` false: a failed check is not repaired.
  bool CheckAndRepair(const std::string& family, bool repair, bool force_start);
  // Batches: split by family and caps, then run each; `unban` selects the commands.
  bool RunBatches(std::span<const ban::Ticket> tickets, bool unban);
  bool RunFamilyBatches(const std::vector<BatchItem>& items, bool unban);
  bool RunBatch(std::span<const BatchItem> items, bool unban);
  // Runs `command` (built for `items`) with check/repair, retry and the one-by-one fallback.
  bool ProcessBatchCommand(const Result<ShellCommand>& command, std::span<const BatchItem> items, bool unban,
                           const std::string& family);
  Result<ShellCommand> BatchCommand(std::string_view option, std::span<const BatchItem> items) const;
  // actionban/actionunban for each item without check or repair; the number that succeeded.
  size_t RunOneByOne(std::span<const BatchItem> items, bool unban);
  bool Execute(const Result<ShellCommand>& command, std::string_view what, std::string_view input = {});

  platform::CommandRunner* runner_;
  CommandActionOptions options_;
  std::string name_;
  config::OptionMap properties_;
  std::vector<std::string> families_;
  bool start_on_demand_ = false;
  bool repair_on_unban_ = false;
  bool norestored_ = false;
  bool uses_database_tags_ = false;  // a command names <ipmatches> or its kin
  bool batch_uses_list_ = false;     // a batch command names <ipbatch> (argv size cap)
  std::chrono::milliseconds timeout_{60'000};
  size_t commands_run_ = 0;
  std::map<std::string, int> started_;
  std::map<std::string, std::string> started_commands_;  // actionstart text per family
};

}  // namespace portcullis::action
