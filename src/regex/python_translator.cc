#include "python_translator.h"

#include <algorithm>
#include <cstdint>

#include "python_syntax.h"
#include "search_hints.h"
#include "text_util.h"

namespace portcullis::regex::internal {
namespace {

using Status = Result<void>;
constexpr size_t kNoAtom = std::string::npos;
constexpr std::string_view kLineStart = "(?<![^\\n])";  // Python's multiline `^`
// Python's \B also holds at the ends of the text (never in an empty text);
// Boost's never holds there.
constexpr std::string_view kNotBoundary = "(?!\\A\\z)(?:(?<=\\w)(?=\\w)|(?<!\\w)(?!\\w))";

struct Flags {
  bool multiline = false;
  bool dotall = false;
  bool verbose = false;
};

enum class GroupKind { kPlain, kConditional, kLookaround };

struct OpenGroup {
  Flags saved;
  int index = 0;          // capturing group number, 0 when not capturing
  size_t position = 0;    // of '(' in the Python pattern
  size_t out_start = 0;   // of '(' in the Boost pattern
  GroupKind kind = GroupKind::kPlain;
  int bars = 0;           // '|' seen directly inside a conditional
  size_t groups_before = 0;  // capturing groups opened before this one
};

// One item of a character class: a category such as \w, or one code point.
struct ClassItem {
  std::string category;  // Boost text of a category, empty for a literal
  uint32_t cp = 0;
  size_t begin = 0, end = 0;  // Python source span, for error messages
};

class Translator {
 public:
  Translator(std::string_view src, const CompileOptions& options) : src_(src) {
    flags_.multiline = options.multiline;
  }

  Result<Translation> Run() {
    while (pos_ < src_.size()) {
      if (auto status = Step(); !status) return std::unexpected(status.error());
    }
    if (!groups_.empty()) return Failure("missing ), unterminated subpattern", groups_.back().position);
    Translation t;
    t.global_flags = global_flags_;
    hints_.Finish(t, out_, global_flags_.find('i') != std::string::npos);
    t.pattern = std::move(out_);
    t.named = std::move(names_);
    std::sort(t.named.begin(), t.named.end());
    t.group_count = static_cast<int>(group_open_.size()) - 1;
    return t;
  }

 private:
  std::unexpected<Error> Failure(std::string message, size_t position) const {
    return Fail(Cat(message, " at position ", position), "", 0, std::string(src_));
  }

  bool More(size_t ahead = 0) const { return pos_ + ahead < src_.size(); }
  char At(size_t ahead = 0) const { return More(ahead) ? src_[pos_ + ahead] : '\0'; }

  Status Step() {
    if (flags_.verbose && SkipVerbose()) return {};
    const size_t at = pos_;
    switch (src_[pos_++]) {
      case '\\': pos_ = at; return Escape();
      case '[': pos_ = at; return CharClass();
      case '(': pos_ = at; return Open();
      case ')': pos_ = at; return Close();
      case '|': return Bar(at);
      case '*': return Repeat("*", at);
      case '+': return Repeat("+", at);
      case '?': return Repeat("?", at);
      case '{': pos_ = at; return Brace();
      case '}': Atom("\\}", false, "}"); return {};
      case ']': Atom("\\]", false, "]"); return {};
      case '.': Atom(flags_.dotall ? "." : "[^\\n]"); return {};
      case '^':
        if (flags_.multiline) Assertion(kLineStart, true);
        else Assertion("\\A");
        return {};
      case '$': Assertion(flags_.multiline ? "(?=\\n|\\z)" : "(?=\\n?\\z)"); return {};
      default: pos_ = at; LiteralBytes(); return {};
    }
  }

  // Verbose mode: blanks and `# comments` outside classes are not part of the pattern.
  bool SkipVerbose() {
    const char c = src_[pos_];
    if (c == '#') {
      while (More() && src_[pos_] != '\n') ++pos_;
      return true;
    }
    if (std::string_view(" \t\n\r\v\f").find(c) == std::string_view::npos) return false;
    ++pos_;
    return true;
  }

