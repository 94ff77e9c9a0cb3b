#pragma once
// The sockaddr_un for a socket path, shared by UnixServer and UnixClient.

#include <sys/socket.h>
#include <sys/un.h>

#include <cstring>
#include <string>

#include "portcullis/base/error.h"

namespace portcullis::platform {

// Error "socket path too long (at most 107 bytes)" naming the path; an empty path is
// an error too (Linux would read it as an abstract address).
inline Result<sockaddr_un> UnixAddress(const std::string& path) {
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  if (path.empty()) return Fail("empty socket path");
  if (path.size() >= sizeof address.sun_path) {
    return Fail("socket path too long (at most " + std::to_string(sizeof address.sun_path - 1) +
                    " bytes)",
                path);
  }
  std::memcpy(address.sun_path, path.data(), path.size());
  return address;
}

}  // namespace portcullis::platform
