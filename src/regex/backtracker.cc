#include "backtracker.h"

#include <algorithm>
#include <array>
#include <climits>
#include <cstring>
#include <iterator>
#include <map>
#include <set>

#include "python_syntax.h"

namespace portcullis::regex::internal {
namespace {

constexpr int kUnrolledRepeat = 4;  // repeats up to this count are emitted as copies
constexpr size_t kMaxNodes = 100000;  // a larger program is left to Boost (stock filters': < 200)
constexpr size_t kMaxSteps = 1000000;  // then Boost decides (and applies its own limit)
// A choice-free start of more runs than this is left to a selective prefilter.
constexpr int kCheapLinearRuns = 2;
constexpr int kMaxDepth = 3000;        // recursion: one level per open choice point

// The classes PythonTraits gives Boost: bytes >= 0x80 are word characters, \s has the
// ASCII separators 0x1c-0x1f, \d is 0-9.
bool IsWordByte(uint8_t c) {
  return c >= 0x80 || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}
bool IsSpaceByte(uint8_t c) { return c == ' ' || (c >= '\t' && c <= '\r') || (c >= 0x1c && c <= 0x1f); }
uint8_t Fold(uint8_t c) { return c >= 'A' && c <= 'Z' ? c + 32 : c; }

ByteSet CategorySet(char category) {
  ByteSet s;
  const char lower = static_cast<char>(category | 0x20);
  for (unsigned c = 0; c < 256; ++c) {
    const auto b = static_cast<uint8_t>(c);
    const bool in = lower == 'd' ? (b >= '0' && b <= '9') : lower == 's' ? IsSpaceByte(b) : IsWordByte(b);
    if (in) s.Add(b);
  }
  if (category != lower) s.Invert();
  return s;
}

void FoldSet(ByteSet& s) {
  for (unsigned c = 'a'; c <= 'z'; ++c) {
    if (s.Has(static_cast<uint8_t>(c)) || s.Has(static_cast<uint8_t>(c - 32))) {
      s.Add(static_cast<uint8_t>(c));
      s.Add(static_cast<uint8_t>(c - 32));
    }
  }
}

enum class AssertKind : uint8_t { kTextStart, kLineStart, kDollar, kLineEnd, kTextEnd, kWordBoundary, kNotWordBoundary };

// The parsed pattern.
struct Ast {
  enum class Kind { kEmpty, kSet, kLiteral, kAssert, kGroup, kConcat, kAlt, kRepeat, kLook, kBackref, kCond };
  Kind kind = Kind::kEmpty;
  ByteSet set;
  bool single_char = false;  // a kSet standing for one literal byte (merged into literals)
  std::string literal;
  AssertKind assertion = AssertKind::kTextStart;
  int group = 0;  // kGroup: capturing index (0: not capturing); kBackref, kCond: the group
  int min = 0, max = -1;
  bool greedy = true, ahead = true, negate = false;
  bool fold = false;  // kLiteral, kBackref: compared ignoring ASCII case
  bool host = false;  // kGroup: fail2ban's <HOST>, exactly as ExpandTags writes it
  std::vector<std::unique_ptr<Ast>> kids;
};

// fail2ban's <HOST> (Regex._resolveHostTag with usedns on): an IPv4 address, an IPv6
// one, or a DNS name. Nearly every failregex reads one, nearly always an IPv4 address.
constexpr std::string_view kHostGroup =
    R"((?:\[?(?:(?:::f{4,6}:)?(?P<ip4>(?:\d{1,3}\.){3}\d{1,3})|(?P<ip6>(?:[0-9a-fA-F]{1,4}::?|::){1,7})"
    R"((?:[0-9a-fA-F]{1,4}|(?<=:):)))\]?|(?P<dns>[\w\-.^_]*\w)))";
using AstPtr = std::unique_ptr<Ast>;

AstPtr Make(Ast::Kind kind) {
  auto a = std::make_unique<Ast>();
  a->kind = kind;
  return a;
}

// Python `re` syntax, the subset this matcher runs; anything else fails the parse.
class Parser {
 public:
  Parser(std::string_view src, bool multiline, bool icase) : src_(src), multiline_(multiline), icase_(icase) {}

  AstPtr Run() {
    GlobalFlags();
    AstPtr root = Alternation();
    if (!ok_ || pos_ != src_.size()) return nullptr;
    return root;
  }
  int groups() const { return groups_; }

 private:
  AstPtr New(Ast::Kind kind) const {
    AstPtr a = Make(kind);
    a->fold = icase_;
    return a;
  }

  bool More() const { return pos_ < src_.size(); }
  char At(size_t ahead = 0) const { return pos_ + ahead < src_.size() ? src_[pos_ + ahead] : '\0'; }
  AstPtr Bad() {
    ok_ = false;
    return nullptr;
  }

  // Leading `(?iu)`-style groups; the translator has already rejected misplaced ones.
  void GlobalFlags() {
    while (src_.substr(pos_, 2) == "(?") {
      size_t i = pos_ + 2;
      while (i < src_.size() && std::string_view("aimsuL").find(src_[i]) != std::string_view::npos) ++i;
      if (i == pos_ + 2 || i >= src_.size() || src_[i] != ')') return;
      for (size_t j = pos_ + 2; j < i; ++j) {
        if (src_[j] == 'i') icase_ = true;
        if (src_[j] == 'm') multiline_ = true;
        if (src_[j] == 's') dotall_ = true;
      }
      pos_ = i + 1;
    }
  }

  AstPtr Alternation() {
    auto alt = New(Ast::Kind::kAlt);
    alt->kids.push_back(Sequence());
    while (ok_ && At() == '|' && More()) {
      ++pos_;
      alt->kids.push_back(Sequence());
    }
    if (!ok_) return nullptr;
    if (alt->kids.size() == 1) return std::move(alt->kids[0]);
    return alt;
  }

  AstPtr Sequence() {
    auto seq = New(Ast::Kind::kConcat);
    while (ok_ && More() && At() != '|' && At() != ')') {
      AstPtr atom = Atom();
      if (!ok_) return nullptr;
      if (!atom) continue;  // a comment
      atom = Quantified(std::move(atom));
      if (!ok_) return nullptr;
      seq->kids.push_back(std::move(atom));
    }
    return seq;
  }

  // A quantifier brace at pos_: true with the bounds (hi -1: none); false for a literal
  // `{` and for counts too large to unroll (Boost runs those).
  bool Brace(size_t& end, int& lo, int& hi) {
    const auto brace = ReadBraceQuantifier(src_, pos_);
    if (!brace) return false;
    if (brace->min.size() > 6 || brace->max.size() > 6) {
      ok_ = false;
      return false;
    }
    lo = brace->min.empty() ? 0 : std::stoi(std::string(brace->min));
    hi = brace->comma ? (brace->max.empty() ? -1 : std::stoi(std::string(brace->max))) : lo;
    end = brace->end;
    return true;
  }

  AstPtr Quantified(AstPtr atom) {
    const char c = At();
    int lo = 0, hi = -1;
    if (c == '*' || c == '+' || c == '?') {
      lo = c == '+' ? 1 : 0;
      hi = c == '?' ? 1 : -1;
      ++pos_;
    } else if (c == '{') {
      size_t end = 0;
      if (!Brace(end, lo, hi)) return atom;
      pos_ = end;
    } else {
      return atom;
    }
    if (atom->kind == Ast::Kind::kAssert || atom->kind == Ast::Kind::kLook) return Bad();
    bool greedy = true;
    if (At() == '?') {
      greedy = false;
      ++pos_;
    } else if (At() == '+') {
      return Bad();  // possessive
    }
    if (At() == '*' || At() == '+' || At() == '?' || At() == '{') return Bad();
    auto rep = New(Ast::Kind::kRepeat);
    rep->min = lo;
    rep->max = hi;
    rep->greedy = greedy;
    rep->kids.push_back(std::move(atom));
    return rep;
  }

  AstPtr Char(uint8_t c) {
    auto a = New(Ast::Kind::kSet);
    a->set.Add(c);
    if (icase_) FoldSet(a->set);
    a->single_char = true;
    a->literal = std::string(1, static_cast<char>(c));
    return a;
  }

  AstPtr Codepoint(uint32_t cp) {
    if (cp < 0x80) return Char(static_cast<uint8_t>(cp));
    auto a = New(Ast::Kind::kLiteral);
    a->literal = Utf8(cp);
    return a;
  }

  AstPtr Assertion(AssertKind kind) {
    auto a = New(Ast::Kind::kAssert);
    a->assertion = kind;
    return a;
  }

  AstPtr Set(ByteSet s) {
    auto a = New(Ast::Kind::kSet);
    a->set = s;
    return a;
  }

  AstPtr Atom() {
    const char c = src_[pos_];
    switch (c) {
      case '(': return Group();
      case '[': return Class();
      case '.': {
        ++pos_;
        ByteSet s;
        s.Invert();
        if (!dotall_) s.w[0] &= ~(uint64_t{1} << '\n');
        return Set(s);
      }
      case '^': ++pos_; return Assertion(multiline_ ? AssertKind::kLineStart : AssertKind::kTextStart);
      case '$': ++pos_; return Assertion(multiline_ ? AssertKind::kLineEnd : AssertKind::kDollar);
      case '\\': return Escape();
      case '*': case '+': case '?': return Bad();
      case '{': {
        size_t end = 0;
        int lo = 0, hi = 0;
        if (Brace(end, lo, hi)) return Bad();
        ++pos_;
        return Char('{');
      }
      default: break;
    }
    const auto u = static_cast<uint8_t>(c);
    if (u < 0x80) {
      ++pos_;
      return Char(u);
    }
    const size_t n = std::min(Utf8Length(c), src_.size() - pos_);
    auto a = New(Ast::Kind::kLiteral);
    a->literal = std::string(src_.substr(pos_, n));
    pos_ += n;
    return a;
  }

  bool Hex(size_t digits, uint32_t& cp) {
    cp = 0;
    for (size_t i = 0; i < digits; ++i) {
      if (HexValue(At()) < 0) return false;
      cp = cp * 16 + static_cast<uint32_t>(HexValue(src_[pos_++]));
    }
    return cp <= 0x10ffff;
  }

  AstPtr Escape() {
    if (pos_ + 1 >= src_.size()) return Bad();
    const char c = src_[pos_ + 1];
    pos_ += 2;
    switch (c) {
      case 'A': return Assertion(AssertKind::kTextStart);
      case 'Z': return Assertion(AssertKind::kTextEnd);
      case 'b': return Assertion(AssertKind::kWordBoundary);
      case 'B': return Assertion(AssertKind::kNotWordBoundary);
      case 'd': case 'D': case 's': case 'S': case 'w': case 'W': return Set(CategorySet(c));
      case 'a': return Char(0x07);
      case 'f': return Char(0x0c);
      case 'n': return Char('\n');
      case 'r': return Char('\r');
      case 't': return Char('\t');
      case 'v': return Char(0x0b);
      case 'x': case 'u': case 'U': {
        uint32_t cp = 0;
        if (!Hex(c == 'x' ? 2 : c == 'u' ? 4 : 8, cp)) return Bad();
        return Codepoint(cp);
      }
      default: break;
    }
    if (IsDigit(c)) return DigitEscape(c);
    if (IsAsciiAlpha(c)) return Bad();
    if (IsHigh(c)) {
      --pos_;
      return Atom();  // `\é` is `é`
    }
    return Char(static_cast<uint8_t>(c));
  }

