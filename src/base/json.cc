#include "portcullis/base/json.h"

#include <charconv>
#include <cmath>
#include <cstdio>

namespace portcullis::json {
namespace {

class Parser {
 public:
  explicit Parser(std::string_view text) : text_(text) {}

  Result<Value> Document() {
    auto value = ParseValue(0);
    if (!value) return value;
    SkipSpace();
    if (pos_ != text_.size()) return Error("unexpected text after the value");
    return value;
  }

 private:
  static constexpr int kMaxDepth = 64;

  std::unexpected<portcullis::Error> Error(std::string_view what) const {
    return Fail("invalid JSON at column " + std::to_string(pos_ + 1) + ": " + std::string(what));
  }

  void SkipSpace() {
    while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\t' ||
                                   text_[pos_] == '\n' || text_[pos_] == '\r'))
      ++pos_;
  }

  bool Consume(std::string_view word) {
    if (text_.substr(pos_, word.size()) != word) return false;
    pos_ += word.size();
    return true;
  }

  Result<Value> ParseValue(int depth) {
    if (depth > kMaxDepth) return Error("nested too deeply");
    SkipSpace();
    if (pos_ >= text_.size()) return Error("unexpected end of text");
    char c = text_[pos_];
    if (c == '{') return ParseObject(depth);
    if (c == '[') return ParseArray(depth);
    if (c == '"') {
      auto s = ParseString();
      if (!s) return std::unexpected(s.error());
      return Value(std::move(*s));
    }
    if (Consume("true")) return Value(true);
    if (Consume("false")) return Value(false);
    if (Consume("null")) return Value(nullptr);
    if (c == '-' || (c >= '0' && c <= '9')) return ParseNumber();
    return Error("unexpected character");
  }

  Result<Value> ParseNumber() {
    size_t start = pos_;
    if (text_[pos_] == '-') ++pos_;
    while (pos_ < text_.size() && std::string_view("0123456789.eE+-").find(text_[pos_]) != std::string_view::npos)
      ++pos_;
    double d = 0;
    auto [ptr, ec] = std::from_chars(text_.data() + start, text_.data() + pos_, d);
    if (ec != std::errc() || ptr != text_.data() + pos_) {
      pos_ = start;
      return Error("malformed number");
    }
    return Value(d);
  }

  static void AppendUtf8(std::string& out, unsigned cp) {
    if (cp < 0x80) {
      out += static_cast<char>(cp);
    } else if (cp < 0x800) {
      out += static_cast<char>(0xC0 | (cp >> 6));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      out += static_cast<char>(0xE0 | (cp >> 12));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | (cp >> 18));
      out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    }
  }

  Result<unsigned> ParseHex4() {
    if (pos_ + 4 > text_.size()) return Error("short \\u escape");
    unsigned cp = 0;
    auto [ptr, ec] = std::from_chars(text_.data() + pos_, text_.data() + pos_ + 4, cp, 16);
    if (ec != std::errc() || ptr != text_.data() + pos_ + 4) return Error("bad \\u escape");
    pos_ += 4;
    return cp;
  }

  Result<bool> ParseEscape(std::string& out) {
    if (pos_ >= text_.size()) return Error("unterminated string");
    char e = text_[pos_++];
    switch (e) {
      case '"': out += '"'; return true;
      case '\\': out += '\\'; return true;
      case '/': out += '/'; return true;
      case 'b': out += '\b'; return true;
      case 'f': out += '\f'; return true;
      case 'n': out += '\n'; return true;
      case 'r': out += '\r'; return true;
      case 't': out += '\t'; return true;
      case 'u': break;
      default: --pos_; return Error("bad escape");
    }
    auto cp = ParseHex4();
    if (!cp) return std::unexpected(cp.error());
    unsigned code = *cp;
    if (code >= 0xD800 && code < 0xDC00 && Consume("\\u")) {
      auto low = ParseHex4();
      if (!low) return std::unexpected(low.error());
      code = 0x10000 + ((code - 0xD800) << 10) + (*low - 0xDC00);
    }
    AppendUtf8(out, code);
    return true;
  }

  Result<std::string> ParseString() {
    ++pos_;  // opening quote
    std::string out;
    while (true) {
      if (pos_ >= text_.size()) return Error("unterminated string");
      char c = text_[pos_++];
      if (c == '"') return out;
      if (c == '\\') {
        auto ok = ParseEscape(out);
        if (!ok) return std::unexpected(ok.error());
      } else {
        out += c;
      }
    }
  }

  Result<Value> ParseArray(int depth) {
    ++pos_;
    Array items;
    SkipSpace();
    if (Consume("]")) return Value(std::move(items));
    while (true) {
      auto item = ParseValue(depth + 1);
      if (!item) return item;
      items.push_back(std::move(*item));
      SkipSpace();
      if (Consume("]")) return Value(std::move(items));
      if (!Consume(",")) return Error("expected ',' or ']'");
    }
  }

  Result<Value> ParseObject(int depth) {
    ++pos_;
    Object members;
    SkipSpace();
    if (Consume("}")) return Value(std::move(members));
    while (true) {
      SkipSpace();
      if (pos_ >= text_.size() || text_[pos_] != '"') return Error("expected a string key");
      auto key = ParseString();
      if (!key) return std::unexpected(key.error());
      SkipSpace();
      if (!Consume(":")) return Error("expected ':'");
      auto item = ParseValue(depth + 1);
      if (!item) return item;
      members.emplace_back(std::move(*key), std::move(*item));
      SkipSpace();
      if (Consume("}")) return Value(std::move(members));
      if (!Consume(",")) return Error("expected ',' or '}'");
    }
  }

  std::string_view text_;
  size_t pos_ = 0;
};

std::string DumpNumber(double d) {
  if (std::isfinite(d) && d == std::floor(d) && std::fabs(d) < 1e15) {
    return std::to_string(static_cast<long long>(d));
  }
  char buf[64];
  auto [ptr, ec] = std::to_chars(buf, buf + sizeof buf, d);
  return std::string(buf, ptr);
}

}  // namespace

const Value* Value::Find(std::string_view key) const {
  if (!is_object()) return nullptr;
  for (const auto& [k, v] : as_object())
    if (k == key) return &v;
  return nullptr;
}

void AppendQuoted(std::string_view text, std::string& out) {
  out += '"';
  size_t plain = 0;  // start of the characters not yet copied
  for (size_t i = 0; i < text.size(); ++i) {
    auto c = static_cast<unsigned char>(text[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out.append(text, plain, i - plain);
    plain = i + 1;
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      default: {
        char buf[8];
        std::snprintf(buf, sizeof buf, "\\u%04x", c);
        out += buf;
      }
    }
  }
  out.append(text, plain);
  out += '"';
}

std::string Quote(std::string_view text) {
  std::string out;
  AppendQuoted(text, out);
  return out;
}

std::string Value::Dump() const {
  if (is_null()) return "null";
  if (is_bool()) return as_bool() ? "true" : "false";
  if (is_number()) return DumpNumber(as_number());
  if (is_string()) return Quote(as_string());
  std::string out;
  if (is_array()) {
    out = "[";
    for (size_t i = 0; i < as_array().size(); ++i) out += (i ? "," : "") + as_array()[i].Dump();
    return out + "]";
  }
  out = "{";
  bool first = true;
  for (const auto& [k, v] : as_object()) {
    out += (first ? "" : ",") + Quote(k) + ":" + v.Dump();
    first = false;
  }
  return out + "}";
}

Result<Value> Parse(std::string_view text) { return Parser(text).Document(); }

}  // namespace portcullis::json
