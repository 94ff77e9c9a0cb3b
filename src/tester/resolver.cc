#include "portcullis/tester/resolver.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <sys/socket.h>

#include <algorithm>

namespace portcullis::tester {

std::vector<IpAddr> SystemResolver::Resolve(std::string_view name) {
  std::string key(name);
  {
    std::lock_guard lock(mutex_);
    if (auto it = cache_.find(key); it != cache_.end()) return it->second;
  }
  std::vector<IpAddr> ips;
  for (int family : {AF_INET, AF_INET6}) {
    addrinfo hints{};
    hints.ai_family = family;
    hints.ai_protocol = IPPROTO_TCP;
    addrinfo* result = nullptr;
    if (getaddrinfo(key.c_str(), nullptr, &hints, &result) != 0) continue;
    for (addrinfo* ai = result; ai; ai = ai->ai_next) {
      char text[INET6_ADDRSTRLEN] = {};
      const void* addr = ai->ai_family == AF_INET
                             ? static_cast<const void*>(&reinterpret_cast<sockaddr_in*>(ai->ai_addr)->sin_addr)
                             : static_cast<const void*>(&reinterpret_cast<sockaddr_in6*>(ai->ai_addr)->sin6_addr);
      if (!inet_ntop(ai->ai_family, addr, text, sizeof text)) continue;
      IpAddr ip = IpAddr::Parse(text);
      if (ip.IsValid() && std::find(ips.begin(), ips.end(), ip) == ips.end()) ips.push_back(ip);
    }
    freeaddrinfo(result);
  }
  std::lock_guard lock(mutex_);
  cache_.emplace(key, ips);
  return ips;
}

std::optional<std::string> SystemResolver::HostName(const IpAddr& ip) {
  if (!ip.IsValid()) return std::nullopt;
  sockaddr_storage storage{};
  socklen_t length = 0;
  if (ip.IsV4()) {
    auto* sa = reinterpret_cast<sockaddr_in*>(&storage);
    sa->sin_family = AF_INET;
    std::copy_n(ip.bytes().begin(), 4, reinterpret_cast<uint8_t*>(&sa->sin_addr));
    length = sizeof(sockaddr_in);
  } else {
    auto* sa = reinterpret_cast<sockaddr_in6*>(&storage);
    sa->sin6_family = AF_INET6;
    std::copy_n(ip.bytes().begin(), 16, reinterpret_cast<uint8_t*>(&sa->sin6_addr));
    length = sizeof(sockaddr_in6);
  }
  char host[NI_MAXHOST] = {};
  if (getnameinfo(reinterpret_cast<sockaddr*>(&storage), length, host, sizeof host, nullptr, 0, NI_NAMEREQD) != 0)
    return std::nullopt;
  return std::string(host);
}

}  // namespace portcullis::tester