  // Python: `\0..` and three octal digits are octal, else a group reference.
  AstPtr DigitEscape(char first) {
    if (first == '0') {
      uint32_t cp = 0;
      for (int i = 0; i < 2 && IsOctal(At()); ++i) cp = cp * 8 + static_cast<uint32_t>(src_[pos_++] - '0');
      return Codepoint(cp);
    }
    std::string digits(1, first);
    if (IsDigit(At())) {
      digits += src_[pos_++];
      if (IsOctal(digits[0]) && IsOctal(digits[1]) && IsOctal(At())) {
        digits += src_[pos_++];
        const auto cp = static_cast<uint32_t>(std::stoul(digits, nullptr, 8));
        if (cp > 0377) return Bad();
        return Codepoint(cp);
      }
    }
    const int group = std::stoi(digits);
    if (group > groups_) return Bad();
    auto a = New(Ast::Kind::kBackref);
    a->group = group;
    return a;
  }

  // One class item: a byte (returned) or a category merged into `s` (-1).
  int ClassItem(ByteSet& s) {
    if (!More()) return -2;
    const char c = src_[pos_];
    if (static_cast<uint8_t>(c) >= 0x80) return -2;
    if (c != '\\') {
      ++pos_;
      return static_cast<uint8_t>(c);
    }
    if (pos_ + 1 >= src_.size()) return -2;
    const char e = src_[pos_ + 1];
    pos_ += 2;
    if (std::string_view("dDsSwW").find(e) != std::string_view::npos) {
      s.Merge(CategorySet(e));
      return -1;
    }
    static constexpr std::string_view kSimple = "abfnrtv\\";
    static constexpr int kSimpleValue[] = {0x07, 0x08, 0x0c, '\n', '\r', '\t', 0x0b, '\\'};
    if (auto i = kSimple.find(e); i != std::string_view::npos) return kSimpleValue[i];
    if (e == 'x' || e == 'u' || e == 'U') {
      uint32_t cp = 0;
      if (!Hex(e == 'x' ? 2 : e == 'u' ? 4 : 8, cp) || cp >= 0x80) return -2;
      return static_cast<int>(cp);
    }
    if (IsOctal(e)) {
      uint32_t cp = static_cast<uint32_t>(e - '0');
      for (int i = 0; i < 2 && IsOctal(At()); ++i) cp = cp * 8 + static_cast<uint32_t>(src_[pos_++] - '0');
      return cp < 0x80 ? static_cast<int>(cp) : -2;
    }
    if (IsAsciiAlnum(e) || static_cast<uint8_t>(e) >= 0x80) return -2;
    return static_cast<uint8_t>(e);
  }

  AstPtr Class() {
    ++pos_;
    bool negate = false;
    if (At() == '^') {
      negate = true;
      ++pos_;
    }
    ByteSet s;
    for (bool first = true;; first = false) {
      if (!More()) return Bad();
      if (src_[pos_] == ']' && !first) {
        ++pos_;
        break;
      }
      const int lo = ClassItem(s);
      if (lo == -2) return Bad();
      if (At() != '-' || lo == -1) {
        if (lo == -1 && At() == '-' && At(1) != ']') return Bad();  // a range from a category
        if (lo >= 0) s.Add(static_cast<uint8_t>(lo));
        continue;
      }
      ++pos_;
      if (!More()) return Bad();
      if (src_[pos_] == ']') {
        s.Add(static_cast<uint8_t>(lo));
        s.Add('-');
        continue;
      }
      const int hi = ClassItem(s);
      if (hi < 0 || hi < lo) return Bad();
      s.AddRange(static_cast<unsigned>(lo), static_cast<unsigned>(hi));
    }
    if (icase_) FoldSet(s);
    if (negate) s.Invert();
    return Set(s);
  }

  std::optional<int> NamedGroup(std::string_view name) const {
    for (const auto& [n, index] : names_)
      if (n == name) return index;
    return std::nullopt;
  }

  AstPtr Group() {
    const size_t start = pos_;
    ++pos_;
    auto g = New(Ast::Kind::kGroup);
    if (At() != '?') {
      g->group = ++groups_;
    } else if (At(1) == ':') {
      pos_ += 2;
    } else if (At(1) == 'P' && At(2) == '<') {
      const size_t end = src_.find('>', pos_ + 3);
      if (end == std::string_view::npos) return Bad();
      g->group = ++groups_;
      names_.emplace_back(std::string(src_.substr(pos_ + 3, end - pos_ - 3)), g->group);
      pos_ = end + 1;
    } else if (At(1) == 'P' && At(2) == '=') {
      const size_t end = src_.find(')', pos_ + 3);
      if (end == std::string_view::npos) return Bad();
      auto index = NamedGroup(src_.substr(pos_ + 3, end - pos_ - 3));
      if (!index) return Bad();
      pos_ = end + 1;
      auto a = New(Ast::Kind::kBackref);
      a->group = *index;
      return a;
    } else if (At(1) == '#') {
      const size_t end = src_.find(')', pos_);
      if (end == std::string_view::npos) return Bad();
      pos_ = end + 1;
      return nullptr;
    } else if (At(1) == '=' || At(1) == '!') {
      g->kind = Ast::Kind::kLook;
      g->negate = At(1) == '!';
      pos_ += 2;
    } else if (At(1) == '<' && (At(2) == '=' || At(2) == '!')) {
      g->kind = Ast::Kind::kLook;
      g->ahead = false;
      g->negate = At(2) == '!';
      pos_ += 3;
    } else if (At(1) == '(') {
      return Conditional();
    } else if (std::string_view("aimsu-").find(At(1)) != std::string_view::npos) {
      return ScopedFlags();
    } else {
      return Bad();  // atomic groups, scoped flags
    }
    g->kids.push_back(Alternation());
    if (!ok_ || At() != ')' || !More()) return Bad();
    ++pos_;
    g->host = !icase_ && g->group == 0 && src_.substr(start, pos_ - start) == kHostGroup;
    return g;
  }

  // (?i:...), (?-i:...) and the like (not x: verbose mode is left to Boost).
  AstPtr ScopedFlags() {
    const bool saved_icase = icase_, saved_multiline = multiline_, saved_dotall = dotall_;
    bool on = true;
    for (pos_ += 1; More() && At() != ':'; ++pos_) {
      const char f = At();
      if (f == '-') on = false;
      else if (f == 'i') icase_ = on;
      else if (f == 'm') multiline_ = on;
      else if (f == 's') dotall_ = on;
      else if (f != 'a' && f != 'u') return Bad();
    }
    if (!More()) return Bad();
    ++pos_;
    auto g = New(Ast::Kind::kGroup);
    g->kids.push_back(Alternation());
    icase_ = saved_icase;
    multiline_ = saved_multiline;
    dotall_ = saved_dotall;
    if (!ok_ || At() != ')' || !More()) return Bad();
    ++pos_;
    return g;
  }

  // (?(name)yes|no) or (?(1)yes|no): kCond with kids yes and no (the translator has
  // checked the reference and that there are at most two branches).
  AstPtr Conditional() {
    const size_t end = src_.find(')', pos_ + 2);
    if (end == std::string_view::npos) return Bad();
    const std::string_view ref = src_.substr(pos_ + 2, end - pos_ - 2);
    auto cond = New(Ast::Kind::kCond);
    if (auto index = NamedGroup(ref)) {
      cond->group = *index;
    } else if (!ref.empty() && ref.size() < 4 && std::all_of(ref.begin(), ref.end(), IsDigit)) {
      cond->group = std::stoi(std::string(ref));
      if (cond->group < 1 || cond->group > groups_) return Bad();
    } else {
      return Bad();
    }
    pos_ = end + 1;
    auto yes = Sequence();
    AstPtr no = New(Ast::Kind::kEmpty);
    if (ok_ && At() == '|' && More()) {
      ++pos_;
      no = Sequence();
    }
    if (!ok_ || At() != ')' || !More()) return Bad();
    ++pos_;
    cond->kids.push_back(std::move(yes));
    cond->kids.push_back(std::move(no));
    return cond;
  }

