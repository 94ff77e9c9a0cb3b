// The inotify backend (fail2ban's FilterPyinotify): IN_MODIFY on each log file,
// IN_CREATE/IN_MOVED_TO/IN_MOVED_FROM/IN_DELETE on its folder. A file watch follows
// the inode, so after a rename-rotation the old file's watch is kept for a while
// (its writes still wake the reader, which drains the old file) and the new file
// gets a watch of its own. Missing files and folders are re-checked with back-off.

#include <sys/stat.h>

#include <algorithm>
#include <map>
#include <optional>
#include <unordered_map>

#include "portcullis/log/log_source.h"
#include "portcullis/platform/inotify.h"

namespace portcullis::log {
namespace {

using SteadyClock = std::chrono::steady_clock;
using namespace platform;

constexpr uint32_t kFileMask = kInModify | kInMoveSelf | kInDeleteSelf;
constexpr uint32_t kDirMask = kInCreate | kInMovedTo | kInMovedFrom | kInDelete | kInDeleteSelf | kInMoveSelf | kInOnlyDir;
// As long as LogFile keeps a rotated-away file open.
constexpr auto kOldWatchGrace = std::chrono::seconds(60);

std::string EventName(uint32_t mask) {
  if (mask & kInMovedFrom) return "IN_MOVED_FROM";
  if (mask & kInDelete) return "IN_DELETE";
  if (mask & kInMoveSelf) return "IN_MOVE_SELF";
  if (mask & kInDeleteSelf) return "IN_DELETE_SELF";
  if (mask & kInIgnored) return "IN_IGNORED";
  return "event " + std::to_string(mask);
}

bool IsFile(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 && !S_ISDIR(st.st_mode);
}

bool Exists(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0;
}

class InotifySource final : public LogSource {
 public:
  InotifySource(Inotify inotify, const LogSourceOptions& options)
      : inotify_(std::move(inotify)), options_(options) {}

  std::string_view name() const override { return "pyinotify"; }

  Result<void> Add(const std::string& path) override {
    if (paths_.contains(path)) return {};
    Path& p = paths_[path];
    size_t slash = path.rfind('/');
    p.dir = slash == std::string::npos ? "." : slash == 0 ? "/" : path.substr(0, slash);
    while (p.dir.size() > 1 && p.dir.back() == '/') p.dir.pop_back();
    p.name = slash == std::string::npos ? path : path.substr(slash + 1);
    auto watched = Refresh(path, "INITIAL");
    if (!watched) {
      paths_.erase(path);
      return Fail(watched.error());
    }
    if (!paths_.at(path).absent) Changed(path);
    return {};
  }

  void Remove(const std::string& path) override {
    auto found = paths_.find(path);
    if (found == paths_.end()) return;
    std::string dir = found->second.dir;
    paths_.erase(found);
    for (auto it = watches_.begin(); it != watches_.end();) {
      std::erase(it->second.targets, path);
      if (!it->second.is_dir && it->second.targets.empty()) {
        inotify_.RemoveWatch(it->first);
        it = watches_.erase(it);
      } else {
        ++it;
      }
    }
    if (std::none_of(paths_.begin(), paths_.end(), [&](const auto& e) { return e.second.dir == dir; })) {
      if (auto d = dirs_.find(dir); d != dirs_.end()) {
        inotify_.RemoveWatch(d->second);
        watches_.erase(d->second);
        dirs_.erase(d);
      }
    }
    std::erase_if(pending_, [&](const LogEvent& e) { return e.path == path; });
  }

