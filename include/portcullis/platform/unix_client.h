#pragma once
// The client side of a line-based Unix stream socket (see unix_server.h).
//
//   auto client = platform::UnixClient::Connect("/run/portcullis.sock", 5s);
//   client->SendLine(R"(["ping"])");
//   auto reply = client->ReceiveLine(5s);

#include <chrono>
#include <string>
#include <string_view>

#include "portcullis/base/error.h"
#include "portcullis/platform/unique_fd.h"

namespace portcullis::platform {

class UnixClient {
 public:
  // Connects to the socket at `path`. Error "cannot connect to <path>: <reason>"
  // (strerror's words: "No such file or directory", "Connection refused",
  // "Permission denied"), or "... timed out" after `timeout`.
  static Result<UnixClient> Connect(const std::string& path, std::chrono::milliseconds timeout);

  // Sends `line` and a '\n'. Error when the server has gone ("Broken pipe") or does not
  // take the data within `timeout`.
  Result<void> SendLine(std::string_view line,
                        std::chrono::milliseconds timeout = std::chrono::seconds(30));
  // The next line from the server, without its '\n'. Errors: "timed out waiting for a
  // reply", "connection closed by the server" (with no complete line).
  Result<std::string> ReceiveLine(std::chrono::milliseconds timeout);

  const std::string& path() const { return path_; }

 private:
  UnixClient(UniqueFd fd, std::string path) : fd_(std::move(fd)), path_(std::move(path)) {}
  Error Failure(std::string what) const;

  UniqueFd fd_;
  std::string path_;
  std::string buffer_;  // received bytes not yet handed out
};

}  // namespace portcullis::platform
