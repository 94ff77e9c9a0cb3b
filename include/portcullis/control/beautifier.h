#pragma once
// fail2ban-client 1.0.2's output for a command's result (its Beautifier): the status
// trees, "Server replied: pong", "Shutdown successful", the log path and ignoreip lists,
// and Python's repr for the rest ("[{'sshd': ['192.0.2.1']}]", "[['sshd'], []]", "2").

#include <string>
#include <vector>

#include "portcullis/base/json.h"

namespace portcullis::control {

// The text fail2ban-client prints for `result`, the reply to the command `words`.
std::string Beautify(const std::vector<std::string>& words, const json::Value& result);

// Python's repr() of the value `value` stands for: None, True, 1, 'text', ['a'], {'k': 1}.
std::string PyRepr(const json::Value& value);
// Python's str(): a string as it is, anything else as PyRepr.
std::string PyStr(const json::Value& value);

}  // namespace portcullis::control
