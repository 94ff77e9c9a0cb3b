#pragma once
// Writes to the ban database off the jails' threads: a storm of bans costs the jail
// thread a queue push per ban, and one thread commits them in large transactions.
//
//   StoreWriter writer(store, log);
//   writer.AddBan({...});            // queued
//   writer.UpdateLog(jail, path, position);
//   writer.Sync();                   // waits until everything queued is committed
//
// Operations are written in the order queued, so a log position queued after the bans
// its lines produced is never committed before them: after a crash the lines are read
// again (their bans come back "already banned"), never skipped.

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "portcullis/base/json.h"
#include "portcullis/server/server_log.h"
#include "portcullis/store/ban_store.h"

namespace portcullis::server {

struct QueuedBan {
  std::string jail;
  std::string ip;
  double time = 0;
  double bantime = 0;
  int64_t bancount = 1;
  std::string data_json;  // the data column as fail2ban writes it (store::AppendTicketJson)
};

class StoreWriter {
 public:
  StoreWriter(store::BanStore& store, ServerLog& log);
  // Writes what is queued, then ends the thread.
  ~StoreWriter();
  StoreWriter(const StoreWriter&) = delete;
  StoreWriter& operator=(const StoreWriter&) = delete;

  void AddBan(QueuedBan ban);
  // The log's first-line hash and position (AddLog the first time, then UpdateLog).
  void UpdateLog(std::string jail, std::string path, std::string hash, int64_t position);
  void DeleteBans(std::string jail, std::vector<std::string> ips);
  void DeleteAllBans(std::string jail);
  // Waits until every operation queued before the call is committed.
  void Sync();

  store::BanStore& store() { return store_; }

 private:
  // One queued write; bans are nearly all of them, so the others live behind a pointer.
  struct Other {
    std::string jail, path, hash;
    int64_t position = 0;
    std::vector<std::string> ips;
  };
  struct Op {
    enum class Kind { kBan, kLog, kDelete, kDeleteAll } kind = Kind::kBan;
    QueuedBan ban;
    std::unique_ptr<Other> other;
  };
  void Push(Op op);
  void Loop();
  void WriteBans(std::vector<Op>::iterator begin, std::vector<Op>::iterator end);
  void Apply(const Op& op);
  void Report(const Error& error);

  store::BanStore& store_;
  ServerLog& log_;
  std::mutex mu_;
  std::condition_variable wake_;
  std::condition_variable done_;
  std::deque<Op> queue_;
  uint64_t queued_ = 0;   // operations pushed so far
  uint64_t written_ = 0;  // operations committed so far
  bool waiting_ = false;  // the thread sleeps on wake_
  bool quit_ = false;
  std::thread thread_;    // last: starts once the rest is built
};

}  // namespace portcullis::server
