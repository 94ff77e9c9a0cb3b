#include "portcullis/platform/process_runner.h"

#include <signal.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <string>
#include <vector>

namespace portcullis::platform {
namespace {

using namespace std::chrono_literals;

ProcessResult RunSh(const std::string& script, RunOptions options = {}) {
  ProcessRunner runner;
  auto result = runner.Run({"/bin/sh", "-c", script}, options);
  EXPECT_TRUE(result.has_value()) << result.error().ToString();
  return result.value_or(ProcessResult{});
}

// Whether `pid` is gone or a zombie waiting for init, waiting at most 10 s for it.
bool DiesWithin10s(pid_t pid) {
  auto until = std::chrono::steady_clock::now() + 10s;
  while (std::chrono::steady_clock::now() < until) {
    if (::kill(pid, 0) != 0) return true;
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    std::string line;
    std::getline(stat, line);
    auto close = line.rfind(')');
    if (close != std::string::npos && line.size() > close + 2 && line[close + 2] == 'Z') return true;
    ::usleep(10'000);
  }
  return false;
}

TEST(ProcessRunnerTest, ReportsExitCodes) {
  EXPECT_EQ(RunSh("exit 0").exit_code, 0);
  EXPECT_TRUE(RunSh("exit 0").Succeeded());
  ProcessResult failed = RunSh("exit 3");
  EXPECT_EQ(failed.exit_code, 3);
  EXPECT_FALSE(failed.Succeeded());
  EXPECT_EQ(RunSh("no-such-command-portcullis 2>/dev/null").exit_code, 127);
}

TEST(ProcessRunnerTest, ReportsTheSignalThatEndedTheProcess) {
  ProcessResult r = RunSh("kill -USR1 $$");
  EXPECT_EQ(r.signal, SIGUSR1);
  EXPECT_EQ(r.exit_code, -1);
  EXPECT_FALSE(r.Succeeded());
}

TEST(ProcessRunnerTest, CapturesStdoutAndStderrInOrder) {
  EXPECT_EQ(RunSh("echo one; echo two >&2; printf three").output, "one\ntwo\nthree");
}

TEST(ProcessRunnerTest, KeepsOnlyTheFirstBytesOfLargeOutput) {
  ProcessResult r = RunSh("head -c 200000 /dev/zero | tr '\\0' x; exit 4", {.max_output = 1000});
  EXPECT_EQ(r.output, std::string(1000, 'x'));
  EXPECT_TRUE(r.truncated);
  EXPECT_EQ(r.exit_code, 4);  // the writer was not blocked by a full pipe
}

TEST(ProcessRunnerTest, StdinIsDevNull) {
  EXPECT_EQ(RunSh("cat; echo end").output, "end\n");
}

TEST(ProcessRunnerTest, RunsInANewSession) {
  ProcessResult r = RunSh("ps -o sid= -p $$; echo $$");
  auto newline = r.output.find('\n');
  ASSERT_NE(newline, std::string::npos) << r.output;
  EXPECT_EQ(std::stol(r.output.substr(0, newline)), std::stol(r.output.substr(newline + 1)));
}

TEST(ProcessRunnerTest, HostileValuesArriveUnchanged) {
  std::vector<std::string> values = {"a b",  "$(id)", "`id`", "x;rm -rf /", "'\"", "line1\nline2",
                                     "*",    "\\",    "$0",   "-e",         "",    "<>|&"};
  for (const std::string& value : values) {
    ProcessRunner runner;
    auto r = runner.Run({"/bin/sh", "-c", "printf %s \"$0\"", value}, {});
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->output, value);
    EXPECT_TRUE(r->Succeeded());
  }
}

TEST(ProcessRunnerTest, AnExecFailureIsAnError) {
  ProcessRunner runner;
  auto r = runner.Run({"/nonexistent/portcullis-cmd"}, {});
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().message, "cannot run /nonexistent/portcullis-cmd: No such file or directory");
  auto empty = runner.Run({}, {});
  ASSERT_FALSE(empty.has_value());
  EXPECT_EQ(empty.error().message, "cannot run an empty command");
}

TEST(ProcessRunnerTest, TimeoutTerminatesTheProcess) {
  ProcessResult r = RunSh("echo started; sleep 30", {.timeout = 200ms});
  EXPECT_TRUE(r.timed_out);
  EXPECT_FALSE(r.Succeeded());
  EXPECT_EQ(r.output, "started\n");
}

TEST(ProcessRunnerTest, TimeoutKillsTheWholeGroupEvenWhenSigtermIsIgnored) {
  // The shell and its background sleep ignore SIGTERM: only SIGKILL to the group ends them.
  ProcessResult r = RunSh("trap '' TERM; sleep 30 & echo $!; wait", {.timeout = 200ms, .kill_grace = 100ms});
  EXPECT_TRUE(r.timed_out);
  EXPECT_EQ(r.signal, SIGKILL);
  ASSERT_FALSE(r.output.empty());
  pid_t sleeper = static_cast<pid_t>(std::stol(r.output));
  EXPECT_TRUE(DiesWithin10s(sleeper));
}

TEST(ProcessRunnerTest, DoesNotWaitForABackgroundProcessHoldingThePipe) {
  auto start = std::chrono::steady_clock::now();
  ProcessResult r = RunSh("sleep 5 & echo $!", {.timeout = 20s});
  EXPECT_TRUE(r.Succeeded());
  EXPECT_LT(std::chrono::steady_clock::now() - start, 4s);
  ::kill(static_cast<pid_t>(std::stol(r.output)), SIGKILL);
}

}  // namespace
}  // namespace portcullis::platform