  std::string_view src_;
  size_t pos_ = 0;
  bool multiline_, icase_, dotall_ = false;
  bool ok_ = true;
  int groups_ = 0;
  std::vector<std::pair<std::string, int>> names_;
};

// Width in bytes of what `a` matches when that is fixed (look-behind bodies).
std::optional<int> FixedWidth(const Ast& a) {
  switch (a.kind) {
    case Ast::Kind::kEmpty: case Ast::Kind::kAssert: case Ast::Kind::kLook: return 0;
    case Ast::Kind::kSet: return 1;
    case Ast::Kind::kLiteral: return static_cast<int>(a.literal.size());
    case Ast::Kind::kGroup: return FixedWidth(*a.kids[0]);
    case Ast::Kind::kBackref: return std::nullopt;
    case Ast::Kind::kCond: {
      auto yes = FixedWidth(*a.kids[0]), no = FixedWidth(*a.kids[1]);
      if (!yes || !no || *yes != *no) return std::nullopt;
      return yes;
    }
    case Ast::Kind::kConcat: {
      int sum = 0;
      for (const auto& k : a.kids) {
        auto w = FixedWidth(*k);
        if (!w) return std::nullopt;
        sum += *w;
      }
      return sum;
    }
    case Ast::Kind::kAlt: {
      std::optional<int> width;
      for (const auto& k : a.kids) {
        auto w = FixedWidth(*k);
        if (!w || (width && *width != *w)) return std::nullopt;
        width = w;
      }
      return width;
    }
    case Ast::Kind::kRepeat: {
      auto w = FixedWidth(*a.kids[0]);
      if (!w || a.min != a.max) return std::nullopt;
      return *w * a.min;
    }
  }
  return std::nullopt;
}

// The fewest bytes `a` can match (0 where unsure: a backreference).
int MinWidth(const Ast& a) {
  switch (a.kind) {
    case Ast::Kind::kEmpty: case Ast::Kind::kAssert: case Ast::Kind::kLook: case Ast::Kind::kBackref: return 0;
    case Ast::Kind::kSet: return 1;
    case Ast::Kind::kLiteral: return static_cast<int>(a.literal.size());
    case Ast::Kind::kGroup: return MinWidth(*a.kids[0]);
    case Ast::Kind::kCond: return std::min(MinWidth(*a.kids[0]), MinWidth(*a.kids[1]));
    case Ast::Kind::kConcat: {
      int sum = 0;
      for (const auto& k : a.kids) sum += MinWidth(*k);
      return sum;
    }
    case Ast::Kind::kAlt: {
      int least = INT_MAX;
      for (const auto& k : a.kids) least = std::min(least, MinWidth(*k));
      return least == INT_MAX ? 0 : least;
    }
    case Ast::Kind::kRepeat: return a.min * MinWidth(*a.kids[0]);
  }
  return 0;
}

// A repeat's body without the non-capturing groups around it: a set there makes the
// repeat a run of one class (Emitter::Repeat's `single`).
const Ast& RepeatedPart(const Ast& body) {
  const Ast* inner = &body;
  while (inner->kind == Ast::Kind::kGroup && inner->group == 0) inner = inner->kids[0].get();
  return *inner;
}

// Whether `a` holds a repeat other than of one class (`\d{1,3}` is a run, not copies):
// copies of copies would grow as the product of their counts.
bool HoldsLoops(const Ast& a) {
  if (a.kind == Ast::Kind::kRepeat && RepeatedPart(*a.kids[0]).kind != Ast::Kind::kSet) return true;
  for (const auto& k : a.kids)
    if (HoldsLoops(*k)) return true;
  return false;
}

// Whether `a` captures or reads a capture (a group, a backreference, a conditional).
bool TouchesGroups(const Ast& a) {
  if ((a.kind == Ast::Kind::kGroup && a.group != 0) || a.kind == Ast::Kind::kBackref || a.kind == Ast::Kind::kCond)
    return true;
  for (const auto& k : a.kids)
    if (TouchesGroups(*k)) return true;
  return false;
}

enum class Op : uint8_t {
  kSet, kLiteral, kAssert, kOpen, kClose, kAlt, kRepeat, kRepeatTail, kLook, kPeek, kBackref, kCond, kSucceed, kMatch,
  // <HOST>'s first choice for an IPv4 address taken at once (group `arg`, then `next`);
  // when that fails, or the text is not one, `body`: <HOST> as written.
  kHostIp4
};

// One test of a kPeek: an assertion, or the next byte in a set.
struct PeekTest {
  bool is_set = false;
  AssertKind assertion = AssertKind::kTextStart;
  int set = 0;
};

struct Node {
  Op op = Op::kMatch;
  AssertKind assertion = AssertKind::kTextStart;
  bool greedy = true, single = false, negate = false, behind = false, fold = false;
  int next = -1;
  int arg = 0;   // set / literal index, group, repeat node (tail), first branch (alt)
  int count = 0;  // alt: branches
  int min = 0, max = -1;
  int body = -1;
  int other = -1;  // conditional: the branch taken when the group did not match
  int reg = 0;    // repeat: its two loop registers
  int width = 0;  // look-behind: its width; alternation: its alt_masks index
  // Single repeat: its class is every byte (256), every byte but one (that byte), or
  // other (-1): `.*` and `[^"]*` scan with memchr.
  int run = -1;
};

}  // namespace

struct Backtracker::Program {
  std::vector<Node> nodes;
  std::vector<ByteSet> sets;
  std::vector<std::string> literals;  // lower-cased when their node folds
  std::vector<int> branches;
  std::vector<PeekTest> peeks;
  int start = 0;
  int groups = 0;
  int registers = 0;
  bool anchored = false;
  bool replay = false;    // anchored searches are recorded and replayed
  // A greedy run of one class that only the end of the text may follow (the `.+$` of a
  // prefregex's `<F-CONTENT>.+</F-CONTENT>$`), when there is one: a recorded search
  // that reached it leaves its bytes out of the record (ReplayRecord::tail_from).
  int tail = -1;
  // Per alternation branch (parallel to `branches`): literals every match through that
  // branch reads later on, past a choice, that the other branches do not all need
  // (indices into need_literals). A branch whose literal does not occur in the rest of
  // the text is skipped: sshd's `(?P<cond_user>\S+)` branch, whose `(?(cond_user): |...)`
  // demands a ": " that a "Failed password ... ssh2" line lacks, would otherwise try
  // every address and port split before failing.
  std::vector<std::vector<int>> branch_needs;
  std::vector<std::string> need_literals;
  bool first_any = true;  // no first-byte filter
  ByteSet first;
  int first_byte = -1;  // the only possible first byte, for memchr
  // The bytes a match can have at offsets 0..kLookahead-1 from its start (all bytes
  // where unknown): a start position is tried only when the text agrees.
  static constexpr int kLookahead = 4;
  std::array<ByteSet, kLookahead> at_offset;
  // Per node: the bytes a match from there can begin with, when known.
  std::vector<ByteSet> node_first;
  std::vector<uint8_t> node_first_known;
  // Per alternation node (by `width` index): for each byte, the branches that may start
  // with it, plus (entry 256) those that may match at the end of the text.
  std::vector<std::array<uint64_t, 257>> alt_masks;
  // Per alternation node: for each byte, the bytes with the same mask (an index into
  // alt_classes): what a replay may find in its place.
  std::vector<std::array<uint16_t, 256>> alt_class_of;
  std::vector<ByteSet> alt_classes;
  ByteSet word_bytes, newline;
  // The start of an anchored pattern where no choice can matter: single bytes, and
  // runs of a class that what follows them cannot begin with (so only the longest run
  // can lead to a match). A text that does not begin this way cannot match; checked in
  // one pass before the matcher runs (Rejects).
  struct LinearItem {
    ByteSet set;
    int min = 1, max = 1;  // max -1: no limit
    int run = -1;          // as Node::run: every byte (256), every byte but one (memchr), or `set`
    std::string literal;   // when not empty: these bytes exactly (`set` unused)
  };
  std::vector<LinearItem> linear;
  // How many of those items are runs of a class (`\d+`, `\s*`): what makes checking
  // the choice-free start cost more than a literal compare.
  int linear_runs = 0;
};

namespace {

class Emitter {
 public:
  Emitter(Backtracker::Program& p) : p_(p) {}

  int Add(Node n) {
    p_.nodes.push_back(n);
    return static_cast<int>(p_.nodes.size()) - 1;
  }

  int AddSet(const ByteSet& s) {
    p_.sets.push_back(s);
    return static_cast<int>(p_.sets.size()) - 1;
  }

  int Literal(std::string text, bool fold, int next) {
    if (fold)
      for (char& c : text) c = static_cast<char>(Fold(static_cast<uint8_t>(c)));
    p_.literals.push_back(std::move(text));
    Node n{Op::kLiteral};
    n.fold = fold;
    n.arg = static_cast<int>(p_.literals.size()) - 1;
    n.next = next;
    return Add(n);
  }

  int Emit(const Ast& a, int next) {
    switch (a.kind) {
      case Ast::Kind::kEmpty: return next;
      case Ast::Kind::kSet: {
        Node n{Op::kSet};
        n.arg = AddSet(a.set);
        n.next = next;
        return Add(n);
      }
      case Ast::Kind::kLiteral: return Literal(a.literal, a.fold, next);
      case Ast::Kind::kAssert: {
        Node n{Op::kAssert};
        n.assertion = a.assertion;
        n.next = next;
        return Add(n);
      }
      case Ast::Kind::kGroup: {
        if (a.host && !p_.replay) return Host(a, next);
        if (a.group == 0) return Emit(*a.kids[0], next);
        Node close{Op::kClose};
        close.arg = a.group;
        close.next = next;
        Node open{Op::kOpen};
        open.arg = a.group;
        open.next = Emit(*a.kids[0], Add(close));
        return Add(open);
      }
      case Ast::Kind::kConcat: return Concat(a, next);
      case Ast::Kind::kAlt: {
        std::vector<int> starts;
        for (const auto& k : a.kids) starts.push_back(Emit(*k, next));
        return Alternatives(starts);
      }
      case Ast::Kind::kRepeat: return Repeat(a, next);
      case Ast::Kind::kLook: {
        if (int peek = Peek(a, next); peek >= 0) return peek;
        Node n{Op::kLook};
        n.negate = a.negate;
        n.behind = !a.ahead;
        if (n.behind) n.width = *FixedWidth(*a.kids[0]);
        n.body = Emit(*a.kids[0], Add(Node{Op::kSucceed}));
        n.next = next;
        return Add(n);
      }
      case Ast::Kind::kBackref: {
        Node n{Op::kBackref};
        n.arg = a.group;
        n.fold = a.fold;
        n.next = next;
        return Add(n);
      }
      case Ast::Kind::kCond: {
        Node n{Op::kCond};
        n.arg = a.group;
        n.body = Emit(*a.kids[0], next);
        n.other = Emit(*a.kids[1], next);
        return Add(n);
      }
    }
    return next;
  }

  // A look-ahead made of one-position tests only, such as (?=^|\b|\W) around every date
  // template: evaluated in place, without a nested search. -1 when `a` is not one.
  int Peek(const Ast& a, int next) {
    if (!a.ahead) return -1;
    const Ast& body = *a.kids[0];
    std::vector<const Ast*> tests;
    if (body.kind == Ast::Kind::kAlt) {
      for (const auto& k : body.kids) tests.push_back(k.get());
    } else {
      tests.push_back(&body);
    }
    std::vector<PeekTest> out;
    for (const Ast* t : tests) {
      while (t->kind == Ast::Kind::kGroup && t->group == 0) t = t->kids[0].get();
      if (t->kind == Ast::Kind::kConcat && t->kids.size() == 1) t = t->kids[0].get();
      if (t->kind == Ast::Kind::kAssert) {
        out.push_back(PeekTest{false, t->assertion, 0});
      } else if (t->kind == Ast::Kind::kSet) {
        out.push_back(PeekTest{true, AssertKind::kTextStart, AddSet(t->set)});
      } else {
        return -1;
      }
    }
    Node n{Op::kPeek};
    n.negate = a.negate;
    n.arg = static_cast<int>(p_.peeks.size());
    n.count = static_cast<int>(out.size());
    n.next = next;
    p_.peeks.insert(p_.peeks.end(), out.begin(), out.end());
    return Add(n);
  }

  // An ordered choice of up to 64 branches per node (a bit mask each); more nest.
  int Alternatives(std::vector<int> starts) {
    if (starts.size() > 64) {
      std::vector<int> rest(starts.begin() + 63, starts.end());
      starts.resize(63);
      starts.push_back(Alternatives(std::move(rest)));
    }
    Node n{Op::kAlt};
    n.arg = static_cast<int>(p_.branches.size());
    n.count = static_cast<int>(starts.size());
    p_.branches.insert(p_.branches.end(), starts.begin(), starts.end());
    return Add(n);
  }

  // Runs of literal bytes become one literal node.
  int Concat(const Ast& a, int next) {
    for (size_t i = a.kids.size(); i-- > 0;) {
      const Ast& k = *a.kids[i];
      if (!IsText(k)) {
        next = Emit(k, next);
        continue;
      }
      size_t first = i;
      while (first > 0 && IsText(*a.kids[first - 1]) && a.kids[first - 1]->fold == k.fold) --first;
      if (first == i && k.single_char) {
        next = Emit(k, next);
        continue;
      }
      std::string text;
      for (size_t j = first; j <= i; ++j) text += a.kids[j]->literal;
      next = Literal(std::move(text), k.fold, next);
      i = first;
    }
    return next;
  }

  static bool IsText(const Ast& a) {
    return a.kind == Ast::Kind::kLiteral || (a.kind == Ast::Kind::kSet && a.single_char);
  }