  // `literal` is the text the atom matches when it is a plain literal.
  void Atom(std::string_view text, bool multibyte = false, std::string_view literal = {}) {
    if (groups_.empty()) hints_.Atom(literal);
    atom_start_ = out_.size();
    out_ += text;
    atom_multibyte_ = multibyte;
    repeat_state_ = 0;
    started_ = true;
  }

  void Assertion(std::string_view text, bool line_start = false) {
    out_ += text;
    if (groups_.empty() && line_start) hints_.LineStart(out_.size());
    else if (groups_.empty()) hints_.Other();
    atom_start_ = kNoAtom;
    repeat_state_ = 0;
    started_ = true;
  }

  Status Bar(size_t at) {
    if (!groups_.empty() && groups_.back().kind == GroupKind::kConditional &&
        ++groups_.back().bars > 1)
      return Failure("conditional backref with more than two branches", at);
    if (groups_.empty()) hints_.Bar();
    Assertion("|");
    return {};
  }

  // A quantifier; a multi-byte character before it is wrapped so the whole
  // character repeats, as in Python.
  Status Repeat(std::string_view quantifier, size_t at) {
    if (repeat_state_ == 1 && (quantifier == "?" || quantifier == "+")) {
      out_ += quantifier;
      repeat_state_ = 2;
      return {};
    }
    if (repeat_state_ != 0) return Failure("multiple repeat", at);
    if (atom_start_ == kNoAtom) return Failure("nothing to repeat", at);
    if (groups_.empty()) hints_.Repeat(atom_start_);
    if (atom_multibyte_) {
      out_.insert(atom_start_, "(?:");
      out_ += ')';
      atom_multibyte_ = false;
    }
    out_ += quantifier;
    repeat_state_ = 1;
    return {};
  }

  // `{m,n}` is a quantifier only in Python's exact forms; else a literal `{`.
  Status Brace() {
    const size_t at = pos_;
    const auto brace = ReadBraceQuantifier(src_, at);
    ++pos_;
    if (!brace) {
      Atom("\\{", false, "{");
      return {};
    }
    pos_ = brace->end;
    const std::string lo(brace->min), hi(brace->max);
    if (!lo.empty() && !hi.empty() && std::stoull(lo) > std::stoull(hi))
      return Failure("min repeat greater than max repeat", at + 1);
    std::string q = "{" + (lo.empty() ? std::string("0") : lo);
    if (brace->comma) q += "," + hi;
    return Repeat(q + "}", at);
  }

  // Plain text; a multi-byte UTF-8 character is kept whole.
  void LiteralBytes() {
    const char c = src_[pos_];
    if (!IsHigh(c)) {
      ++pos_;
      Atom(std::string(1, c), false, std::string(1, c));
      return;
    }
    const size_t n = std::min(Utf8Length(c), src_.size() - pos_);
    Atom(src_.substr(pos_, n), n > 1, src_.substr(pos_, n));
    pos_ += n;
  }

  void Codepoint(uint32_t cp) {
    if (cp < 0x80) Atom(AsciiLiteral(cp), false, std::string(1, static_cast<char>(cp)));
    else Atom(Utf8(cp), true, Utf8(cp));
  }

  // \xhh, \uhhhh, \Uhhhhhhhh: exactly that many hex digits, as in Python.
  Result<uint32_t> HexEscape(char kind, size_t at) {
    const size_t digits = kind == 'x' ? 2 : kind == 'u' ? 4 : 8;
    uint32_t cp = 0;
    for (size_t i = 0; i < digits; ++i) {
      if (!More() || HexValue(At()) < 0)
        return Failure(Cat("incomplete escape ", src_.substr(at, pos_ - at)), at);
      cp = cp * 16 + HexValue(src_[pos_++]);
    }
    if (cp > 0x10ffff) return Failure(Cat("bad escape ", src_.substr(at, pos_ - at)), at);
    return cp;
  }

