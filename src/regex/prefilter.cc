#include "prefilter.h"

#include <algorithm>
#include <cstring>
#include <optional>

#ifdef __SSE2__
#include <emmintrin.h>
#endif
#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define PORTCULLIS_AVX2 1
#endif

namespace portcullis::regex::internal {
namespace {

using Node = Prefilter::Node;
using Kind = Node::Kind;

constexpr size_t kMaxExact = 16;      // strings in an exact set before it becomes a condition
constexpr size_t kMinLiteral = 3;     // shorter literals filter too little to be worth a scan
constexpr size_t kMaxAndLiterals = 2;  // the longest two literals of an AND: all are scanned on a hit
constexpr size_t kMaxAndChoices = 32;  // literals of the one OR an AND keeps after them

Node All() { return Node{}; }

int Commonness(unsigned char c);

Node Literal(std::string text) {
  Node n;
  n.kind = Kind::kLiteral;
  n.literal = std::move(text);
  auto rarer = [&n](size_t i, size_t than) {
    return Commonness(static_cast<unsigned char>(n.literal[i])) <
           Commonness(static_cast<unsigned char>(n.literal[than]));
  };
  for (size_t i = 1; i < n.literal.size(); ++i)
    if (rarer(i, n.anchor)) n.anchor = i;
  n.second = n.anchor == 0 ? n.literal.size() - 1 : 0;
  for (size_t i = 0; i < n.literal.size(); ++i)
    if (i != n.anchor && n.literal[i] != n.literal[n.anchor] && rarer(i, n.second)) n.second = i;
  return n;
}

// What a piece of the pattern matches: exactly one of a small set of strings, or
// something that satisfies `condition`.
struct Info {
  bool exact = false;
  std::vector<std::string> strings;  // sorted, unique; when exact
  Node condition;                    // when not exact
};

Info Exact(std::vector<std::string> strings) {
  std::sort(strings.begin(), strings.end());
  strings.erase(std::unique(strings.begin(), strings.end()), strings.end());
  Info info;
  info.exact = true;
  info.strings = std::move(strings);
  return info;
}

Info Empty() { return Exact({std::string()}); }

Info Anything() { return Info{}; }

Info WithCondition(Node condition) {
  Info info;
  info.condition = std::move(condition);
  return info;
}

// The longest text that all `literals` contain (empty when there is none).
std::string CommonSubstring(const std::vector<Node>& literals) {
  const std::string& first = literals[0].literal;
  std::string best;
  for (size_t begin = 0; begin < first.size(); ++begin) {
    for (size_t len = first.size() - begin; len > best.size(); --len) {
      std::string_view candidate(first.data() + begin, len);
      bool everywhere = true;
      for (const Node& n : literals) everywhere = everywhere && n.literal.find(candidate) != std::string::npos;
      if (everywhere) {
        best = candidate;
        break;
      }
    }
  }
  return best;
}

// Strings of one length that are every combination of a class per position, such as
// the 16 of ": [45][05][04] [45].", as one run of classes (one scan instead of 16); none
// when they are not, or no position holds a single byte to scan for.
std::optional<Node> ClassesOf(const std::vector<Node>& literals) {
  const size_t length = literals[0].literal.size();
  if (literals.size() < 3 || length < kMinLiteral) return std::nullopt;
  Node n;
  n.kind = Kind::kClasses;
  n.classes.resize(length);
  for (const Node& l : literals) {
    if (l.literal.size() != length) return std::nullopt;
    for (size_t i = 0; i < length; ++i) n.classes[i].Add(static_cast<uint8_t>(l.literal[i]));
  }
  size_t combinations = 1;
  for (const ByteSet& c : n.classes) {
    combinations *= static_cast<size_t>(c.Count());
    if (combinations > literals.size()) return std::nullopt;
  }
  if (combinations != literals.size()) return std::nullopt;  // the strings are distinct
  bool anchored = false;
  for (size_t i = 0; i < length; ++i) {
    if (n.classes[i].Count() != 1) continue;
    const char c = literals[0].literal[i];
    n.literal += c;
    if (!anchored || Commonness(static_cast<unsigned char>(c)) <
                         Commonness(static_cast<unsigned char>(literals[0].literal[n.anchor]))) {
      n.anchor = i;
      anchored = true;
    }
  }
  if (!anchored) return std::nullopt;
  return n;
}

// In an OR, a literal that contains another of its literals adds nothing: "extmail"
// is found wherever "mail" is looked for. Such literals (and repeats) are dropped.
void DropImplied(std::vector<Node>& children) {
  auto implied = [&children](size_t i) {
    const Node& n = children[i];
    if (n.kind != Kind::kLiteral) return false;
    for (size_t j = 0; j < children.size(); ++j) {
      const Node& o = children[j];
      if (j == i || o.kind != Kind::kLiteral || o.literal.size() > n.literal.size()) continue;
      if (o.literal.size() == n.literal.size() ? o.literal == n.literal && j < i
                                               : n.literal.find(o.literal) != std::string::npos)
        return true;
    }
    return false;
  };
  std::vector<Node> kept;
  for (size_t i = 0; i < children.size(); ++i)
    if (!implied(i)) kept.push_back(children[i]);
  children = std::move(kept);
}

// A or B over conditions; kAll absorbs. Literals that share a long enough piece become
// that piece: one scan instead of many, for a condition that is only a little weaker.
Node Or(std::vector<Node> nodes) {
  Node out;
  out.kind = Kind::kOr;
  for (Node& n : nodes) {
    if (n.kind == Kind::kAll) return All();
    if (n.kind == Kind::kOr) {
      for (Node& c : n.children) out.children.push_back(std::move(c));
    } else {
      out.children.push_back(std::move(n));
    }
  }
  if (out.children.empty()) return All();
  DropImplied(out.children);
  if (out.children.size() == 1) return std::move(out.children[0]);
  const bool all_literals = std::all_of(out.children.begin(), out.children.end(),
                                        [](const Node& n) { return n.kind == Kind::kLiteral; });
  if (all_literals) {
    std::string common = CommonSubstring(out.children);
    if (common.size() >= kMinLiteral + 1) return Literal(std::move(common));
    if (auto classes = ClassesOf(out.children)) return std::move(*classes);
  }
  return out;
}

// A and B over conditions; kAll drops out. Keeps the longest few literals only: an AND
// is evaluated in full on every text that matches. After them, the OR of fewest
// literals, if any: scanned only on texts that hold the rest, where it often spares a
// search (an access log's 404 lines for paths no alternative names).
Node And(std::vector<Node> nodes) {
  Node out;
  out.kind = Kind::kAnd;
  for (Node& n : nodes) {
    if (n.kind == Kind::kAll) continue;
    if (n.kind == Kind::kAnd) {
      for (Node& c : n.children) out.children.push_back(std::move(c));
    } else {
      out.children.push_back(std::move(n));
    }
  }
  auto weight = [](const Node& n) {
    return n.kind == Kind::kLiteral ? n.literal.size() : n.kind == Kind::kClasses ? n.classes.size() : 0;
  };
  std::stable_sort(out.children.begin(), out.children.end(),
                   [&](const Node& a, const Node& b) { return weight(a) > weight(b); });
  auto same = [](const Node& a, const Node& b) {
    return a.kind == Kind::kLiteral && b.kind == Kind::kLiteral && a.literal == b.literal;
  };
  out.children.erase(std::unique(out.children.begin(), out.children.end(), same), out.children.end());
  std::optional<Node> choice;
  for (Node& n : out.children)
    if (n.kind == Kind::kOr && n.children.size() <= kMaxAndChoices &&
        (!choice || n.children.size() < choice->children.size()))
      choice = n;
  std::erase_if(out.children, [&](const Node& n) { return weight(n) == 0; });
  if (out.children.size() > kMaxAndLiterals) out.children.resize(kMaxAndLiterals);
  if (choice) out.children.push_back(std::move(*choice));
  if (out.children.empty()) return All();
  if (out.children.size() == 1) return std::move(out.children[0]);
  return out;
}

// The condition an Info stands for: an exact set is an OR of its strings, unless one is
// too short to be worth scanning for (then no condition).
Node ConditionOf(const Info& info) {
  if (!info.exact) return info.condition;
  std::vector<Node> literals;
  for (const std::string& s : info.strings) {
    if (s.size() < kMinLiteral) return All();
    literals.push_back(Literal(s));
  }
  return Or(std::move(literals));
}

std::optional<std::vector<std::string>> Cross(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  if (a.size() * b.size() > kMaxExact) return std::nullopt;
  std::vector<std::string> out;
  for (const std::string& x : a)
    for (const std::string& y : b) out.push_back(x + y);
  return out;
}

// A concatenation being built: conditions of the pieces already closed, and the exact
// run since the last inexact piece (so that `a`, `b`, `c` in a row become "abc").
class Sequence {
 public:
  void Add(const Info& info) {
    if (info.exact) {
      if (auto joined = Cross(run_.strings, info.strings)) {
        run_ = Exact(std::move(*joined));
        return;
      }
      Close();
      run_ = info;
      return;
    }
    Close();
    closed_.push_back(info.condition);
  }
  Info Finish() {
    if (closed_.empty()) return run_;
    Close();
    return WithCondition(And(std::move(closed_)));
  }