  int Repeat(const Ast& a, int next) {
    const Ast& body = *a.kids[0];
    if (a.max == 0) return next;
    if (a.min == 1 && a.max == 1) return Emit(body, next);
    const Ast* inner = &RepeatedPart(body);
    if (a.min == 0 && a.max == 1 && inner->kind != Ast::Kind::kSet) {
      // X? is (X|) and X?? is (|X): no loop registers (one iteration cannot be empty twice).
      return Optional(body, a.greedy, next, next);
    }
    // A short counted repeat of a body that captures nothing: copies of the body, X{3}
    // as XXX and X{1,3} as X(?:X(?:X)?)?, without loop registers or steps (HOST's
    // (?:\d{1,3}\.){3}, a suffix's (?: port \d+| on \S+){0,2}). Exact when no
    // iteration past the minimum can be empty (Python ends the loop at one that is).
    // Not when the body holds loops of its own: nested copies multiply.
    if (a.max >= 2 && a.max <= kUnrolledRepeat && inner->kind != Ast::Kind::kSet && !TouchesGroups(body) &&
        !HoldsLoops(body) && (a.min == a.max || MinWidth(body) > 0)) {
      int tail = next;
      for (int i = a.min; i < a.max; ++i) tail = Optional(body, a.greedy, tail, next);
      for (int i = 0; i < a.min; ++i) tail = Emit(body, tail);
      return tail;
    }
    Node r{Op::kRepeat};
    r.min = a.min;
    r.max = a.max;
    r.greedy = a.greedy;
    r.next = next;
    r.reg = p_.registers;
    p_.registers += 2;
    const int index = Add(r);
    if (inner->kind == Ast::Kind::kSet) {
      Node s{Op::kSet};
      s.arg = AddSet(inner->set);
      const int set = Add(s);
      p_.nodes[index].single = true;
      p_.nodes[index].body = set;
      const int members = inner->set.Count();
      if (members == 256) p_.nodes[index].run = 256;
      for (unsigned c = 0; members == 255 && c < 256; ++c)
        if (!inner->set.Has(static_cast<uint8_t>(c))) p_.nodes[index].run = static_cast<int>(c);
      return index;
    }
    Node tail{Op::kRepeatTail};
    tail.arg = index;
    const int start = Emit(body, Add(tail));
    p_.nodes[index].body = start;
    return index;
  }

  // <HOST>: its IPv4 address read at once in front of it as written (kHostIp4). Not in
  // replayed programs, whose searches record what they read.
  int Host(const Ast& a, int next) {
    Node n{Op::kHostIp4};
    n.arg = FirstCapture(a);  // ip4
    n.next = next;
    n.body = Emit(*a.kids[0], next);
    return Add(n);
  }
  static int FirstCapture(const Ast& a) {
    if (a.kind == Ast::Kind::kGroup && a.group != 0) return a.group;
    for (const auto& k : a.kids)
      if (int g = FirstCapture(*k); g != 0) return g;
    return 0;
  }

  // `body` once, then `then`; or `skip`: in that order when greedy.
  int Optional(const Ast& body, bool greedy, int then, int skip) {
    const int x = Emit(body, then);
    Node n{Op::kAlt};
    n.arg = static_cast<int>(p_.branches.size());
    n.count = 2;
    p_.branches.push_back(greedy ? x : skip);
    p_.branches.push_back(greedy ? skip : x);
    return Add(n);
  }

 private:
  Backtracker::Program& p_;
};

// The bytes a match from node `n` can begin with; false when any (or none needed).
bool FirstBytes(const Backtracker::Program& p, int n, ByteSet& out, int depth) {
  if (depth > 64) return false;
  const Node& node = p.nodes[n];
  switch (node.op) {
    case Op::kSet: out.Merge(p.sets[node.arg]); return true;
    case Op::kLiteral: {
      const auto c = static_cast<uint8_t>(p.literals[node.arg][0]);
      out.Add(c);
      if (node.fold && c >= 'a' && c <= 'z') out.Add(static_cast<uint8_t>(c - 32));
      return true;
    }
    case Op::kAssert: case Op::kOpen: case Op::kClose: case Op::kLook: case Op::kPeek:
      return FirstBytes(p, node.next, out, depth + 1);
    case Op::kAlt:
      for (int i = 0; i < node.count; ++i)
        if (!FirstBytes(p, p.branches[node.arg + i], out, depth + 1)) return false;
      return true;
    case Op::kRepeat:
      if (!FirstBytes(p, node.body, out, depth + 1)) return false;
      return node.min > 0 || FirstBytes(p, node.next, out, depth + 1);
    case Op::kCond:
      return FirstBytes(p, node.body, out, depth + 1) && FirstBytes(p, node.other, out, depth + 1);
    case Op::kHostIp4:  // what it reads, <HOST> as written reads too
      return FirstBytes(p, node.body, out, depth + 1);
    default: return false;
  }
}

// Adds to `sets` the bytes a match from node `n` can have at offsets k, k+1, ...;
// `budget` bounds the walk (exhausted: every byte from k on).
void OffsetBytes(const Backtracker::Program& p, int n, int k, std::array<ByteSet, 4>& sets, int& budget) {
  constexpr int kDepth = 4;
  auto any_from = [&](int from) {
    for (int j = from; j < kDepth; ++j) sets[static_cast<size_t>(j)].w[0] = sets[static_cast<size_t>(j)].w[1] =
        sets[static_cast<size_t>(j)].w[2] = sets[static_cast<size_t>(j)].w[3] = ~uint64_t{0};
  };
  if (k >= kDepth) return;
  if (--budget < 0) return any_from(k);
  const Node& node = p.nodes[n];
  switch (node.op) {
    case Op::kSet:
      sets[static_cast<size_t>(k)].Merge(p.sets[node.arg]);
      return OffsetBytes(p, node.next, k + 1, sets, budget);
    case Op::kLiteral: {
      const std::string& lit = p.literals[node.arg];
      for (size_t i = 0; i < lit.size() && k + static_cast<int>(i) < kDepth; ++i) {
        const auto c = static_cast<uint8_t>(lit[i]);
        sets[static_cast<size_t>(k) + i].Add(c);
        if (node.fold && c >= 'a' && c <= 'z') sets[static_cast<size_t>(k) + i].Add(static_cast<uint8_t>(c - 32));
      }
      return OffsetBytes(p, node.next, k + static_cast<int>(lit.size()), sets, budget);
    }
    case Op::kAssert: case Op::kOpen: case Op::kClose: case Op::kLook: case Op::kPeek:
      return OffsetBytes(p, node.next, k, sets, budget);
    case Op::kAlt:
      for (int i = 0; i < node.count; ++i) OffsetBytes(p, p.branches[node.arg + i], k, sets, budget);
      return;
    case Op::kCond:
      OffsetBytes(p, node.body, k, sets, budget);
      return OffsetBytes(p, node.other, k, sets, budget);
    case Op::kHostIp4:
      return OffsetBytes(p, node.body, k, sets, budget);
    case Op::kRepeat: {
      if (!node.single) return any_from(k);
      const ByteSet& body = p.sets[p.nodes[node.body].arg];
      const int most = node.max < 0 ? kDepth : std::min(node.max, kDepth);
      for (int c = 0; c < most && k + c < kDepth; ++c) {
        sets[static_cast<size_t>(k + c)].Merge(body);
      }
      for (int c = node.min; c <= most && k + c < kDepth; ++c) OffsetBytes(p, node.next, k + c, sets, budget);
      return;
    }
    default: return any_from(k);
  }
}

// Whether the `n` bytes at `a` are those of `b`: eight compared inline first, where
// most texts differ (a call to memcmp for every literal cost more than the compare).
__attribute__((always_inline)) inline bool SameBytes(const uint8_t* a, const char* b, size_t n) {
  if (n >= 8) {
    uint64_t x, y;
    std::memcpy(&x, a, 8);
    std::memcpy(&y, b, 8);
    return x == y && (n == 8 || std::memcmp(a + 8, b + 8, n - 8) == 0);
  }
  for (size_t i = 0; i < n; ++i)
    if (a[i] != static_cast<uint8_t>(b[i])) return false;
  return true;
}

// How many of the bytes from `s` (at most `limit`) a single-class repeat takes; `run` as
// Node::run: 256 takes them all, a byte value stops at that byte (memchr), -1 tests `set`.
__attribute__((always_inline)) inline intptr_t RunLength(const uint8_t* s, intptr_t limit, const ByteSet& set, int run) {
  if (run < 0) {
    intptr_t k = 0;
    while (k < limit && set.Has(s[k])) ++k;
    return k;
  }
  if (run == 256) return limit;
  const void* stop = std::memchr(s, run, static_cast<size_t>(limit));
  return stop ? static_cast<const uint8_t*>(stop) - s : limit;
}

// Whether `$` holds at `end` (a tail run stopped there): the end of the text, or a
// final newline.
inline bool TailEnds(const uint8_t* s, intptr_t len, intptr_t end) {
  return end == len || (end == len - 1 && s[len - 1] == '\n');
}

// kTrack: the program is replayed (date templates, prefregexes), so a search tracks what
// it read (hi_, absolute_at_) and may record classes; a failregex's matcher does neither.
template <bool kTrack>
class Matcher {
 public:
  // `st.regs` must be sized for the program; it is not resized while the matcher runs.
  Matcher(const Backtracker::Program& p, std::string_view text, BacktrackState& st)
      : p_(p),
        nodes_(p.nodes.data()),
        sets_(p.sets.data()),
        literals_(p.literals.data()),
        branches_(p.branches.data()),
        peeks_(p.peeks.data()),
        alt_masks_(p.alt_masks.data()),
        node_first_(p.node_first.data()),
        node_first_known_(p.node_first_known.data()),
        s_(reinterpret_cast<const uint8_t*>(text.data())),
        len_(static_cast<intptr_t>(text.size())),
        regs_(st.regs.data()),
        trail_(st.trail) {
    if (!p.need_literals.empty()) {
      st.need_from.assign(2 * p.need_literals.size(), -1);
      need_from_ = st.need_from.data();
      needs_ = true;
    }
  }

  // From now on, every test of a byte narrows that position's class in `classes` (the
  // bytes that would give the test the same outcome) so the search can be replayed.
  void RecordInto(std::vector<ByteSet>* classes) {
    classes_ = classes;
    if (p_.tail >= 0) tail_node_ = nodes_ + p_.tail;
  }

  bool Run(int n, intptr_t pos) {
    if (++depth_ > kMaxDepth) {
      gave_up_ = true;
      --depth_;
      return false;
    }
    const bool ok = Loop(n, pos);
    --depth_;
    return ok;
  }

  void Unwind(size_t mark) {
    UndoLog& trail = trail_;
    while (trail.size > mark) {
      const auto& [reg, old] = trail.entries[--trail.size];
      regs_[reg] = old;
    }
  }

 private:
  __attribute__((always_inline)) void Set(int reg, intptr_t value) {
    trail_.Push(reg, regs_[reg]);
    regs_[reg] = value;
  }

  // Every position whose byte (or whose being past the end) a search looks at goes
  // through Touch: the search's outcome depends only on bytes [0, hi_) and, when hi_
  // is past the end, on the length (see Backtracker::Search's replay).
  void Touch(intptr_t i) {
    if constexpr (kTrack) {
      if (i >= hi_) hi_ = i + 1;
    }
  }
  // Whether this search records its tests' classes (never without kTrack).
  bool Recording() const { return kTrack && classes_ != nullptr; }

  // A test whose outcome rests on `pos` itself (the start of the text is near), not on
  // the bytes: a shifted replay must not move it (ReplayRecord::shift_from).
  void NoteAbsolute(intptr_t pos) {
    if constexpr (kTrack) absolute_at_ = std::max(absolute_at_, pos);
  }

  bool IsWordAt(intptr_t i) {
    Touch(i);
    if (i < 0 || i >= len_) return false;
    const bool word = IsWordByte(s_[i]);
    Narrow(i, p_.word_bytes, word);
    return word;
  }