  Result<void> Wait(std::chrono::milliseconds timeout, std::vector<LogEvent>& events) override {
    auto deadline = SteadyClock::now() + std::min<std::chrono::milliseconds>(timeout, std::chrono::hours(24 * 365));
    while (pending_.empty()) {
      auto now = SteadyClock::now();
      auto until = std::min(deadline, NextTimer());
      auto wait = std::chrono::ceil<std::chrono::milliseconds>(std::max(until - now, SteadyClock::duration::zero()));
      auto outcome = inotify_.Wait(wait, [this](const InotifyEvent& e) { OnEvent(e); });
      if (!outcome) return Fail(outcome.error());
      RunTimers();
      if (*outcome == WaitOutcome::kInterrupted || SteadyClock::now() >= deadline) break;
    }
    // Notices first, then one kChanged per path.
    std::stable_partition(pending_.begin(), pending_.end(),
                          [](const LogEvent& e) { return e.kind != LogEvent::Kind::kChanged; });
    events.insert(events.end(), pending_.begin(), pending_.end());
    pending_.clear();
    return {};
  }

  void Interrupt() override { inotify_.Interrupt(); }

 private:
  struct Path {
    std::string dir, name;  // the folder to watch and the entry in it
    int wd = -1;            // the watch on the inode the path names now
    bool absent = false;
    SteadyClock::time_point retry_at;
    std::chrono::milliseconds retry{};
  };
  struct Watch {
    bool is_dir = false;
    std::vector<std::string> targets;  // log paths (file watch) or the folder (dir watch)
    std::optional<SteadyClock::time_point> retire_at;
  };

  // Sets up the folder and file watches of `path`; a missing file or folder marks it
  // absent (to be retried). Error only when inotify refuses for another reason.
  Result<void> Refresh(const std::string& path, std::string_view reason) {
    Path& p = paths_.at(path);
    if (!dirs_.contains(p.dir)) {
      auto wd = inotify_.AddWatch(p.dir, kDirMask);
      if (wd) {
        dirs_[p.dir] = *wd;
        watches_[*wd] = Watch{true, {p.dir}, std::nullopt};
      } else if (Exists(p.dir)) {
        return Fail(wd.error());
      }
    }
    auto wd = inotify_.AddWatch(path, kFileMask);
    if (!wd) {
      if (Exists(path)) return Fail(wd.error());
      MarkAbsent(path, std::string(reason == "INITIAL" ? "No such file or directory" : reason));
      return {};
    }
    if (p.wd != *wd) {
      Retire(p.wd);
      p.wd = *wd;
      Watch& w = watches_[*wd];
      if (std::find(w.targets.begin(), w.targets.end(), path) == w.targets.end()) w.targets.push_back(path);
      w.retire_at.reset();
    }
    if (std::exchange(p.absent, false)) pending_.push_back({LogEvent::Kind::kPresent, path, {}});
    return {};
  }

  // The watch of a file that no longer has the path's name: kept for late writes.
  void Retire(int wd) {
    if (auto w = watches_.find(wd); wd >= 0 && w != watches_.end()) {
      w->second.retire_at = SteadyClock::now() + kOldWatchGrace;
    }
  }

  void MarkAbsent(const std::string& path, std::string reason) {
    Path& p = paths_.at(path);
    if (p.absent) return;  // already retried with back-off
    pending_.push_back({LogEvent::Kind::kAbsent, path, std::move(reason)});
    p.absent = true;
    p.retry = options_.retry_min;
    p.retry_at = SteadyClock::now() + p.retry;
  }

  void Changed(const std::string& path) {
    bool queued = std::any_of(pending_.begin(), pending_.end(), [&](const LogEvent& e) {
      return e.kind == LogEvent::Kind::kChanged && e.path == path;
    });
    if (!queued) pending_.push_back({LogEvent::Kind::kChanged, path, {}});
  }

  // Errors of inotify_add_watch here are rare (out of watches); the path stays
  // absent and is retried.
  void RefreshOrRetry(const std::string& path, std::string_view reason) {
    if (!Refresh(path, reason)) MarkAbsent(path, std::string(reason));
  }

