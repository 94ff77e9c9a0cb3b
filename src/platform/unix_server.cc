#include "portcullis/platform/unix_server.h"

#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <thread>
#include <vector>

#include "platform/unix_address.h"
#include "portcullis/platform/unique_fd.h"

namespace portcullis::platform {

namespace {

constexpr size_t kReadChunk = 64 * 1024;
constexpr size_t kDrainBeforeClose = 1024 * 1024;
constexpr auto kFinalFlush = std::chrono::seconds(1);

std::unexpected<Error> SystemFail(const std::string& path, const std::string& what) {
  return Fail(what + ": " + std::strerror(errno), path);
}

// Probes an existing socket file: true when a server accepts connections there.
Result<bool> Answers(const std::string& path, const sockaddr_un& address) {
  UniqueFd probe(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  if (!probe.valid()) return SystemFail(path, "socket");
  if (::connect(probe.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0) {
    return true;
  }
  if (errno == EAGAIN || errno == EINPROGRESS) return true;  // alive, backlog full
  if (errno == ECONNREFUSED) return false;                    // nobody listens: stale
  return SystemFail(path, "cannot probe the existing socket");
}

// Makes room for a new socket at `path`: nothing there, or a socket that is stale
// (or `force`). Never removes anything that is not a socket.
Result<void> ClearPath(const std::string& path, const sockaddr_un& address, bool force) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return {};
    return SystemFail(path, "cannot inspect the socket path");
  }
  if (!S_ISSOCK(st.st_mode)) return Fail("not a socket; refusing to replace it", path);
  if (!force) {
    auto answers = Answers(path, address);
    if (!answers) return Fail(answers.error());
    if (*answers) return Fail("socket already in use: a server answers there", path);
  }
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) {
    return SystemFail(path, "cannot remove the stale socket");
  }
  return {};
}

struct Connection {
  UniqueFd fd;
  std::string in;
  size_t scanned = 0;  // bytes of `in` already searched for '\n'
  std::string out;
  size_t sent = 0;       // bytes of `out` already sent
  bool closing = false;  // close once `out` is sent; read nothing more
  bool dead = false;     // the peer is gone or the socket failed

  bool Pending() const { return sent < out.size(); }
};

}  // namespace

struct UnixServer::Impl {
  std::string path;
  UnixServerOptions options;
  UniqueFd listen_fd;
  UniqueFd wake_fd;
  dev_t device = 0;
  ino_t inode = 0;
  LineHandler handler;
  std::thread thread;
  std::atomic<bool> stop{false};
  std::vector<Connection> connections;  // the loop thread's alone

  void Loop();
  void Accept();
  void Service(Connection& connection, short revents);
  void Read(Connection& connection);
  void HandleLines(Connection& connection);
  void Reply(Connection& connection, std::string_view line, bool too_long);
  void Flush(Connection& connection);
  void FinalFlush();
  void Close(Connection& connection);
  void Release();
  void Wake();
};

UnixServer::UnixServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
UnixServer::UnixServer(UnixServer&&) noexcept = default;
UnixServer& UnixServer::operator=(UnixServer&& other) noexcept {
  if (this != &other) {
    Stop();
    impl_ = std::move(other.impl_);
  }
  return *this;
}

UnixServer::~UnixServer() {
  Stop();
  // Destroyed by its own handler: the loop ends by itself, nobody else can join.
  if (impl_ && impl_->thread.joinable()) impl_->thread.detach();
}

const std::string& UnixServer::path() const { return impl_->path; }