 private:
  void Close() {
    closed_.push_back(ConditionOf(run_));
    run_ = Empty();
  }
  Info run_ = Empty();
  std::vector<Node> closed_;
};

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

// A recursive-descent reader of the Boost perl syntax the translator writes.
class Parser {
 public:
  explicit Parser(std::string_view pattern) : p_(pattern) {}

  std::optional<Info> Run() {
    Info info = Alternation();
    if (!ok_ || i_ != p_.size()) return std::nullopt;
    return info;
  }

 private:
  bool At(char c) const { return i_ < p_.size() && p_[i_] == c; }
  bool Starts(std::string_view s) const { return p_.substr(i_).starts_with(s); }
  void Fail() {
    ok_ = false;
    i_ = p_.size();
  }

  Info Alternation() {
    std::vector<Info> branches{Concatenation()};
    while (ok_ && At('|')) {
      ++i_;
      branches.push_back(Concatenation());
    }
    if (branches.size() == 1) return std::move(branches[0]);
    std::vector<std::string> strings;
    bool all_exact = true;
    for (const Info& b : branches) {
      all_exact = all_exact && b.exact;
      if (b.exact) strings.insert(strings.end(), b.strings.begin(), b.strings.end());
    }
    if (all_exact && strings.size() <= kMaxExact) return Exact(std::move(strings));
    std::vector<Node> conditions;
    for (const Info& b : branches) conditions.push_back(ConditionOf(b));
    return WithCondition(Or(std::move(conditions)));
  }