  void OnEvent(const InotifyEvent& event) {
    if (event.mask & kInQueueOverflow) {
      for (auto& [path, p] : paths_) {
        RefreshOrRetry(path, "IN_Q_OVERFLOW");
        Changed(path);
      }
      return;
    }
    auto found = watches_.find(event.wd);
    if (found == watches_.end()) return;
    Watch watch = found->second;  // a copy: handlers below may change watches_
    if (event.mask & kInIgnored) {
      watches_.erase(event.wd);
      if (watch.is_dir) dirs_.erase(watch.targets.front());
    }
    if (watch.is_dir) {
      OnDirEvent(watch.targets.front(), event);
    } else {
      OnFileEvent(event.wd, watch.targets, event.mask);
    }
  }

  void OnFileEvent(int wd, const std::vector<std::string>& targets, uint32_t mask) {
    for (const std::string& path : targets) {
      auto p = paths_.find(path);
      if (p == paths_.end()) continue;
      Changed(path);  // new lines, or a rotation the reader has to see
      if ((mask & (kInMoveSelf | kInDeleteSelf | kInIgnored)) && p->second.wd == wd) {
        p->second.wd = -1;
        if (!(mask & kInIgnored)) Retire(wd);
        if (IsFile(path)) {
          RefreshOrRetry(path, EventName(mask));
        } else {
          MarkAbsent(path, EventName(mask));
        }
      }
    }
  }

  void OnDirEvent(const std::string& dir, const InotifyEvent& event) {
    if (event.mask & (kInDeleteSelf | kInMoveSelf | kInIgnored)) {
      if (auto d = dirs_.find(dir); d != dirs_.end()) {  // a moved folder: its watch follows the wrong place
        inotify_.RemoveWatch(d->second);
        watches_.erase(d->second);
        dirs_.erase(d);
      }
      for (auto& [path, p] : paths_) {
        if (p.dir == dir) MarkAbsent(path, EventName(event.mask));
      }
      return;
    }
    if (event.mask & kInIsDir) return;
    for (auto& [path, p] : paths_) {
      if (p.dir != dir || p.name != event.name) continue;
      Changed(path);
      if (event.mask & (kInCreate | kInMovedTo)) {
        RefreshOrRetry(path, EventName(event.mask));
      } else if (!IsFile(path)) {  // IN_DELETE / IN_MOVED_FROM and nothing new yet
        MarkAbsent(path, EventName(event.mask));
      }
    }
  }

  SteadyClock::time_point NextTimer() const {
    auto next = SteadyClock::time_point::max();
    for (const auto& [path, p] : paths_) {
      if (p.absent) next = std::min(next, p.retry_at);
    }
    for (const auto& [wd, w] : watches_) {
      if (w.retire_at) next = std::min(next, *w.retire_at);
    }
    return next;
  }

  void RunTimers() {
    auto now = SteadyClock::now();
    for (auto& [path, p] : paths_) {
      if (!p.absent || now < p.retry_at) continue;
      if (!Refresh(path, "retry") || p.absent) {
        p.absent = true;
        p.retry = std::min(p.retry * 2, options_.retry_max);
        p.retry_at = now + p.retry;
      } else {
        Changed(path);
      }
    }
    for (auto it = watches_.begin(); it != watches_.end();) {
      if (it->second.retire_at && now >= *it->second.retire_at) {
        inotify_.RemoveWatch(it->first);
        it = watches_.erase(it);
      } else {
        ++it;
      }
    }
  }

  Inotify inotify_;
  LogSourceOptions options_;
  std::map<std::string, Path> paths_;
  std::unordered_map<int, Watch> watches_;
  std::map<std::string, int> dirs_;
  std::vector<LogEvent> pending_;
};

}  // namespace

Result<std::unique_ptr<LogSource>> MakeInotifySource(const LogSourceOptions& options) {
  auto inotify = Inotify::Create();
  if (!inotify) return Fail(inotify.error());
  return std::unique_ptr<LogSource>(std::make_unique<InotifySource>(std::move(*inotify), options));
}

}  // namespace portcullis::log
