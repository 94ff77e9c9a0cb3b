#pragma once
// A line-based server on a Unix stream socket: the transport under the control socket.
//
//   auto server = platform::UnixServer::Listen("/run/portcullis.sock");
//   server->Start([&](std::string_view line, bool too_long) {
//     return platform::LineReply{"pong", false};
//   });
//   ...
//   server->Stop();  // also done by the destructor
//
// Each connection may send several requests, one per line ('\n', a '\r' before it is
// dropped); each gets one reply line. One thread of the server's own polls the
// listening socket and every connection and calls the handler, so handler calls never
// overlap and a slow handler delays the other clients (as fail2ban's asyncore loop).

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "portcullis/base/error.h"

namespace portcullis::platform {

// What to send back for one request line.
struct LineReply {
  std::string text;    // the reply, without the '\n' (added by the server)
  bool close = false;  // close the connection once the reply is sent
};

// Called with each request line. `too_long` is true when the line passed the limit: `line`
// is then its first bytes only and the connection is closed after the reply whatever
// `close` says.
using LineHandler = std::function<LineReply(std::string_view line, bool too_long)>;

struct UnixServerOptions {
  size_t max_line = 64 * 1024;  // longest request line, '\n' excluded
  size_t max_connections = 64;  // further clients wait in the listen backlog
  bool force = false;           // remove an existing socket even when a server answers
};

class UnixServer {
 public:
  // Binds a socket at `path` with mode 0600 and listens. An existing socket where a
  // server answers is an error "socket already in use" (unless options.force); a stale
  // one is removed first. Errors name the path: "cannot bind: <reason>", "not a socket"
  // (anything else at the path is left alone).
  static Result<UnixServer> Listen(const std::string& path, UnixServerOptions options = {});

  UnixServer(UnixServer&&) noexcept;
  UnixServer& operator=(UnixServer&&) noexcept;
  ~UnixServer();  // Stop()

  // Starts serving on a thread of its own; `handler` runs on that thread only. Error
  // when already started or the thread or wake-up descriptor cannot be created.
  Result<void> Start(LineHandler handler);
  // Stops accepting, closes every connection (replies already produced are flushed
  // first, for at most a second), removes the socket file if it is still ours and joins
  // the thread. Safe from any thread; called from the handler it only asks the loop to
  // end after this request (the thread is joined by a later Stop or the destructor).
  void Stop();

  const std::string& path() const;

 private:
  struct Impl;
  explicit UnixServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace portcullis::platform