  Info Concatenation() {
    Sequence seq;
    while (ok_ && i_ < p_.size() && !At('|') && !At(')')) seq.Add(Repeat(Atom()));
    return seq.Finish();
  }

  // Reads a quantifier after `atom`, if any.
  Info Repeat(Info atom) {
    int min = 0, max = -1;  // max -1: unbounded
    if (At('*')) {
      ++i_;
    } else if (At('+')) {
      ++i_;
      min = 1;
    } else if (At('?')) {
      ++i_;
      max = 1;
    } else if (At('{') && i_ + 1 < p_.size() && IsDigit(p_[i_ + 1])) {
      ++i_;
      min = Number();
      max = min;
      if (At(',')) {
        ++i_;
        max = i_ < p_.size() && IsDigit(p_[i_]) ? Number() : -1;
      }
      if (!At('}')) {
        Fail();
        return Anything();
      }
      ++i_;
    } else {
      return atom;
    }
    if (At('?') || At('+')) ++i_;  // lazy, possessive: the same strings
    if (min == 0) {
      if (max == 1 && atom.exact && atom.strings.size() < kMaxExact) {
        atom.strings.emplace_back();
        return Exact(std::move(atom.strings));
      }
      return Anything();
    }
    if (atom.exact && max == min) {
      Info out = Empty();
      for (int k = 0; k < min; ++k) {
        auto joined = Cross(out.strings, atom.strings);
        if (!joined) return WithCondition(ConditionOf(atom));
        out = Exact(std::move(*joined));
      }
      return out;
    }
    return WithCondition(ConditionOf(atom));
  }

