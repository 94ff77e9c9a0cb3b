#pragma once
// A ControlHandler for tests: jails held in memory, every call recorded as a line of
// text ("BanIps sshd 192.0.2.1"), failures scripted through `fail_next`.

#include <algorithm>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "portcullis/control/control_handler.h"

namespace portcullis::control {

class FakeControlHandler : public ControlHandler {
 public:
  struct Jail {
    std::string name;
    JailStatus status;
    JailSettings settings;
    bool running = true;
  };

  std::vector<Jail> jails;         // in server order
  std::vector<std::string> calls;  // what was asked, in order
  std::string version = "0.1.0";
  std::string fail_next;           // when set, the next mutating call fails with it
  bool stop_requested = false;

  // Adds a jail with `ips` banned (total_banned counts them) and `files` watched.
  Jail& AddJail(std::string name, std::vector<std::string> ips = {}, std::vector<std::string> files = {}) {
    Jail& jail = jails.emplace_back();
    jail.name = std::move(name);
    jail.status.actions.banned_ip_list = std::move(ips);
    jail.status.actions.currently_banned = static_cast<long long>(jail.status.actions.banned_ip_list.size());
    jail.status.actions.total_banned = jail.status.actions.currently_banned;
    jail.status.filter.file_list = files;
    jail.settings = JailSettings{600, 600, 5, 5, std::move(files), {}, {}};
    return jail;
  }

  bool HasJail(const std::string& jail) override { return Find(jail) != nullptr; }
  std::string Version() override { return version; }
  std::vector<std::string> Jails() override {
    std::vector<std::string> names;
    for (const Jail& jail : jails) names.push_back(jail.name);
    return names;
  }
  Result<JailStatus> Status(const std::string& jail, StatusFlavor flavor) override {
    calls.push_back("Status " + jail + (flavor == StatusFlavor::kShort ? " short" : " basic"));
    return Find(jail)->status;
  }
  Result<void> StartJail(const std::string& jail) override {
    calls.push_back("StartJail " + jail);
    if (auto failed = Failing()) return Fail(*failed);
    Find(jail)->running = true;
    return {};
  }
  Result<void> StopJail(const std::string& jail) override {
    calls.push_back("StopJail " + jail);
    if (auto failed = Failing()) return Fail(*failed);
    std::erase_if(jails, [&](const Jail& j) { return j.name == jail; });
    return {};
  }
  Result<void> StopServer() override {
    calls.push_back("StopServer");
    stop_requested = true;
    return {};
  }
  Result<void> Reload(const ReloadRequest& request) override {
    calls.push_back("Reload " + request.jail.value_or("--all") + (request.restart ? " restart" : "") +
                    (request.unban ? " unban" : "") + (request.if_exists ? " if-exists" : ""));
    if (auto failed = Failing()) return Fail(*failed);
    return {};
  }
  Result<int> BanIps(const std::string& jail, const std::vector<std::string>& ips) override {
    calls.push_back("BanIps " + jail + Join(ips));
    if (auto failed = Failing()) return Fail(*failed);
    ActionsStatus& actions = Find(jail)->status.actions;
    int added = 0;
    for (const std::string& ip : ips) {
      if (std::ranges::find(actions.banned_ip_list, ip) != actions.banned_ip_list.end()) continue;
      actions.banned_ip_list.push_back(ip);
      ++added;
    }
    actions.currently_banned = static_cast<long long>(actions.banned_ip_list.size());
    actions.total_banned += added;
    return added;
  }
  Result<int> UnbanIps(const std::string& jail, const std::vector<std::string>& ips,
                       bool report_absent) override {
    calls.push_back("UnbanIps " + jail + (report_absent ? " --report-absent" : "") + Join(ips));
    if (auto failed = Failing()) return Fail(*failed);
    return Unban(*Find(jail), ips);
  }
  Result<int> UnbanEverywhere(const std::vector<std::string>& ips) override {
    calls.push_back("UnbanEverywhere" + Join(ips));
    if (auto failed = Failing()) return Fail(*failed);
    int removed = 0;
    for (Jail& jail : jails) removed += Unban(jail, ips);
    return removed;
  }
  Result<int> UnbanAll() override {
    calls.push_back("UnbanAll");
    if (auto failed = Failing()) return Fail(*failed);
    int removed = 0;
    for (Jail& jail : jails) removed += Unban(jail, jail.status.actions.banned_ip_list);
    return removed;
  }
  std::vector<JailBans> Banned() override {
    std::vector<JailBans> bans;
    for (const Jail& jail : jails) bans.push_back({jail.name, jail.status.actions.banned_ip_list});
    return bans;
  }
  Result<JailSettings> Settings(const std::string& jail) override { return Find(jail)->settings; }

 private:
  Jail* Find(const std::string& name) {
    auto it = std::ranges::find(jails, name, &Jail::name);
    return it == jails.end() ? nullptr : &*it;
  }
  std::optional<std::string> Failing() {
    if (fail_next.empty()) return std::nullopt;
    return std::exchange(fail_next, {});
  }
  static std::string Join(const std::vector<std::string>& words) {
    std::string out;
    for (const std::string& word : words) out += " " + word;
    return out;
  }
  static int Unban(Jail& jail, std::vector<std::string> ips) {
    ActionsStatus& actions = jail.status.actions;
    auto removed = std::erase_if(actions.banned_ip_list,
                                 [&](const std::string& ip) { return std::ranges::find(ips, ip) != ips.end(); });
    actions.currently_banned = static_cast<long long>(actions.banned_ip_list.size());
    return static_cast<int>(removed);
  }
};

}  // namespace portcullis::control
