#include "portcullis/platform/unix_client.h"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "platform/unix_address.h"

namespace portcullis::platform {

namespace {

// Waits for `events` on `fd` up to `timeout`: false on timeout or error (errno set).
bool WaitFor(int fd, short events, std::chrono::milliseconds timeout) {
  pollfd pfd{fd, events, 0};
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    int ready = ::poll(&pfd, 1, static_cast<int>(std::max<std::chrono::milliseconds::rep>(0, left.count())));
    if (ready > 0) return true;
    if (ready == 0) {
      errno = ETIMEDOUT;
      return false;
    }
    if (errno != EINTR) return false;
  }
}

}  // namespace

Error UnixClient::Failure(std::string what) const {
  return Error{std::move(what), path_, 0, {}};
}

Result<UnixClient> UnixClient::Connect(const std::string& path, std::chrono::milliseconds timeout) {
  auto address = UnixAddress(path);
  if (!address) return Fail(address.error());
  UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  if (!fd.valid()) return Fail(std::string("socket: ") + std::strerror(errno), path);
  if (::connect(fd.get(), reinterpret_cast<const sockaddr*>(&*address), sizeof *address) != 0) {
    // A Unix socket whose backlog is full answers EAGAIN: wait for room.
    if (errno != EAGAIN && errno != EINPROGRESS) {
      return Fail(std::string("cannot connect: ") + std::strerror(errno), path);
    }
    if (!WaitFor(fd.get(), POLLOUT, timeout)) {
      return Fail(std::string("cannot connect: ") + std::strerror(errno), path);
    }
    int error = 0;
    socklen_t length = sizeof error;
    ::getsockopt(fd.get(), SOL_SOCKET, SO_ERROR, &error, &length);
    if (error != 0) return Fail(std::string("cannot connect: ") + std::strerror(error), path);
  }
  return UnixClient(std::move(fd), path);
}

Result<void> UnixClient::SendLine(std::string_view line, std::chrono::milliseconds timeout) {
  std::string data(line);
  data += '\n';
  for (size_t sent = 0; sent < data.size();) {
    ssize_t n = ::send(fd_.get(), data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
    if (n > 0) {
      sent += static_cast<size_t>(n);
    } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      if (!WaitFor(fd_.get(), POLLOUT, timeout)) {
        return std::unexpected(Failure(std::string("cannot send: ") + std::strerror(errno)));
      }
    } else if (!(n < 0 && errno == EINTR)) {
      return std::unexpected(Failure(std::string("cannot send: ") + std::strerror(errno)));
    }
  }
  return {};
}

Result<std::string> UnixClient::ReceiveLine(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  size_t scanned = 0;
  for (;;) {
    if (size_t end = buffer_.find('\n', scanned); end != std::string::npos) {
      std::string line = buffer_.substr(0, end);
      buffer_.erase(0, end + 1);
      return line;
    }
    scanned = buffer_.size();
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (!WaitFor(fd_.get(), POLLIN, left)) {
      if (errno == ETIMEDOUT) return std::unexpected(Failure("timed out waiting for a reply"));
      return std::unexpected(Failure(std::string("cannot receive: ") + std::strerror(errno)));
    }
    char chunk[64 * 1024];
    ssize_t n = ::recv(fd_.get(), chunk, sizeof chunk, 0);
    if (n == 0) return std::unexpected(Failure("connection closed by the server"));
    if (n < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) continue;
      return std::unexpected(Failure(std::string("cannot receive: ") + std::strerror(errno)));
    }
    buffer_.append(chunk, static_cast<size_t>(n));
  }
}

}  // namespace portcullis::platform
