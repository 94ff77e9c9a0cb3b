#include "portcullis/control/protocol.h"

namespace portcullis::control {

namespace {

constexpr std::string_view kMalformed = "malformed request (expected a JSON array of strings): ";

std::string_view TypeName(const json::Value& value) {
  if (value.is_null()) return "null";
  if (value.is_bool()) return "a boolean";
  if (value.is_number()) return "a number";
  if (value.is_string()) return "a string";
  if (value.is_array()) return "an array";
  return "an object";
}

std::unexpected<CommandError> Malformed(std::string why) {
  return std::unexpected(CommandError{ErrorCode::kInvalidCommand, std::string(kMalformed) + why});
}

}  // namespace

std::string_view CodeName(ErrorCode code) {
  switch (code) {
    case ErrorCode::kUnknownJail: return "unknown-jail";
    case ErrorCode::kInvalidCommand: return "invalid-command";
    case ErrorCode::kError: break;
  }
  return "error";
}

std::expected<std::vector<std::string>, CommandError> ParseRequest(std::string_view line) {
  auto parsed = json::Parse(line);
  if (!parsed) return Malformed(parsed.error().message);
  if (!parsed->is_array()) return Malformed("got " + std::string(TypeName(*parsed)));
  std::vector<std::string> words;
  const json::Array& items = parsed->as_array();
  for (size_t i = 0; i < items.size(); ++i) {
    if (!items[i].is_string()) {
      return Malformed("element " + std::to_string(i) + " is " + std::string(TypeName(items[i])));
    }
    words.push_back(items[i].as_string());
  }
  if (words.empty()) {
    return std::unexpected(CommandError{ErrorCode::kInvalidCommand, "Sorry but the command is invalid: empty command"});
  }
  return words;
}

std::string EncodeRequest(const std::vector<std::string>& words) {
  json::Array items(words.begin(), words.end());
  return json::Value(std::move(items)).Dump();
}

std::string EncodeResult(const json::Value& result) {
  return json::Value(json::Object{{"ok", true}, {"result", result}}).Dump();
}

std::string EncodeError(const CommandError& error) {
  return json::Value(json::Object{{"ok", false},
                                  {"error", error.message},
                                  {"code", std::string(CodeName(error.code))}})
      .Dump();
}

Result<Reply> ParseReply(std::string_view line) {
  auto parsed = json::Parse(line);
  if (!parsed) return Fail("malformed reply from the server: " + parsed.error().message);
  const json::Value* ok = parsed->Find("ok");
  if (ok == nullptr || !ok->is_bool()) return Fail("malformed reply from the server: no \"ok\"", {}, 0, std::string(line));
  Reply reply;
  reply.ok = ok->as_bool();
  if (reply.ok) {
    if (const json::Value* result = parsed->Find("result")) reply.result = *result;
    return reply;
  }
  const json::Value* error = parsed->Find("error");
  const json::Value* code = parsed->Find("code");
  reply.error = (error && error->is_string()) ? error->as_string() : "unknown error";
  reply.code = (code && code->is_string()) ? code->as_string() : "error";
  return reply;
}

}  // namespace portcullis::control