  int Number() {
    int n = 0;
    while (i_ < p_.size() && IsDigit(p_[i_])) n = std::min(n * 10 + (p_[i_++] - '0'), 100000);
    return n;
  }

  Info Atom() {
    const char c = p_[i_];
    switch (c) {
      case '(': return Group();
      case '[': return Class();
      case '\\': return Escape();
      case '.': ++i_; return Anything();
      case '^': case '$': ++i_; return Empty();
      case '*': case '+': case '?': case '{': case ')': case '|': Fail(); return Anything();
      default: ++i_; return Exact({std::string(1, c)});
    }
  }

  // Reads up to and including the ')' that closes the group whose body starts here.
  Info Body() {
    Info inner = Alternation();
    if (!At(')')) {
      Fail();
      return Anything();
    }
    ++i_;
    return inner;
  }

  Info Group() {
    ++i_;  // '('
    if (!At('?')) return Body();
    ++i_;
    if (At(':') || At('>')) {  // non-capturing, atomic
      ++i_;
      return Body();
    }
    if (At('=') || At('!') || Starts("<=") || Starts("<!")) {  // lookarounds take no text
      i_ += At('<') ? 2 : 1;
      Body();
      return Empty();
    }
    if (At('<')) {  // (?<name>...)
      size_t close = p_.find('>', i_);
      if (close == std::string_view::npos) {
        Fail();
        return Anything();
      }
      i_ = close + 1;
      return Body();
    }
    if (At('(')) {  // (?(<name>)yes|no): either branch, nothing required
      size_t close = p_.find(')', i_);
      if (close == std::string_view::npos) {
        Fail();
        return Anything();
      }
      i_ = close + 1;
      Body();
      return Anything();
    }
    // (?flags:...) may change case sensitivity: nothing required. (?flags) alone would
    // change the rest of the pattern: give up.
    while (i_ < p_.size() && (IsAlpha(p_[i_]) || p_[i_] == '-')) ++i_;
    if (!At(':')) {
      Fail();
      return Anything();
    }
    ++i_;
    Body();
    return Anything();
  }

  // One character of an escape outside or inside a class; nullopt for a class escape
  // (\w, \d ...), an assertion or a backreference.
  std::optional<char> EscapedChar(bool& zero_width) {
    zero_width = false;
    ++i_;  // '\'
    if (i_ >= p_.size()) {
      Fail();
      return std::nullopt;
    }
    const char c = p_[i_++];
    switch (c) {
      case 'x': {
        if (!At('{')) break;
        size_t close = p_.find('}', i_);
        if (close == std::string_view::npos || close == i_ + 1) break;
        int value = 0;
        for (size_t k = i_ + 1; k < close; ++k) {
          int h = HexValue(p_[k]);
          if (h < 0 || value > 0xff) {
            Fail();
            return std::nullopt;
          }
          value = value * 16 + h;
        }
        i_ = close + 1;
        if (value > 0xff) break;
        return static_cast<char>(value);
      }
      case 'n': return '\n';
      case 't': return '\t';
      case 'r': return '\r';
      case 'f': return '\f';
      case 'v': return '\v';
      case 'a': return '\a';
      case 'e': return '\x1b';
      case 'b': case 'B': case 'A': case 'z': case 'Z': case 'G':
        zero_width = true;
        return std::nullopt;
      case 'd': case 'D': case 'w': case 'W': case 's': case 'S': case 'h': case 'H':
        return std::nullopt;
      case 'k': case 'g': {  // \k<name>, \g{1}: a backreference
        const char open = At('<') ? '>' : At('{') ? '}' : 0;
        size_t close = open ? p_.find(open, i_) : std::string_view::npos;
        if (close == std::string_view::npos) break;
        i_ = close + 1;
        return std::nullopt;
      }
      default:
        if (IsDigit(c)) {  // \1: a backreference
          while (i_ < p_.size() && IsDigit(p_[i_])) ++i_;
          return std::nullopt;
        }
        if (!IsAlpha(c)) return c;  // \. \[ \\ ...: the character itself
    }
    Fail();  // an escape the translator does not write
    return std::nullopt;
  }

