#include "portcullis/action/action_info.h"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <variant>

#include "portcullis/base/py_repr.h"

namespace portcullis::action {

namespace {

// Python's str() of a list of str: ['a', 'b'].
std::string PyListStr(const std::vector<std::string>& items) {
  std::string out = "[";
  for (size_t i = 0; i < items.size(); ++i) out += (i ? ", " : "") + PyRepr(items[i]);
  return out + "]";
}

// Python's str() of a filter data value (None values never reach a ticket).
std::string DataStr(const filter::FailValue& value) {
  if (const auto* text = std::get_if<std::string>(&value)) return *text;
  if (const auto* n = std::get_if<std::int64_t>(&value)) return std::to_string(*n);
  if (const auto* tuple = std::get_if<filter::Tuple>(&value)) return PyRepr(*tuple);
  if (const auto* users = std::get_if<filter::Users>(&value)) {
    if (users->empty()) return "set()";
    std::string list = PyListStr(*users);
    return "{" + list.substr(1, list.size() - 2) + "}";
  }
  if (const auto* lines = std::get_if<filter::Lines>(&value)) {
    std::string out = "[";
    for (size_t i = 0; i < lines->size(); ++i) {
      const filter::LineParts& l = (*lines)[i];
      out += (i ? ", " : "") + PyRepr(filter::Tuple{l.prefix, l.date, l.suffix});
    }
    return out + "]";
  }
  return "None";
}

std::string JoinLines(const std::vector<std::string>& lines) {
  std::string out;
  for (size_t i = 0; i < lines.size(); ++i) out += (i ? "\n" : "") + lines[i];
  return out;
}

std::string IntStr(double value) { return std::to_string(static_cast<int64_t>(value)); }

}  // namespace

std::string PyFloatStr(double value) {
  if (std::isnan(value)) return "nan";
  if (std::isinf(value)) return value < 0 ? "-inf" : "inf";
  // The shortest round-trip digits, laid out as Python's repr: fixed notation for
  // exponents -4..15, scientific (at least two exponent digits) otherwise.
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value, std::chars_format::scientific);
  std::string sci(buf, end);
  const size_t e = sci.find('e');
  const int exponent = std::stoi(sci.substr(e + 1));
  std::string digits;
  for (char c : sci.substr(0, e)) {
    if (c >= '0' && c <= '9') digits += c;
  }
  const std::string sign = value < 0 || (value == 0 && std::signbit(value)) ? "-" : "";
  if (exponent < -4 || exponent >= 16) {
    std::string mantissa = digits.substr(0, 1) + (digits.size() > 1 ? "." + digits.substr(1) : "");
    char exp[16];
    std::snprintf(exp, sizeof exp, "e%c%02d", exponent < 0 ? '-' : '+', std::abs(exponent));
    return sign + mantissa + exp;
  }
  if (exponent < 0) return sign + "0." + std::string(-exponent - 1, '0') + digits;
  const size_t int_len = static_cast<size_t>(exponent) + 1;
  if (digits.size() <= int_len) return sign + digits + std::string(int_len - digits.size(), '0') + ".0";
  return sign + digits.substr(0, int_len) + "." + digits.substr(int_len);
}

void ActionInfo::Put(Entries& entries, std::string_view key, std::string value) {
  for (auto& [k, v] : entries) {
    if (k == key) {
      v = std::move(value);
      return;
    }
  }
  entries.emplace_back(std::string(key), std::move(value));
}

const std::string* ActionInfo::Get(const Entries& entries, std::string_view key) {
  for (const auto& [k, v] : entries) {
    if (k == key) return &v;
  }
  return nullptr;
}

ActionInfo ActionInfo::FromTicket(const ban::Ticket& ticket, double jail_bantime) {
  ActionInfo info;
  info.has_ticket_ = true;
  const IpAddr ip = ticket.Ip();
  info.family_ = std::string(ip.FamilyStr());
  info.Set("ip", ip.ToString());
  info.Set("family", info.family_.empty() ? "None" : info.family_);  // familyStr is None for text
  info.Set("ip-rev", ip.Ptr());
  info.Set("fid", ticket.id.ToString());
  info.Set("failures", std::to_string(ticket.failures));
  info.Set("time", PyFloatStr(ticket.time));
  info.Set("bantime", IntStr(ticket.BanTime(jail_bantime)));
  info.Set("bancount", std::to_string(ticket.ban_count));
  info.Set("matches", JoinLines(ticket.matches));
  info.Set("restored", ticket.restored ? "1" : "0");
  // Ticket._data: matches and failures first, then the filter's data.
  Put(info.data_, "matches", PyListStr(ticket.matches));
  Put(info.data_, "failures", std::to_string(ticket.failures));
  for (const auto& [key, value] : ticket.data.entries()) Put(info.data_, key, DataStr(value));
  return info;
}

ActionInfo ActionInfo::ForOperation(double now, std::string_view family, double jail_bantime) {
  ban::Ticket empty;
  empty.time = now;
  ActionInfo info = FromTicket(empty, jail_bantime);
  info.family_ = std::string(family);
  info.Set("family", std::string(family));
  return info;
}

ActionInfo ActionInfo::ForIp(const IpAddr& ip) {
  ActionInfo info;
  info.family_ = std::string(ip.FamilyStr());
  info.Set("ip", ip.ToString());
  return info;
}

void ActionInfo::Set(std::string_view tag, std::string value) { Put(tags_, tag, std::move(value)); }

const std::string* ActionInfo::Find(std::string_view tag) const { return Get(tags_, tag); }

const std::string* ActionInfo::FindData(std::string_view key) const { return Get(data_, key); }

}  // namespace portcullis::action
