#include "portcullis/control/control_handler.h"

namespace portcullis::control {

namespace {

std::unexpected<Error> Unsupported(const std::string& option) {
  return Fail("Invalid command '" + option + "' (not supported by this server)");
}

}  // namespace

Result<std::string> ControlHandler::SetLogLevel(const std::string&) { return Unsupported("loglevel"); }
Result<std::string> ControlHandler::GetLogLevel() { return Unsupported("loglevel"); }
Result<std::optional<long long>> ControlHandler::SetDbPurgeAge(const std::string&) {
  return Unsupported("dbpurgeage");
}
Result<std::optional<long long>> ControlHandler::GetDbPurgeAge() { return Unsupported("dbpurgeage"); }

}  // namespace portcullis::control
