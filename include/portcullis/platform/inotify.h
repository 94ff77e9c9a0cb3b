#pragma once
// Linux inotify, the one place portcullis talks to it: watch files and folders, wait
// for their events, and let another thread cut a wait short.
//
//   auto inotify = platform::Inotify::Create();
//   auto wd = inotify->AddWatch("/var/log", platform::kInCreate | platform::kInMovedTo);
//   inotify->Wait(500ms, [](const platform::InotifyEvent& event) { ... });
//
// A watch follows an inode, not a name: after `mv auth.log auth.log.1` the watch on
// auth.log reports the renamed file (IN_MOVE_SELF, then its IN_MODIFY) until it is
// removed or the inode goes away (IN_IGNORED).

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "portcullis/base/error.h"
#include "portcullis/platform/unique_fd.h"

namespace portcullis::platform {

// Event bits, the values of <sys/inotify.h>'s IN_* (checked when inotify.cc compiles).
inline constexpr uint32_t kInModify = 0x00000002;
inline constexpr uint32_t kInAttrib = 0x00000004;
inline constexpr uint32_t kInMovedFrom = 0x00000040;
inline constexpr uint32_t kInMovedTo = 0x00000080;
inline constexpr uint32_t kInCreate = 0x00000100;
inline constexpr uint32_t kInDelete = 0x00000200;
inline constexpr uint32_t kInDeleteSelf = 0x00000400;
inline constexpr uint32_t kInMoveSelf = 0x00000800;
inline constexpr uint32_t kInQueueOverflow = 0x00004000;  // wd is -1: events were lost
inline constexpr uint32_t kInIgnored = 0x00008000;        // the watch is gone
inline constexpr uint32_t kInOnlyDir = 0x01000000;        // AddWatch: fail unless a folder
inline constexpr uint32_t kInIsDir = 0x40000000;          // the entry is a folder

struct InotifyEvent {
  int wd = -1;            // the watch, -1 for kInQueueOverflow
  uint32_t mask = 0;      // kIn* bits
  std::string_view name;  // entry name for a folder's watch, empty otherwise
};

// What ended a Wait.
enum class WaitOutcome { kEvents, kTimeout, kInterrupted };

class Inotify {
 public:
  // An inotify instance plus an eventfd for Interrupt(). Error when the kernel
  // refuses either ("inotify_init1: Too many open files").
  static Result<Inotify> Create();

  // Watches `path` for `mask`; a second call for the same inode returns the same wd
  // with the mask replaced. Error "cannot watch: <reason>" with the path as fragment.
  Result<int> AddWatch(const std::string& path, uint32_t mask);
  // Stops a watch (an IN_IGNORED event follows). Unknown wds are ignored.
  void RemoveWatch(int wd);

  // Waits up to `timeout` for events or Interrupt(), then hands every event that is
  // queued to `on_event` (names are valid during the call only). Error only when
  // poll/read fail for another reason than a signal.
  Result<WaitOutcome> Wait(std::chrono::milliseconds timeout,
                           const std::function<void(const InotifyEvent&)>& on_event);
  // Wakes a Wait running in another thread, or makes the next Wait return at once.
  // The only member that is safe to call from another thread.
  void Interrupt();

 private:
  Inotify(UniqueFd inotify, UniqueFd wake) : inotify_(std::move(inotify)), wake_(std::move(wake)) {}
  Result<void> Drain(const std::function<void(const InotifyEvent&)>& on_event);

  UniqueFd inotify_;
  UniqueFd wake_;
};

}  // namespace portcullis::platform