  // Recording: the byte at `i` (read by a test) is one of `set` (`in`) or not.
  ByteSet& ClassAt(intptr_t i) {
    std::vector<ByteSet>& v = *classes_;
    const auto at = static_cast<size_t>(i);
    if (at >= v.size()) v.resize(std::max<size_t>({at + 1, 2 * v.size(), 64}), ByteSet::All());  // unread: any byte
    return v[at];
  }
  void Narrow(intptr_t i, const ByteSet& set, bool in) {
    if (!Recording()) return;
    if (in) ClassAt(i).Keep(set);
    else ClassAt(i).Drop(set);
  }
  // Recording: the byte at `i` is exactly what it is.
  void NarrowExact(intptr_t i) {
    if (!Recording()) return;
    ByteSet one;
    one.Add(s_[i]);
    ClassAt(i).Keep(one);
  }
  bool SetAt(int set, intptr_t pos) {
    Touch(pos);
    if (pos >= len_) return false;
    const bool in = sets_[set].Has(s_[pos]);
    Narrow(pos, sets_[set], in);
    return in;
  }
  bool NewlineAt(intptr_t i) {
    const bool nl = s_[i] == '\n';
    Narrow(i, p_.newline, nl);
    return nl;
  }

  bool Assert(AssertKind kind, intptr_t pos) {
    if (kind == AssertKind::kTextStart || pos == 0) NoteAbsolute(pos);
    if (kind != AssertKind::kTextStart) Touch(pos);
    if (kind == AssertKind::kDollar) Touch(pos + 1);
    switch (kind) {
      case AssertKind::kTextStart: return pos == 0;
      case AssertKind::kLineStart: return pos == 0 || NewlineAt(pos - 1);
      case AssertKind::kDollar: return pos == len_ || (pos == len_ - 1 && NewlineAt(pos));
      case AssertKind::kLineEnd: return pos == len_ || NewlineAt(pos);
      case AssertKind::kTextEnd: return pos == len_;
      case AssertKind::kWordBoundary: return IsWordAt(pos - 1) != IsWordAt(pos);
      case AssertKind::kNotWordBoundary: return len_ > 0 && IsWordAt(pos - 1) == IsWordAt(pos);
    }
    return false;
  }

  bool LiteralAt(const std::string& lit, bool fold, intptr_t pos) {
    const auto n = static_cast<intptr_t>(lit.size());
    Touch(pos + n - 1);
    if (len_ - pos < n) return false;
    if (Recording()) return RecordedLiteralAt(lit, fold, pos);
    if (!fold) return SameBytes(s_ + pos, lit.data(), lit.size());
    for (intptr_t i = 0; i < n; ++i)
      if (Fold(s_[pos + i]) != static_cast<uint8_t>(lit[i])) return false;
    return true;
  }

  // LiteralAt while recording: the bytes up to the first that differs are the
  // literal's (either case when folded), that one is not; those after it were not read.
  bool RecordedLiteralAt(const std::string& lit, bool fold, intptr_t pos) {
    for (size_t i = 0; i < lit.size(); ++i) {
      const auto want = static_cast<uint8_t>(lit[i]);
      ByteSet alike;
      alike.Add(want);
      if (fold && want >= 'a' && want <= 'z') alike.Add(static_cast<uint8_t>(want - 32));
      const bool same = alike.Has(s_[pos + static_cast<intptr_t>(i)]);
      Narrow(pos + static_cast<intptr_t>(i), alike, same);
      if (!same) return false;
    }
    return true;
  }

  // Where <HOST>'s ip4 group ends when a search takes it first at `pos` (-1: it would
  // not): three runs of 1-3 digits each followed by '.', then the first 1-3 digits of a
  // fourth run (`\d{1,3}` takes the longest; a longer run before a '.' fails there).
  intptr_t DottedQuadEnd(intptr_t pos) const {
    intptr_t i = pos;
    for (int part = 0; part < 4; ++part) {
      intptr_t digits = 0;
      while (i + digits < len_ && digits < 4 && s_[i + digits] >= '0' && s_[i + digits] <= '9') ++digits;
      if (digits == 0) return -1;
      if (part == 3) return i + std::min<intptr_t>(digits, 3);
      if (digits > 3 || i + digits >= len_ || s_[i + digits] != '.') return -1;
      i += digits + 1;
    }
    return -1;
  }

  // Where <HOST>'s ip6 group ends when a search takes it first at `pos`, its ip4 branch
  // having failed there: `(?:[0-9a-fA-F]{1,4}::?|::){1,7}` then
  // `(?:[0-9a-fA-F]{1,4}|(?<=:):)`, each choice tried in the order the search tries it
  // (another iteration before the last part; `::` before `:`). -1: it would not match;
  // -2: too many ways to follow (then <HOST> runs as written).
  intptr_t Ip6End(intptr_t pos) const {
    int budget = 64;
    return Ip6From(pos, 0, budget);
  }
  intptr_t HexRun(intptr_t i, intptr_t most) const {
    intptr_t n = 0;
    while (n < most && i + n < len_ && IsHexByte(s_[i + n])) ++n;
    return n;
  }
  static bool IsHexByte(uint8_t c) { return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'f'); }
  intptr_t Ip6From(intptr_t pos, int done, int& budget) const {
    if (--budget < 0) return -2;
    if (done < 7) {
      const intptr_t h = HexRun(pos, 5);  // `{1,4}` then ':': only a run of 1-4 can
      if (h >= 1 && h <= 4 && pos + h < len_ && s_[pos + h] == ':') {
        const intptr_t after = pos + h + 1;
        if (after < len_ && s_[after] == ':')
          if (const intptr_t end = Ip6From(after + 1, done + 1, budget); end != -1) return end;
        if (const intptr_t end = Ip6From(after, done + 1, budget); end != -1) return end;
      }
      if (pos + 1 < len_ && s_[pos] == ':' && s_[pos + 1] == ':')
        if (const intptr_t end = Ip6From(pos + 2, done + 1, budget); end != -1) return end;
    }
    if (done >= 1) {  // every iteration ends with ':': the look-behind holds
      if (const intptr_t h = HexRun(pos, 4); h >= 1) return pos + h;
      if (pos < len_ && s_[pos] == ':') return pos + 1;
    }
    return -1;
  }

  // Takes <HOST>'s address group `group` as [pos, end) and a ']' after it, then runs the
  // rest of the pattern; false (undone) when that fails.
  bool TakeHostAddress(const Node& node, int group, intptr_t pos, intptr_t end) {
    const size_t mark = trail_.size;
    Set(2 * group, pos);
    Set(2 * group + 1, end);
    if (Run(node.next, end < len_ && s_[end] == ']' ? end + 1 : end)) return true;
    if (!gave_up_) Unwind(mark);
    return false;
  }

  // Cheap test that nothing from node `n` can match at `pos`.
  bool CannotStart(int n, intptr_t pos) {
    if (!node_first_known_[n]) return false;
    Touch(pos);
    if (pos >= len_) return true;
    const bool can = node_first_[n].Has(s_[pos]);
    Narrow(pos, node_first_[n], can);
    return !can;
  }

  bool Loop(int n, intptr_t pos) {
    for (;;) {
      if (++steps_ > kMaxSteps) {
        gave_up_ = true;
        return false;
      }
      const Node& node = nodes_[n];
      switch (node.op) {
        case Op::kSet:
          if (!SetAt(node.arg, pos)) return false;
          ++pos;
          n = node.next;
          break;
        case Op::kLiteral: {
          const std::string& lit = literals_[node.arg];
          if (!LiteralAt(lit, node.fold, pos)) return false;
          pos += static_cast<intptr_t>(lit.size());
          n = node.next;
          break;
        }
        case Op::kAssert:
          if (!Assert(node.assertion, pos)) return false;
          n = node.next;
          break;
        case Op::kOpen:
          Set(2 * node.arg, pos);
          n = node.next;
          break;
        case Op::kClose:
          Set(2 * node.arg + 1, pos);
          n = node.next;
          break;
        case Op::kAlt: {
          Touch(pos);
          uint64_t viable = alt_masks_[node.width][pos < len_ ? s_[pos] : 256];
          if (Recording() && pos < len_) Narrow(pos, p_.alt_classes[p_.alt_class_of[node.width][s_[pos]]], true);
          if (viable == 0) return false;
          if (needs_) viable &= Feasible(node, viable, pos);
          if (viable == 0) return false;
          for (;;) {
            const int i = __builtin_ctzll(viable);
            viable &= viable - 1;
            const int branch = branches_[node.arg + i];
            if (viable == 0) {  // the last one that can match: no choice point
              n = branch;
              break;
            }
            const size_t mark = trail_.size;
            if (Run(branch, pos)) return true;
            if (gave_up_) return false;
            Unwind(mark);
          }
          break;
        }
        case Op::kRepeat:
          if (node.single) return Single(node, pos);
          Set(Reg(node, 0), 0);
          Set(Reg(node, 1), -1);
          return Step(node, 0, pos);
        case Op::kRepeatTail: {
          const Node& r = nodes_[node.arg];
          return Step(r, regs_[Reg(r, 0)] + 1, pos);
        }
        case Op::kLook: {
          const size_t mark = trail_.size;
          bool ok;
          if (node.behind && pos < node.width) NoteAbsolute(pos);
          if (node.behind) ok = pos >= node.width && Run(node.body, pos - node.width);
          else ok = Run(node.body, pos);
          if (gave_up_) return false;
          if (node.negate || !ok) Unwind(mark);
          if (ok == node.negate) return false;
          n = node.next;
          break;
        }
        case Op::kPeek: {
          bool ok = false;
          for (int i = 0; i < node.count && !ok; ++i) {
            const PeekTest& t = peeks_[static_cast<size_t>(node.arg + i)];
            ok = t.is_set ? SetAt(t.set, pos) : Assert(t.assertion, pos);
          }
          if (ok == node.negate) return false;
          n = node.next;
          break;
        }
        case Op::kBackref: {
          const intptr_t b = regs_[2 * node.arg], e = regs_[2 * node.arg + 1];
          if (b < 0 || e < 0) return false;
          const intptr_t size = e - b;
          Touch(pos + size);
          if (len_ - pos < size) return false;
          for (intptr_t i = 0; Recording() && i < size; ++i) {  // recording: both texts exactly
            NarrowExact(b + i);
            NarrowExact(pos + i);
          }
          for (intptr_t i = 0; i < size; ++i) {
            const uint8_t x = s_[b + i], y = s_[pos + i];
            if (node.fold ? Fold(x) != Fold(y) : x != y) return false;
          }
          pos += size;
          n = node.next;
          break;
        }
        case Op::kCond: {
          const bool set = regs_[2 * node.arg] >= 0 && regs_[2 * node.arg + 1] >= 0;
          n = set ? node.body : node.other;
          break;
        }
        case Op::kHostIp4: {
          // <HOST> as written would take this first: no '[' or "::ffff:" before, the
          // address in ip4 (or, where no dotted quad starts, in ip6: the next group), a
          // ']' after it if there is one.
          if (const intptr_t end = DottedQuadEnd(pos); end > pos) {
            if (TakeHostAddress(node, node.arg, pos, end)) return true;
          } else if (pos < len_ && IsHexByte(s_[pos])) {
            if (const intptr_t end = Ip6End(pos); end > pos && TakeHostAddress(node, node.arg + 1, pos, end)) return true;
          }
          if (gave_up_) return false;
          n = node.body;  // every other way, in <HOST>'s order (the first tried again)
          break;
        }
        case Op::kSucceed: return true;
        case Op::kMatch:
          regs_[1] = pos;
          return true;
      }
    }
  }

  static int Reg(const Node& r, int i) { return r.reg + i; }