  // Up to `max` more octal digits after the first; Python caps the value at 0o377.
  Result<uint32_t> OctalEscape(uint32_t first, size_t max, size_t at) {
    uint32_t cp = first;
    for (size_t i = 0; i < max && More() && IsOctal(At()); ++i) cp = cp * 8 + (src_[pos_++] - '0');
    if (cp > 0377)
      return Failure(Cat("octal escape value ", src_.substr(at, pos_ - at),
                                 " outside of range 0-0o377"), at);
    return cp;
  }

  Status Escape() {
    const size_t at = pos_;
    if (!More(1)) return Failure("bad escape (end of pattern)", at);
    const char c = src_[pos_ + 1];
    pos_ += 2;
    switch (c) {
      case 'A': Assertion("\\A"); return {};
      case 'Z': Assertion("\\z"); return {};
      case 'b': Assertion("\\b"); return {};
      case 'B': Assertion(kNotBoundary); return {};
      case 'd': case 'D': case 's': case 'S': case 'w': case 'W':
        Atom(std::string("\\") + c);
        return {};
      case 'a': Codepoint(0x07); return {};
      case 'f': Codepoint(0x0c); return {};
      case 'n': Codepoint('\n'); return {};
      case 'r': Codepoint('\r'); return {};
      case 't': Codepoint('\t'); return {};
      case 'v': Codepoint(0x0b); return {};
      case 'x': case 'u': case 'U': {
        auto cp = HexEscape(c, at);
        if (!cp) return std::unexpected(cp.error());
        Codepoint(*cp);
        return {};
      }
      case 'N': return Failure("named Unicode escapes (\\N{...}) are not supported", at);
      default: break;
    }
    if (IsDigit(c)) return DigitEscape(c, at);
    if (IsAsciiAlpha(c)) return Failure(Cat("bad escape \\", c), at);
    if (IsHigh(c)) {
      pos_ = at + 1;  // `\é` is `é`
      LiteralBytes();
      return {};
    }
    Codepoint(static_cast<unsigned char>(c));
    return {};
  }

  // Python: `\0..` and three octal digits are octal, else a group reference.
  Status DigitEscape(char first, size_t at) {
    if (first == '0') {
      auto cp = OctalEscape(0, 2, at);
      if (!cp) return std::unexpected(cp.error());
      Codepoint(*cp);
      return {};
    }
    std::string digits(1, first);
    if (More() && IsDigit(At())) {
      digits += src_[pos_++];
      if (IsOctal(digits[0]) && IsOctal(digits[1]) && More() && IsOctal(At())) {
        digits += src_[pos_++];
        const uint32_t value = std::stoul(digits, nullptr, 8);
        if (value > 0377)
          return Failure(Cat("octal escape value \\", digits, " outside of range 0-0o377"), at);
        Codepoint(value);
        return {};
      }
    }
    const int group = std::stoi(digits);
    if (group >= static_cast<int>(group_open_.size()))
      return Failure(Cat("invalid group reference ", group), at + 1);
    if (group_open_[group]) return Failure("cannot refer to an open group", at);
    Atom(Cat("\\g{", group, "}"));
    return {};
  }

