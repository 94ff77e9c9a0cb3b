#include "portcullis/server/ticket_json.h"

#include <variant>

#include "portcullis/store/ticket_data.h"

namespace portcullis::server {
namespace {

json::Value FailValueJson(const filter::FailValue& value) {
  struct Visitor {
    json::Value operator()(std::monostate) const { return nullptr; }
    json::Value operator()(const std::string& s) const { return s; }
    json::Value operator()(const filter::Tuple& t) const {
      json::Array out;
      for (const auto& e : t) out.push_back(e ? json::Value(*e) : json::Value(nullptr));
      return out;
    }
    json::Value operator()(const filter::Lines& lines) const {
      json::Array out;
      for (const auto& l : lines) out.push_back(l.Joined());
      return out;
    }
    json::Value operator()(const filter::Users& users) const { return store::PythonListRepr(users); }
    json::Value operator()(std::int64_t n) const { return static_cast<long long>(n); }
  };
  return std::visit(Visitor{}, value);
}

}  // namespace

json::Value TicketDataJson(const ban::Ticket& ticket) {
  json::Object out;
  json::Array matches;
  for (const std::string& m : ticket.matches) matches.push_back(m);
  out.emplace_back("matches", std::move(matches));
  out.emplace_back("failures", ticket.failures);
  for (const auto& [key, value] : ticket.data.entries()) {
    if (key == "matches" || key == "failures") continue;
    if (std::holds_alternative<std::monostate>(value)) continue;
    out.emplace_back(key, FailValueJson(value));
  }
  return out;
}

void ReadTicketData(std::string_view text, ban::Ticket& ticket) {
  if (text.empty() || text == "{}") return;
  auto value = json::Parse(text);
  if (!value || !value->is_object()) return;
  for (const auto& [key, v] : value->as_object()) {
    if (key == "matches") {
      if (!v.is_array()) continue;
      for (const json::Value& m : v.as_array())
        if (m.is_string()) ticket.matches.push_back(m.as_string());
    } else if (key == "failures") {
      if (v.is_number()) ticket.failures = static_cast<int>(v.as_number());
    } else if (v.is_string()) {
      ticket.data.Set(key, v.as_string());
    }
  }
}

}  // namespace portcullis::server
