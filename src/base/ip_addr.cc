#include "portcullis/base/ip_addr.h"

#include <arpa/inet.h>

#include <algorithm>
#include <bit>
#include <cstring>
#include <tuple>
#include <utility>

namespace portcullis {
namespace {

constexpr size_t kMaxAddressText = 63;

int FullLength(IpAddr::Family family) { return family == IpAddr::Family::kInet4 ? 32 : 128; }

std::string_view Trim(std::string_view s) {
  const size_t begin = s.find_first_not_of(" \t\n\r\f\v");
  if (begin == std::string_view::npos) return {};
  return s.substr(begin, s.find_last_not_of(" \t\n\r\f\v") - begin + 1);
}

// Python's int() on a prefix length: blanks around, an optional sign, digits.
Result<int> ParsePrefixNumber(std::string_view text) {
  std::string_view digits = Trim(text);
  bool negative = false;
  if (!digits.empty() && (digits[0] == '+' || digits[0] == '-')) {
    negative = digits[0] == '-';
    digits.remove_prefix(1);
  }
  if (digits.empty() || digits.size() > 6 ||
      !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return Fail("invalid prefix length '" + std::string(text) + "'");
  const int value = std::stoi(std::string(digits));
  if (negative && value != 0) return Fail("invalid prefix length '" + std::string(text) + "'");
  return value;
}

// Number of leading one bits when `bytes` (`n` of them) is a contiguous mask, else -1.
int ContiguousMaskLength(const uint8_t* bytes, size_t n) {
  int ones = 0;
  size_t i = 0;
  for (; i < n && bytes[i] == 0xff; ++i) ones += 8;
  if (i == n) return ones;
  const uint8_t partial = bytes[i];
  const int lead = std::countl_one(partial);
  if (static_cast<uint8_t>(partial << lead) != 0) return -1;
  for (size_t j = i + 1; j < n; ++j)
    if (bytes[j] != 0) return -1;
  return ones + lead;
}

// fail2ban's masktoplen: the mask's value must be a contiguous 32-bit mask or a
// contiguous 128-bit mask (a 32-bit value written as IPv6 counts as 32-bit).
Result<int> MaskToPrefix(std::string_view mask) {
  const IpAddr m = IpAddr::Parse(mask);
  const auto error = [&] {
    return Fail("invalid mask '" + std::string(Trim(mask)) + "', no plen representation");
  };
  if (!m.IsValid()) return error();
  const auto& b = m.bytes();
  if (m.IsV4()) {
    const int plen = ContiguousMaskLength(b.data(), 4);
    return plen >= 0 ? Result<int>(plen) : error();
  }
  if (std::all_of(b.begin(), b.begin() + 12, [](uint8_t x) { return x == 0; })) {
    const int plen = ContiguousMaskLength(b.data() + 12, 4);
    if (plen >= 0) return plen;
  }
  const int plen = ContiguousMaskLength(b.data(), 16);
  return plen >= 0 ? Result<int>(plen) : error();
}

// fail2ban's __wrap_ipstr: [v6] brackets, then `ip/len` or `ip/mask`.
Result<std::pair<std::string_view, int>> SplitPrefix(std::string_view text) {
  if (text.size() > 2 && text.front() == '[' && text.back() == ']') text = text.substr(1, text.size() - 2);
  const size_t slash = text.find('/');
  if (slash == std::string_view::npos) return std::pair{text, IpAddr::kCidrUnspec};
  const std::string_view mask = text.substr(slash + 1);
  auto plen = mask.find_first_of(".:") != std::string_view::npos ? MaskToPrefix(mask)
                                                                 : ParsePrefixNumber(mask);
  if (!plen) return std::unexpected(plen.error());
  return std::pair{text.substr(0, slash), *plen};
}

uint64_t Mix(uint64_t x) {
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

}  // namespace

IpAddr::IpAddr(const IpAddr& other)
    : bytes_(other.bytes_), family_(other.family_), prefix_len_(other.prefix_len_),
      raw_(other.raw_ ? std::make_unique<std::string>(*other.raw_) : nullptr) {}

IpAddr& IpAddr::operator=(const IpAddr& other) {
  if (this != &other) *this = IpAddr(other);
  return *this;
}

IpAddr IpAddr::Text(std::string_view text, Family family) {
  IpAddr ip;
  ip.family_ = family;
  if (!text.empty()) ip.raw_ = std::make_unique<std::string>(text);
  return ip;
}

IpAddr IpAddr::Raw(std::string_view text) { return Text(text, Family::kRaw); }

namespace {

// A dotted quad as inet_pton reads it (four decimal parts 0-255, no leading zeros), or
// false for anything else, which inet_pton then reads: every hit of an IPv4 failure
// parses its address, and the copy and call cost more than the parse.
bool DottedQuad(std::string_view text, uint8_t* bytes) {
  const char* p = text.data();
  const char* end = p + text.size();
  for (int part = 0; part < 4; ++part) {
    if (part > 0 && (p == end || *p++ != '.')) return false;
    if (p == end || *p < '0' || *p > '9') return false;
    unsigned value = static_cast<unsigned>(*p++ - '0');
    for (int digits = 1; p != end && *p >= '0' && *p <= '9'; ++digits) {
      if (digits == 3 || value == 0) return false;  // a fourth digit, or a leading zero
      value = value * 10 + static_cast<unsigned>(*p++ - '0');
    }
    if (value > 255) return false;
    bytes[part] = static_cast<uint8_t>(value);
  }
  return p == end;
}

// An IPv6 address of hex groups and colons as inet_pton reads it (1-4 digits a group,
// one "::" at most, eight groups without it and fewer with it, no lone leading or
// trailing colon). 1: read; 0: not an address; -1: a '.' (an IPv4 tail), left to
// inet_pton. A sshd log's addresses are half IPv6; inet_pton took ~750 instructions
// on one.
int HexGroups(std::string_view text, uint8_t* bytes) {
  uint8_t out[16] = {};
  size_t at = 0;    // bytes written
  int gap = -1;     // where "::" stands, in bytes
  size_t digits = 0;
  unsigned value = 0;
  size_t i = 0;
  // Writes the group just read; false when it would be a ninth.
  auto put_group = [&] {
    if (at + 2 > 16) return false;
    out[at++] = static_cast<uint8_t>(value >> 8);
    out[at++] = static_cast<uint8_t>(value & 0xff);
    digits = 0;
    value = 0;
    return true;
  };
  if (text.empty()) return 0;
  if (text[0] == ':') {
    if (text.size() < 2 || text[1] != ':') return 0;
    i = 1;  // the second colon opens the gap below
  }
  for (; i < text.size(); ++i) {
    const char c = text[i];
    int digit = -1;
    if (c >= '0' && c <= '9') digit = c - '0';
    else if (c >= 'a' && c <= 'f') digit = c - 'a' + 10;
    else if (c >= 'A' && c <= 'F') digit = c - 'A' + 10;
    if (digit >= 0) {
      if (digits == 4) return 0;
      value = value << 4 | static_cast<unsigned>(digit);
      ++digits;
      continue;
    }
    if (c == '.') return -1;
    if (c != ':') return 0;
    if (digits == 0) {  // "::"
      if (gap >= 0) return 0;
      gap = static_cast<int>(at);
      continue;
    }
    if (i + 1 == text.size() || !put_group()) return 0;  // a trailing colon, or a ninth group
  }
  if (digits > 0 && !put_group()) return 0;
  if (gap >= 0) {
    if (at == 16) return 0;  // "::" standing for no group
    const size_t tail = at - static_cast<size_t>(gap);
    std::memmove(out + 16 - tail, out + gap, tail);
    std::memset(out + gap, 0, 16 - tail - static_cast<size_t>(gap));
    at = 16;
  }
  if (at != 16) return 0;
  std::memcpy(bytes, out, 16);
  return 1;
}

// inet_pton on a text of at most kMaxAddressText bytes.
bool InetPton(int family, std::string_view text, uint8_t* bytes) {
  char buffer[kMaxAddressText + 1];
  std::memcpy(buffer, text.data(), text.size());
  buffer[text.size()] = '\0';
  return inet_pton(family, buffer, bytes) == 1;
}

}  // namespace

bool IpAddr::FromText(std::string_view text, int cidr, IpAddr& out) {
  if (text.size() > kMaxAddressText) return false;
  if (uint8_t quad[4]; DottedQuad(text, quad)) {
    std::memcpy(out.bytes_.data(), quad, sizeof quad);
    out.family_ = Family::kInet4;
  } else if (text.find(':') == std::string_view::npos) {
    // Not a dotted quad: inet_pton's other IPv4 forms, or nothing.
    if (!InetPton(AF_INET, text, out.bytes_.data())) return false;
    out.family_ = Family::kInet4;
  } else if (const int groups = HexGroups(text, out.bytes_.data()); groups >= 0) {
    if (groups == 0) return false;
    out.family_ = Family::kInet6;
  } else {  // an IPv4 tail (::ffff:1.2.3.4)
    if (!InetPton(AF_INET6, text, out.bytes_.data())) return false;
    out.family_ = Family::kInet6;
  }
  out.prefix_len_ = static_cast<uint8_t>(FullLength(out.family_));
  if (cidr >= 0) {
    out.MaskTo(cidr);
    out.prefix_len_ = static_cast<uint8_t>(std::min(cidr, 255));
    return true;
  }
  const auto& b = out.bytes_;
  const bool mapped = out.IsV6() && std::all_of(b.begin(), b.begin() + 10, [](uint8_t x) { return x == 0; }) &&
                      b[10] == 0xff && b[11] == 0xff;
  if (mapped) {
    std::memmove(out.bytes_.data(), out.bytes_.data() + 12, 4);
    std::fill(out.bytes_.begin() + 4, out.bytes_.end(), 0);
    out.family_ = Family::kInet4;
    out.prefix_len_ = 32;
  }
  return true;
}

void IpAddr::MaskTo(int prefix_len) {
  const int full = FullLength(family_);
  for (int bit = std::max(prefix_len, 0); bit < full; ++bit)
    bytes_[bit / 8] &= static_cast<uint8_t>(~(0x80u >> (bit % 8)));
}

IpAddr IpAddr::Parse(std::string_view text, int cidr) {
  IpAddr ip;
  // A plain address (nearly every hit's): parsed in place, without ParseNet's split of
  // brackets and prefix and its Result.
  if (cidr != kCidrUnspec || ((text.empty() || text.front() != '[') && text.find('/') == std::string_view::npos))
    return FromText(text, cidr, ip) ? ip : Text(text, Family::kUnspec);
  auto parsed = ParseNet(text);
  return parsed ? std::move(*parsed) : Text(text, Family::kUnspec);
}

Result<IpAddr> IpAddr::ParseNet(std::string_view text) {
  auto split = SplitPrefix(text);
  if (!split) return std::unexpected(split.error());
  IpAddr ip;
  if (FromText(split->first, split->second, ip)) return ip;
  return Text(split->first, Family::kUnspec);
}

bool IpAddr::IsSingle() const { return IsValid() && prefix_len_ == FullLength(family_); }

std::string_view IpAddr::FamilyStr() const {
  if (IsV4()) return "inet4";
  if (IsV6()) return "inet6";
  return "";
}

std::string_view IpAddr::raw() const { return raw_ ? std::string_view(*raw_) : std::string_view(); }

std::string IpAddr::ToString() const {
  if (!IsValid()) return std::string(raw());
  char text[INET6_ADDRSTRLEN];
  inet_ntop(IsV4() ? AF_INET : AF_INET6, bytes_.data(), text, sizeof text);
  std::string out = text;
  if (prefix_len_ != 0 && prefix_len_ < FullLength(family_)) out += "/" + std::to_string(prefix_len_);
  return out;
}

// fail2ban's getPTR: IPv4 reverses the dotted text (including a "/plen" part, as
// fail2ban does), IPv6 reverses the 32 hex nibbles.
std::string IpAddr::Ptr(std::string_view suffix) const {
  std::string out;
  if (IsV4()) {
    const std::string text = ToString();
    size_t end = text.size();
    for (size_t dot = text.rfind('.'); dot != std::string::npos; dot = text.rfind('.', dot - 1)) {
      out.append(text, dot + 1, end - dot - 1).append(".");
      end = dot;
      if (dot == 0) break;
    }
    out.append(text, 0, end).append(".");
  } else if (IsV6()) {
    static constexpr char kHex[] = "0123456789abcdef";
    for (int i = 15; i >= 0; --i) {
      out += kHex[bytes_[i] & 0xf];
      out += '.';
      out += kHex[bytes_[i] >> 4];
      out += '.';
    }
  } else {
    return "";
  }
  return out + std::string(suffix);
}

bool IpAddr::InNet(const IpAddr& net) const {
  if (!net.IsValid() || family_ != net.family_) return false;
  IpAddr masked = *this;
  masked.MaskTo(net.prefix_len_);
  return masked.bytes_ == net.bytes_;
}

bool IpAddr::operator==(const IpAddr& other) const {
  if (family_ != other.family_) return false;
  if (!IsValid()) return raw() == other.raw();
  return bytes_ == other.bytes_ && prefix_len_ == other.prefix_len_;
}

bool IpAddr::operator<(const IpAddr& other) const {
  return std::tie(family_, bytes_, prefix_len_) < std::tie(other.family_, other.bytes_, other.prefix_len_) ||
         (std::tie(family_, bytes_, prefix_len_) == std::tie(other.family_, other.bytes_, other.prefix_len_) &&
          raw() < other.raw());
}

size_t IpAddr::Hash() const {
  if (!IsValid()) return std::hash<std::string_view>()(raw()) ^ static_cast<size_t>(family_);
  uint64_t hi, lo;
  std::memcpy(&hi, bytes_.data(), 8);
  std::memcpy(&lo, bytes_.data() + 8, 8);
  const uint64_t tag = (static_cast<uint64_t>(family_) << 8) | prefix_len_;
  return static_cast<size_t>(Mix(hi ^ Mix(lo ^ Mix(tag))));
}

}  // namespace portcullis