  // The branches of `viable` whose needed literals (Program::branch_needs) all occur in
  // the text from `pos` on. Not while recording: a replay knows only the bytes it read.
  uint64_t Feasible(const Node& node, uint64_t viable, intptr_t pos) {
    if (Recording()) return viable;
    for (uint64_t v = viable; v != 0; v &= v - 1) {
      const int i = __builtin_ctzll(v);
      for (const int lit : p_.branch_needs[static_cast<size_t>(node.arg + i)]) {
        if (!OccursFrom(lit, pos)) {
          viable &= ~(uint64_t{1} << i);
          break;
        }
      }
    }
    return viable;
  }

  // Whether need_literals[k] occurs at or after `pos`; remembers the last answer per
  // literal (found at `at` when searched from `from`) to answer later positions.
  bool OccursFrom(int k, intptr_t pos) {
    intptr_t& from = need_from_[2 * static_cast<size_t>(k)];
    intptr_t& at = need_from_[2 * static_cast<size_t>(k) + 1];
    if (from >= 0 && pos >= from) {
      if (at < 0) return false;
      if (pos <= at) return true;
    }
    const std::string& lit = p_.need_literals[static_cast<size_t>(k)];
    const void* hit = pos <= len_ ? memmem(s_ + pos, static_cast<size_t>(len_ - pos), lit.data(), lit.size()) : nullptr;
    from = pos;
    at = hit ? static_cast<const uint8_t*>(hit) - s_ : -1;
    return at >= 0;
  }

  // `count` iterations of a general repeat are done, the last one started at regs[reg+1].
  bool Step(const Node& r, intptr_t count, intptr_t pos) {
    const int count_reg = Reg(r, 0), start_reg = Reg(r, 1);
    if (count < r.min) {  // as Python: no empty-iteration check below the minimum
      Set(count_reg, count);
      return Run(r.body, pos);
    }
    const bool more = (r.max < 0 || count < r.max) && pos != regs_[start_reg] && !CannotStart(r.body, pos);
    if (r.greedy) {
      if (more) {
        const size_t mark = trail_.size;
        Set(count_reg, count);
        Set(start_reg, pos);
        if (Run(r.body, pos)) return true;
        if (gave_up_) return false;
        Unwind(mark);
      }
      return Run(r.next, pos);
    }
    const size_t mark = trail_.size;
    if (Run(r.next, pos)) return true;
    if (gave_up_) return false;
    Unwind(mark);
    if (!more) return false;
    Set(count_reg, count);
    Set(start_reg, pos);
    return Run(r.body, pos);
  }

  // A repeat of one byte class: count the run, then try the rest from each length.
  bool Single(const Node& r, intptr_t pos) {
    if (kTrack && &r == tail_node_) {
      if (const std::optional<bool> done = Tail(r, pos)) return *done;
    }
    const ByteSet& set = sets_[nodes_[r.body].arg];
    const intptr_t room = len_ - pos;
    const intptr_t limit = r.max < 0 ? room : std::min<intptr_t>(r.max, room);
    const intptr_t k = RunLength(s_ + pos, limit, set, r.run);
    Touch(pos + k);
    if (Recording()) NarrowRun(r, set, pos, k, limit);
    steps_ += static_cast<size_t>(k);
    if (k < r.min) return false;
    if (!Recording() && node_first_known_[r.next]) return TryEachFirst(r, pos, k);
    for (intptr_t j = 0; j <= k - r.min; ++j) {  // longest first when greedy
      const intptr_t i = r.greedy ? k - j : r.min + j;
      if (CannotStart(r.next, pos + i)) continue;
      if (Try(r.next, pos + i)) return true;
      if (gave_up_) return false;
    }
    return false;
  }

  // Single's lengths when not recording and what follows must begin with a byte of a
  // known set: only the lengths where such a byte follows are tried (the bytes up to
  // pos + k were touched by the run already). An access log's `[^,]* \S+" 404` backs
  // through a hundred bytes to the few spaces.
  bool TryEachFirst(const Node& r, intptr_t pos, intptr_t k) {
    const ByteSet first = node_first_[r.next];
    const uint8_t* s = s_ + pos;
    const intptr_t last = std::min(k, len_ - pos - 1);  // a length reaching the end leaves no byte
    auto attempt = [&](intptr_t i) { return first.Has(s[i]) && (Try(r.next, pos + i) || gave_up_); };
    if (r.greedy) {
      for (intptr_t i = last; i >= r.min; --i)
        if (attempt(i)) return !gave_up_;
    } else {
      for (intptr_t i = r.min; i <= last; ++i)
        if (attempt(i)) return !gave_up_;
    }
    return false;
  }

  // Recording, at the program's tail run: when the run reaches the end (or a final
  // newline), `$` holds there and the search ends in a match; nothing else from here on
  // can read a byte. The run and `$` are then left out of the record (a replay checks
  // them itself: ReplayRecord::tail_from). Otherwise, or when the tail is
  // reached a second time, nothing: the run is recorded as any other.
  std::optional<bool> Tail(const Node& r, intptr_t pos) {
    if (tail_at_ != -1) {
      tail_at_ = -2;
      return std::nullopt;
    }
    tail_at_ = -2;
    const intptr_t k = RunLength(s_ + pos, len_ - pos, sets_[nodes_[r.body].arg], r.run);
    const intptr_t end = pos + k;
    if (k < r.min || !TailEnds(s_, len_, end)) return std::nullopt;
    const intptr_t hi = hi_;
    std::vector<ByteSet>* classes = classes_;
    classes_ = nullptr;
    const bool ok = Try(r.next, end);
    hi_ = hi;
    classes_ = classes;
    if (!ok) {  // cannot happen; the record would lack what that attempt read
      unrecorded_ = true;
      return false;
    }
    tail_at_ = pos;
    tail_end_ = end;
    return true;
  }

  // Recording a single-class repeat's run of `k` bytes from `pos`: each of them is in
  // its class, and the one that stopped it (when not the limit) is not.
  void NarrowRun(const Node& r, const ByteSet& set, intptr_t pos, intptr_t k, intptr_t limit) {
    if (r.run == 256) return;  // reads no byte
    ByteSet stop;
    if (r.run >= 0) stop.Add(static_cast<uint8_t>(r.run));
    else stop = set, stop.Invert();
    for (intptr_t i = 0; i < k; ++i) Narrow(pos + i, stop, false);
    if (k < limit) Narrow(pos + k, stop, true);
  }

  // Run, undoing its register writes when it fails: one choice tried.
  bool Try(int n, intptr_t pos) {
    const size_t mark = trail_.size;
    if (Run(n, pos)) return true;
    Unwind(mark);
    return false;
  }

  // The program's tables and the search's registers, as plain pointers: the loop
  // reads them at every step.
  const Backtracker::Program& p_;
  const Node* nodes_;
  const ByteSet* sets_;
  const std::string* literals_;
  const int* branches_;
  const PeekTest* peeks_;
  const std::array<uint64_t, 257>* alt_masks_;
  const ByteSet* node_first_;
  const uint8_t* node_first_known_;
  const uint8_t* s_;
  intptr_t len_;
  intptr_t* regs_;
  UndoLog& trail_;
  std::vector<ByteSet>* classes_ = nullptr;  // recording
  const Node* tail_node_ = nullptr;          // recording: the program's tail run
  bool needs_ = false;                       // some branch has needed literals
  intptr_t* need_from_ = nullptr;            // OccursFrom's memory, 2 per literal
  int depth_ = 0;

 public:
  size_t steps_ = 0;
  bool gave_up_ = false;
  // Recording: where the tail run began and ended when the match ended there (-1: not
  // reached, -2: reached but recorded as any other run).
  intptr_t tail_at_ = -1, tail_end_ = -1;
  bool unrecorded_ = false;  // a test ran outside the record: it must not be kept
  intptr_t hi_ = 0;
  intptr_t absolute_at_ = -1;  // the last position a test's outcome rested on itself
};

}  // namespace

namespace {

// Python rejects a look-behind whose width varies; the translator has let Boost judge
// the pattern, so such a one is left to Boost here.
bool LookBehindsFixed(const Ast& a) {
  if (a.kind == Ast::Kind::kLook && !a.ahead && !FixedWidth(*a.kids[0])) return false;
  for (const auto& k : a.kids)
    if (!LookBehindsFixed(*k)) return false;
  return true;
}

// Per node, the bytes a match from there can begin with (node_first, when known).
void ComputeNodeFirstBytes(Backtracker::Program& p) {
  p.node_first.resize(p.nodes.size());
  p.node_first_known.resize(p.nodes.size());
  for (size_t n = 0; n < p.nodes.size(); ++n) {
    ByteSet set;
    p.node_first_known[n] = FirstBytes(p, static_cast<int>(n), set, 0);
    p.node_first[n] = set;
  }
}

// Per alternation, for each byte the branches that may start with it.
bool ComputeAltMasks(Backtracker::Program& p) {
  for (Node& node : p.nodes) {
    if (node.op != Op::kAlt) continue;
    if (node.count > 64) return false;
    node.width = static_cast<int>(p.alt_masks.size());
    std::array<uint64_t, 257> masks{};
    for (int i = 0; i < node.count; ++i) {
      const int branch = p.branches[node.arg + i];
      const bool known = p.node_first_known[branch];
      for (unsigned c = 0; c < 256; ++c)
        if (!known || p.node_first[branch].Has(static_cast<uint8_t>(c))) masks[c] |= uint64_t{1} << i;
      if (!known) masks[256] |= uint64_t{1} << i;
    }
    p.alt_masks.push_back(masks);
  }
  return true;
}

// Program::branch_needs. A node's needs are the literals every path from it to the
// match reads (a repeat's body, look-arounds and case-folded literals left out); a
// conditional whose group was closed on the way takes its yes-branch.
class NeedsAnalysis {
 public:
  explicit NeedsAnalysis(const Backtracker::Program& p) : p_(p) {
    for (const Node& n : p.nodes)
      if (n.op == Op::kCond && n.arg < 64) cond_groups_ |= uint64_t{1} << n.arg;
  }

  using Literals = std::set<std::string>;

  // The answer stays in the memo (a map: references to it stay valid), so a chain of
  // nodes that add nothing shares one set instead of copying it at every node.
  const Literals& Needs(int n, uint64_t closed, int depth = 0) {
    static const Literals kNone;
    if (n < 0 || depth > kMaxDepth || ++visits_ > kMaxVisits) return kNone;
    const auto key = std::make_pair(n, closed);
    if (auto it = memo_.find(key); it != memo_.end()) return it->second;
    Literals out = Compute(n, closed, depth);
    return memo_.insert_or_assign(key, std::move(out)).first->second;
  }

  // The literals a path from `n` may read before its first unbounded repeat (through
  // every branch of an alternation): a branch that lacks one of those fails after a few
  // bytes anyway, so checking the text for it first would not pay.
  Literals Shallow(int n) const {
    Literals out;
    int budget = 256;
    AddShallow(n, out, budget);
    return out;
  }

 private:
  void AddShallow(int n, Literals& out, int& budget) const {
    while (n >= 0 && --budget > 0) {
      const Node& node = p_.nodes[static_cast<size_t>(n)];
      switch (node.op) {
        case Op::kLiteral:
          if (!node.fold) out.insert(p_.literals[static_cast<size_t>(node.arg)]);
          break;
        case Op::kSet: case Op::kOpen: case Op::kClose: case Op::kAssert: case Op::kPeek: case Op::kBackref:
          break;
        case Op::kRepeat:
          if (node.max < 0) return;
          break;
        case Op::kAlt:
          for (int i = 0; i < node.count; ++i) AddShallow(p_.branches[static_cast<size_t>(node.arg + i)], out, budget);
          return;
        case Op::kHostIp4:
          return AddShallow(node.body, out, budget);
        default:
          return;
      }
      n = node.next;
    }
  }

