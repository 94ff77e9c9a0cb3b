#pragma once
// A LogSource for tests: events are what the test pushes, Wait never sleeps.
//
//   log::FakeLogSource source;
//   source.Push({log::LogEvent::Kind::kChanged, "/var/log/auth.log"});
//   source.Wait(1s, events);   // returns the pushed events at once

#include <algorithm>
#include <deque>
#include <string>
#include <vector>

#include "portcullis/log/log_source.h"

namespace portcullis::log {

class FakeLogSource final : public LogSource {
 public:
  std::string_view name() const override { return "fake"; }
  // Records the path and, like the real sources, queues its first kChanged.
  Result<void> Add(const std::string& path) override {
    paths_.push_back(path);
    pending_.push_back({LogEvent::Kind::kChanged, path, {}});
    return {};
  }
  void Remove(const std::string& path) override { std::erase(paths_, path); }
  // Hands out everything pushed so far; records the timeout asked for.
  Result<void> Wait(std::chrono::milliseconds timeout, std::vector<LogEvent>& events) override {
    timeouts_.push_back(timeout);
    events.insert(events.end(), pending_.begin(), pending_.end());
    pending_.clear();
    return {};
  }
  void Interrupt() override { ++interrupts_; }

  // Queues an event for the next Wait.
  void Push(LogEvent event) { pending_.push_back(std::move(event)); }
  const std::vector<std::string>& paths() const { return paths_; }
  const std::vector<std::chrono::milliseconds>& timeouts() const { return timeouts_; }
  int interrupts() const { return interrupts_; }

 private:
  std::vector<std::string> paths_;
  std::deque<LogEvent> pending_;
  std::vector<std::chrono::milliseconds> timeouts_;
  int interrupts_ = 0;
};

}  // namespace portcullis::log
