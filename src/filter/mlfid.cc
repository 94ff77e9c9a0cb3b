// fail2ban's multi-line failure merging (_mergeFailure): lines of one connection share
// an mlfid; NOFAIL lines are held back, MLFGAINED (a successful login) drops what was
// pending, MLFFORGET ends the connection. The merged data lives in the cache, and later
// changes to it (mlfpending) are seen by the next line of the same connection.

#include <algorithm>
#include <deque>
#include <string>
#include <type_traits>
#include <unordered_map>
#include <variant>

#include "filter_impl.h"

namespace portcullis::filter {

namespace {

void AppendText(std::string& out, std::string_view text) {
  out += std::to_string(text.size());
  out += ':';
  out += text;
}

// The data of a cached connection as text, every value told apart by kind and length.
std::string Describe(const FailData& data) {
  std::string out;
  for (const auto& [name, value] : data.entries()) {
    AppendText(out, name);
    std::visit(
        [&out](const auto& v) {
          using T = std::decay_t<decltype(v)>;
          if constexpr (std::is_same_v<T, std::monostate>) {
            out += 'N';
          } else if constexpr (std::is_same_v<T, std::string>) {
            out += 's';
            AppendText(out, v);
          } else if constexpr (std::is_same_v<T, std::int64_t>) {
            out += 'i' + std::to_string(v) + ';';
          } else if constexpr (std::is_same_v<T, Tuple>) {
            out += 't' + std::to_string(v.size()) + '[';
            for (const auto& e : v) e ? AppendText(out, *e) : void(out += 'N');
          } else if constexpr (std::is_same_v<T, Lines>) {
            out += 'l' + std::to_string(v.size()) + '[';
            for (const LineParts& l : v) {
              AppendText(out, l.prefix);
              AppendText(out, l.date);
              AppendText(out, l.suffix);
            }
          } else if constexpr (std::is_same_v<T, Users>) {
            out += 'u' + std::to_string(v.size()) + '[';
            for (const std::string& u : v) AppendText(out, u);
          }
        },
        value);
  }
  return out;
}

}  // namespace

size_t MlfidLog::Slot(std::string_view mlfid, uint64_t hash) const {
  const size_t mask = table_.size() - 1;
  for (size_t i = hash & mask;; i = (i + 1) & mask) {
    const uint32_t entry = table_[i];
    if (entry == 0 || (hashes_[entry - 1] == hash && Name(entry - 1) == mlfid)) return i;
  }
}

void MlfidLog::Grow() {
  std::vector<uint32_t> old = std::move(table_);
  table_.assign(old.empty() ? 1024 : 2 * old.size(), 0);
  const size_t mask = table_.size() - 1;
  for (const uint32_t entry : old) {
    if (entry == 0) continue;
    size_t i = hashes_[entry - 1] & mask;
    while (table_[i] != 0) i = (i + 1) & mask;
    table_[i] = entry;
  }
}

uint32_t MlfidLog::Intern(std::string_view mlfid, bool& is_new) {
  is_new = false;
  if (last_ < spans_.size() && Name(last_) == mlfid) return last_;
  if (2 * (spans_.size() + 1) > table_.size()) Grow();
  const uint64_t hash = std::hash<std::string_view>{}(mlfid);
  const size_t slot = Slot(mlfid, hash);
  if (table_[slot] == 0) {
    is_new = true;
    table_[slot] = static_cast<uint32_t>(spans_.size()) + 1;
    spans_.emplace_back(static_cast<uint32_t>(arena_.size()), static_cast<uint32_t>(mlfid.size()));
    arena_.append(mlfid);
    hashes_.push_back(hash);
    first_.push_back(0);
  }
  last_ = table_[slot] - 1;
  return last_;
}

std::optional<uint32_t> MlfidLog::Find(std::string_view mlfid) const {
  if (table_.empty()) return std::nullopt;
  const uint32_t entry = table_[Slot(mlfid, std::hash<std::string_view>{}(mlfid))];
  if (entry == 0) return std::nullopt;
  return entry - 1;
}

void MlfidLog::Add(MlfidEvent::Op op, std::string_view mlfid, bool found, std::optional<std::string> data) {
  bool is_new = false;
  const uint32_t id = Intern(mlfid, is_new);
  if (is_new && data) SetFirstData(id, std::move(*data));
  events.push_back(MlfidEvent{op, found, id});
}

FailData* MlfidCache::Get(const std::string& mlfid) {
  auto it = entries_.find(mlfid);
  FailData* found = nullptr;
  if (it != entries_.end() && it->second.expires > clock_.Now()) found = &it->second.data;
  LogGet(mlfid, found);
  if (it != entries_.end() && !found) Unset(mlfid);
  return found;
}

void MlfidCache::LogGet(std::string_view mlfid, const FailData* found) {
  if (!log_) return;
  // The data is described only when this is the log's first use of the connection.
  bool first = false;
  const uint32_t id = log_->Intern(mlfid, first);
  if (first && found) log_->SetFirstData(id, Describe(*found));
  log_->events.push_back(MlfidEvent{MlfidEvent::Op::kGet, found != nullptr, id});
}

MlfidSnapshot MlfidCache::Snapshot() const {
  MlfidSnapshot out;
  for (const auto& [mlfid, stored] : order_)
    if (auto it = entries_.find(mlfid); it != entries_.end() && it->second.stored == stored)
      out.emplace_back(mlfid, Describe(it->second.data));
  return out;
}

namespace {

// A cache that held `before`, replayed through a log's uses: which connections it holds
// (in store order), which of them the log met, and what `before` held of the others.
struct CacheReplay {
  std::vector<const std::string*> held;   // by id: data at the start
  std::vector<const std::string*> names;  // ids past the log's: their names in `before`
  std::vector<uint8_t> present, met;
  std::deque<uint32_t> order;
  size_t present_count = 0;

