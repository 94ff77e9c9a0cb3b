// The `polling` backend (fail2ban's FilterPoll): stat every watched path and report
// the ones whose (mtime, inode, size) changed. Unlike fail2ban it never drops a path
// after 50 failed stats: a log that is gone for long comes back when it is recreated.

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <mutex>

#include "portcullis/log/log_source.h"

namespace portcullis::log {
namespace {

struct Signature {
  int64_t mtime_ns = 0;
  uint64_t dev = 0;
  uint64_t ino = 0;
  int64_t size = 0;
  bool operator==(const Signature&) const = default;
};

class PollingSource final : public LogSource {
 public:
  explicit PollingSource(const LogSourceOptions& options) : options_(options), interval_(options.poll_min) {}

  std::string_view name() const override { return "polling"; }

  Result<void> Add(const std::string& path) override {
    if (std::none_of(watched_.begin(), watched_.end(), [&](const Watched& w) { return w.path == path; })) {
      watched_.push_back({path});
    }
    return {};
  }

  void Remove(const std::string& path) override {
    std::erase_if(watched_, [&](const Watched& w) { return w.path == path; });
  }

  Result<void> Wait(std::chrono::milliseconds timeout, std::vector<LogEvent>& events) override {
    auto deadline = std::chrono::steady_clock::now() + std::min<std::chrono::milliseconds>(timeout, std::chrono::hours(24 * 365));
    for (;;) {
      size_t before = events.size();
      CheckAll(events);
      if (events.size() > before) {
        interval_ = options_.poll_min;
        return {};
      }
      auto now = std::chrono::steady_clock::now();
      if (now >= deadline) return {};
      auto sleep = std::min<std::chrono::steady_clock::duration>(interval_, deadline - now);
      std::unique_lock lock(mutex_);
      if (woken_.wait_for(lock, sleep, [this] { return interrupted_; })) {
        interrupted_ = false;
        return {};
      }
      interval_ = std::min(interval_ * 2, options_.poll_max);
    }
  }

  void Interrupt() override {
    {
      std::lock_guard lock(mutex_);
      interrupted_ = true;
    }
    woken_.notify_all();
  }

 private:
  struct Watched {
    std::string path;
    Signature last;
    bool known = false;   // `last` is from a successful stat
    bool absent = false;  // reported kAbsent, not back yet
  };

  void CheckAll(std::vector<LogEvent>& events) {
    for (Watched& w : watched_) {
      struct stat st;
      if (::stat(w.path.c_str(), &st) != 0) {
        if (!w.absent) events.push_back({LogEvent::Kind::kAbsent, w.path, std::strerror(errno)});
        w.absent = true;
        w.known = false;
        continue;
      }
      if (std::exchange(w.absent, false)) events.push_back({LogEvent::Kind::kPresent, w.path, {}});
      Signature now{static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec, st.st_dev,
                    st.st_ino, st.st_size};
      if (!w.known || now != w.last) events.push_back({LogEvent::Kind::kChanged, w.path, {}});
      w.last = now;
      w.known = true;
    }
  }

  LogSourceOptions options_;
  std::chrono::milliseconds interval_;
  std::vector<Watched> watched_;
  std::mutex mutex_;
  std::condition_variable woken_;
  bool interrupted_ = false;
};

}  // namespace

std::unique_ptr<LogSource> MakePollingSource(const LogSourceOptions& options) {
  return std::make_unique<PollingSource>(options);
}

}  // namespace portcullis::log
