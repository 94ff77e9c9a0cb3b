#pragma once
// A CommandRunner that records the scripts it is given and answers from a table.

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "portcullis/platform/process_runner.h"

namespace portcullis::action {

class FakeCommandRunner : public platform::CommandRunner {
 public:
  // Exit code for a script; 0 unless set.
  std::function<int(const std::string& script)> exit_code = [](const std::string&) { return 0; };
  // Scripts starting with this wait for Release() (at most 30 s) before they return.
  std::string block_prefix = "\x01never";

  Result<platform::ProcessResult> Run(const std::vector<std::string>& argv,
                                      const platform::RunOptions& options) override {
    const std::string script = argv.size() > 2 ? argv[2] : "";
    std::unique_lock lock(mu_);
    scripts_.push_back(script);
    argvs_.push_back(argv);
    timeouts_.push_back(options.timeout);
    inputs_.push_back(options.input);
    changed_.notify_all();
    if (script.starts_with(block_prefix)) {
      ++blocked_;
      changed_.notify_all();
      changed_.wait_for(lock, std::chrono::seconds(30), [&] { return released_; });
    }
    platform::ProcessResult result;
    result.exit_code = exit_code(script);
    return result;
  }

  void Release() {
    std::lock_guard lock(mu_);
    released_ = true;
    changed_.notify_all();
  }

  // Waits at most 10 s for `count` scripts to be blocked.
  bool WaitBlocked(int count) {
    std::unique_lock lock(mu_);
    return changed_.wait_for(lock, std::chrono::seconds(10), [&] { return blocked_ >= count; });
  }

  // Waits at most 10 s for a script equal to `script` to have run.
  bool WaitRan(const std::string& script) {
    std::unique_lock lock(mu_);
    return changed_.wait_for(lock, std::chrono::seconds(10), [&] {
      for (const std::string& s : scripts_) {
        if (s == script) return true;
      }
      return false;
    });
  }

  std::vector<std::string> scripts() {
    std::lock_guard lock(mu_);
    return scripts_;
  }
  std::vector<std::vector<std::string>> argvs() {
    std::lock_guard lock(mu_);
    return argvs_;
  }
  std::vector<std::chrono::milliseconds> timeouts() {
    std::lock_guard lock(mu_);
    return timeouts_;
  }
  // What each command got on stdin (RunOptions::input), in order.
  std::vector<std::string> inputs() {
    std::lock_guard lock(mu_);
    return inputs_;
  }
  void Clear() {
    std::lock_guard lock(mu_);
    scripts_.clear();
    argvs_.clear();
    inputs_.clear();
  }

 private:
  std::mutex mu_;
  std::condition_variable changed_;
  std::vector<std::string> scripts_;
  std::vector<std::vector<std::string>> argvs_;
  std::vector<std::chrono::milliseconds> timeouts_;
  std::vector<std::string> inputs_;
  int blocked_ = 0;
  bool released_ = false;
};

}  // namespace portcullis::action