  Info Escape() {
    bool zero_width = false;
    std::optional<char> c = EscapedChar(zero_width);
    if (c) return Exact({std::string(1, *c)});
    return zero_width ? Empty() : Anything();
  }

  // A class is one of its characters when it lists a few of them; else anything.
  Info Class() {
    ++i_;  // '['
    bool negated = false, small = true;
    if (At('^')) {
      negated = true;
      ++i_;
    }
    std::vector<std::string> chars;
    bool first = true;
    while (ok_ && i_ < p_.size() && (first || !At(']'))) {
      first = false;
      std::optional<char> lo;
      if (At('\\')) {
        bool zero_width = false;
        lo = EscapedChar(zero_width);
        if (!lo) small = false;  // \w, \d ... in a class
      } else if (At('[')) {
        Fail();  // a POSIX class or nested set: the translator escapes '['
        break;
      } else {
        lo = p_[i_++];
      }
      if (At('-') && i_ + 1 < p_.size() && p_[i_ + 1] != ']') {
        ++i_;
        std::optional<char> hi;
        if (At('\\')) {
          bool zero_width = false;
          hi = EscapedChar(zero_width);
        } else {
          hi = p_[i_++];
        }
        if (!lo || !hi) {
          small = false;
          continue;
        }
        const int a = static_cast<unsigned char>(*lo), b = static_cast<unsigned char>(*hi);
        if (b < a || b - a >= static_cast<int>(kMaxExact)) {
          small = false;
          continue;
        }
        for (int k = a; k <= b; ++k) chars.emplace_back(1, static_cast<char>(k));
        continue;
      }
      if (lo) chars.emplace_back(1, *lo);
    }
    if (!At(']')) {
      Fail();
      return Anything();
    }
    ++i_;
    if (negated || !small || chars.empty() || chars.size() > kMaxExact) return Anything();
    return Exact(std::move(chars));
  }