  Result<ClassItem> ClassEscape() {
    ClassItem item{.begin = pos_};
    const size_t at = pos_;
    if (!More(1)) return Failure("unterminated character set", class_start_);
    const char c = src_[pos_ + 1];
    pos_ += 2;
    static constexpr std::string_view kSimple = "abfnrtv\\";
    static constexpr uint32_t kSimpleValue[] = {0x07, 0x08, 0x0c, '\n', '\r', '\t', 0x0b, '\\'};
    if (std::string_view("dDsSwW").find(c) != std::string_view::npos) {
      item.category = std::string("\\") + c;
    } else if (auto i = kSimple.find(c); i != std::string_view::npos) {
      item.cp = kSimpleValue[i];
    } else if (c == 'x' || c == 'u' || c == 'U') {
      auto cp = HexEscape(c, at);
      if (!cp) return std::unexpected(cp.error());
      item.cp = *cp;
    } else if (IsOctal(c)) {
      auto cp = OctalEscape(c - '0', 2, at);
      if (!cp) return std::unexpected(cp.error());
      item.cp = *cp;
    } else if (c == 'N') {
      return Failure("named Unicode escapes (\\N{...}) are not supported", at);
    } else if (IsAsciiAlnum(c)) {
      return Failure(Cat("bad escape \\", c), at);
    } else if (IsHigh(c)) {
      pos_ = at + 1;
      return ClassChar();
    } else {
      item.cp = static_cast<unsigned char>(c);
    }
    item.end = pos_;
    return item;
  }

  Result<ClassItem> ClassChar() {
    ClassItem item{.begin = pos_};
    const size_t n = std::min(Utf8Length(src_[pos_]), src_.size() - pos_);
    item.cp = DecodeUtf8(src_.substr(pos_, n));
    pos_ += n;
    item.end = pos_;
    return item;
  }

  Result<ClassItem> ClassAtom() {
    if (!More()) return Failure("unterminated character set", class_start_);
    return src_[pos_] == '\\' ? ClassEscape() : ClassChar();
  }

  static std::string ClassText(const ClassItem& item) {
    return item.category.empty() ? ClassLiteral(item.cp) : item.category;
  }

  // `[...]`: items re-emitted so Boost reads them as Python does (no POSIX
  // classes, `]` first is literal, `-` at the end is literal).
  Status CharClass() {
    class_start_ = pos_++;
    std::string out = "[";
    if (At() == '^') {
      out += '^';
      ++pos_;
    }
    for (bool first = true;; first = false) {
      if (!More()) return Failure("unterminated character set", class_start_);
      if (src_[pos_] == ']' && !first) {
        ++pos_;
        break;
      }
      auto lo = ClassAtom();
      if (!lo) return std::unexpected(lo.error());
      if (At() != '-') {
        out += ClassText(*lo);
        continue;
      }
      ++pos_;
      if (!More()) return Failure("unterminated character set", class_start_);
      if (src_[pos_] == ']') {
        out += ClassText(*lo) + "\\-";
        continue;
      }
      auto hi = ClassAtom();
      if (!hi) return std::unexpected(hi.error());
      auto range = Range(*lo, *hi);
      if (!range) return std::unexpected(range.error());
      out += *range;
    }
    Atom(out + "]");
    return {};
  }

  Result<std::string> Range(const ClassItem& lo, const ClassItem& hi) const {
    const std::string_view text = src_.substr(lo.begin, hi.end - lo.begin);
    if (!lo.category.empty() || !hi.category.empty() || hi.cp < lo.cp)
      return Failure(Cat("bad character range ", text), lo.begin);
    if (hi.cp >= 0x80)
      return Failure(Cat("non-ASCII character range ", text, " is not supported"), lo.begin);
    return ClassLiteral(lo.cp) + "-" + ClassLiteral(hi.cp);
  }

  void Push(GroupKind kind, int index, size_t at, std::string_view text) {
    if (groups_.empty()) hints_.GroupOpened(kind == GroupKind::kLookaround);
    groups_.push_back({flags_, index, at, out_.size(), kind, 0, group_open_.size()});
    out_ += text;
    atom_start_ = kNoAtom;
    repeat_state_ = 0;
    started_ = true;
  }

  int NewGroup() {
    group_open_.push_back(true);
    return static_cast<int>(group_open_.size()) - 1;
  }

