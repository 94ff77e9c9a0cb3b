#pragma once
// An IPv4/IPv6 address or network, or a raw host string: fail2ban's IPAddr.
//
//   IpAddr::Parse("192.0.2.1/24").ToString()        == "192.0.2.0/24"   (host bits masked)
//   IpAddr::Parse("2001:DB8:FF:FF::1", 60).ToString() == "2001:db8:ff:f0::/60"
//   IpAddr::Parse("::ffff:1.2.3.4").ToString()      == "1.2.3.4"        (mapped -> IPv4)
//   IpAddr::Parse("192.030.0.6").IsValid()          == false            (kept as raw text)
//   IpAddr::ParseNet("192.168.1.0/255.255.255.128") -> 192.168.1.0/25
//
// An IpAddr is 32 bytes: 16 address bytes, family and prefix length, and a pointer
// to the text that is only allocated for raw (non-IP) hosts. It is hashable
// (IpAddrHash) for the ban tables.

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "portcullis/base/error.h"

namespace portcullis {

class IpAddr {
 public:
  enum class Family : uint8_t {
    kUnspec,  // text that is no IP address (a DNS name, garbage): kept verbatim
    kInet4,
    kInet6,
    kRaw,     // fail2ban's CIDR_RAW: a host used verbatim on purpose (usedns = raw)
  };
  static constexpr int kCidrUnspec = -1;

  // An unspecified address with empty text.
  IpAddr() = default;
  IpAddr(const IpAddr& other);
  IpAddr& operator=(const IpAddr& other);
  IpAddr(IpAddr&&) noexcept = default;
  IpAddr& operator=(IpAddr&&) noexcept = default;
  ~IpAddr() = default;

  // fail2ban's IPAddr(text, cidr). With cidr unspecified, `[v6]` brackets are
  // stripped and `a/len` or `a/mask` is read; an IPv4-mapped IPv6 address becomes
  // IPv4. With a cidr, the host bits are masked off. Never fails: text that is no
  // address (or has an unusable mask) is an unspecified address keeping the text.
  static IpAddr Parse(std::string_view text, int cidr = kCidrUnspec);
  // Parse for ignoreip-style entries: errors on a mask that is not contiguous
  // ("invalid mask '255.255.0.128', no plen representation") or a prefix length
  // that is not a number. A DNS name is a valid, unspecified result.
  static Result<IpAddr> ParseNet(std::string_view text);
  // A host string used verbatim (fail2ban's IPAddr(text, CIDR_RAW)).
  static IpAddr Raw(std::string_view text);

  Family family() const { return family_; }
  // Prefix length: 32/128 for a single address, less for a network, 0 for text.
  int prefix_len() const { return prefix_len_; }
  bool IsValid() const { return family_ == Family::kInet4 || family_ == Family::kInet6; }
  bool IsV4() const { return family_ == Family::kInet4; }
  bool IsV6() const { return family_ == Family::kInet6; }
  // A single address (not a network, not text).
  bool IsSingle() const;
  // "inet4", "inet6", or "" for text.
  std::string_view FamilyStr() const;
  // The text of an unspecified/raw address; empty for IP addresses.
  std::string_view raw() const;
  // Network-order address bytes (4 used for IPv4).
  const std::array<uint8_t, 16>& bytes() const { return bytes_; }

  // inet_ntop form plus "/plen" for a network; the raw text for text.
  std::string ToString() const;
  // The reversed form for <ip-rev>: "4.3.2.1." for 1.2.3.4 (then `suffix`,
  // e.g. "in-addr.arpa."); nibbles for IPv6; empty for text.
  std::string Ptr(std::string_view suffix = "") const;

  // Whether this address lies in `net` (same family, first net.prefix_len() bits
  // equal). False when `net` is text: resolving a DNS name is the caller's job.
  bool InNet(const IpAddr& net) const;
  // Whether `ip` equals this network or lies in it.
  bool Contains(const IpAddr& ip) const { return ip == *this || ip.InNet(*this); }

  // Same family, address and prefix length; text compares by text.
  bool operator==(const IpAddr& other) const;
  // A strict order (family, address, prefix length, text) for sorted containers.
  bool operator<(const IpAddr& other) const;
  size_t Hash() const;

 private:
  static IpAddr Text(std::string_view text, Family family);
  static bool FromText(std::string_view text, int cidr, IpAddr& out);
  void MaskTo(int prefix_len);

  std::array<uint8_t, 16> bytes_{};
  Family family_ = Family::kUnspec;
  uint8_t prefix_len_ = 0;
  std::unique_ptr<std::string> raw_;  // only for kUnspec / kRaw with text
};

struct IpAddrHash {
  size_t operator()(const IpAddr& ip) const { return ip.Hash(); }
};

}  // namespace portcullis

template <>
struct std::hash<portcullis::IpAddr> {
  size_t operator()(const portcullis::IpAddr& ip) const { return ip.Hash(); }
};
