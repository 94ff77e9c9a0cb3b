#pragma once
// DNS for fail2ban-regex: names a <HOST> captured become addresses (usedns yes/warn)
// as fail2ban's DNSUtils.dnsToIp does (getaddrinfo for IPv4, then IPv6, cached), and
// addresses become names for <ip-host>.

#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "portcullis/filter/filter.h"

namespace portcullis::tester {

class SystemResolver final : public filter::Resolver {
 public:
  std::vector<IpAddr> Resolve(std::string_view name) override;
  // The PTR name of `ip`, nullopt when there is none.
  std::optional<std::string> HostName(const IpAddr& ip);

 private:
  std::mutex mutex_;  // a split run resolves from several threads
  std::unordered_map<std::string, std::vector<IpAddr>> cache_;
};

}  // namespace portcullis::tester