  Status Open() {
    const size_t at = pos_++;
    if (At() != '?') {
      Push(GroupKind::kPlain, NewGroup(), at, "(");
      return {};
    }
    ++pos_;
    if (!More()) return Failure("unexpected end of pattern", pos_);
    const char c = src_[pos_++];
    switch (c) {
      case ':': Push(GroupKind::kPlain, 0, at, "(?:"); return {};
      case '>': Push(GroupKind::kPlain, 0, at, "(?>"); return {};
      case '=': Push(GroupKind::kLookaround, 0, at, "(?="); return {};
      case '!': Push(GroupKind::kLookaround, 0, at, "(?!"); return {};
      case 'P': return PythonExtension(at);
      case '#': return Comment(at);
      case '<': return Lookbehind(at);
      case '(': return Conditional(at);
      default: break;
    }
    if (std::string_view("aiLmsux-").find(c) != std::string_view::npos) return InlineFlags(at, c);
    return Failure(Cat("unknown extension ?", c), at + 1);
  }

  // Reads a group name up to `terminator`; pos_ is left after it.
  Result<std::string> GroupName(char terminator) {
    const size_t begin = pos_;
    const size_t end = src_.find(terminator, pos_);
    if (end == std::string_view::npos) {
      if (begin == src_.size()) return Failure("missing group name", begin);
      return Failure(Cat("missing ", terminator, ", unterminated name"), begin);
    }
    std::string name(src_.substr(begin, end - begin));
    if (name.empty()) return Failure("missing group name", begin);
    pos_ = end + 1;
    if (!ValidGroupName(name))
      return Failure(Cat("bad character in group name '", name, "'"), begin);
    return name;
  }

  int NamedIndex(std::string_view name) const {
    for (const auto& [n, index] : names_)
      if (n == name) return index;
    return -1;
  }

  Status PythonExtension(size_t at) {
    if (!More()) return Failure("unexpected end of pattern", pos_);
    const char c = src_[pos_++];
    if (c != '<' && c != '=') return Failure(Cat("unknown extension ?P", c), at + 1);
    const size_t name_at = pos_;
    auto name = GroupName(c == '<' ? '>' : ')');
    if (!name) return std::unexpected(name.error());
    const int known = NamedIndex(*name);
    if (c == '=') {
      if (known < 0) return Failure(Cat("unknown group name '", *name, "'"), name_at);
      if (group_open_[known]) return Failure("cannot refer to an open group", name_at);
      Atom("\\k<" + *name + ">");
      return {};
    }
    const int index = NewGroup();
    if (known >= 0)
      return Failure(Cat("redefinition of group name '", *name, "' as group ", index,
                                 "; was group ", known), name_at);
    names_.emplace_back(*name, index);
    Push(GroupKind::kPlain, index, at, "(?<" + *name + ">");
    return {};
  }

  Status Comment(size_t at) {
    const size_t end = src_.find(')', pos_);
    if (end == std::string_view::npos) return Failure("missing ), unterminated comment", at);
    pos_ = end + 1;
    return {};
  }

  Status Lookbehind(size_t at) {
    const char c = At();
    if (c != '=' && c != '!') return Failure(Cat("unknown extension ?<", c), at + 1);
    ++pos_;
    Push(GroupKind::kLookaround, 0, at, c == '=' ? "(?<=" : "(?<!");
    return {};
  }

  // (?(name)yes|no) -> (?(<name>)yes|no); (?(1)yes|no) is the same in both.
  Status Conditional(size_t at) {
    const size_t name_at = pos_;
    const size_t end = src_.find(')', pos_);
    if (end == std::string_view::npos) return Failure("missing ), unterminated name", name_at);
    const std::string name(src_.substr(pos_, end - pos_));
    pos_ = end + 1;
    if (ValidGroupName(name)) {
      if (NamedIndex(name) < 0) return Failure(Cat("unknown group name '", name, "'"), name_at);
      Push(GroupKind::kConditional, 0, at, "(?(<" + name + ">)");
      return {};
    }
    if (name.empty() || !std::all_of(name.begin(), name.end(), IsDigit))
      return Failure(Cat("bad character in group name '", name, "'"), name_at);
    if (std::stoull(name) == 0) return Failure("bad group number", name_at);
    Push(GroupKind::kConditional, 0, at, "(?(" + name + ")");
    return {};
  }

