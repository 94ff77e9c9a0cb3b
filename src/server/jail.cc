#include "portcullis/server/jail.h"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <ctime>
#include <deque>
#include <random>

#include "portcullis/base/duration.h"
#include "portcullis/config/options.h"
#include "portcullis/server/ticket_json.h"
#include "portcullis/store/ticket_data.h"

namespace portcullis::server {
namespace {

constexpr std::string_view kJailLogger = "fail2ban.jail";
constexpr std::string_view kFilterLogger = "fail2ban.filter";
constexpr std::string_view kActionsLogger = "fail2ban.actions";
constexpr std::string_view kObserverLogger = "fail2ban.observer";
constexpr std::string_view kDatabaseLogger = "fail2ban.database";

// fail2ban's MyTime.time2str: local time "%Y-%m-%d %H:%M:%S".
std::string TimeText(double t) {
  time_t seconds = static_cast<time_t>(t);
  struct tm local {};
  ::localtime_r(&seconds, &local);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%d %H:%M:%S", &local);
  return text;
}

Result<double> DurationOption(const config::OptionMap& options, std::string_view name, double fallback) {
  const std::string* text = options.Find(name);
  if (!text) return fallback;
  auto value = ParseDuration(*text);
  if (!value) return Fail("invalid " + std::string(name), {}, 0, *text);
  return *value;
}

Result<int> IntOption(const config::OptionMap& options, std::string_view name, int fallback) {
  const std::string* text = options.Find(name);
  if (!text) return fallback;
  try {
    size_t used = 0;
    int value = std::stoi(*text, &used);
    if (used == text->size()) return value;
  } catch (...) {
  }
  return Fail("invalid " + std::string(name) + " (not an integer)", {}, 0, *text);
}

filter::RegexSource ToSource(const config::RegexLine& line) { return {line.text, line.file, line.line}; }

Result<filter::FilterConfig> ToFilterConfig(const config::JailSpec& spec) {
  filter::FilterConfig config;
  const config::FilterSpec& f = *spec.filter;
  if (f.prefregex && !f.prefregex->text.empty()) config.prefregex = ToSource(*f.prefregex);
  for (const auto& r : f.failregex) config.failregex.push_back(ToSource(r));
  for (const auto& r : f.ignoreregex) config.ignoreregex.push_back(ToSource(r));
  config.maxlines = f.maxlines.value_or(1);
  config.datepattern = f.datepattern;
  if (const std::string* tz = spec.options.Find("logtimezone")) config.logtimezone = *tz;
  const std::string* usedns = spec.options.Find("usedns");
  if (!usedns && f.usedns) usedns = &*f.usedns;
  if (usedns) {
    auto parsed = filter::ParseUseDns(*usedns);
    if (!parsed) return Fail(parsed.error());
    config.usedns = *parsed;
  }
  config.check_find_time = true;
  config.ignore_pending = true;
  return config;
}

// usedns = yes|warn: host names in log lines resolved by the system.
class DnsResolver final : public filter::Resolver {
 public:
  explicit DnsResolver(HostResolver resolve) : resolve_(std::move(resolve)) {}
  std::vector<IpAddr> Resolve(std::string_view name) override { return resolve_(name); }