  static constexpr int kMaxDepth = 400;
  static constexpr long kMaxVisits = 200000;

  Literals Compute(int n, uint64_t closed, int depth) {
    const Node& node = p_.nodes[static_cast<size_t>(n)];
    switch (node.op) {
      case Op::kLiteral: {
        Literals out = Needs(node.next, closed, depth + 1);
        if (!node.fold) out.insert(p_.literals[static_cast<size_t>(node.arg)]);
        return out;
      }
      case Op::kClose:
        if (node.arg < 64 && ((cond_groups_ >> node.arg) & 1)) closed |= uint64_t{1} << node.arg;
        return Needs(node.next, closed, depth + 1);
      case Op::kSet: case Op::kOpen: case Op::kAssert: case Op::kPeek: case Op::kLook: case Op::kBackref:
      case Op::kRepeat:
        return Needs(node.next, closed, depth + 1);
      case Op::kAlt: {
        Literals common = Needs(p_.branches[static_cast<size_t>(node.arg)], closed, depth + 1);
        for (int i = 1; i < node.count && !common.empty(); ++i)
          common = Intersect(common, Needs(p_.branches[static_cast<size_t>(node.arg + i)], closed, depth + 1));
        return common;
      }
      case Op::kCond:
        if (node.arg < 64 && ((closed >> node.arg) & 1)) return Needs(node.body, closed, depth + 1);
        return Intersect(Needs(node.body, closed, depth + 1), Needs(node.other, closed, depth + 1));
      case Op::kHostIp4:
        return Needs(node.body, closed, depth + 1);
      case Op::kRepeatTail: case Op::kSucceed: case Op::kMatch:
        return {};
    }
    return {};
  }

  static Literals Intersect(const Literals& a, const Literals& b) {
    Literals out;
    std::set_intersection(a.begin(), a.end(), b.begin(), b.end(), std::inserter(out, out.begin()));
    return out;
  }

  const Backtracker::Program& p_;
  uint64_t cond_groups_ = 0;
  long visits_ = 0;
  std::map<std::pair<int, uint64_t>, Literals> memo_;
};

void ComputeBranchNeeds(Backtracker::Program& p) {
  NeedsAnalysis analysis(p);
  p.branch_needs.assign(p.branches.size(), {});
  for (const Node& node : p.nodes) {
    if (node.op != Op::kAlt) continue;
    std::vector<NeedsAnalysis::Literals> needs;
    for (int i = 0; i < node.count; ++i) needs.push_back(analysis.Needs(p.branches[static_cast<size_t>(node.arg + i)], 0));
    for (int i = 0; i < node.count; ++i) {
      const int branch = p.branches[static_cast<size_t>(node.arg + i)];
      const NeedsAnalysis::Literals shallow = analysis.Shallow(branch);
      for (const std::string& lit : needs[static_cast<size_t>(i)]) {
        bool everywhere = true;
        for (const auto& other : needs) everywhere = everywhere && other.count(lit);
        if (everywhere || shallow.count(lit)) continue;  // no help telling the branches apart
        auto at = std::find(p.need_literals.begin(), p.need_literals.end(), lit);
        if (at == p.need_literals.end()) at = p.need_literals.insert(at, lit);
        p.branch_needs[static_cast<size_t>(node.arg + i)].push_back(static_cast<int>(at - p.need_literals.begin()));
      }
    }
  }
}

// Per alternation, the bytes that give it the same mask (Program::alt_classes): read
// only when a search is recorded for replay.
void ComputeAltClasses(Backtracker::Program& p) {
  for (const std::array<uint64_t, 257>& masks : p.alt_masks) {
    std::array<uint16_t, 256> class_of{};
    const size_t first_class = p.alt_classes.size();
    std::vector<unsigned> samples;  // a byte of each class so far
    for (unsigned c = 0; c < 256; ++c) {
      size_t k = first_class;
      while (k < p.alt_classes.size() && masks[samples[k - first_class]] != masks[c]) ++k;
      if (k == p.alt_classes.size()) {
        samples.push_back(c);
        p.alt_classes.emplace_back();
      }
      p.alt_classes[k].Add(static_cast<uint8_t>(c));
      class_of[c] = static_cast<uint16_t>(k);
    }
    p.alt_class_of.push_back(class_of);
  }
}

// Program::tail: the one greedy run of a class (at least one byte, no upper bound) that
// group ends, `$` and the match follow.
void ComputeTail(Backtracker::Program& p) {
  for (size_t i = 0; i < p.nodes.size(); ++i) {
    const Node& r = p.nodes[i];
    if (r.op != Op::kRepeat || !r.single || !r.greedy || r.min < 1 || r.max >= 0) continue;
    int n = r.next;
    while (p.nodes[static_cast<size_t>(n)].op == Op::kClose) n = p.nodes[static_cast<size_t>(n)].next;
    const Node& end = p.nodes[static_cast<size_t>(n)];
    if (end.op != Op::kAssert || end.assertion != AssertKind::kDollar) continue;
    if (p.nodes[static_cast<size_t>(end.next)].op != Op::kMatch) continue;
    if (p.tail >= 0) {  // two of them: neither
      p.tail = -1;
      return;
    }
    p.tail = static_cast<int>(i);
  }
}

// The choice-free start of an anchored pattern (Program::linear).
void ComputeLinearPrefix(Backtracker::Program& p) {
  constexpr size_t kMaxItems = 64;
  if (!p.anchored) return;
  int n = p.nodes[p.start].next;
  while (p.linear.size() < kMaxItems) {
    const Node& node = p.nodes[static_cast<size_t>(n)];
    if (node.op == Op::kOpen || node.op == Op::kClose) {
      n = node.next;
    } else if (node.op == Op::kSet) {
      p.linear.push_back({p.sets[node.arg], 1, 1});
      n = node.next;
    } else if (node.op == Op::kLiteral && !node.fold) {
      if (p.linear.empty() || p.linear.back().literal.empty()) p.linear.emplace_back();
      p.linear.back().literal += p.literals[node.arg];
      n = node.next;
    } else if (node.op == Op::kLiteral) {
      for (const char c : p.literals[node.arg]) {
        Backtracker::Program::LinearItem item;
        item.set.Add(static_cast<uint8_t>(c));
        if (node.fold && c >= 'a' && c <= 'z') item.set.Add(static_cast<uint8_t>(c - 32));
        p.linear.push_back(item);
      }
      n = node.next;
    } else if (node.op == Op::kRepeat && node.single) {
      const ByteSet& set = p.sets[p.nodes[node.body].arg];
      if (node.min != node.max) {  // a choice of lengths: only the longest may do
        if (!p.node_first_known[node.next]) return;
        ByteSet overlap = set;
        overlap.Keep(p.node_first[node.next]);
        if (overlap.Count() != 0) return;
      }
      p.linear.push_back({set, node.min, node.max, node.run});
      if (node.min != 1 || node.max != 1) ++p.linear_runs;
      n = node.next;
    } else {
      return;
    }
  }
}

// Where a search may start: anchored or not, the first bytes and the next three.
void ComputeStartFilter(Backtracker::Program& p) {
  const Node& first = p.nodes[p.start];
  p.anchored = first.op == Op::kAssert && first.assertion == AssertKind::kTextStart;
  int budget = 256;
  OffsetBytes(p, p.start, 0, p.at_offset, budget);
  ByteSet bytes;
  p.first_any = !FirstBytes(p, p.start, bytes, 0);
  p.first = bytes;
  if (!p.first_any && bytes.Count() == 1)
    for (unsigned c = 0; c < 256; ++c)
      if (bytes.Has(static_cast<uint8_t>(c))) p.first_byte = static_cast<int>(c);
}

}  // namespace

std::optional<Backtracker> Backtracker::Compile(std::string_view python_pattern, bool multiline, bool ignore_case,
                                               bool replay) {
  Parser parser(python_pattern, multiline, ignore_case);
  AstPtr root = parser.Run();
  if (!root || !LookBehindsFixed(*root)) return std::nullopt;
  auto program = std::make_shared<Program>();
  program->groups = parser.groups();
  program->registers = 2 * (program->groups + 1);
  program->replay = replay;
  Emitter emitter(*program);
  const int match = emitter.Add(Node{Op::kMatch});
  program->start = emitter.Emit(*root, match);
  if (program->nodes.size() > kMaxNodes) return std::nullopt;  // Boost runs it
  ComputeNodeFirstBytes(*program);
  if (!ComputeAltMasks(*program)) return std::nullopt;
  if (program->replay) {
    ComputeAltClasses(*program);
    ComputeTail(*program);
  }
  ComputeStartFilter(*program);
  ComputeLinearPrefix(*program);
  // Replayed programs (date templates, prefregexes) rarely run unrecorded, where the
  // needs are read: not worth their start-up.
  if (!program->replay) ComputeBranchNeeds(*program);
  for (unsigned c = 0; c < 256; ++c)
    if (IsWordByte(static_cast<uint8_t>(c))) program->word_bytes.Add(static_cast<uint8_t>(c));
  program->newline.Add('\n');
  return Backtracker(std::move(program));
}

int Backtracker::group_count() const { return program_->groups; }


