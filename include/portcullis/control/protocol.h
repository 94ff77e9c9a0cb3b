#pragma once
// portcullis' control protocol: one request per line on a Unix stream socket, a JSON
// array of strings (`["status","sshd"]`), answered by one line, either
// `{"ok":true,"result":<json>}` or `{"ok":false,"error":"<text>","code":"<code>"}`.
// Several requests may share a connection; after a malformed request (not JSON, not an
// array of strings, longer than kMaxRequestLine) the server replies and closes it.
// docs/portcullis-client.md describes the commands and their result shapes.

#include <cstddef>
#include <expected>
#include <string>
#include <string_view>
#include <vector>

#include "portcullis/base/error.h"
#include "portcullis/base/json.h"

namespace portcullis::control {

// Longest request line the server reads, '\n' excluded.
inline constexpr size_t kMaxRequestLine = 64 * 1024;

// The reply's "code": unknown-jail, invalid-command, error.
enum class ErrorCode { kUnknownJail, kInvalidCommand, kError };
std::string_view CodeName(ErrorCode code);

// A failed request: what the client shows and the code scripts test.
struct CommandError {
  ErrorCode code = ErrorCode::kError;
  std::string message;
};

// The words of a request line. Errors (code invalid-command): "malformed request
// (expected a JSON array of strings): <why>"; an empty array is "Sorry but the command
// is invalid: empty command".
std::expected<std::vector<std::string>, CommandError> ParseRequest(std::string_view line);
// The request line for `words` (no '\n').
std::string EncodeRequest(const std::vector<std::string>& words);

// Reply lines (no '\n').
std::string EncodeResult(const json::Value& result);
std::string EncodeError(const CommandError& error);

// A reply as the client reads it.
struct Reply {
  bool ok = false;
  json::Value result;  // when ok
  std::string error;   // when not ok
  std::string code;    // when not ok: "unknown-jail", "invalid-command", "error"
};
// Reads a reply line. Error "malformed reply from the server: <why>".
Result<Reply> ParseReply(std::string_view line);

}  // namespace portcullis::control
