#include "condition.h"

#include <cctype>
#include <optional>
#include <string>

namespace portcullis::samples {
namespace {

// A recursive-descent reader over: or_expr := and_expr ('or' and_expr)*;
// and_expr := not_expr ('and' not_expr)*; not_expr := 'not' not_expr | cmp;
// cmp := operand (('=='|'!=') operand)? ; operand := string | name | opts.get('k') | (or_expr)
class ConditionParser {
 public:
  ConditionParser(std::string_view text, std::string_view name, const config::OptionMap& opts)
      : text_(text), name_(name), opts_(opts) {}

  Result<bool> Parse() {
    auto value = Or();
    if (!value) return std::unexpected(value.error());
    SkipSpace();
    if (pos_ != text_.size()) return Error();
    return Truthy(*value);
  }

 private:
  using Operand = std::optional<std::string>;  // nullopt is Python's None

  static bool Truthy(const Operand& v) { return v && !v->empty(); }

  std::unexpected<portcullis::Error> Error() const {
    return Fail("unsupported condition", "", 0, std::string(text_.substr(pos_)));
  }

  void SkipSpace() {
    while (pos_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[pos_]))) ++pos_;
  }

  bool Keyword(std::string_view word) {
    SkipSpace();
    if (text_.substr(pos_, word.size()) != word) return false;
    size_t after = pos_ + word.size();
    if (after < text_.size() && (std::isalnum(static_cast<unsigned char>(text_[after])) || text_[after] == '_'))
      return false;
    pos_ = after;
    return true;
  }

  bool Symbol(std::string_view symbol) {
    SkipSpace();
    if (text_.substr(pos_, symbol.size()) != symbol) return false;
    pos_ += symbol.size();
    return true;
  }

  static Operand Bool(bool b) { return b ? Operand("1") : Operand(""); }

  Result<Operand> Or() {
    auto left = And();
    while (left && Keyword("or")) {
      auto right = And();
      if (!right) return right;
      left = Bool(Truthy(*left) || Truthy(*right));
    }
    return left;
  }

  Result<Operand> And() {
    auto left = Not();
    while (left && Keyword("and")) {
      auto right = Not();
      if (!right) return right;
      left = Bool(Truthy(*left) && Truthy(*right));
    }
    return left;
  }

  Result<Operand> Not() {
    if (Keyword("not")) {
      auto v = Not();
      if (!v) return v;
      return Bool(!Truthy(*v));
    }
    return Compare();
  }

  Result<Operand> Compare() {
    auto left = Atom();
    if (!left) return left;
    bool equal = Symbol("==");
    if (!equal && !Symbol("!=")) return left;
    auto right = Atom();
    if (!right) return right;
    return Bool((*left == *right) == equal);
  }

  Result<std::string> StringLiteral() {
    char quote = text_[pos_++];
    size_t end = text_.find(quote, pos_);
    if (end == std::string_view::npos) return Error();
    std::string value(text_.substr(pos_, end - pos_));
    pos_ = end + 1;
    return value;
  }

  Result<Operand> Atom() {
    SkipSpace();
    if (pos_ >= text_.size()) return Error();
    if (text_[pos_] == '\'' || text_[pos_] == '"') {
      auto s = StringLiteral();
      if (!s) return std::unexpected(s.error());
      return Operand(*s);
    }
    if (Symbol("(")) {
      auto v = Or();
      if (!v || !Symbol(")")) return v ? Error() : v;
      return v;
    }
    if (Symbol("opts.get(")) return OptsGet();
    if (Keyword("name")) return Operand(std::string(name_));
    if (Keyword("None")) return Operand();
    if (Keyword("True")) return Bool(true);
    if (Keyword("False")) return Bool(false);
    return Error();
  }

  Result<Operand> OptsGet() {
    SkipSpace();
    if (pos_ >= text_.size() || (text_[pos_] != '\'' && text_[pos_] != '"')) return Error();
    auto key = StringLiteral();
    if (!key || !Symbol(")")) return Error();
    const std::string* value = opts_.Find(*key);
    return value ? Operand(*value) : Operand();
  }

  std::string_view text_;
  std::string_view name_;
  const config::OptionMap& opts_;
  size_t pos_ = 0;
};

}  // namespace

Result<bool> EvaluateCondition(std::string_view expression, std::string_view name,
                               const config::OptionMap& opts) {
  return ConditionParser(expression, name, opts).Parse();
}

}  // namespace portcullis::samples
