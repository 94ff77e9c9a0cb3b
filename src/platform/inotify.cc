#include "portcullis/platform/inotify.h"

#include <poll.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>

namespace portcullis::platform {

static_assert(kInModify == IN_MODIFY && kInAttrib == IN_ATTRIB && kInMovedFrom == IN_MOVED_FROM &&
              kInMovedTo == IN_MOVED_TO && kInCreate == IN_CREATE && kInDelete == IN_DELETE &&
              kInDeleteSelf == IN_DELETE_SELF && kInMoveSelf == IN_MOVE_SELF &&
              kInQueueOverflow == IN_Q_OVERFLOW && kInIgnored == IN_IGNORED &&
              kInOnlyDir == IN_ONLYDIR && kInIsDir == IN_ISDIR);

namespace {

std::string Reason(const char* call) { return std::string(call) + ": " + std::strerror(errno); }

}  // namespace

Result<Inotify> Inotify::Create() {
  UniqueFd inotify(::inotify_init1(IN_NONBLOCK | IN_CLOEXEC));
  if (!inotify.valid()) return Fail(Reason("inotify_init1"));
  UniqueFd wake(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC));
  if (!wake.valid()) return Fail(Reason("eventfd"));
  return Inotify(std::move(inotify), std::move(wake));
}

Result<int> Inotify::AddWatch(const std::string& path, uint32_t mask) {
  int wd = ::inotify_add_watch(inotify_.get(), path.c_str(), mask);
  if (wd < 0) return Fail("cannot watch: " + std::string(std::strerror(errno)), {}, 0, path);
  return wd;
}

void Inotify::RemoveWatch(int wd) { ::inotify_rm_watch(inotify_.get(), wd); }

void Inotify::Interrupt() {
  uint64_t one = 1;
  // A full counter (never in practice) still leaves the fd readable: nothing to do.
  [[maybe_unused]] ssize_t n = ::write(wake_.get(), &one, sizeof one);
}

Result<WaitOutcome> Inotify::Wait(std::chrono::milliseconds timeout,
                                  const std::function<void(const InotifyEvent&)>& on_event) {
  pollfd fds[2] = {{inotify_.get(), POLLIN, 0}, {wake_.get(), POLLIN, 0}};
  int ms = static_cast<int>(std::clamp<std::chrono::milliseconds::rep>(timeout.count(), 0, INT_MAX));
  int ready = ::poll(fds, 2, ms);
  if (ready < 0) {
    if (errno == EINTR) return WaitOutcome::kTimeout;
    return Fail(Reason("poll"));
  }
  bool interrupted = false;
  if (fds[1].revents & POLLIN) {
    uint64_t count;
    [[maybe_unused]] ssize_t n = ::read(wake_.get(), &count, sizeof count);
    interrupted = true;
  }
  if (fds[0].revents & POLLIN) {
    if (auto drained = Drain(on_event); !drained) return Fail(drained.error());
    if (!interrupted) return WaitOutcome::kEvents;
  }
  return interrupted ? WaitOutcome::kInterrupted : WaitOutcome::kTimeout;
}

Result<void> Inotify::Drain(const std::function<void(const InotifyEvent&)>& on_event) {
  alignas(inotify_event) char buffer[16 * 1024];
  for (;;) {
    ssize_t n = ::read(inotify_.get(), buffer, sizeof buffer);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) return {};
      return Fail(Reason("read inotify"));
    }
    if (n == 0) return {};
    for (ssize_t at = 0; at < n;) {
      const auto* raw = reinterpret_cast<const inotify_event*>(buffer + at);
      InotifyEvent event{raw->wd, raw->mask, {}};
      if (raw->len > 0) event.name = std::string_view(raw->name, ::strnlen(raw->name, raw->len));
      on_event(event);
      at += static_cast<ssize_t>(sizeof(inotify_event) + raw->len);
    }
  }
}

}  // namespace portcullis::platform