Result<UnixServer> UnixServer::Listen(const std::string& path, UnixServerOptions options) {
  auto address = UnixAddress(path);
  if (!address) return Fail(address.error());
  if (auto cleared = ClearPath(path, *address, options.force); !cleared) return Fail(cleared.error());

  auto impl = std::make_unique<Impl>();
  impl->path = path;
  impl->options = options;
  impl->listen_fd.Reset(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  if (!impl->listen_fd.valid()) return SystemFail(path, "socket");
  // Linux gives the socket file the mode of the socket's inode (less the umask): no
  // moment with wider permissions. The chmod after bind covers other kernels.
  ::fchmod(impl->listen_fd.get(), 0600);
  if (::bind(impl->listen_fd.get(), reinterpret_cast<const sockaddr*>(&*address), sizeof *address) != 0) {
    return SystemFail(path, "cannot bind");
  }
  struct stat st {};
  if (::chmod(path.c_str(), 0600) != 0 || ::stat(path.c_str(), &st) != 0) {
    auto failed = SystemFail(path, "cannot set the socket's mode");
    ::unlink(path.c_str());
    return failed;
  }
  impl->device = st.st_dev;
  impl->inode = st.st_ino;
  if (::listen(impl->listen_fd.get(), 16) != 0) {
    auto failed = SystemFail(path, "cannot listen");
    ::unlink(path.c_str());
    return failed;
  }
  impl->wake_fd.Reset(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC));
  if (!impl->wake_fd.valid()) {
    auto failed = SystemFail(path, "eventfd");
    ::unlink(path.c_str());
    return failed;
  }
  return UnixServer(std::move(impl));
}

Result<void> UnixServer::Start(LineHandler handler) {
  if (impl_->thread.joinable() || impl_->stop) return Fail("server already started or stopped", impl_->path);
  impl_->handler = std::move(handler);
  Impl* impl = impl_.get();
  try {
    impl_->thread = std::thread([impl] { impl->Loop(); });
  } catch (const std::system_error& e) {
    return Fail(std::string("cannot start the server thread: ") + e.what(), impl_->path);
  }
  return {};
}

void UnixServer::Stop() {
  if (!impl_) return;
  bool started = impl_->thread.joinable();
  bool was_stopped = impl_->stop.exchange(true);
  impl_->Wake();
  if (!started) {
    if (!was_stopped) impl_->Release();
    return;
  }
  if (impl_->thread.get_id() != std::this_thread::get_id()) impl_->thread.join();
}

void UnixServer::Impl::Wake() {
  uint64_t one = 1;
  [[maybe_unused]] ssize_t n = ::write(wake_fd.get(), &one, sizeof one);
}

// Closes the listening socket and removes the socket file, unless another server has
// replaced it meanwhile.
void UnixServer::Impl::Release() {
  listen_fd.Reset();
  struct stat st {};
  if (::lstat(path.c_str(), &st) == 0 && st.st_dev == device && st.st_ino == inode) {
    ::unlink(path.c_str());
  }
}

void UnixServer::Impl::Loop() {
  std::vector<pollfd> fds;
  while (!stop) {
    fds.clear();
    fds.push_back({wake_fd.get(), POLLIN, 0});
    bool accepting = connections.size() < options.max_connections;
    fds.push_back({accepting ? listen_fd.get() : -1, POLLIN, 0});
    for (const Connection& c : connections) {
      short events = c.Pending() ? POLLOUT : (c.closing ? 0 : POLLIN);
      fds.push_back({c.fd.get(), events, 0});
    }
    if (::poll(fds.data(), fds.size(), -1) < 0) {
      if (errno == EINTR) continue;
      break;  // EFAULT/EINVAL/ENOMEM: nothing sensible left to do
    }
    if (fds[0].revents & POLLIN) {
      uint64_t count;
      [[maybe_unused]] ssize_t n = ::read(wake_fd.get(), &count, sizeof count);
    }
    size_t polled = connections.size();
    for (size_t i = 0; i < polled && !stop; ++i) Service(connections[i], fds[i + 2].revents);
    if (!stop && (fds[1].revents & POLLIN)) Accept();
    std::erase_if(connections, [this](Connection& c) {
      if (!c.dead && !(c.closing && !c.Pending())) return false;
      Close(c);
      return true;
    });
  }
  FinalFlush();
  for (Connection& c : connections) Close(c);
  connections.clear();
  Release();
}