  std::string_view p_;
  size_t i_ = 0;
  bool ok_ = true;
};

// How common a byte is in log text, roughly (higher: more common). The scan looks for a
// literal's least common byte with memchr, which glibc runs 32 bytes at a time; every
// false hit costs a restart, so ':' (times, "daemon[pid]:") and '.' (addresses) rank
// high, and rare letters low.
int Commonness(unsigned char c) {
  if (c == ' ') return 10;
  if (c >= 'a' && c <= 'z') {
    const size_t rank = std::string_view("etaoinsrhldcumfpgwybvkxjqz").find(static_cast<char>(c));
    return rank < 10 ? 8 : rank < 16 ? 6 : 3;
  }
  if ((c >= '0' && c <= '9') || c == ':') return 7;
  if (c == '.') return 6;
  if (c == '-' || c == '/' || c == '[' || c == ']') return 5;
  if (c == '"') return 8;  // an access log quotes request, referrer and agent
  if (c == '=' || c == ',' || (c >= 'A' && c <= 'Z')) return 4;
  return 2;
}

#ifdef __SSE2__
// Whether the literal starts at one of the starts from `from` whose bit is set in `mask`.
__attribute__((always_inline)) inline bool FoundAt(const char* from, unsigned mask, const std::string& lit) {
  for (; mask != 0; mask &= mask - 1)
    if (std::memcmp(from + __builtin_ctz(mask), lit.data(), lit.size()) == 0) return true;
  return false;
}

// The starts among the sixteen from `at` where both the anchor byte (`a` on) and the
// second byte (`b` on) are in place, one bit each.
__attribute__((always_inline)) inline unsigned Pairs16(const char* at, size_t a, size_t b, char want_a, char want_b) {
  const __m128i at_a = _mm_loadu_si128(reinterpret_cast<const __m128i*>(at + a));
  const __m128i at_b = _mm_loadu_si128(reinterpret_cast<const __m128i*>(at + b));
  return static_cast<unsigned>(_mm_movemask_epi8(
      _mm_and_si128(_mm_cmpeq_epi8(at_a, _mm_set1_epi8(want_a)), _mm_cmpeq_epi8(at_b, _mm_set1_epi8(want_b)))));
}

#ifdef PORTCULLIS_AVX2
bool HasAvx2() {
  static const bool has = [] {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") != 0;
  }();
  return has;
}

// Pairs16 for thirty-two starts.
__attribute__((target("avx2"), always_inline)) inline unsigned Pairs32(const char* at, size_t a, size_t b,
                                                                         char want_a, char want_b) {
  const __m256i at_a = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(at + a));
  const __m256i at_b = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(at + b));
  return static_cast<unsigned>(_mm256_movemask_epi8(_mm256_and_si256(
      _mm256_cmpeq_epi8(at_a, _mm256_set1_epi8(want_a)), _mm256_cmpeq_epi8(at_b, _mm256_set1_epi8(want_b)))));
}

// ContainsPaired thirty-two starts at a time, where the processor has AVX2 (a text of
// at least thirty-two starts): the lines a prefilter scans are 100-250 bytes.
__attribute__((target("avx2"))) bool ContainsPaired32(std::string_view text, const Node& literal) {
  const std::string& lit = literal.literal;
  const size_t a = literal.anchor, b = literal.second;
  const char* s = text.data();
  const size_t starts = text.size() - lit.size() + 1;
  const size_t last = starts - 32;
  size_t i = 0;
  for (; i <= last; i += 32)
    if (FoundAt(s + i, Pairs32(s + i, a, b, lit[a], lit[b]), lit)) return true;
  // The last thirty-two, overlapping the block before: the starts before i were tried.
  return i != starts && FoundAt(s + last, Pairs32(s + last, a, b, lit[a], lit[b]) & (~0u << (i - last)), lit);
}
#endif

// Sixteen starts at a time: those where both the anchor and the second byte are in
// place (rarely more than the literal's own start), each then compared whole. The last
// sixteen overlap the ones before (their bits masked off), so no start is tried a byte
// at a time unless the text has fewer than sixteen.
bool ContainsPaired(std::string_view text, const Node& literal) {
  const std::string& lit = literal.literal;
  const size_t n = lit.size(), a = literal.anchor, b = literal.second;
  const char* s = text.data();
  const size_t starts = text.size() - n + 1;  // every start to try: [0, starts)
#ifdef PORTCULLIS_AVX2
  if (starts >= 32 && HasAvx2()) return ContainsPaired32(text, literal);
#endif
  if (starts < 16) {
    for (size_t i = 0; i < starts; ++i)
      if (s[i + a] == lit[a] && s[i + b] == lit[b] && std::memcmp(s + i, lit.data(), n) == 0) return true;
    return false;
  }
  const size_t last = starts - 16;
  size_t i = 0;
  for (; i <= last; i += 16)
    if (FoundAt(s + i, Pairs16(s + i, a, b, lit[a], lit[b]), lit)) return true;
  return i != starts && FoundAt(s + last, Pairs16(s + last, a, b, lit[a], lit[b]) & (~0u << (i - last)), lit);
}
#endif

