#include "portcullis/ban/ban_list.h"

#include <algorithm>

namespace portcullis::ban {

AddBanResult BanList::Add(Ticket ticket, double now) {
  const double end = ticket.EndOfBan(bantime_);
  if (end < now) return AddBanResult::kExpired;
  auto found = bans_.find(ticket.id);
  if (found != bans_.end()) {
    Ticket& old = found->second;
    if (end <= old.EndOfBan(bantime_)) return AddBanResult::kAlreadyBanned;
    // Keep the old ticket's start: extend its ban time so it ends where the new one does.
    double bantime = ticket.BanTime(bantime_);
    if (bantime != -1 && ticket.time > old.time) bantime += ticket.time - old.time;
    old.bantime = bantime;
    return AddBanResult::kProlonged;
  }
  ++ticket.ban_count;
  ++total_;
  IpAddr id = ticket.id;
  bans_.emplace(std::move(id), std::move(ticket));
  return AddBanResult::kBanned;
}

std::vector<Ticket> BanList::TakeExpired(double now, size_t max_count) {
  std::vector<Ticket> out;
  for (auto it = bans_.begin(); it != bans_.end() && out.size() < max_count;) {
    if (now > it->second.EndOfBan(bantime_)) {
      out.push_back(std::move(it->second));
      it = bans_.erase(it);
    } else {
      ++it;
    }
  }
  return out;
}

std::vector<Ticket> BanList::TakeAll() {
  std::vector<Ticket> out;
  out.reserve(bans_.size());
  for (auto& [id, ticket] : bans_) out.push_back(std::move(ticket));
  bans_.clear();
  return out;
}

std::optional<Ticket> BanList::Take(const IpAddr& id) {
  auto found = bans_.find(id);
  if (found == bans_.end()) return std::nullopt;
  Ticket ticket = std::move(found->second);
  bans_.erase(found);
  return ticket;
}

const Ticket* BanList::Find(const IpAddr& id) const {
  auto found = bans_.find(id);
  return found == bans_.end() ? nullptr : &found->second;
}

Ticket* BanList::Find(const IpAddr& id) {
  auto found = bans_.find(id);
  return found == bans_.end() ? nullptr : &found->second;
}

std::vector<const Ticket*> BanList::OrderedByEnd() const {
  std::vector<const Ticket*> out;
  out.reserve(bans_.size());
  for (const auto& [id, ticket] : bans_) out.push_back(&ticket);
  std::stable_sort(out.begin(), out.end(), [this](const Ticket* a, const Ticket* b) {
    return a->EndOfBan(bantime_) < b->EndOfBan(bantime_);
  });
  return out;
}

double BanList::NextUnbanTime() const {
  double next = kMaxTime;
  for (const auto& [id, ticket] : bans_) next = std::min(next, ticket.EndOfBan(bantime_));
  return next;
}

}  // namespace portcullis::ban
