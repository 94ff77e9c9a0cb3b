#include "portcullis/server/ignore_list.h"

#include <ifaddrs.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <arpa/inet.h>

#include "portcullis/action/action_info.h"
#include "portcullis/action/shell_command.h"

namespace portcullis::server {

namespace {

// The address in a sockaddr of getaddrinfo/getifaddrs; unspecified for other families.
IpAddr FromSockaddr(const sockaddr* address) {
  char text[INET6_ADDRSTRLEN] = {};
  if (address->sa_family == AF_INET)
    ::inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(address)->sin_addr, text, sizeof text);
  else if (address->sa_family == AF_INET6)
    ::inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(address)->sin6_addr, text, sizeof text);
  return IpAddr::Parse(text);
}

}  // namespace

HostResolver SystemHostResolver() {
  return [](std::string_view name) {
    std::vector<IpAddr> out;
    addrinfo hints{};
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* list = nullptr;
    if (::getaddrinfo(std::string(name).c_str(), nullptr, &hints, &list) != 0) return out;
    for (addrinfo* a = list; a; a = a->ai_next) {
      IpAddr ip = FromSockaddr(a->ai_addr);
      bool seen = false;
      for (const IpAddr& o : out) seen = seen || o == ip;
      if (!seen && ip.IsValid()) out.push_back(ip);
    }
    ::freeaddrinfo(list);
    return out;
  };
}

std::vector<IpAddr> SelfAddresses(const HostResolver& resolve) {
  std::vector<IpAddr> out;
  auto add = [&](const IpAddr& ip) {
    if (!ip.IsValid()) return;
    for (const IpAddr& o : out)
      if (o == ip) return;
    out.push_back(ip);
  };
  ifaddrs* list = nullptr;
  if (::getifaddrs(&list) == 0) {
    for (ifaddrs* a = list; a; a = a->ifa_next) {
      if (a->ifa_addr) add(FromSockaddr(a->ifa_addr));
    }
    ::freeifaddrs(list);
  }
  char host[256] = {};
  if (::gethostname(host, sizeof host - 1) == 0)
    for (const IpAddr& ip : resolve(host)) add(ip);
  add(IpAddr::Parse("127.0.0.1"));
  add(IpAddr::Parse("::1"));
  return out;
}

Result<IgnoreList> IgnoreList::Create(const IgnoreOptions& options, const HostResolver& resolve,
                                      platform::CommandRunner* runner) {
  IgnoreList list;
  for (const std::string& entry : options.ignoreip) {
    if (auto added = list.Add(entry, resolve); !added) return Fail(added.error());
  }
  list.ignoreself_ = options.ignoreself;
  if (options.ignoreself) list.self_ = SelfAddresses(resolve);
  list.command_ = options.ignorecommand;
  list.command_timeout_ = options.command_timeout;
  list.runner_ = runner;
  return list;
}

Result<void> IgnoreList::Add(std::string_view entry, const HostResolver& resolve) {
  if (entry.empty()) return {};
  auto net = IpAddr::ParseNet(entry);
  if (!net) return Fail(net.error());
  entries_.emplace_back(entry);
  if (net->IsValid()) {
    nets_.push_back({*net, false});
    return {};
  }
  for (const IpAddr& ip : resolve(entry)) nets_.push_back({ip, true});
  return {};
}

std::optional<std::string_view> IgnoreList::Match(const ban::Ticket& ticket) {
  const IpAddr& ip = ticket.id;
  if (ignoreself_ && ip.IsValid()) {
    for (const IpAddr& self : self_)
      if (self == ip) return "ignoreself rule";
  }
  for (const Net& n : nets_) {
    if (n.net.Contains(ip)) return n.from_dns ? "dns" : "ip";
  }
  if (!command_.empty() && runner_ && RunCommand(ticket)) return "command";
  return std::nullopt;
}

bool IgnoreList::RunCommand(const ban::Ticket& ticket) {
  action::ActionInfo info = action::ActionInfo::FromTicket(ticket, 0);
  action::ShellCommand command = action::BuildIgnoreCommand(command_, info);
  platform::RunOptions run;
  run.timeout = std::chrono::milliseconds(static_cast<long long>(command_timeout_ * 1000));
  auto result = runner_->Run(command.Argv(), run);
  return result && result->exit_code == 0 && !result->timed_out;
}

}  // namespace portcullis::server
