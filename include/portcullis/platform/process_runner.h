#pragma once
// Running an action's command: fail2ban's Utils.executeCmd without a shell string.
//
//   ProcessRunner runner;
//   auto r = runner.Run(command.Argv(), {.timeout = std::chrono::seconds(60)});
//   if (!r) log(r.error().ToString());          // could not start at all
//   else if (!r->Succeeded()) log(r->output);   // exit code != 0, signal or timeout
//
// The argv goes to execve as given (no shell in between unless argv[0] is one), in a
// new session and so a new process group, stdin /dev/null (or RunOptions::input), stdout and stderr captured
// together. On timeout the whole group gets SIGTERM, then SIGKILL after a grace period,
// so a `sleep` started by the script dies with it.

#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

#include "portcullis/base/error.h"

namespace portcullis::platform {

struct RunOptions {
  std::chrono::milliseconds timeout{60'000};
  // Between SIGTERM and SIGKILL to the group after a timeout.
  std::chrono::milliseconds kill_grace{1'000};
  // Output beyond this many bytes is read and dropped (truncated is set).
  size_t max_output = 64 * 1024;
  // What the child reads on stdin (from an in-memory file, so any size fits); empty:
  // /dev/null.
  std::string input;
};

struct ProcessResult {
  int exit_code = -1;      // the exit status when the process exited, else -1
  int signal = 0;          // the signal that ended it, 0 when it exited
  bool timed_out = false;  // killed because the timeout passed
  std::string output;      // stdout and stderr as written, up to max_output bytes
  bool truncated = false;

  bool Succeeded() const { return !timed_out && signal == 0 && exit_code == 0; }
};

// Something that runs an argv; the action layer is tested with a fake.
class CommandRunner {
 public:
  virtual ~CommandRunner() = default;
  // Runs argv to its end (or its timeout). Errors: the process could not be started
  // ("cannot run <argv[0]>: <strerror>"), an empty argv. Never throws.
  virtual Result<ProcessResult> Run(const std::vector<std::string>& argv, const RunOptions& options) = 0;
};

// Runs real processes; safe to call from several threads at once.
class ProcessRunner final : public CommandRunner {
 public:
  Result<ProcessResult> Run(const std::vector<std::string>& argv, const RunOptions& options) override;
};

}  // namespace portcullis::platform