  // False as soon as a kGet finds what the logged cache did not, or other first data.
  bool Run(const MlfidSnapshot& before, const MlfidLog& log) {
    held.assign(log.size(), nullptr);
    present.assign(log.size(), 0);
    met.assign(log.size(), 0);
    for (const auto& [mlfid, data] : before) {
      uint32_t id;
      if (const std::optional<uint32_t> known = log.Find(mlfid)) {
        id = *known;
      } else {
        id = static_cast<uint32_t>(held.size());
        held.push_back(nullptr);
        present.push_back(0);
        met.push_back(0);
        names.push_back(&mlfid);
      }
      order.push_back(id);
      if (!present[id]) ++present_count;
      present[id] = 1;
      held[id] = &data;
    }
    for (const MlfidEvent& e : log.events) {
      const uint32_t id = e.id;
      switch (e.op) {
        case MlfidEvent::Op::kGet: {
          if ((present[id] != 0) != e.found) return false;
          if (!met[id] && e.found) {
            const std::string* data = log.FirstData(id);
            if (!held[id] || !data || *held[id] != *data) return false;
          }
          met[id] = 1;
          break;
        }
        case MlfidEvent::Op::kSet:  // MlfidCache::Set: evict the oldest when full, then store
          met[id] = 1;
          if (present_count >= MlfidCache::kMaxCount && !order.empty()) {
            if (present[order.front()]) --present_count;
            present[order.front()] = 0;
            order.pop_front();
          }
          if (!present[id]) {
            present[id] = 1;
            ++present_count;
            order.push_back(id);
          }
          break;
        case MlfidEvent::Op::kUnset:
          met[id] = 1;
          if (present[id]) {
            present[id] = 0;
            --present_count;
            order.erase(std::find(order.begin(), order.end(), id));
          }
          break;
      }
    }
    return true;
  }
};

}  // namespace

bool MlfidEventsFollow(const MlfidSnapshot& before, const MlfidLog& log) { return CacheReplay().Run(before, log); }

std::optional<MlfidSnapshot> MlfidCacheAfter(const MlfidSnapshot& before, const MlfidLog& log,
                                             const MlfidSnapshot& logged_after) {
  CacheReplay replay;
  if (!replay.Run(before, log)) return std::nullopt;
  std::unordered_map<std::string_view, const std::string*> logged;
  for (const auto& [mlfid, data] : logged_after) logged.emplace(mlfid, &data);
  MlfidSnapshot out;
  out.reserve(replay.order.size());
  for (const uint32_t id : replay.order) {
    const std::string_view name = id < log.size() ? log.name(id) : std::string_view(*replay.names[id - log.size()]);
    const std::string* data = replay.held[id];
    if (replay.met[id]) {  // the logged cache's data; gone from it: evicted there, not here
      auto it = logged.find(name);
      if (it == logged.end()) return std::nullopt;
      data = it->second;
    }
    out.emplace_back(std::string(name), *data);
  }
  return out;
}

FailData* MlfidCache::Set(const std::string& mlfid, FailData data) {
  if (log_) log_->Add(MlfidEvent::Op::kSet, mlfid);
  double now = clock_.Now();
  if (entries_.size() >= kMaxCount) {
    while (!order_.empty()) {
      auto [oldest, stored] = std::move(order_.front());
      order_.pop_front();
      auto it = entries_.find(oldest);
      if (it == entries_.end() || it->second.stored != stored) continue;  // forgotten since
      double expires = it->second.expires;
      entries_.erase(it);
      if (expires > now && entries_.size() < kMaxCount) break;
    }
  }
  auto it = entries_.find(mlfid);
  if (it != entries_.end()) {  // stored again: keeps its place
    it->second.data = std::move(data);
    it->second.expires = now + kMaxTime;
    return &it->second.data;
  }
  it = entries_.emplace(mlfid, Entry{std::move(data), now + kMaxTime, ++stores_}).first;
  order_.emplace_back(mlfid, stores_);
  if (order_.size() > 2 * entries_.size() + 64) Sweep();
  return &it->second.data;
}

void MlfidCache::Sweep() {
  std::erase_if(order_, [this](const std::pair<std::string, uint64_t>& record) {
    auto it = entries_.find(record.first);
    return it == entries_.end() || it->second.stored != record.second;
  });
}

void MlfidCache::Unset(const std::string& mlfid) {
  if (log_) log_->Add(MlfidEvent::Op::kUnset, mlfid);
  entries_.erase(mlfid);
}

namespace {

constexpr int kNoFail = 1, kForget = 2, kCachedNoFail = 4, kGained = 8;

// Adds the hit's user to the data's users set; returns the set (nullptr if none).
const Users* UpdateUsers(FailData& data, const std::string* user_text) {
  FailValue* users = data.Find("users");
  Users* set = users ? std::get_if<Users>(users) : nullptr;
  if (user_text && !user_text->empty()) {
    if (set) {
      auto pos = std::lower_bound(set->begin(), set->end(), *user_text);
      if (pos == set->end() || *pos != *user_text) set->insert(pos, *user_text);
    } else {
      // Copied first: `user_text` may point into `data`, whose entries Set may move.
      Users one{*user_text};
      data.Set("users", std::move(one));
      set = &std::get<Users>(*data.Find("users"));
    }
  }
  return set;
}

int FlagsOf(FailData& fail, std::optional<bool> forget) {
  int flags = 0;
  if (fail.Truthy("mlfgained")) {
    flags |= kGained | kNoFail;
    if (!fail.Truthy("nofail")) fail.Set("nofail", *fail.Find("mlfgained"));
  } else if (fail.Truthy("nofail")) {
    flags |= kNoFail;
  }
  if (forget ? *forget : IsTruthy(fail.Pop("mlfforget"))) flags |= kForget;
  return flags;
}

// Folds the current hit into the cached data of its connection.
// `fail` is spent: its values are moved.
const Users* MergeIntoCached(FailData& cached, FailData& fail, int& flags) {
  UpdateUsers(cached, fail.Text("user"));
  if (IsTruthy(cached.Pop("nofail"))) flags |= kCachedNoFail;
  if (IsTruthy(cached.Pop("mlfgained"))) flags |= kCachedNoFail;
  if (flags & kGained) cached.Pop("mlfpending");
  if ((flags & kCachedNoFail) == 0 && !cached.Truthy("mlfpending")) cached.Pop("matches");
  for (auto& [key, value] : fail.entries())
    if (!std::holds_alternative<std::monostate>(value)) cached.Set(key, std::move(value));
  return UpdateUsers(cached, nullptr);
}

void MergeMatches(FailData& fail, int flags, const Lines& matched) {
  if ((flags & kNoFail) == 0) {
    FailValue held = fail.Pop("nofail-matches");
    Lines lines = std::holds_alternative<Lines>(held) ? std::move(std::get<Lines>(held)) : Lines{};
    const Lines& previous = fail.matches();
    lines.insert(lines.end(), previous.begin(), previous.end());
    if ((flags & kGained) == 0) lines.insert(lines.end(), matched.begin(), matched.end());
    fail.Set("matches", std::move(lines));
  } else if ((flags & (kNoFail | kForget)) == kNoFail) {
    FailValue* held = fail.Find("nofail-matches");
    Lines lines = held && std::holds_alternative<Lines>(*held) ? std::get<Lines>(*held) : Lines{};
    lines.insert(lines.end(), matched.begin(), matched.end());
    fail.Set("nofail-matches", std::move(lines));
  }
}

}  // namespace

FailData* MergeFailure(MlfidCache& cache, const std::string& mlfid, FailData& fail,
                       const Lines& matched, bool keep_matches, std::optional<bool> forget) {
  int flags = FlagsOf(fail, forget);
  FailData* live = &fail;
  const Users* users = nullptr;
  if (FailData* cached = cache.Get(mlfid)) {
    users = MergeIntoCached(*cached, fail, flags);
    live = cached;
    if (flags & kForget) {
      fail = std::move(*cached);
      cache.Unset(mlfid);
      live = &fail;
      users = UpdateUsers(fail, nullptr);
    }
  } else if ((flags & kForget) == 0) {
    UpdateUsers(fail, fail.Text("user"));
    live = cache.Set(mlfid, std::move(fail));
    cache.LogGet(mlfid, live);  // fail2ban reads it back (a Get in the cache's log)
    users = UpdateUsers(*live, nullptr);
  }
  if (IsTruthy(live->Pop("mlfpending")) || (users && users->size() > 1)) {
    live->Pop("nofail");
    live->Pop("mlfgained");
    flags &= ~(kGained | kNoFail);
  }
  if (keep_matches) MergeMatches(*live, flags, matched);
  return live;
}

}  // namespace portcullis::filter
