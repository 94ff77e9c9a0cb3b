#include "portcullis/action/command_action.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <unordered_set>

#include "portcullis/action/action_info.h"
#include "portcullis/action/shell_command.h"
#include "portcullis/base/duration.h"

namespace portcullis::action {
namespace {

double SystemNow() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

bool IsBlank(std::string_view text) { return text.find_first_not_of(" \t\r\n") == std::string_view::npos; }

// fail2ban's _hasCondSection: an option named `tag?family=...`.
bool HasConditionalOptions(const config::OptionMap& properties) {
  for (const auto& [name, value] : properties) {
    if (name.find("?family=") != std::string::npos) return true;
  }
  return false;
}

// Linux's MAX_ARG_STRLEN: the longest single argv string execve takes, NUL included.
constexpr size_t kMaxArgStrlen = 131'072;

bool FitsExecve(const ShellCommand& command) {
  if (command.script.size() >= kMaxArgStrlen) return false;
  for (const std::string& arg : command.args) {
    if (arg.size() >= kMaxArgStrlen) return false;
  }
  return true;
}

std::string Describe(const platform::ProcessResult& r) {
  std::string what = r.timed_out ? "timed out" : r.signal != 0 ? "killed by signal " + std::to_string(r.signal)
                                                              : "exit code " + std::to_string(r.exit_code);
  return r.output.empty() ? what : what + ", output: " + r.output;
}

}  // namespace

Result<CommandAction> CommandAction::Create(const config::ActionSpec& spec, platform::CommandRunner& runner,
                                            CommandActionOptions options) {
  CommandAction action(runner, std::move(options));
  if (!action.options_.now) action.options_.now = SystemNow;
  action.name_ = spec.actname.empty() ? spec.name : spec.actname;
  action.properties_ = spec.definition;
  for (const auto& [name, value] : spec.init) {
    if (!action.properties_.Contains(name)) action.properties_.Set(name, value);
  }
  bool conditional = HasConditionalOptions(action.properties_);
  action.families_ = {""};
  if (conditional) action.families_ = action.options_.allow_ipv6 ? std::vector<std::string>{"inet4", "inet6"}
                                                                 : std::vector<std::string>{"inet4"};
  action.start_on_demand_ = spec.actionstart_on_demand.value_or(conditional);
  action.repair_on_unban_ = spec.actionrepair_on_unban.value_or(false);
  action.norestored_ = spec.norestored.value_or(false);
  for (const auto& [name, value] : action.properties_) {
    for (std::string_view tag : {"<ipmatches>", "<ipjailmatches>", "<ipfailures>", "<ipjailfailures>"})
      if (value.find(tag) != std::string::npos) action.uses_database_tags_ = true;
    if ((name == "actionban_batch" || name == "actionunban_batch") && value.find("<ipbatch>") != std::string::npos)
      action.batch_uses_list_ = true;
  }
  const std::string* timeout = action.properties_.Find("timeout");
  if (!timeout) timeout = spec.combined.Find("timeout");
  if (timeout) {
    auto seconds = ParseDuration(*timeout);
    if (!seconds || !(*seconds > 0)) return Fail("wrong timeout value for action " + action.name_, "", 0, *timeout);
    action.timeout_ = std::chrono::milliseconds(static_cast<long long>(std::llround(*seconds * 1000)));
  }
  return action;
}

bool CommandAction::has_flush() const { return HasCommand("actionflush"); }
bool CommandAction::has_ban_batch() const { return HasCommand("actionban_batch"); }
bool CommandAction::has_unban_batch() const { return HasCommand("actionunban_batch"); }

bool CommandAction::HasCommand(std::string_view option) const {
  const std::string* value = properties_.Find(option);
  return value && !IsBlank(*value);
}

std::string CommandAction::FamilyOf(const ban::Ticket& ticket) const {
  // Without conditional options everything is family "" (fail2ban keys these bans by
  // the address family but then runs the same actionstop once per key).
  if (families_.size() == 1 && families_[0].empty()) return "";
  return std::string(ticket.Ip().FamilyStr());
}

bool CommandAction::Execute(const Result<ShellCommand>& command, std::string_view what, std::string_view input) {
  auto log = [&](const std::string& message) {
    if (options_.log_error) options_.log_error(name_ + ": " + std::string(what) + " failed: " + message);
  };
  if (!command) {
    log(command.error().ToString());
    return false;
  }
  if (IsBlank(command->script)) return true;  // "Nothing to do"
  ++commands_run_;
  platform::RunOptions run{.timeout = timeout_, .kill_grace = options_.kill_grace};
  run.input = input;
  auto result = runner_->Run(command->Argv(), run);
  if (!result) {
    log(result.error().ToString());
    return false;
  }
  if (!result->Succeeded()) log(Describe(*result));
  return result->Succeeded();
}

bool CommandAction::RunOperation(std::string_view option, const std::string& family,
                                 std::map<std::string, std::string>& done) {
  if (!HasCommand(option)) return true;
  ActionInfo info = ActionInfo::ForOperation(options_.now(), family, options_.jail_bantime);
  auto command = BuildActionCommand("<" + std::string(option) + ">", properties_, info, options_.hostnames);
  if (command) {
    for (const auto& [other, script] : done) {
      if (other != family && script == command->script) {  // same text for both families: once
        done[family] = command->script;
        return true;
      }
    }
  }
  if (!Execute(command, option)) return false;
  done[family] = command->script;
  return true;
}

bool CommandAction::StartFamily(const std::string& family) {
  if (!RunOperation("actionstart", family, started_commands_)) return false;
  started_[family] = kStarted;
  return true;
}

bool CommandAction::StopFamily(const std::string& family) {
  if (auto it = started_.find(family); it != started_.end()) it->second = 0;
  std::map<std::string, std::string> done;
  started_commands_.erase(family);
  return RunOperation("actionstop", family, done);
}

bool CommandAction::Start() {
  if (start_on_demand_) return true;
  bool ok = true;
  for (const std::string& family : families_) ok = StartFamily(family) && ok;
  return ok;
}

bool CommandAction::Ban(const ban::Ticket& ticket) {
  if (ticket.restored && norestored_) return true;
  std::string family = FamilyOf(ticket);
  if (start_on_demand_ && !started_[family]) StartFamily(family);  // fail2ban bans even so
  if (!ProcessTicketCommand("actionban", ticket)) return false;
  started_[family] |= kStarted | kHasItems;
  return true;
}

bool CommandAction::Unban(const ban::Ticket& ticket) {
  auto it = started_.find(FamilyOf(ticket));
  if (it == started_.end() || !(it->second & kHasItems)) return true;
  return ProcessTicketCommand("actionunban", ticket);
}

bool CommandAction::Flush() {
  bool ok = true;
  std::map<std::string, std::string> done;
  for (auto& [family, state] : started_) {
    if ((state & (kStarted | kHasItems)) != (kStarted | kHasItems)) continue;
    if (RunOperation("actionflush", family, done)) {
      state &= ~kHasItems;
    } else {
      ok = false;
    }
  }
  return ok;
}

bool CommandAction::Stop() {
  std::vector<std::string> families;
  for (const auto& [family, state] : started_) {
    if (state != 0) families.push_back(family);
  }
  started_.clear();
  started_commands_.clear();
  bool ok = true;
  std::map<std::string, std::string> done;
  for (const std::string& family : families) ok = RunOperation("actionstop", family, done) && ok;
  return ok;
}

ActionInfo CommandAction::TicketInfo(const ban::Ticket& ticket) const {
  ActionInfo info = ActionInfo::FromTicket(ticket, options_.jail_bantime);
  if (uses_database_tags_ && options_.database_tags) options_.database_tags(ticket, info);
  return info;
}

bool CommandAction::ProcessTicketCommand(std::string_view option, const ban::Ticket& ticket) {
  if (!HasCommand(option)) return true;
  std::string family = FamilyOf(ticket);
  ActionInfo info = TicketInfo(ticket);
  const std::string tag = "<" + std::string(option) + ">";
  bool unban = option == "actionunban";
  if (Execute(BuildActionCommand(tag, properties_, info, options_.hostnames), option)) return true;
  if (!HasCommand("actioncheck")) return false;
  if (!CheckAndRepair(family, !unban || repair_on_unban_, !unban)) return false;
  return Execute(BuildActionCommand(tag, properties_, info, options_.hostnames), option);
}

bool CommandAction::CheckAndRepair(const std::string& family, bool repair, bool force_start) {
  if (!force_start && !started_.contains(family)) return true;
  auto check = [&] {
    ActionInfo info = ActionInfo::ForOperation(options_.now(), family, options_.jail_bantime);
    return Execute(BuildActionCommand("<actioncheck>", properties_, info, options_.hostnames), "actioncheck");
  };
  if (check()) return true;
  auto log = [&](std::string_view message) {
    if (options_.log_error) options_.log_error(name_ + ": " + std::string(message));
  };
  if (!repair) {
    log("Invariant check failed. Unban is impossible.");
    return false;
  }
  log("Invariant check failed. Trying to restore a sane environment");
  if (HasCommand("actionrepair")) {
    std::map<std::string, std::string> done;
    if (!RunOperation("actionrepair", family, done)) {
      started_[family] = 0;
      log("Unable to restore environment");
      return false;
    }
    started_[family] = kStarted;
  } else {
    StopFamily(family);
    if (force_start || !start_on_demand_) StartFamily(family);
  }
  if (started_[family] && !check()) {
    log("Unable to restore environment");
    return false;
  }
  return true;
}

bool CommandAction::BanBatch(std::span<const ban::Ticket> tickets) {
  if (has_ban_batch()) return RunBatches(tickets, false);
  bool ok = true;
  for (const ban::Ticket& ticket : tickets) ok = Ban(ticket) && ok;
  return ok;
}

bool CommandAction::UnbanBatch(std::span<const ban::Ticket> tickets) {
  if (has_unban_batch()) return RunBatches(tickets, true);
  bool ok = true;
  for (const ban::Ticket& ticket : tickets) ok = Unban(ticket) && ok;
  return ok;
}

bool CommandAction::RunBatches(std::span<const ban::Ticket> tickets, bool unban) {
  bool ok = true;
  std::vector<BatchItem> v4, v6;
  std::unordered_set<std::string> seen;  // nft refuses to delete one element twice in a command
  for (const ban::Ticket& ticket : tickets) {
    if (!unban && ticket.restored && norestored_) continue;
    const IpAddr ip = ticket.Ip();
    if (!ip.IsValid()) {  // a name or raw text: the batch command would reject all others with it
      ok = (unban ? Unban(ticket) : Ban(ticket)) && ok;
      continue;
    }
    std::string text = ip.ToString();
    if (!seen.insert(text).second) continue;
    (ip.IsV4() ? v4 : v6).push_back({&ticket, std::move(text)});
  }
  ok = RunFamilyBatches(v4, unban) && ok;
  return RunFamilyBatches(v6, unban) && ok;
}

bool CommandAction::RunFamilyBatches(const std::vector<BatchItem>& items, bool unban) {
  bool ok = true;
  const size_t max_count = std::max<size_t>(options_.batch_max, 1);
  for (size_t begin = 0; begin < items.size();) {
    size_t end = begin + 1;
    size_t bytes = items[begin].ip.size();
    for (; end < items.size() && end - begin < max_count; ++end) {
      bytes += 2 + items[end].ip.size();  // ", " before it
      if (batch_uses_list_ && bytes > options_.batch_max_bytes) break;
    }
    ok = RunBatch(std::span(items).subspan(begin, end - begin), unban) && ok;
    begin = end;
  }
  return ok;
}

bool CommandAction::RunBatch(std::span<const BatchItem> items, bool unban) {
  const std::string family = FamilyOf(*items.front().ticket);
  if (unban) {
    auto it = started_.find(family);
    if (it == started_.end() || !(it->second & kHasItems)) return true;
  } else if (start_on_demand_ && !started_[family]) {
    StartFamily(family);  // bans even so, as Ban does
  }
  const std::string_view option = unban ? "actionunban_batch" : "actionban_batch";
  auto command = BatchCommand(option, items);
  if (command && !FitsExecve(*command) && items.size() > 1) {  // e.g. <ipbatch> twice in it
    const size_t half = items.size() / 2;
    bool first = RunBatch(items.first(half), unban);
    return RunBatch(items.subspan(half), unban) && first;
  }
  return ProcessBatchCommand(command, items, unban, family);
}

bool CommandAction::ProcessBatchCommand(const Result<ShellCommand>& command, std::span<const BatchItem> items,
                                        bool unban, const std::string& family) {
  const std::string_view option = unban ? "actionunban_batch" : "actionban_batch";
  std::string input;  // the addresses again, one per line, on the command's stdin
  for (const BatchItem& item : items) (input += item.ip) += '\n';
  bool ok = Execute(command, option, input);
  if (!ok && HasCommand("actioncheck")) {
    if (!CheckAndRepair(family, !unban || repair_on_unban_, !unban)) return false;
    ok = Execute(command, option, input);
  }
  size_t done = ok ? items.size() : RunOneByOne(items, unban);
  if (!unban && done > 0) started_[family] |= kStarted | kHasItems;
  return done == items.size();
}

Result<ShellCommand> CommandAction::BatchCommand(std::string_view option, std::span<const BatchItem> items) const {
  const std::string ip_family(items.front().ticket->Ip().FamilyStr());
  ActionInfo info = ActionInfo::ForOperation(options_.now(), ip_family, options_.jail_bantime);
  size_t size = 0;
  for (const BatchItem& item : items) size += item.ip.size() + 2;
  std::string list;
  list.reserve(size);
  for (const BatchItem& item : items) {
    if (!list.empty()) list += ", ";
    list += item.ip;
  }
  info.Set("ipbatch", std::move(list));
  return BuildActionCommand("<" + std::string(option) + ">", properties_, info, options_.hostnames);
}

size_t CommandAction::RunOneByOne(std::span<const BatchItem> items, bool unban) {
  const std::string option = unban ? "actionunban" : "actionban";
  if (!HasCommand(option)) return 0;
  if (options_.log_error) {
    options_.log_error(name_ + ": " + option + "_batch failed; running " + option + " for each of " +
                       std::to_string(items.size()) + " addresses");
  }
  size_t done = 0;
  for (const BatchItem& item : items) {
    ActionInfo info = TicketInfo(*item.ticket);
    if (Execute(BuildActionCommand("<" + option + ">", properties_, info, options_.hostnames), option)) ++done;
  }
  return done;
}

}  // namespace portcullis::action
