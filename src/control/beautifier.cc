#include "portcullis/control/beautifier.h"

#include <charconv>
#include <cmath>
#include <string_view>

#include "portcullis/base/py_repr.h"

namespace portcullis::control {

namespace {

std::string Number(double d) {
  if (std::isfinite(d) && d == std::trunc(d) && std::fabs(d) < 9.2e18) {
    return std::to_string(static_cast<long long>(d));
  }
  char buffer[32];
  auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, d);
  std::string text(buffer, end);
  if (text.find_first_of(".en") == std::string::npos) text += ".0";  // Python's float repr
  return text;
}

std::string StringRepr(const std::string& text) { return portcullis::PyRepr(std::string_view(text)); }

std::string Field(const json::Value* value) { return value ? PyStr(*value) : "None"; }

// A status value: lists space-joined, as the beautifier does.
std::string StatusValue(const json::Value* value) {
  if (value == nullptr || !value->is_array()) return Field(value);
  std::string out;
  for (const json::Value& item : value->as_array()) out += (out.empty() ? "" : " ") + PyStr(item);
  return out;
}

using Rows = std::vector<std::pair<std::string, const json::Value*>>;

// "|- name:\tvalue" rows, the last one with "`-".
void AppendRows(std::string& out, const std::string& indent, const Rows& rows) {
  for (size_t i = 0; i < rows.size(); ++i) {
    out += "\n" + indent + (i + 1 == rows.size() ? "`- " : "|- ") + rows[i].first + ":\t" + StatusValue(rows[i].second);
  }
}

std::string ServerStatus(const json::Value& result) {
  const json::Value* jails = result.Find("jails");
  std::string list;
  size_t count = 0;
  if (jails && jails->is_array()) {
    for (const json::Value& jail : jails->as_array()) list += (count++ ? ", " : "") + PyStr(jail);
  }
  json::Value number(static_cast<long long>(count));
  json::Value joined(list);
  std::string out = "Status";
  AppendRows(out, "", {{"Number of jail", &number}, {"Jail list", &joined}});
  return out;
}

std::string JailStatus(const std::string& jail, const json::Value& result) {
  const json::Value* filter = result.Find("filter");
  const json::Value* actions = result.Find("actions");
  std::string out = "Status for the jail: " + jail + "\n|- Filter";
  Rows filter_rows;
  if (filter) {
    filter_rows = {{"Currently failed", filter->Find("currently_failed")},
                   {"Total failed", filter->Find("total_failed")},
                   {"File list", filter->Find("file_list")}};
  }
  AppendRows(out, "|  ", filter_rows);
  out += "\n`- Actions";
  Rows action_rows;
  if (actions) {
    action_rows = {{"Currently banned", actions->Find("currently_banned")},
                   {"Total banned", actions->Find("total_banned")}};
    if (const json::Value* ips = actions->Find("banned_ip_list")) action_rows.emplace_back("Banned IP list", ips);
  }
  AppendRows(out, "   ", action_rows);
  return out;
}

// "Current monitored log file(s):\n|- a\n`- b" and the like; `none` when empty.
std::string Listing(const json::Value& result, const std::string& head, const std::string& none) {
  if (!result.is_array() || result.as_array().empty()) return none;
  std::string out = head;
  const json::Array& items = result.as_array();
  for (size_t i = 0; i < items.size(); ++i) out += "\n" + std::string(i + 1 == items.size() ? "`- " : "|- ") + PyStr(items[i]);
  return out;
}

std::string JoinedList(const json::Value& result) {
  std::string out;
  if (!result.is_array()) return PyStr(result);
  for (const json::Value& item : result.as_array()) out += (out.empty() ? "" : ", ") + PyStr(item);
  return out;
}

std::string ServerSetting(const std::string& option, const json::Value& result) {
  if (option == "loglevel") return "Current logging level is " + PyRepr(result);
  if (result.is_null()) return "Database currently disabled";
  return "Current database purge age is:\n`- " + PyStr(result) + "seconds";
}

std::string JailGet(const std::string& jail, const std::string& option, const json::Value& result) {
  if (option == "logpath") return Listing(result, "Current monitored log file(s):", "No file is currently monitored");
  if (option == "ignoreip") {
    return Listing(result, "These IP addresses/networks are ignored:", "No IP address/network is ignored");
  }
  if (option == "actions") {
    if (!result.is_array() || result.as_array().empty()) return "No actions for jail " + jail;
    return "The jail " + jail + " has the following actions:\n" + JoinedList(result);
  }
  return PyStr(result);
}

}  // namespace

std::string PyRepr(const json::Value& value) {
  if (value.is_null()) return "None";
  if (value.is_bool()) return value.as_bool() ? "True" : "False";
  if (value.is_number()) return Number(value.as_number());
  if (value.is_string()) return StringRepr(value.as_string());
  std::string out;
  if (value.is_array()) {
    for (const json::Value& item : value.as_array()) out += (out.empty() ? "" : ", ") + PyRepr(item);
    return "[" + out + "]";
  }
  for (const auto& [key, item] : value.as_object()) {
    out += (out.empty() ? "" : ", ") + StringRepr(key) + ": " + PyRepr(item);
  }
  return "{" + out + "}";
}

std::string PyStr(const json::Value& value) { return value.is_string() ? value.as_string() : PyRepr(value); }

std::string Beautify(const std::vector<std::string>& words, const json::Value& result) {
  if (words.empty()) return PyStr(result);
  const std::string& command = words[0];
  if (command == "ping") return "Server replied: " + PyStr(result);
  if (command == "start") return words.size() == 1 ? "Server ready" : "Jail started";
  if (command == "stop") return words.size() == 1 ? "Shutdown successful" : "Jail stopped";
  if (command == "reload") return "OK";
  if (command == "status") return words.size() == 1 ? ServerStatus(result) : JailStatus(words[1], result);
  if ((command == "set" || command == "get") && words.size() >= 2 &&
      (words[1] == "loglevel" || words[1] == "dbpurgeage")) {
    return ServerSetting(words[1], result);
  }
  if (command == "get" && words.size() >= 3) return JailGet(words[1], words[2], result);
  return PyStr(result);
}

}  // namespace portcullis::control