 private:
  HostResolver resolve_;
};

double RandomUnit() {
  static thread_local std::mt19937_64 engine{std::random_device{}()};
  return std::uniform_real_distribution<double>(0, 1)(engine);
}

// A ticket's ban history merged as fail2ban's Database.getBansMerged: the matches of
// every recorded ban of the ip (oldest first, at most dbmaxmatches) and the sum of
// their failures; nullopt when the database has none.
struct MergedBans {
  std::vector<std::string> matches;
  long long failures = 0;
};

std::optional<MergedBans> MergeBans(store::BanStore& store, const std::string& ip,
                                    std::optional<std::string_view> jail) {
  std::vector<std::vector<std::string>> per_ban;  // newest first
  long long failures = 0;
  store::BanHistoryQuery query{.jail = jail, .ip = ip};
  auto rows = store.ForEachBanInHistory(query, [&](const store::StoredBan& row) {
    ban::Ticket data;
    data.failures = 1;
    ReadTicketData(row.data, data);
    failures += data.failures;
    per_ban.push_back(std::move(data.matches));
  });
  if (!rows || per_ban.empty()) return std::nullopt;
  size_t max = static_cast<size_t>(std::max(0, store.max_matches()));
  std::deque<std::string> kept;
  for (auto& matches : per_ban) {  // newest first: older matches go in front
    for (auto it = matches.rbegin(); it != matches.rend() && kept.size() < max; ++it) kept.push_front(*it);
    if (kept.size() >= max) break;
  }
  return MergedBans{{kept.begin(), kept.end()}, failures};
}

std::function<void(const ban::Ticket&, action::ActionInfo&)> DatabaseTags(const JailContext& context,
                                                                          std::string jail) {
  store::BanStore* store = context.store;
  StoreWriter* writer = context.writer;
  return [store, writer, jail](const ban::Ticket& ticket, action::ActionInfo& info) {
    if (writer) writer->Sync();  // the ban being acted on is in the history too
    std::string ip = ticket.id.ToString();
    auto join = [](const std::vector<std::string>& lines) {
      std::string out;
      for (const std::string& l : lines) out += (out.empty() ? "" : "\n") + l;
      return out;
    };
    auto set = [&](const char* matches_tag, const char* failures_tag, std::optional<std::string_view> in_jail) {
      auto merged = MergeBans(*store, ip, in_jail);
      info.Set(matches_tag, join(merged ? merged->matches : ticket.matches));
      info.Set(failures_tag, std::to_string(merged ? merged->failures : ticket.failures));
    };
    set("ipmatches", "ipfailures", std::nullopt);
    set("ipjailmatches", "ipjailfailures", jail);
  };
}

}  // namespace

Result<JailOptions> ReadJailOptions(const config::JailSpec& spec) {
  const config::OptionMap& o = spec.options;
  JailOptions options;
  auto maxretry = IntOption(o, "maxretry", 5);
  if (!maxretry) return Fail(maxretry.error());
  options.maxretry = *maxretry;
  auto maxmatches = IntOption(o, "maxmatches", options.maxretry);
  if (!maxmatches) return Fail(maxmatches.error());
  options.maxmatches = *maxmatches;
  auto findtime = DurationOption(o, "findtime", 600);
  if (!findtime) return Fail(findtime.error());
  options.findtime = *findtime;
  auto bantime = DurationOption(o, "bantime", 600);
  if (!bantime) return Fail(bantime.error());
  options.bantime = static_cast<double>(static_cast<long long>(*bantime));
  if (const std::string* inc = o.Find("bantime.increment")) options.increment = config::ParseBool(*inc);
  if (const std::string* all = o.Find("bantime.overalljails")) options.overalljails = config::ParseBool(*all);
  ban::BanTimeIncrementOptions inc;
  auto text = [&](std::string_view name) {
    const std::string* v = o.Find(name);
    return v ? *v : std::string();
  };
  inc.factor = text("bantime.factor");
  inc.formula = text("bantime.formula");
  inc.multipliers = text("bantime.multipliers");
  inc.maxtime = text("bantime.maxtime");
  inc.rndtime = text("bantime.rndtime");
  auto parsed = ban::BanTimeIncrement::Parse(inc);
  if (!parsed) return Fail(parsed.error());
  options.increment_options = *parsed;
  if (const std::string* enc = o.Find("logencoding")) options.logencoding = *enc;
  return options;
}

Result<std::unique_ptr<Jail>> Jail::Create(const config::JailSpec& spec, const JailContext& context) {
  std::unique_ptr<Jail> jail(new Jail(spec, context));
  auto options = ReadJailOptions(spec);
  if (!options) return Fail(options.error());
  jail->options_ = *options;
  if (!spec.filter) return Fail("jail '" + spec.name + "' has no filter");
  auto filter_config = ToFilterConfig(spec);
  if (!filter_config) return Fail(filter_config.error());
  auto compiled = filter::CompiledFilter::Compile(*filter_config);
  if (!compiled) return Fail(compiled.error());
  jail->compiled_ = *compiled;
  jail->dns_ = std::make_unique<DnsResolver>(context.resolve);
  auto filter = filter::Filter::Create(jail->compiled_, *context.clock, jail->dns_.get());
  if (!filter) return Fail(filter.error());
  jail->filter_.emplace(std::move(*filter));
  jail->filter_->set_find_time(jail->options_.findtime);

  IgnoreOptions ignore;
  ignore.ignoreip = spec.ignoreip;
  if (const std::string* self = spec.options.Find("ignoreself")) ignore.ignoreself = config::ParseBool(*self);
  if (const std::string* command = spec.options.Find("ignorecommand")) ignore.ignorecommand = *command;
  auto ignore_list = IgnoreList::Create(ignore, context.resolve, context.runner);
  if (!ignore_list) return Fail(ignore_list.error());
  jail->ignore_.emplace(std::move(*ignore_list));

  jail->counter_.set_options({.maxretry = jail->options_.maxretry,
                              .findtime = jail->options_.findtime,
                              .maxmatches = jail->options_.maxmatches});
  jail->bans_.set_bantime(jail->options_.bantime);

  action::ActionRunnerOptions runner_options;
  runner_options.queue_limit = context.action_queue_limit;
  runner_options.action.jail_bantime = jail->options_.bantime;
  // Large batches: an nft or ipset process costs about as much to start as adding 5,000
  // addresses. Batch commands read the addresses on stdin; the byte cap only applies to
  // commands that put <ipbatch> in their script (Linux's 128 KiB per argument).
  runner_options.action.batch_max = 50'000;
  runner_options.action.batch_max_bytes = 100 * 1024;
  runner_options.action.hostnames.fq_hostname = context.fq_hostname;
  runner_options.action.hostnames.sh_hostname = context.sh_hostname;
  const Clock* clock = context.clock;
  runner_options.action.now = [clock] { return clock->Now(); };
  ServerLog* log = context.log;
  runner_options.action.log_error = [log](std::string_view message) {
    log->Write(LogLevel::kError, kActionsLogger, std::string(message));
  };
  if (context.store) runner_options.action.database_tags = DatabaseTags(context, spec.name);
  std::vector<config::ActionSpec> actions;
  for (const config::ActionSpec& a : spec.actions) {
    if (a.python) {
      context.log->Write(LogLevel::kWarning, kJailLogger,
                         "[" + spec.name + "] action '" + a.name + "' is a Python action (" + a.path +
                             "): not supported, skipped");
      continue;
    }
    actions.push_back(a);
  }
  for (const config::ActionSpec& a : actions) {
    for (const char* option : {"actionunban", "actionunban_batch", "actionflush", "actionstop"}) {
      const std::string* command = a.definition.Find(option);
      if (command && command->find("matches>") != std::string::npos) jail->keep_matches_ = true;
    }
    for (const auto& [option, command] : a.definition) {
      for (std::string_view tag : {"matches>", "failures>", "<F-", "<fid>", "<raw-ticket>"})
        if (command.find(tag) != std::string::npos) jail->restore_data_ = true;
    }
  }
  auto runner = action::ActionRunner::Create(actions, *context.runner, runner_options);
  if (!runner) return Fail(runner.error());
  jail->actions_ = std::move(*runner);

  auto backend = log::ParseBackend(spec.backend);
  if (!backend) return Fail(backend.error());
  auto source = context.make_source ? context.make_source(*backend)
                                    : log::MakeLogSource(*backend, context.source_options);
  if (!source) return Fail(source.error());
  jail->source_ = std::move(*source);
  for (const config::LogPath& path : spec.logpaths) jail->logs_.push_back({path.path, path.tail, {}, {}});
  return jail;
}

Jail::~Jail() { Stop(); }

Result<void> Jail::Start(bool own_thread) {
  if (running()) return {};
  stopping_ = false;
  Log(LogLevel::kInfo, kJailLogger,
      "Jail '" + name() + "' uses " + std::string(source_->name()) + " {}");
  if (context_.store) {
    if (auto added = context_.store->AddJail(name()); !added)
      Log(LogLevel::kError, kDatabaseLogger, added.error().ToString());
  }
  for (const config::ActionSpec& a : spec_.actions)
    Log(LogLevel::kInfo, "fail2ban.jail", "Creating new jail '" + name() + "' action '" + a.actname + "'");
  actions_->Start();
  if (context_.writer) context_.writer->Sync();  // a reload restores what the old jail wrote
  RestoreBans();
  for (WatchedLog& log : logs_) {
    if (auto added = source_->Add(log.path); !added) return Fail(added.error());
  }
  started_ = true;
  if (own_thread) thread_ = std::thread([this] { Loop(); });
  Log(LogLevel::kNotice, kJailLogger, "Jail '" + name() + "' started");
  return {};
}

void Jail::Stop() {
  if (!running()) return;
  stopping_ = true;
  source_->Interrupt();
  if (thread_.joinable()) thread_.join();
  started_ = false;
  SavePositions();
  std::vector<ban::Ticket> banned;
  {
    std::lock_guard lock(mu_);
    banned = bans_.TakeAll();
  }
  if (size_t dropped = actions_->Stop(banned))
    Log(LogLevel::kNotice, kActionsLogger,
        "[" + name() + "] " + std::to_string(dropped) +
            " bans still queued for the actions dropped at stop (they are restored at the next start)");
  if (context_.store) {
    if (auto disabled = context_.store->DisableJail(name()); !disabled)
      Log(LogLevel::kError, kDatabaseLogger, disabled.error().ToString());
  }
  Log(LogLevel::kNotice, kJailLogger, "Jail '" + name() + "' stopped");
}

void Jail::RestoreBans() {
  if (!context_.store) return;
  double now = Now();
  ban::RestorePolicy policy{.jail_bantime = options_.bantime,
                            .increment = options_.increment,
                            .maxtime = options_.increment_options.maxtime};
  store::CurrentBansQuery query;
  std::string jail = name();
  query.jail = jail;
  if (!options_.increment) query.forbantime = options_.bantime;
  query.fromtime = now;
  std::lock_guard lock(mu_);
  actions_->BeginBulk();
  auto rows = context_.store->ForEachCurrentBan(query, [&](const store::StoredBan& row) {
    auto bantime = ban::RestoredBanTime({row.time_of_ban, row.bantime}, policy, now);
    if (!bantime) return;
    ban::Ticket ticket;
    ticket.id = IpAddr::Parse(row.ip);
    ticket.time = row.time_of_ban;
    ticket.bantime = *bantime;
    ticket.ban_count = static_cast<int>(row.bancount);
    ticket.restored = true;
    if (restore_data_) ReadTicketData(row.data, ticket);
    Ban(std::move(ticket));
  });
  actions_->EndBulk();
  if (!rows) Log(LogLevel::kError, kDatabaseLogger, rows.error().ToString());
}

void Jail::Loop() {
  while (!stopping_) RunOnce();
}

void Jail::RunOnce() {
  double next_unban;
  {
    std::lock_guard lock(mu_);
    next_unban = bans_.NextUnbanTime();
  }
  double wait = std::clamp(next_unban - Now(), 0.0, 1.0);
  events_.clear();
  auto waited = source_->Wait(std::chrono::milliseconds(static_cast<long long>(wait * 1000) + 1), events_);
  if (!waited) {
    Log(LogLevel::kError, kFilterLogger, "[" + name() + "] " + waited.error().ToString());
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  for (const log::LogEvent& event : events_) {
    if (stopping_) break;
    auto it = std::find_if(logs_.begin(), logs_.end(), [&](const WatchedLog& l) { return l.path == event.path; });
    if (it == logs_.end()) continue;
    if (event.kind == log::LogEvent::Kind::kAbsent) {
      Log(LogLevel::kInfo, kFilterLogger,
          "[" + name() + "] Log absence detected (possibly rotation) for " + event.path + ", reason: " + event.reason);
    } else if (event.kind == log::LogEvent::Kind::kPresent) {
      Log(LogLevel::kInfo, kFilterLogger, "[" + name() + "] Log presence detected for file " + event.path);
    } else {
      ReadLog(*it);
    }
  }
  UnbanExpired();
  if (Now() - last_cleanup_ >= 5) {
    std::lock_guard lock(mu_);
    counter_.Cleanup(Now());
    last_cleanup_ = Now();
  }
  SavePositions();
  context_.log->Flush();
}

bool Jail::OpenLog(WatchedLog& log) {
  log::LogFileOptions options;
  options.encoding = options_.logencoding;
  options.tail = log.tail;
  if (context_.store) {
    auto stored = context_.store->GetLog(name(), log.path);
    if (stored && *stored && (*stored)->first_line_hash)
      options.saved = log::LogPosition{*(*stored)->first_line_hash, static_cast<uint64_t>((*stored)->position)};
  }
  auto file = log::LogFile::Open(log.path, options, *context_.clock);
  if (!file) {
    Log(LogLevel::kError, kFilterLogger, "[" + name() + "] " + file.error().ToString());
    return false;
  }
  log::LogPosition position = file->position();
  Log(LogLevel::kInfo, kFilterLogger,
      "[" + name() + "] Added logfile: '" + log.path + "' (pos = " + std::to_string(position.offset) +
          ", hash = " + position.first_line_hash + ")");
  log.file.emplace(std::move(*file));
  return true;
}

void Jail::ReadLog(WatchedLog& log) {
  if (!log.file && !OpenLog(log)) return;
  filter_->set_in_operation(log.file->in_operation());
  // Read in slices so that bans and positions reach the database while a large
  // backlog is read, and a stop request is seen.
  for (;;) {
    size_t budget = 20'000;
    actions_->BeginBulk();
    auto result = log.file->ReadLines([&](std::string_view line) {
      HandleLine(line);
      return --budget > 0 && !stopping_;
    });
    actions_->EndBulk();
    if (!result) {
      Log(LogLevel::kError, kFilterLogger, "[" + name() + "] " + result.error().ToString());
      return;
    }
    if (result->rotated)
      Log(LogLevel::kInfo, kFilterLogger,
          "[" + name() + "] Log rotation detected for " + log.path + ", reason: " + result->rotation_reason);
    filter_->set_in_operation(log.file->in_operation());
    if (!result->stopped || stopping_) break;
    SavePositions();
    context_.log->Flush();
  }
}

void Jail::HandleLine(std::string_view line) {
  for (const filter::Failure& failure : filter_->ProcessLine(line)) {
    if (!failure.id) continue;
    HandleFailure(failure);
  }
}

void Jail::HandleFailure(const filter::Failure& failure) {
  double now = Now();
  double time = failure.time.value_or(now);
  if (time > now) time = now;
  ban::Ticket ticket = ban::TicketFromFailure(failure, time);
  std::lock_guard lock(mu_);
  if (auto rule = ignore_->Match(ticket)) {
    Log(LogLevel::kInfo, kFilterLogger,
        "[" + name() + "] Ignore " + ticket.id.ToString() + " by " + std::string(*rule));
    return;
  }
  if (context_.log->Enabled(LogLevel::kInfo))
    Log(LogLevel::kInfo, kFilterLogger, "[" + name() + "] Found " + ticket.id.ToString() + " - " + TimeText(time));
  int attempts = counter_.AddFailure(ticket);
  if (attempts >= options_.maxretry) BanReady(ticket.id);
  if (options_.increment && context_.store) ObserveRepeatOffender(ticket);
}

void Jail::ObserveRepeatOffender(const ban::Ticket& ticket) {
  std::string ip = ticket.id.ToString();
  store::BanCountQuery query{.ip = ip, .overalljails = options_.overalljails};
  std::string jail = name();
  if (!options_.overalljails) query.jail = jail;
  auto previous = context_.store->GetBanCount(query);
  if (!previous || !*previous || (*previous)->bancount <= 0) return;
  if (ticket.time <= (*previous)->time_of_ban) return;  // read again after a restart
  int count = static_cast<int>((*previous)->bancount);
  int attempts = ban::RepeatOffenderAttempts(count, options_.maxretry);
  if (attempts <= 1) return;
  Log(LogLevel::kInfo, kObserverLogger,
      "[" + name() + "] Found " + ip + ", bad - " + TimeText(ticket.time) + ", " + std::to_string(count) +
          " # -> " + std::to_string(attempts) + (attempts >= options_.maxretry ? ", Ban" : ""));
  auto now_attempts = counter_.AddObservedFailure(ticket.id, attempts - 1);
  if (now_attempts && *now_attempts >= options_.maxretry) BanReady(ticket.id);
}

void Jail::BanReady(const IpAddr& id) {
  while (auto ticket = counter_.ToBan(id)) Ban(std::move(*ticket));
}

bool Jail::Ban(ban::Ticket ticket) {
  double now = Now();
  std::string ip = ticket.id.ToString();
  double bantime = ticket.BanTime(options_.bantime);
  bool increased = false;
  if (!ticket.restored && options_.increment && context_.store && bantime != -1 && !ticket.bantime) {
    store::BanCountQuery query{.ip = ip, .overalljails = options_.overalljails};
    std::string jail = name();
    if (!options_.overalljails) query.jail = jail;
    int previous = 0;
    if (context_.writer) context_.writer->Sync();  // count the bans still queued too
    if (auto count = context_.store->GetBanCount(query); count && *count) previous = static_cast<int>((*count)->bancount);
    double longer = ban::IncreasedBanTime(options_.increment_options, bantime, previous, RandomUnit);
    ticket.ban_count = previous + 1;
    if (longer != bantime) {
      ticket.bantime = longer;
      increased = true;
    }
  }
  if (!ticket.restored && ticket.ban_count == 0) ticket.ban_count = 1;
  ban::Ticket copy = ticket;
  if (!keep_matches_) ticket.matches = {};
  switch (bans_.Add(std::move(ticket), now)) {
    case ban::AddBanResult::kBanned:
      break;
    case ban::AddBanResult::kExpired:
      Log(LogLevel::kInfo, kActionsLogger, "[" + name() + "] Ignore " + ip + ", expired bantime");
      return false;
    case ban::AddBanResult::kAlreadyBanned:
    case ban::AddBanResult::kProlonged: {
      const ban::Ticket* banned = bans_.Find(copy.id);
      double since = banned ? copy.time - banned->time : 0;
      LogLevel level = since < 3 ? LogLevel::kDebug : since < 60 ? LogLevel::kNotice : LogLevel::kWarning;
      Log(level, kActionsLogger, "[" + name() + "] " + ip + " already banned");
      return false;
    }
  }
  Log(LogLevel::kNotice, kActionsLogger, "[" + name() + "] " + (copy.restored ? "Restore " : "") + "Ban " + ip);
  if (increased) {
    double effective = copy.BanTime(options_.bantime);
    std::string end = effective == -1 ? "infinite" : TimeText(copy.time + effective);
    Log(LogLevel::kNotice, kObserverLogger,
        "[" + name() + "] Increase Ban " + ip + " (" + std::to_string(copy.ban_count) + " # " +
            (effective == -1 ? std::string("permanent") : FormatDuration(effective)) + " -> " + end + ")");
  }
  if (ban::Ticket* stored = bans_.Find(copy.id)) stored->banned = true;
  if (!actions_->Ban(copy))
    Log(LogLevel::kError, kActionsLogger, "[" + name() + "] action queue full, " + ip + " not banned by every action");
  if (!copy.restored && context_.writer) {
    QueuedBan queued{.jail = name(),
                     .ip = ip,
                     .time = copy.time,
                     .bantime = copy.BanTime(options_.bantime),
                     .bancount = copy.ban_count,
                     .data_json = {}};
    size_t estimate = 128;
    for (const std::string& m : copy.matches) estimate += m.size() + 8;
    queued.data_json.reserve(estimate);
    store::AppendTicketJson(TicketDataJson(copy), context_.store->max_matches(), queued.data_json);
    context_.writer->AddBan(std::move(queued));
  }
  return true;
}

void Jail::UnbanExpired() {
  std::vector<ban::Ticket> expired;
  {
    std::lock_guard lock(mu_);
    expired = bans_.TakeExpired(Now());
  }
  for (const ban::Ticket& ticket : expired) UnbanTicket(ticket, false);
}

void Jail::UnbanTicket(const ban::Ticket& ticket, bool forget) {
  Log(LogLevel::kNotice, kActionsLogger, "[" + name() + "] Unban " + ticket.id.ToString());
  actions_->Unban(ticket);
  if (forget && context_.writer) context_.writer->DeleteBans(name(), {ticket.id.ToString()});
}

void Jail::SavePositions() {
  if (!context_.writer) return;
  for (WatchedLog& log : logs_) {
    if (!log.file) continue;
    log::LogPosition position = log.file->position();
    if (log.saved_position && *log.saved_position == position) continue;
    context_.writer->UpdateLog(name(), log.path, position.first_line_hash, static_cast<int64_t>(position.offset));
    log.saved_position = position;
  }
}

control::JailStatus Jail::Status(control::StatusFlavor flavor) {
  control::JailStatus status;
  for (const WatchedLog& log : logs_) status.filter.file_list.push_back(log.path);
  std::lock_guard lock(mu_);
  status.filter.currently_failed = static_cast<long long>(counter_.size());
  status.filter.total_failed = static_cast<long long>(counter_.total());
  status.actions.currently_banned = static_cast<long long>(bans_.size());
  status.actions.total_banned = static_cast<long long>(bans_.total());
  if (flavor != control::StatusFlavor::kShort)
    for (const ban::Ticket* t : bans_.OrderedByEnd()) status.actions.banned_ip_list.push_back(t->id.ToString());
  return status;
}

control::JailSettings Jail::Settings() const {
  control::JailSettings settings;
  settings.bantime = static_cast<long long>(options_.bantime);
  settings.findtime = static_cast<long long>(options_.findtime);
  settings.maxretry = options_.maxretry;
  settings.maxmatches = options_.maxmatches;
  for (const WatchedLog& log : logs_) settings.logpath.push_back(log.path);
  {
    std::lock_guard lock(mu_);
    settings.ignoreip = ignore_->entries();
  }
  for (const config::ActionSpec& a : spec_.actions) settings.actions.push_back(a.actname);
  return settings;
}

std::vector<std::string> Jail::BannedIps() {
  std::vector<std::string> ips;
  std::lock_guard lock(mu_);
  for (const ban::Ticket* t : bans_.OrderedByEnd()) ips.push_back(t->id.ToString());
  return ips;
}

bool Jail::IsBanned(const IpAddr& ip) {
  std::lock_guard lock(mu_);
  return bans_.Find(ip) != nullptr;
}

int Jail::BanIps(const std::vector<std::string>& ips) {
  int banned = 0;
  {
    std::lock_guard lock(mu_);
    for (const std::string& text : ips) {
      ban::Ticket ticket;
      ticket.id = IpAddr::Parse(text);
      ticket.time = Now();
      ticket.failures = 1;
      counter_.Remove(ticket.id);
      if (Ban(std::move(ticket))) ++banned;
    }
  }
  return banned;
}

int Jail::UnbanIps(const std::vector<std::string>& ips, std::vector<std::string>* absent) {
  int unbanned = 0;
  for (const std::string& text : ips) {
    IpAddr ip = IpAddr::Parse(text);
    std::optional<ban::Ticket> ticket;
    {
      std::lock_guard lock(mu_);
      ticket = bans_.Take(ip);
      counter_.Remove(ip);
    }
    if (!ticket) {
      if (absent) absent->push_back(text);
      continue;
    }
    UnbanTicket(*ticket, true);
    ++unbanned;
  }
  return unbanned;
}

int Jail::UnbanAll() {
  std::vector<ban::Ticket> all;
  {
    std::lock_guard lock(mu_);
    all = bans_.TakeAll();
  }
  for (const ban::Ticket& t : all) {
    Log(LogLevel::kNotice, kActionsLogger, "[" + name() + "] Unban " + t.id.ToString());
    actions_->Unban(t);
  }
  if (context_.writer) context_.writer->DeleteAllBans(name());
  return static_cast<int>(all.size());
}

bool Jail::WaitActionsIdle(std::chrono::milliseconds timeout) { return actions_->WaitIdle(timeout); }

}  // namespace portcullis::server