namespace {

// Where the choice-free start of `p` ends in `s` (Program::linear), -1 when the text
// does not begin that way; `implied`, when given, receives per position the bytes the
// start's tests allow there.
intptr_t LinearEnd(const Backtracker::Program& p, const uint8_t* s, intptr_t len,
                   std::vector<ByteSet>* implied = nullptr) {
  intptr_t pos = 0;
  auto allow = [&](intptr_t at, const ByteSet& set, bool in) {
    if (!implied || at >= len) return;
    if (static_cast<size_t>(at) >= implied->size()) implied->resize(static_cast<size_t>(at) + 1, ByteSet::All());
    if (in) (*implied)[static_cast<size_t>(at)].Keep(set);
    else (*implied)[static_cast<size_t>(at)].Drop(set);
  };
  for (const Backtracker::Program::LinearItem& item : p.linear) {
    const intptr_t room = len - pos;
    if (!item.literal.empty()) {
      const auto size = static_cast<intptr_t>(item.literal.size());
      if (room < size || !SameBytes(s + pos, item.literal.data(), item.literal.size())) return -1;
      for (intptr_t i = 0; implied && i < size; ++i) {
        ByteSet one;
        one.Add(s[pos + i]);
        allow(pos + i, one, true);
      }
      pos += size;
      continue;
    }
    const intptr_t limit = item.max < 0 ? room : std::min<intptr_t>(item.max, room);
    const intptr_t k = RunLength(s + pos, limit, item.set, item.run);
    if (k < item.min) return -1;
    if (implied) {
      for (intptr_t i = 0; i < k; ++i) allow(pos + i, item.set, true);
      if (k < limit) allow(pos + k, item.set, false);
    }
    pos += k;
  }
  return pos;
}

// Where a shifted replay of the search just recorded may start (BacktrackState::
// ReplayRecord::shift_from), or -1.
intptr_t ShiftableFrom(const Backtracker::Program& p, std::string_view text, const BacktrackState& state,
                       intptr_t absolute_at) {
  if (p.linear.empty()) return -1;
  std::vector<ByteSet> implied;
  const intptr_t end = LinearEnd(p, reinterpret_cast<const uint8_t*>(text.data()),
                                 static_cast<intptr_t>(text.size()), &implied);
  if (end <= 0 || absolute_at >= end) return -1;
  for (size_t q = 0; q < implied.size() && q < state.classes.size(); ++q) {
    ByteSet outside = implied[q];
    outside.Drop(state.classes[q]);
    if (outside.Count() != 0) return -1;  // another test read this byte
  }
  const size_t spans = 2 * static_cast<size_t>(p.groups + 1);
  for (size_t i = 1; i < spans; ++i)
    if (state.regs[i] >= 0 && state.regs[i] < end) return -1;
  return end;
}

// Whether the recorded search `rec` of `p` would run on `text` exactly as it ran: the
// length as it was when it looked past the end (else long enough), and every byte it
// read in the class its tests gave that position. With a tail (ReplayRecord::tail_from),
// the text's run from there must also reach its end; `tail_end` receives where it stops.
bool CanReplay(const Backtracker::Program& p, std::string_view text, const ReplayRecord& rec, intptr_t& tail_end) {
  const auto len = static_cast<intptr_t>(text.size());
  if (rec.hi > rec.len ? len != rec.len : len < rec.hi) return false;
  const auto* s = reinterpret_cast<const uint8_t*>(text.data());
  const ByteSet* classes = rec.classes.data();
  for (size_t i = 0, n = rec.classes.size(); i < n; ++i)
    if (!classes[i].Has(s[i])) return false;
  if (rec.tail_from < 0) return true;
  const intptr_t from = rec.tail_from;
  if (from >= len) return false;
  const Node& r = p.nodes[static_cast<size_t>(p.tail)];
  const ByteSet& set = p.sets[static_cast<size_t>(p.nodes[static_cast<size_t>(r.body)].arg)];
  const intptr_t k = RunLength(s + from, len - from, set, r.run);
  tail_end = from + k;
  return k >= r.min && TailEnds(s, len, tail_end);
}

// A shifted replay: `text`'s choice-free start ends at `end`; from there on it must agree
// with the recorded search as CanReplay requires, every position moved by the shift.
bool CanReplayShifted(std::string_view text, intptr_t end, const ReplayRecord& rec) {
  const intptr_t from = rec.shift_from;
  const intptr_t shift = end - from;
  const auto len = static_cast<intptr_t>(text.size());
  if (rec.hi > rec.len ? len - end != rec.len - from : len - end < rec.hi - from) return false;
  const auto* s = reinterpret_cast<const uint8_t*>(text.data()) + shift;
  const ByteSet* classes = rec.classes.data();
  for (size_t i = static_cast<size_t>(from), n = rec.classes.size(); i < n; ++i)
    if (!classes[i].Has(s[i])) return false;
  return true;
}

// A replay's answer: the recorded group spans, each through `move(index, span)`. Only
// the spans are read after a search.
template <typename Move>
void CopyReplaySpans(const Backtracker::Program& p, const ReplayRecord& rec, BacktrackState& state, Move move) {
  const size_t n = 2 * static_cast<size_t>(p.groups + 1);
  if (state.regs.size() < n) state.regs.resize(n);
  const intptr_t* from = rec.regs.data();
  intptr_t* to = state.regs.data();
  for (size_t i = 0; i < n; ++i) to[i] = move(i, from[i]);
}

// Answers the search from record `rec` when it fits `text` (see ReplayRecord).
std::optional<Backtracker::Outcome> Replay(const Backtracker::Program& p, std::string_view text,
                                           const ReplayRecord& rec, BacktrackState& state) {
  using Outcome = Backtracker::Outcome;
  const Outcome outcome = rec.matched ? Outcome::kMatch : Outcome::kNoMatch;
  if (rec.shift_from > 0) {  // checked shifted only: unshifted, that is the same check
    const auto* s = reinterpret_cast<const uint8_t*>(text.data());
    const intptr_t end = LinearEnd(p, s, static_cast<intptr_t>(text.size()));
    if (end <= 0 || !CanReplayShifted(text, end, rec)) return std::nullopt;
    // Every span moved by the shift; the match itself still begins at 0.
    const intptr_t shift = end - rec.shift_from;
    CopyReplaySpans(p, rec, state, [shift](size_t i, intptr_t v) { return i == 0 || v < 0 ? v : v + shift; });
    state.shift_start = end;
    state.shift_hi = rec.hi + shift;
    state.shift_rest = rec.hi > rec.len ? rec.len - rec.shift_from : -1;
    return outcome;
  }
  intptr_t tail_end = -1;
  if (!CanReplay(p, text, rec, tail_end)) return std::nullopt;
  if (rec.tail_from >= 0) {
    // Spans that ended where the recorded tail run ended (only group ends follow the
    // run, and everything before it ends before that) end where this one does.
    CopyReplaySpans(p, rec, state, [&rec, tail_end](size_t, intptr_t v) { return v == rec.tail_end ? tail_end : v; });
    return outcome;  // read_extent unknown: the tail read to the end
  }
  CopyReplaySpans(p, rec, state, [](size_t, intptr_t v) { return v; });
  state.read_extent = rec.hi;
  return outcome;
}

constexpr unsigned kTriesJudged = 32;        // replays tried before their rate counts
constexpr unsigned kSparseRecordEvery = 64;  // while it is low, one search in this many is recorded

bool ShouldRecord(BacktrackState& state) {
  if (state.replay_tries >= 4 * kTriesJudged) {
    state.replay_tries /= 2;
    state.replay_hits /= 2;
  }
  return state.replay_tries < kTriesJudged || 3 * state.replay_hits >= state.replay_tries ||
         ++state.searches % kSparseRecordEvery == 0;
}

// Whether the bytes after `pos` fit the offsets a match could have there.
bool AgreesAhead(const Backtracker::Program& p, const uint8_t* s, intptr_t len, intptr_t pos) {
  for (int k = 1; k < Backtracker::Program::kLookahead && pos + k < len; ++k)
    if (!p.at_offset[static_cast<size_t>(k)].Has(s[pos + k])) return false;
  return true;
}

// A search that no record answered: the matcher run from the start (anchored: once).
template <bool kTrack>
Backtracker::Outcome SearchFresh(const Backtracker::Program& p, std::string_view text, bool once, BacktrackState& state) {
  using Outcome = Backtracker::Outcome;
  state.regs.assign(static_cast<size_t>(p.registers), -1);
  state.trail.clear();
  Matcher<kTrack> matcher(p, text, state);
  const auto len = static_cast<intptr_t>(text.size());
  const auto* s = reinterpret_cast<const uint8_t*>(text.data());
  if (once) {
    const bool record = kTrack && ShouldRecord(state);
    state.classes.clear();
    if (record) matcher.RecordInto(&state.classes);
    state.regs[0] = 0;
    const bool matched = matcher.Run(p.start, 0);
    if (matcher.gave_up_) return Outcome::kGaveUp;  // a recorded search stays valid
    if (!matched) matcher.Unwind(0);
    const bool tail = matcher.tail_at_ >= 0;
    state.read_extent = !kTrack || tail ? -1 : matcher.hi_;  // untracked: not known
    if (record && !matcher.unrecorded_) {
      state.classes.resize(static_cast<size_t>(std::min(matcher.hi_, len)), ByteSet::All());
      auto& records = state.records;
      std::rotate(records.begin(), records.end() - 1, records.end());  // the oldest, first
      ReplayRecord& rec = records.front();
      rec.tail_from = tail ? matcher.tail_at_ : -1;
      rec.tail_end = matcher.tail_end_;
      rec.shift_from = tail ? -1 : ShiftableFrom(p, text, state, matcher.absolute_at_);
      std::swap(state.classes, rec.classes);
      rec.program = &p;
      rec.hi = matcher.hi_;
      rec.len = len;
      rec.matched = matched;
      rec.regs = state.regs;
      state.front_answered = true;
      if (rec.shift_from > 0) {
        state.shift_start = rec.shift_from;
        state.shift_hi = rec.hi;
        state.shift_rest = rec.hi > len ? len - rec.shift_from : -1;
      }
    }
    return matched ? Outcome::kMatch : Outcome::kNoMatch;
  }
  for (intptr_t pos = 0; pos <= len; ++pos) {
    if (!p.first_any) {
      if (p.first_byte >= 0) {
        const void* hit = pos < len ? std::memchr(s + pos, p.first_byte, static_cast<size_t>(len - pos)) : nullptr;
        if (hit == nullptr) break;
        pos = static_cast<const uint8_t*>(hit) - s;
      } else {
        while (pos < len && !p.first.Has(s[pos])) ++pos;
        if (pos == len) break;
      }
      if (!AgreesAhead(p, s, len, pos)) continue;
    }
    state.regs[0] = pos;
    if (matcher.Run(p.start, pos)) return Outcome::kMatch;
    if (matcher.gave_up_) return Outcome::kGaveUp;
    matcher.Unwind(0);
  }
  return Outcome::kNoMatch;
}

}  // namespace

Backtracker::Outcome Backtracker::Search(std::string_view text, bool anchored, BacktrackState& state) const {
  const Program& p = *program_;
  const bool once = anchored || p.anchored;
  state.read_extent = -1;
  state.shift_start = -1;
  state.front_answered = false;
  if (once && p.replay) {
    ++state.replay_tries;
    auto& records = state.records;
    for (size_t r = 0; r < records.size(); ++r) {
      if (records[r].program != &p) continue;
      const std::optional<Outcome> replayed = Replay(p, text, records[r], state);
      if (!replayed) continue;
      ++state.replay_hits;
      if (r > 0) std::rotate(records.begin(), records.begin() + static_cast<std::ptrdiff_t>(r),
                             records.begin() + static_cast<std::ptrdiff_t>(r) + 1);
      state.front_answered = true;
      return *replayed;
    }
  }
  return p.replay ? SearchFresh<true>(p, text, once, state) : SearchFresh<false>(p, text, once, state);
}

intptr_t Backtracker::ChoiceFreeStartEnd(std::string_view text) const {
  const Program& p = *program_;
  if (p.linear.empty()) return -1;
  return LinearEnd(p, reinterpret_cast<const uint8_t*>(text.data()), static_cast<intptr_t>(text.size()));
}

bool Backtracker::Rejects(std::string_view text, bool anchored, bool prefilter_first) const {
  const Program& p = *program_;
  if (!anchored && !p.anchored) return false;
  const auto* s = reinterpret_cast<const uint8_t*>(text.data());
  const auto len = static_cast<intptr_t>(text.size());
  if (len > 0 && !p.at_offset[0].Has(s[0])) return true;
  if (!AgreesAhead(p, s, len, 0)) return true;
  // A replayed regex (a date template) nearly always matches: not worth a second pass.
  // A start of several runs (nginx's `\s*\[[a-z]+\] \d+#\d+: \*\d+ limiting requests`)
  // costs more to walk than a selective prefilter's scan for the literal it ends in.
  if (p.replay || (prefilter_first && p.linear_runs > kCheapLinearRuns)) return false;
  return LinearEnd(p, s, len) < 0;
}

std::bitset<256> Backtracker::FirstBytesAtStart() const {
  std::bitset<256> out;
  const Program& p = *program_;
  for (unsigned c = 0; c < 256; ++c) out[c] = !p.anchored || p.at_offset[0].Has(static_cast<uint8_t>(c));
  return out;
}

}  // namespace portcullis::regex::internal
