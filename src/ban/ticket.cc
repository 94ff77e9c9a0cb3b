#include "portcullis/ban/ticket.h"

#include <variant>

namespace portcullis::ban {

IpAddr Ticket::Ip() const {
  if (const std::string* ip = data.Text("ip")) return IpAddr::Parse(*ip);
  return id;
}

double Ticket::EndOfBan(double jail_bantime) const {
  const double bt = BanTime(jail_bantime);
  return bt == -1 ? kMaxTime : time + bt;
}

bool Ticket::IsTimedOut(double now, double jail_bantime) const {
  const double bt = BanTime(jail_bantime);
  return bt != -1 && now > time + bt;
}

Ticket TicketFromFailure(const filter::Failure& failure, double time) {
  Ticket ticket;
  if (failure.id) ticket.id = *failure.id;
  ticket.time = time;
  for (const filter::LineParts& line : failure.data.matches()) ticket.matches.push_back(line.Joined());
  for (const auto& [key, value] : failure.data.entries()) {
    // Ticket.__init__ drops None values; matches live in their own member.
    if (key == "matches" || std::holds_alternative<std::monostate>(value)) continue;
    if (key == "failures") {
      if (const auto* n = std::get_if<std::int64_t>(&value)) ticket.failures = static_cast<int>(*n);
      continue;
    }
    ticket.data.Set(key, value);
  }
  return ticket;
}

}  // namespace portcullis::ban