void UnixServer::Impl::Accept() {
  while (connections.size() < options.max_connections) {
    int fd = ::accept4(listen_fd.get(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) return;  // EAGAIN, or a client that gave up (ECONNABORTED): try next round
    Connection& c = connections.emplace_back();
    c.fd.Reset(fd);
  }
}

void UnixServer::Impl::Service(Connection& connection, short revents) {
  if (revents & POLLOUT) Flush(connection);
  if (connection.dead) return;
  if ((revents & (POLLIN | POLLHUP | POLLERR)) && !connection.Pending() && !connection.closing) {
    Read(connection);
  } else if (revents & (POLLERR | POLLNVAL)) {
    connection.dead = true;
  }
}

void UnixServer::Impl::Read(Connection& connection) {
  char buffer[kReadChunk];
  ssize_t n = ::recv(connection.fd.get(), buffer, sizeof buffer, 0);
  if (n < 0) {
    if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) connection.dead = true;
    return;
  }
  if (n == 0) {  // the client is done sending: a last line without '\n' still counts
    if (!connection.in.empty()) {
      connection.in += '\n';
      HandleLines(connection);
    }
    connection.closing = true;
    Flush(connection);
    return;
  }
  connection.in.append(buffer, static_cast<size_t>(n));
  HandleLines(connection);
  Flush(connection);
}

void UnixServer::Impl::HandleLines(Connection& connection) {
  std::string& in = connection.in;
  while (!connection.closing && !stop) {
    size_t end = in.find('\n', connection.scanned);
    if (end == std::string::npos) {
      connection.scanned = in.size();
      if (in.size() > options.max_line) Reply(connection, std::string_view(in).substr(0, options.max_line), true);
      return;
    }
    if (end > options.max_line) {
      Reply(connection, std::string_view(in).substr(0, options.max_line), true);
      return;
    }
    size_t length = (end > 0 && in[end - 1] == '\r') ? end - 1 : end;
    Reply(connection, std::string_view(in).substr(0, length), false);
    in.erase(0, end + 1);
    connection.scanned = 0;
  }
}

void UnixServer::Impl::Reply(Connection& connection, std::string_view line, bool too_long) {
  LineReply reply = handler(line, too_long);
  if (connection.sent == connection.out.size()) {
    connection.out.clear();
    connection.sent = 0;
  }
  connection.out += reply.text;
  connection.out += '\n';
  if (reply.close || too_long) {
    connection.closing = true;
    connection.in.clear();
    connection.scanned = 0;
  }
}

void UnixServer::Impl::Flush(Connection& connection) {
  while (connection.Pending()) {
    ssize_t n = ::send(connection.fd.get(), connection.out.data() + connection.sent,
                       connection.out.size() - connection.sent, MSG_NOSIGNAL);
    if (n > 0) {
      connection.sent += static_cast<size_t>(n);
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else {
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
      connection.dead = true;
      return;
    }
  }
  connection.out.clear();
  connection.sent = 0;
}

// On stop: replies already produced (the one to "stop" above all) still reach their clients.
void UnixServer::Impl::FinalFlush() {
  auto deadline = std::chrono::steady_clock::now() + kFinalFlush;
  for (;;) {
    std::vector<pollfd> fds;
    std::vector<Connection*> waiting;
    for (Connection& c : connections) {
      if (!c.dead && c.Pending()) {
        fds.push_back({c.fd.get(), POLLOUT, 0});
        waiting.push_back(&c);
      }
    }
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (waiting.empty() || left.count() <= 0) return;
    if (::poll(fds.data(), fds.size(), static_cast<int>(left.count())) < 0 && errno != EINTR) return;
    for (size_t i = 0; i < fds.size(); ++i) {
      if (fds[i].revents & (POLLERR | POLLHUP | POLLNVAL)) waiting[i]->dead = true;
      else if (fds[i].revents & POLLOUT) Flush(*waiting[i]);
    }
  }
}

// Reads away what the client sent after its last request: closing a Unix socket with
// unread data makes the client's next read fail with ECONNRESET instead of seeing EOF.
void UnixServer::Impl::Close(Connection& connection) {
  char buffer[kReadChunk];
  for (size_t drained = 0; drained < kDrainBeforeClose;) {
    ssize_t n = ::recv(connection.fd.get(), buffer, sizeof buffer, MSG_DONTWAIT);
    if (n <= 0) break;
    drained += static_cast<size_t>(n);
  }
  connection.fd.Reset();
}

}  // namespace portcullis::platform
