#include "portcullis/server/server.h"

#include <netdb.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>

#include "portcullis/base/duration.h"
#include "portcullis/config/config_tree.h"
#include "portcullis/config/jail_reader.h"

#ifndef PORTCULLIS_VERSION
#define PORTCULLIS_VERSION "0.1.0"
#endif

namespace portcullis::server {
namespace {

constexpr double kPurgeInterval = 3600;

}  // namespace

Result<ServerSettings> ReadServerSettings(const std::string& basedir) {
  auto tree = config::ConfigTree::Read(basedir, "fail2ban");
  if (!tree) return Fail(tree.error());
  ServerSettings settings;
  settings.basedir = basedir;
  auto get = [&](std::string_view option, std::string& out) -> Result<void> {
    auto value = tree->Get("Definition", option);
    if (!value) return Fail(value.error());
    if (*value) out = **value;
    return {};
  };
  std::string purgeage, maxmatches;
  for (auto [option, out] : {std::pair<std::string_view, std::string*>{"loglevel", &settings.loglevel},
                             {"logtarget", &settings.logtarget},
                             {"socket", &settings.socket},
                             {"pidfile", &settings.pidfile},
                             {"dbfile", &settings.dbfile},
                             {"dbpurgeage", &purgeage},
                             {"dbmaxmatches", &maxmatches}}) {
    if (auto got = get(option, *out); !got) return Fail(got.error());
  }
  if (!purgeage.empty()) {
    auto seconds = ParseDuration(purgeage);
    if (!seconds) {
      const config::Value* raw = tree->FindRaw("Definition", "dbpurgeage");
      return Fail("invalid dbpurgeage", raw ? raw->file : "", raw ? raw->line : 0, purgeage);
    }
    settings.dbpurgeage = *seconds;
  }
  if (!maxmatches.empty()) {
    try {
      settings.dbmaxmatches = std::stoi(maxmatches);
    } catch (...) {
      const config::Value* raw = tree->FindRaw("Definition", "dbmaxmatches");
      return Fail("invalid dbmaxmatches", raw ? raw->file : "", raw ? raw->line : 0, maxmatches);
    }
  }
  return settings;
}

Result<std::unique_ptr<Server>> Server::Create(ServerSettings settings, ServerContext context) {
  std::unique_ptr<Server> server(new Server(std::move(settings), context));
  const std::string& dbfile = server->settings_.dbfile;
  if (dbfile.empty() || dbfile == "None" || dbfile == "none") {
    server->Log(LogLevel::kInfo, "No database in use (dbfile = None)");
    return server;
  }
  // SQLite's quick_check reads the whole file (a second for 300,000 bans): run it only
  // after an unclean stop, which leaves the write-ahead log behind.
  store::OpenOptions open_options;
  std::error_code ignored;
  open_options.quick_check = std::filesystem::exists(dbfile + "-wal", ignored);
  auto store = store::BanStore::Open(dbfile, *context.clock, open_options);
  if (!store) return Fail(store.error());
  for (const std::string& message : store->open_report().messages)
    context.log->Write(LogLevel::kInfo, "fail2ban.database", message);
  store->set_max_matches(server->settings_.dbmaxmatches);
  store->set_purge_age(server->settings_.dbpurgeage);
  server->store_.emplace(std::move(*store));
  server->writer_ = std::make_unique<StoreWriter>(*server->store_, *context.log);
  server->Log(LogLevel::kInfo, "Connected to fail2ban persistent database '" + dbfile + "'");
  return server;
}

Server::~Server() { Stop(); }

namespace {

// fail2ban's DNSUtils.getHostname: the short name, and the canonical name DNS gives it.
void HostNames(std::optional<std::string>& fq, std::optional<std::string>& sh) {
  char host[256] = {};
  if (::gethostname(host, sizeof host - 1) != 0) return;
  sh = host;
  fq = host;
  addrinfo hints{};
  hints.ai_flags = AI_CANONNAME;
  addrinfo* list = nullptr;
  if (::getaddrinfo(host, nullptr, &hints, &list) == 0) {
    if (list && list->ai_canonname) fq = list->ai_canonname;
    ::freeaddrinfo(list);
  }
}

}  // namespace

JailContext Server::MakeJailContext() {
  JailContext jail;
  jail.clock = context_.clock;
  jail.log = context_.log;
  jail.store = store_ ? &*store_ : nullptr;
  jail.writer = writer_.get();
  jail.runner = context_.runner;
  jail.resolve = context_.resolve;
  jail.source_options = context_.source_options;
  if (!hostnames_resolved_) {
    HostNames(fq_hostname_, sh_hostname_);
    hostnames_resolved_ = true;
  }
  jail.fq_hostname = fq_hostname_;
  jail.sh_hostname = sh_hostname_;
  return jail;
}

Result<void> Server::StartSpec(const config::JailSpec& spec) {
  for (const Error& warning : spec.warnings) Log(LogLevel::kWarning, "[" + spec.name + "] " + warning.ToString());
  auto jail = Jail::Create(spec, MakeJailContext());
  if (!jail) {
    Error error = jail.error();
    Log(LogLevel::kError, "Jail '" + spec.name + "' not started: " + error.ToString());
    return Fail(error);
  }
  if (auto started = (*jail)->Start(); !started) {
    Log(LogLevel::kError, "Jail '" + spec.name + "' not started: " + started.error().ToString());
    return Fail(started.error());
  }
  std::lock_guard lock(mu_);
  auto same = std::find_if(jails_.begin(), jails_.end(), [&](auto& j) { return j->name() == spec.name; });
  if (same != jails_.end())
    *same = std::move(*jail);
  else
    jails_.push_back(std::move(*jail));
  return {};
}

Result<void> Server::Start() {
  Log(LogLevel::kInfo, "Starting portcullis v" PORTCULLIS_VERSION " (fail2ban 1.0.2 compatible)");
  auto config = config::ReadJails({.basedir = settings_.basedir});
  if (!config) return Fail(config.error());
  for (const Error& warning : config->warnings) Log(LogLevel::kWarning, warning.ToString());
  for (const Error& error : config->errors) Log(LogLevel::kError, "Jail not started: " + error.ToString());
  for (const config::JailSpec& spec : config->jails) {
    Log(LogLevel::kInfo, "Creating new jail '" + spec.name + "'");
    (void)StartSpec(spec);
  }
  next_purge_ = context_.clock->Now() + kPurgeInterval;
  return {};
}

void Server::Stop() {
  std::lock_guard lock(mu_);
  for (auto it = jails_.rbegin(); it != jails_.rend(); ++it) (*it)->Stop();
  if (writer_) writer_->Sync();
  if (store_) (void)store_->DisableAllJails();
}

void Server::Housekeeping() {
  if (!store_ || context_.clock->Now() < next_purge_) return;
  next_purge_ = context_.clock->Now() + kPurgeInterval;
  if (auto purged = store_->Purge(); !purged)
    context_.log->Write(LogLevel::kError, "fail2ban.database", purged.error().ToString());
}

bool Server::WaitForStopRequest(std::chrono::milliseconds timeout) {
  std::unique_lock lock(stop_mu_);
  return stop_cv_.wait_for(lock, timeout, [&] { return stop_requested_.load(); });
}

Jail* Server::FindJail(const std::string& name) {
  std::lock_guard lock(mu_);
  for (auto& jail : jails_)
    if (jail->name() == name) return jail.get();
  return nullptr;
}

bool Server::HasJail(const std::string& jail) { return FindJail(jail) != nullptr; }

std::string Server::Version() { return PORTCULLIS_VERSION; }

std::vector<std::string> Server::Jails() {
  std::lock_guard lock(mu_);
  std::vector<std::string> names;
  for (auto& jail : jails_)
    if (jail->running()) names.push_back(jail->name());
  return names;
}

Result<control::JailStatus> Server::Status(const std::string& jail, control::StatusFlavor flavor) {
  std::lock_guard lock(mu_);
  return FindJail(jail)->Status(flavor);
}

Result<void> Server::StartJail(const std::string& name) {
  std::lock_guard lock(mu_);
  Jail* jail = FindJail(name);
  if (jail->running()) return {};
  auto config = config::ReadJails({.basedir = settings_.basedir, .only = name});
  if (!config) return Fail(config.error());
  if (!config->errors.empty()) return Fail(config->errors.front());
  if (config->jails.empty()) return Fail("Sorry but the jail '" + name + "' does not exist");
  return StartSpec(config->jails.front());
}

Result<void> Server::StopJail(const std::string& name) {
  std::lock_guard lock(mu_);
  FindJail(name)->Stop();
  return {};
}

Result<void> Server::StopServer() {
  stop_requested_ = true;
  stop_cv_.notify_all();
  return {};
}

Result<void> Server::Reload(const control::ReloadRequest& request) {
  std::lock_guard lock(mu_);
  Log(LogLevel::kInfo, "Reload " + (request.jail ? "jail '" + *request.jail + "'" : std::string("all jails")));
  config::JailsRequest read{.basedir = settings_.basedir};
  if (request.jail) read.only = *request.jail;
  auto config = config::ReadJails(read);
  if (!config) return Fail(config.error());
  for (const Error& warning : config->warnings) Log(LogLevel::kWarning, warning.ToString());
  for (const Error& error : config->errors) Log(LogLevel::kError, "Jail not started: " + error.ToString());
  if (request.jail && config->jails.empty() && config->errors.empty()) {
    if (request.if_exists) return {};
    return Fail("Sorry but the jail '" + *request.jail + "' does not exist");
  }
  // Jails gone from the configuration stop (a full reload only).
  if (!request.jail) {
    for (auto& jail : jails_) {
      bool kept = std::any_of(config->jails.begin(), config->jails.end(),
                              [&](const config::JailSpec& s) { return s.name == jail->name(); });
      if (!kept && jail->running()) {
        if (request.unban) jail->UnbanAll();
        jail->Stop();
      }
    }
    std::erase_if(jails_, [](auto& j) { return !j->running(); });
  }
  Result<void> result;
  for (const config::JailSpec& spec : config->jails) {
    if (Jail* old = FindJail(spec.name)) {
      if (request.unban) old->UnbanAll();
      old->Stop();
    }
    if (auto started = StartSpec(spec); !started && result) result = Fail(started.error());
  }
  if (request.jail && !config->errors.empty() && result) result = Fail(config->errors.front());
  return result;
}

Result<int> Server::BanIps(const std::string& jail, const std::vector<std::string>& ips) {
  std::lock_guard lock(mu_);
  return FindJail(jail)->BanIps(ips);
}

Result<int> Server::UnbanIps(const std::string& jail, const std::vector<std::string>& ips, bool report_absent) {
  std::lock_guard lock(mu_);
  std::vector<std::string> absent;
  int count = FindJail(jail)->UnbanIps(ips, &absent);
  if (report_absent && !absent.empty()) {
    std::string list = "[";
    for (size_t i = 0; i < absent.size(); ++i) list += (i ? ", '" : "'") + absent[i] + "'";
    return Fail("not banned: " + list + "]");
  }
  return count;
}

Result<int> Server::UnbanEverywhere(const std::vector<std::string>& ips) {
  std::lock_guard lock(mu_);
  int count = 0;
  for (auto& jail : jails_) count += jail->UnbanIps(ips, nullptr);
  return count;
}

Result<int> Server::UnbanAll() {
  std::lock_guard lock(mu_);
  int count = 0;
  for (auto& jail : jails_) count += jail->UnbanAll();
  return count;
}

std::vector<control::JailBans> Server::Banned() {
  std::lock_guard lock(mu_);
  std::vector<control::JailBans> out;
  for (auto& jail : jails_)
    if (jail->running()) out.push_back({jail->name(), jail->BannedIps()});
  return out;
}

Result<control::JailSettings> Server::Settings(const std::string& jail) {
  std::lock_guard lock(mu_);
  return FindJail(jail)->Settings();
}

Result<std::string> Server::SetLogLevel(const std::string& level) {
  auto parsed = ParseLogLevel(level);
  if (!parsed) return Fail(parsed.error());
  context_.log->set_level(*parsed);
  return std::string(LogLevelName(*parsed));
}

Result<std::string> Server::GetLogLevel() { return std::string(LogLevelName(context_.log->level())); }

Result<std::optional<long long>> Server::SetDbPurgeAge(const std::string& age) {
  auto seconds = ParseDuration(age);
  if (!seconds) return Fail(seconds.error());
  if (!store_) return std::optional<long long>();
  store_->set_purge_age(*seconds);
  return std::optional<long long>(static_cast<long long>(*seconds));
}

Result<std::optional<long long>> Server::GetDbPurgeAge() {
  if (!store_) return std::optional<long long>();
  return std::optional<long long>(static_cast<long long>(store_->purge_age()));
}

}  // namespace portcullis::server