  // (?aiLmsux) global or (?flags-flags:...) scoped. Boost gets i and s; m and x
  // are applied by this translator; a and u do not change the translation.
  Status InlineFlags(size_t at, char c) {
    std::string on, off;
    bool negative = false;
    for (;; c = src_[pos_++]) {
      if (c == ')' && !negative) return GlobalFlags(at, on);
      if (c == ':') break;
      if (c == '-' && !negative) {
        negative = true;
      } else if (c == 'L') {
        return Failure("bad inline flags: cannot use 'L' flag with a str pattern", pos_);
      } else if (std::string_view("aimsux").find(c) != std::string_view::npos) {
        if (negative && (c == 'a' || c == 'u'))
          return Failure("bad inline flags: cannot turn off flags 'a', 'u' and 'L'", pos_);
        (negative ? off : on) += c;
      } else {
        return Failure(IsAsciiAlpha(c) ? "unknown flag" : "missing -, : or )", pos_ - 1);
      }
      if (!More()) return Failure(negative ? "missing :" : "missing -, : or )", pos_);
    }
    if (on.find('a') != std::string::npos && on.find('u') != std::string::npos)
      return Failure("bad inline flags: flags 'a', 'u' and 'L' are incompatible", pos_);
    Push(GroupKind::kPlain, 0, at, "(?" + BoostFlags(on, off) + ":");
    ApplyFlags(on, true);
    ApplyFlags(off, false);
    return {};
  }

  Status GlobalFlags(size_t at, std::string_view on) {
    if (started_ || !groups_.empty())
      return Failure("global flags not at the start of the expression", at);
    ApplyFlags(on, true);
    global_flags_ += BoostFlags(on, "");
    return {};
  }

  static std::string BoostFlags(std::string_view on, std::string_view off) {
    auto keep = [](std::string_view flags) {
      std::string kept;
      for (char f : flags)
        if (f == 'i' || f == 's') kept += f;
      return kept;
    };
    std::string text = keep(on);
    if (const std::string removed = keep(off); !removed.empty()) text += "-" + removed;
    return text;
  }

  void ApplyFlags(std::string_view flags, bool value) {
    for (char f : flags) {
      if (f == 'm') flags_.multiline = value;
      if (f == 's') flags_.dotall = value;
      if (f == 'x') flags_.verbose = value;
    }
  }

  Status Close() {
    if (groups_.empty()) return Failure("unbalanced parenthesis", pos_);
    ++pos_;
    const OpenGroup group = groups_.back();
    groups_.pop_back();
    flags_ = group.saved;
    if (group.index > 0) group_open_[group.index] = false;
    out_ += ')';
    if (groups_.empty()) {
      const bool pure = group.kind == GroupKind::kLookaround && group.groups_before == group_open_.size();
      hints_.GroupClosed(pure, out_.size());
    }
    atom_start_ = group.out_start;
    atom_multibyte_ = false;
    repeat_state_ = 0;
    return {};
  }

  std::string_view src_;
  size_t pos_ = 0;
  std::string out_;
  Flags flags_;
  std::vector<OpenGroup> groups_;
  std::vector<bool> group_open_{false};  // index = group number; [0] is the whole match
  std::vector<std::pair<std::string, int>> names_;
  size_t atom_start_ = kNoAtom;  // where the last repeatable item starts in out_
  bool atom_multibyte_ = false;
  int repeat_state_ = 0;         // 0 none, 1 after a quantifier, 2 after its ? or +
  bool started_ = false;         // anything but global flags seen
  std::string global_flags_;     // Boost flags (i, s) of leading global flag groups
  SearchHints hints_;
  size_t class_start_ = 0;
};

}  // namespace

Result<Translation> Translate(std::string_view python, const CompileOptions& options) {
  return Translator(python, options).Run();
}

}  // namespace portcullis::regex::internal
