#pragma once
// The control commands: check a request's words, call the ControlHandler, shape the
// result as JSON (docs/portcullis-client.md). Error texts follow fail2ban 1.0.2's server
// where it has one ("Invalid command 'foo' (no get action or not yet implemented)",
// "Sorry but the jail 'nojail' does not exist", "Invalid command (no status)").
//
// The server wires HandleRequestLine to a platform::UnixServer:
//
//   server->Start([&](std::string_view line, bool too_long) {
//     auto reply = control::HandleRequestLine(line, too_long, handler);
//     return platform::LineReply{std::move(reply.text), reply.close};
//   });

#include <expected>
#include <string>
#include <string_view>
#include <vector>

#include "portcullis/base/json.h"
#include "portcullis/control/control_handler.h"
#include "portcullis/control/protocol.h"

namespace portcullis::control {

// Runs the command `words` (e.g. {"set", "sshd", "banip", "192.0.2.1"}) on `handler`.
// Errors: invalid-command for unknown commands or missing/extra words, unknown-jail
// ("Sorry but the jail 'X' does not exist") for a jail HasJail() does not know, error
// for what the handler reports (its Error::ToString()).
std::expected<json::Value, CommandError> RunCommand(const std::vector<std::string>& words,
                                                   ControlHandler& handler);

// One reply line for one request line; `close` after a malformed or too long request.
struct ReplyLine {
  std::string text;
  bool close = false;
};
ReplyLine HandleRequestLine(std::string_view line, bool too_long, ControlHandler& handler);

}  // namespace portcullis::control