bool Contains(std::string_view text, const Node& literal) {
  const std::string& lit = literal.literal;
  const size_t anchor = literal.anchor;
  const size_t n = lit.size();
  if (text.size() < n) return false;
#ifdef __SSE2__
  if (n >= 2) return ContainsPaired(text, literal);
#endif
  const char* begin = text.data();
  const char* last = begin + (text.size() - n);  // the last possible start
  const char* from = begin + anchor;
  const char* to = last + anchor + 1;
  const char first = lit[0], final = lit[n - 1];
  while (from < to) {
    const char* hit = static_cast<const char*>(std::memchr(from, lit[anchor], static_cast<size_t>(to - from)));
    if (!hit) return false;
    const char* start = hit - anchor;
    // The ends first, inline: most false hits differ there.
    if (start[0] == first && start[n - 1] == final && std::memcmp(start, lit.data(), n) == 0) return true;
    from = hit + 1;
  }
  return false;
}

// Whether `text` holds the run of classes `node`: scanned for its anchor byte.
bool ContainsClasses(std::string_view text, const Node& node) {
  const size_t n = node.classes.size(), anchor = node.anchor;
  if (text.size() < n) return false;
  const auto* s = reinterpret_cast<const uint8_t*>(text.data());
  const uint8_t* from = s + anchor;
  const uint8_t* to = s + (text.size() - n) + anchor + 1;
  const ByteSet& single = node.classes[anchor];
  int word = 0;
  while (single.w[word] == 0) ++word;
  const auto want = static_cast<uint8_t>(64 * word + __builtin_ctzll(single.w[word]));
  while (from < to) {
    const auto* hit = static_cast<const uint8_t*>(std::memchr(from, want, static_cast<size_t>(to - from)));
    if (!hit) return false;
    const uint8_t* start = hit - anchor;
    size_t i = 0;
    while (i < n && node.classes[i].Has(start[i])) ++i;
    if (i == n) return true;
    from = hit + 1;
  }
  return false;
}

void Describe(const Node& n, std::string& out) {
  switch (n.kind) {
    case Kind::kAll: out += '*'; return;
    case Kind::kLiteral: out += '"' + n.literal + '"'; return;
    case Kind::kClasses:
      out += '"';
      for (const ByteSet& c : n.classes) {
        if (c.Count() != 1) out += '[';
        for (unsigned b = 0; b < 256; ++b)
          if (c.Has(static_cast<uint8_t>(b))) out += static_cast<char>(b);
        if (c.Count() != 1) out += ']';
      }
      out += '"';
      return;
    case Kind::kAnd:
    case Kind::kOr:
      out += '(';
      for (size_t i = 0; i < n.children.size(); ++i) {
        if (i) out += n.kind == Kind::kAnd ? " AND " : " OR ";
        Describe(n.children[i], out);
      }
      out += ')';
  }
}

}  // namespace

Prefilter Prefilter::ForPattern(std::string_view boost_pattern, bool ignore_case) {
  Prefilter out;
  if (ignore_case) return out;
  std::optional<Info> info = Parser(boost_pattern).Run();
  if (info) out.root_ = ConditionOf(*info);
  return out;
}

Prefilter Prefilter::ForLiteral(std::string literal) {
  Prefilter out;
  if (!literal.empty()) out.root_ = Literal(std::move(literal));
  return out;
}

bool Prefilter::Eval(const Node& node, std::string_view text) {
  switch (node.kind) {
    case Kind::kAll: return true;
    case Kind::kLiteral: return Contains(text, node);
    case Kind::kClasses: return ContainsClasses(text, node);
    case Kind::kAnd:
      for (const Node& c : node.children)
        if (!Eval(c, text)) return false;
      return true;
    case Kind::kOr:
      for (const Node& c : node.children)
        if (Eval(c, text)) return true;
      return false;
  }
  return true;
}

size_t Prefilter::first_literal_size() const {
  const Node& first = root_.kind == Kind::kAnd ? root_.children.front() : root_;
  return first.kind == Kind::kLiteral ? first.literal.size() : 0;
}

std::string Prefilter::ToString() const {
  std::string out;
  Describe(root_, out);
  return out;
}

}  // namespace portcullis::regex::internal
