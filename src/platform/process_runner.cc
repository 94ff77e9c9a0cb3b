#include "portcullis/platform/process_runner.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/mman.h>
#include <signal.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "portcullis/platform/unique_fd.h"

extern char** environ;

namespace portcullis::platform {
namespace {

using Clock = std::chrono::steady_clock;

// Without a pidfd (kernels before 5.3) the wait for the child's end polls this often.
constexpr int kPollTickMs = 10;

// posix_spawn's attributes and file actions, destroyed whatever happens.
struct SpawnSetup {
  posix_spawnattr_t attr;
  posix_spawn_file_actions_t actions;
  SpawnSetup() {
    posix_spawnattr_init(&attr);
    posix_spawn_file_actions_init(&actions);
  }
  ~SpawnSetup() {
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
  }
  SpawnSetup(const SpawnSetup&) = delete;
  SpawnSetup& operator=(const SpawnSetup&) = delete;
};

// The child starts a new session (its own process group, no controlling terminal),
// with no blocked signals and default handlers for those a daemon tends to change,
// reading `input` (or /dev/null when it is -1) and writing both stdout and stderr into `out`.
void Prepare(SpawnSetup& s, int out, int input) {
  sigset_t none;
  sigemptyset(&none);
  sigset_t defaults;
  sigemptyset(&defaults);
  for (int sig : {SIGHUP, SIGINT, SIGQUIT, SIGPIPE, SIGTERM, SIGCHLD, SIGUSR1, SIGUSR2, SIGALRM}) {
    sigaddset(&defaults, sig);
  }
  posix_spawnattr_setflags(&s.attr, POSIX_SPAWN_SETSID | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  posix_spawnattr_setsigmask(&s.attr, &none);
  posix_spawnattr_setsigdefault(&s.attr, &defaults);
  if (input >= 0)
    posix_spawn_file_actions_adddup2(&s.actions, input, 0);
  else
    posix_spawn_file_actions_addopen(&s.actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&s.actions, out, 1);
  posix_spawn_file_actions_adddup2(&s.actions, out, 2);
}

// Whether the child has ended; it stays a zombie (WNOWAIT), so its pid, which is also
// its process group's id, cannot be reused before we are done signalling the group.
bool HasEnded(pid_t pid) {
  siginfo_t info{};
  return ::waitid(P_PID, pid, &info, WEXITED | WNOHANG | WNOWAIT) == 0 && info.si_pid == pid;
}

// Reads what is available from `fd`; closes it at end of file.
void ReadAvailable(UniqueFd& fd, const RunOptions& options, ProcessResult& result) {
  char buffer[8192];
  while (fd.valid()) {
    ssize_t n = ::read(fd.get(), buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) return;
    if (n <= 0) {
      fd.Reset();
      return;
    }
    size_t room = options.max_output - std::min(options.max_output, result.output.size());
    result.output.append(buffer, std::min(room, static_cast<size_t>(n)));
    if (static_cast<size_t>(n) > room) result.truncated = true;
  }
}

// Waits for the child's end or `until`, reading its output meanwhile. True when it ended.
bool WaitUntil(pid_t pid, int pidfd, Clock::time_point until, UniqueFd& out, const RunOptions& options,
               ProcessResult& result) {
  while (!HasEnded(pid)) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - Clock::now()).count();
    if (left <= 0) return false;
    pollfd fds[2] = {{out.get(), POLLIN, 0}, {pidfd, POLLIN, 0}};
    int wait_ms = static_cast<int>(std::min<long long>(left, pidfd >= 0 ? left : kPollTickMs));
    ::poll(fds, 2, wait_ms);  // fds of -1 are skipped; EINTR only shortens the wait
    if (fds[0].revents != 0) ReadAvailable(out, options, result);
  }
  return true;
}

void Reap(pid_t pid, ProcessResult& result) {
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status)) result.exit_code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) result.signal = WTERMSIG(status);
}

}  // namespace

Result<ProcessResult> ProcessRunner::Run(const std::vector<std::string>& argv, const RunOptions& options) {
  if (argv.empty()) return Fail("cannot run an empty command");
  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) != 0) return Fail(std::string("pipe2: ") + std::strerror(errno));
  UniqueFd out(pipe_fds[0]);
  UniqueFd child_out(pipe_fds[1]);

  UniqueFd input;
  if (!options.input.empty()) {
    input = UniqueFd(::memfd_create("portcullis-input", MFD_CLOEXEC));
    if (!input.valid()) return Fail(std::string("memfd_create: ") + std::strerror(errno));
    for (size_t done = 0; done < options.input.size();) {
      ssize_t n = ::write(input.get(), options.input.data() + done, options.input.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return Fail(std::string("cannot write a command's input: ") + std::strerror(errno));
      done += static_cast<size_t>(n);
    }
    ::lseek(input.get(), 0, SEEK_SET);
  }

  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = 0;
  int rc = 0;
  {
    SpawnSetup setup;
    Prepare(setup, child_out.get(), input.valid() ? input.get() : -1);
    rc = ::posix_spawn(&pid, args[0], &setup.actions, &setup.attr, args.data(), environ);
  }
  child_out.Reset();
  if (rc != 0) return Fail("cannot run " + argv[0] + ": " + std::strerror(rc));
  ::fcntl(out.get(), F_SETFL, O_NONBLOCK);
  UniqueFd pidfd(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)));

  ProcessResult result;
  if (!WaitUntil(pid, pidfd.get(), Clock::now() + options.timeout, out, options, result)) {
    result.timed_out = true;
    ::kill(-pid, SIGTERM);
    WaitUntil(pid, pidfd.get(), Clock::now() + options.kill_grace, out, options, result);
    ::kill(-pid, SIGKILL);  // the leader may be gone, but not what it started
    while (!HasEnded(pid)) ::poll(nullptr, 0, kPollTickMs);
  }
  // What the child wrote before it ended; a background process that still holds the
  // pipe is not waited for (fail2ban, too, waits for the process, not the pipe).
  ReadAvailable(out, options, result);
  Reap(pid, result);
  return result;
}

}  // namespace portcullis::platform
