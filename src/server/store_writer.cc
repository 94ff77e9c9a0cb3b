#include "portcullis/server/store_writer.h"

#include <sys/resource.h>
#include <unistd.h>

#include <string_view>

namespace portcullis::server {

StoreWriter::StoreWriter(store::BanStore& store, ServerLog& log)
    : store_(store), log_(log), thread_([this] { Loop(); }) {}

StoreWriter::~StoreWriter() {
  {
    std::lock_guard lock(mu_);
    quit_ = true;
  }
  wake_.notify_one();
  thread_.join();
}

void StoreWriter::Push(Op op) {
  bool wake;
  {
    std::lock_guard lock(mu_);
    queue_.push_back(std::move(op));
    ++queued_;
    wake = waiting_;
  }
  if (wake) wake_.notify_one();  // a busy writer looks at the queue again by itself
}

void StoreWriter::AddBan(QueuedBan ban) { Push({.kind = Op::Kind::kBan, .ban = std::move(ban)}); }

void StoreWriter::UpdateLog(std::string jail, std::string path, std::string hash, int64_t position) {
  Push({.kind = Op::Kind::kLog,
        .ban = {},
        .other = std::make_unique<Other>(Other{std::move(jail), std::move(path), std::move(hash), position, {}})});
}

void StoreWriter::DeleteBans(std::string jail, std::vector<std::string> ips) {
  Push({.kind = Op::Kind::kDelete, .ban = {}, .other = std::make_unique<Other>(Other{std::move(jail), {}, {}, 0, std::move(ips)})});
}

void StoreWriter::DeleteAllBans(std::string jail) {
  Push({.kind = Op::Kind::kDeleteAll, .ban = {}, .other = std::make_unique<Other>(Other{std::move(jail), {}, {}, 0, {}})});
}

void StoreWriter::Sync() {
  std::unique_lock lock(mu_);
  uint64_t target = queued_;
  if (waiting_) wake_.notify_one();
  done_.wait(lock, [&] { return written_ >= target; });
}

void StoreWriter::Loop() {
  // Bookkeeping yields to banning: under a storm the jail threads and the firewall
  // commands get the CPU first and the database catches up after (a crash loses
  // nothing: positions are written after their bans, so lines are read again).
  ::setpriority(PRIO_PROCESS, static_cast<id_t>(::gettid()), 10);
  std::vector<Op> batch;
  std::unique_lock lock(mu_);
  for (;;) {
    waiting_ = true;
    wake_.wait(lock, [&] { return quit_ || !queue_.empty(); });
    waiting_ = false;
    if (queue_.empty()) return;  // quit, with everything written
    batch.clear();
    while (!queue_.empty() && batch.size() < 20'000) {
      batch.push_back(std::move(queue_.front()));
      queue_.pop_front();
    }
    lock.unlock();
    auto it = batch.begin();
    while (it != batch.end()) {
      if (it->kind == Op::Kind::kBan) {
        auto end = it;
        while (end != batch.end() && end->kind == Op::Kind::kBan) ++end;
        WriteBans(it, end);
        it = end;
      } else {
        Apply(*it++);
      }
    }
    lock.lock();
    written_ += batch.size();
    done_.notify_all();
  }
}

void StoreWriter::WriteBans(std::vector<Op>::iterator begin, std::vector<Op>::iterator end) {
  std::vector<store::NewBan> rows;
  rows.reserve(static_cast<size_t>(end - begin));
  for (auto it = begin; it != end; ++it) {
    const QueuedBan& b = it->ban;
    rows.push_back({.jail = b.jail, .ip = b.ip, .time = b.time, .bantime = b.bantime, .bancount = b.bancount,
                    .data_json = b.data_json});
  }
  if (auto added = store_.AddBans(rows); !added) Report(added.error());
}

void StoreWriter::Apply(const Op& queued) {
  const Other& op = *queued.other;
  switch (queued.kind) {
    case Op::Kind::kBan:
      break;
    case Op::Kind::kLog: {
      auto stored = store_.GetLog(op.jail, op.path);
      if (stored && !*stored) {
        if (auto added = store_.AddLog(op.jail, op.path, op.hash, op.position); !added) Report(added.error());
      }
      if (auto updated = store_.UpdateLog(op.jail, op.path, op.hash, op.position); !updated) Report(updated.error());
      break;
    }
    case Op::Kind::kDelete: {
      std::vector<std::string_view> ips(op.ips.begin(), op.ips.end());
      if (auto removed = store_.DeleteBans(op.jail, ips); !removed) Report(removed.error());
      break;
    }
    case Op::Kind::kDeleteAll:
      if (auto removed = store_.DeleteAllBans(op.jail); !removed) Report(removed.error());
      break;
  }
}

void StoreWriter::Report(const Error& error) { log_.Write(LogLevel::kError, "fail2ban.database", error.ToString()); }

}  // namespace portcullis::server
