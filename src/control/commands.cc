#include "portcullis/control/commands.h"

#include <algorithm>
#include <span>

#include "portcullis/base/ip_addr.h"
#include "portcullis/control/beautifier.h"

namespace portcullis::control {

namespace {

using Words = std::span<const std::string>;
using Outcome = std::expected<json::Value, CommandError>;

std::unexpected<CommandError> Invalid(std::string message) {
  return std::unexpected(CommandError{ErrorCode::kInvalidCommand, std::move(message)});
}

// A command with words missing or left over: fail2ban-client's "Sorry but the command
// is invalid" (its text for the server's IndexError), with the usage.
std::unexpected<CommandError> Usage(std::string_view usage) {
  return Invalid("Sorry but the command is invalid: usage: " + std::string(usage));
}

std::string Repr(const std::string& word) { return PyRepr(json::Value(word)); }

std::unexpected<CommandError> HandlerFailed(const Error& error) {
  return std::unexpected(CommandError{ErrorCode::kError, error.ToString()});
}

// The jail must exist; fail2ban's UnknownJailException as the client words it.
std::optional<CommandError> CheckJail(ControlHandler& handler, const std::string& jail) {
  if (handler.HasJail(jail)) return std::nullopt;
  return CommandError{ErrorCode::kUnknownJail, "Sorry but the jail '" + jail + "' does not exist"};
}

json::Value Strings(const std::vector<std::string>& items) {
  return json::Value(json::Array(items.begin(), items.end()));
}

// A Result<T> from the handler as a reply: the value shaped by `shape`, or its error.
template <class T, class Shape>
Outcome From(Result<T> result, Shape shape) {
  if (!result) return HandlerFailed(result.error());
  if constexpr (std::is_void_v<T>) {
    return shape();
  } else {
    return shape(*result);
  }
}

json::Value StatusJson(const JailStatus& status, StatusFlavor flavor) {
  json::Object actions{{"currently_banned", status.actions.currently_banned},
                       {"total_banned", status.actions.total_banned}};
  if (flavor != StatusFlavor::kShort) actions.emplace_back("banned_ip_list", Strings(status.actions.banned_ip_list));
  json::Object filter{{"currently_failed", status.filter.currently_failed},
                      {"total_failed", status.filter.total_failed},
                      {"file_list", Strings(status.filter.file_list)}};
  return json::Object{{"filter", std::move(filter)}, {"actions", std::move(actions)}};
}

Outcome Status(Words args, ControlHandler& handler) {
  if (args.empty()) {
    std::vector<std::string> jails = handler.Jails();
    std::ranges::sort(jails);
    return json::Object{{"jails", Strings(jails)}};
  }
  if (args.size() > 2) return Invalid("Invalid command (no status)");
  StatusFlavor flavor = StatusFlavor::kBasic;
  if (args.size() == 2 && args[1] == "short") {
    flavor = StatusFlavor::kShort;
  } else if (args.size() == 2 && args[1] != "basic") {
    return Invalid("Unsupported extended jail status flavor " + Repr(args[1]) + ". Supported: basic, short");
  }
  if (auto unknown = CheckJail(handler, args[0])) return std::unexpected(*unknown);
  return From(handler.Status(args[0], flavor), [&](const JailStatus& s) { return StatusJson(s, flavor); });
}

Outcome Start(Words args, ControlHandler& handler) {
  if (args.empty()) return std::unexpected(CommandError{ErrorCode::kError, "Server already running"});
  if (args.size() > 1) return Usage("start [<JAIL>]");
  if (auto unknown = CheckJail(handler, args[0])) return std::unexpected(*unknown);
  return From(handler.StartJail(args[0]), [] { return json::Value(); });
}

Outcome Stop(Words args, ControlHandler& handler) {
  if (args.empty()) return From(handler.StopServer(), [] { return json::Value(); });
  if (args.size() > 1) return Usage("stop [<JAIL>]");
  if (auto unknown = CheckJail(handler, args[0])) return std::unexpected(*unknown);
  return From(handler.StopJail(args[0]), [] { return json::Value(); });
}

// The jail need not be running: reload also starts jails new in the configuration.
Outcome Reload(Words args, ControlHandler& handler) {
  ReloadRequest request;
  size_t at = 0;
  for (; at < args.size(); ++at) {
    if (args[at] == "--restart") request.restart = true;
    else if (args[at] == "--unban") request.unban = true;
    else if (args[at] == "--if-exists") request.if_exists = true;
    else break;
  }
  Words rest = args.subspan(at);
  if (rest.size() > 1 || (rest.size() == 1 && rest[0].starts_with("--") && rest[0] != "--all")) {
    std::vector<std::string> unexpected(rest.begin(), rest.end());
    return Invalid("Unexpected argument(s) for reload: " + PyRepr(Strings(unexpected)));
  }
  if (rest.size() == 1 && rest[0] != "--all") request.jail = rest[0];
  return From(handler.Reload(request), [] { return json::Value("OK"); });
}

std::vector<std::string> Ips(Words words) { return {words.begin(), words.end()}; }

bool SameIp(const std::string& a, const std::string& b) {
  return a == b || IpAddr::Parse(a) == IpAddr::Parse(b);
}

bool BannedIn(const JailBans& bans, const std::string& ip) {
  return std::ranges::any_of(bans.ips, [&](const std::string& banned) { return SameIp(banned, ip); });
}

Outcome Banned(Words ips, ControlHandler& handler) {
  std::vector<JailBans> all = handler.Banned();
  json::Array out;
  if (ips.empty()) {
    for (const JailBans& bans : all) out.push_back(json::Object{{bans.jail, Strings(bans.ips)}});
    return out;
  }
  for (const std::string& ip : ips) {
    std::vector<std::string> jails;
    for (const JailBans& bans : all) {
      if (BannedIn(bans, ip)) jails.push_back(bans.jail);
    }
    out.push_back(Strings(jails));
  }
  return out;
}

Outcome Unban(Words args, ControlHandler& handler) {
  auto count = [](int n) { return json::Value(n); };
  if (args.empty()) return Usage("unban --all | unban <IP> ... <IP>");
  if (args.size() == 1 && args[0] == "--all") return From(handler.UnbanAll(), count);
  return From(handler.UnbanEverywhere(Ips(args)), count);
}

// set <JAIL> banip|unbanip ..., set loglevel|dbpurgeage <VALUE>.
Outcome Set(Words args, ControlHandler& handler) {
  if (args.size() >= 1 && (args[0] == "loglevel" || args[0] == "dbpurgeage")) {
    if (args.size() != 2) return Usage("set " + args[0] + " <VALUE>");
    if (args[0] == "loglevel") return From(handler.SetLogLevel(args[1]), [](const std::string& l) { return json::Value(l); });
    return From(handler.SetDbPurgeAge(args[1]), [](const std::optional<long long>& age) {
      return age ? json::Value(*age) : json::Value();
    });
  }
  if (args.size() < 2) return Usage("set <JAIL> banip|unbanip ... | set loglevel|dbpurgeage <VALUE>");
  const std::string& jail = args[0];
  const std::string& action = args[1];
  auto count = [](int n) { return json::Value(n); };
  if (action == "banip") {
    if (auto unknown = CheckJail(handler, jail)) return std::unexpected(*unknown);
    return From(handler.BanIps(jail, Ips(args.subspan(2))), count);
  }
  if (action == "unbanip") {
    bool report_absent = args.size() > 2 && args[2] == "--report-absent";
    Words ips = args.subspan(report_absent ? 3 : 2);
    if (ips.empty()) return Usage("set <JAIL> unbanip [--report-absent] <IP> ... <IP>");
    if (auto unknown = CheckJail(handler, jail)) return std::unexpected(*unknown);
    return From(handler.UnbanIps(jail, Ips(ips), report_absent), count);
  }
  return Invalid("Invalid command " + Repr(action) + " (no set action or not yet implemented)");
}

constexpr std::string_view kJailOptions[] = {"bantime",  "findtime", "maxretry", "maxmatches",
                                              "logpath",  "ignoreip", "actions"};

json::Value SettingJson(const JailSettings& settings, const std::string& option) {
  if (option == "bantime") return json::Value(settings.bantime);
  if (option == "findtime") return json::Value(settings.findtime);
  if (option == "maxretry") return json::Value(settings.maxretry);
  if (option == "maxmatches") return json::Value(settings.maxmatches);
  if (option == "logpath") return Strings(settings.logpath);
  if (option == "ignoreip") return Strings(settings.ignoreip);
  return Strings(settings.actions);
}

// get <JAIL> banned [IP...]: the jail's list, or 1/0 per IP (one IP: a bare number).
Outcome GetBanned(const std::string& jail, Words ips, ControlHandler& handler) {
  for (const JailBans& bans : handler.Banned()) {
    if (bans.jail != jail) continue;
    if (ips.empty()) return Strings(bans.ips);
    json::Array flags;
    for (const std::string& ip : ips) flags.emplace_back(BannedIn(bans, ip) ? 1 : 0);
    if (flags.size() == 1) return flags[0];
    return flags;
  }
  return ips.empty() ? json::Value(json::Array{}) : json::Value(0);
}

Outcome Get(Words args, ControlHandler& handler) {
  if (args.size() == 1 && args[0] == "loglevel") {
    return From(handler.GetLogLevel(), [](const std::string& l) { return json::Value(l); });
  }
  if (args.size() == 1 && args[0] == "dbpurgeage") {
    return From(handler.GetDbPurgeAge(), [](const std::optional<long long>& age) {
      return age ? json::Value(*age) : json::Value();
    });
  }
  if (args.size() < 2) return Usage("get <JAIL> <OPTION> | get loglevel|dbpurgeage");
  const std::string& jail = args[0];
  const std::string& option = args[1];
  if (option == "banned") {
    if (auto unknown = CheckJail(handler, jail)) return std::unexpected(*unknown);
    return GetBanned(jail, args.subspan(2), handler);
  }
  if (std::ranges::find(kJailOptions, option) == std::end(kJailOptions)) {
    return Invalid("Invalid command " + Repr(option) + " (no get action or not yet implemented)");
  }
  if (args.size() > 2) return Usage("get <JAIL> " + option);
  if (auto unknown = CheckJail(handler, jail)) return std::unexpected(*unknown);
  return From(handler.Settings(jail), [&](const JailSettings& s) { return SettingJson(s, option); });
}

}  // namespace

std::expected<json::Value, CommandError> RunCommand(const std::vector<std::string>& words,
                                                   ControlHandler& handler) {
  if (words.empty()) return Invalid("Sorry but the command is invalid: empty command");
  const std::string& name = words[0];
  Words args = Words(words).subspan(1);
  if (name == "ping") return json::Value("pong");
  if (name == "version") return json::Value(handler.Version());
  if (name == "status") return Status(args, handler);
  if (name == "start") return Start(args, handler);
  if (name == "stop") return Stop(args, handler);
  if (name == "reload") return Reload(args, handler);
  if (name == "set") return Set(args, handler);
  if (name == "get") return Get(args, handler);
  if (name == "unban") return Unban(args, handler);
  if (name == "banned") return Banned(args, handler);
  return Invalid("Invalid command " + Repr(name));
}

ReplyLine HandleRequestLine(std::string_view line, bool too_long, ControlHandler& handler) {
  if (too_long) {
    CommandError error{ErrorCode::kInvalidCommand,
                       "malformed request: line longer than " + std::to_string(kMaxRequestLine) + " bytes"};
    return {EncodeError(error), true};
  }
  auto words = ParseRequest(line);
  if (!words) {
    // A well-formed but empty array leaves the connection usable; anything else does not.
    bool malformed = words.error().message.starts_with("malformed");
    return {EncodeError(words.error()), malformed};
  }
  auto result = RunCommand(*words, handler);
  if (!result) return {EncodeError(result.error()), false};
  return {EncodeResult(*result), false};
}

}  // namespace portcullis::control
