#include "portcullis/regex/fail_regex.h"

#include "text_util.h"

#include <algorithm>
#include <map>
#include <set>

namespace portcullis::regex {
namespace {

using internal::Cat;

// fail2ban's IPAddr.IP_4_RE / IP_6_RE and the R_HOST table of failregex.py.
constexpr std::string_view kIp4 = R"((?:\d{1,3}\.){3}\d{1,3})";
constexpr std::string_view kIp6 = R"((?:[0-9a-fA-F]{1,4}::?|::){1,7}(?:[0-9a-fA-F]{1,4}|(?<=:):))";

std::string Ip4Group() { return Cat("(?:::f{4,6}:)?(?P<ip4>", kIp4, ")"); }
std::string Ip6Group() { return Cat("(?P<ip6>", kIp6, ")"); }
std::string DnsGroup() { return R"((?P<dns>[\w\-.^_]*\w))"; }
std::string CidrGroup() { return R"((?P<cidr>\d+))"; }
std::string AddrGroup() { return Cat(R"(\[?(?:)", Ip4Group(), "|", Ip6Group(), R"()\]?)"); }
std::string HostGroup() { return Cat("(?:", AddrGroup(), "|", DnsGroup(), ")"); }
std::string SubnetGroup() {
  return Cat(R"(\[?(?:)", Ip4Group(), "|", Ip6Group(), ")(?:/", CidrGroup(), R"()?\]?)");
}

// RH4TAG: the fixed tags (name between < and >).
const std::map<std::string, std::string, std::less<>>& FixedTags() {
  static const std::map<std::string, std::string, std::less<>> tags = {
      {"IP4", Ip4Group()},       {"F-IP4/", Ip4Group()},     {"IP6", Ip6Group()},
      {"F-IP6/", Ip6Group()},    {"ADDR", AddrGroup()},      {"F-ADDR/", AddrGroup()},
      {"CIDR", CidrGroup()},     {"F-CIDR/", CidrGroup()},   {"SUBNET", SubnetGroup()},
      {"F-SUBNET/", SubnetGroup()}, {"DNS", DnsGroup()},     {"F-DNS/", DnsGroup()},
      {"F-ID/", R"((?P<fid>\S+))"}, {"F-PORT/", R"((?P<fport>\w+))"},
  };
  return tags;
}

bool IsTagChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '-' || static_cast<unsigned char>(c) >= 0x80;
}

bool IsCustomNameChar(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
}

// Length of a tag `</?[\w\-]+/?>` starting at `at`, 0 when there is none.
size_t TagLength(std::string_view text, size_t at) {
  size_t p = at + 1;
  if (p < text.size() && text[p] == '/') ++p;
  const size_t name = p;
  while (p < text.size() && IsTagChar(text[p])) ++p;
  if (p == name) return 0;
  if (p < text.size() && text[p] == '/') ++p;
  return p < text.size() && text[p] == '>' ? p + 1 - at : 0;
}

// fail2ban's mapTag2Opt: lower-case, F-ID -> fid, F-PORT -> fport.
std::string MapTagToOption(std::string_view tag) {
  std::string name(tag);
  std::transform(name.begin(), name.end(), name.begin(),
                 [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; });
  if (name == "id") return "fid";
  if (name == "port") return "fport";
  return name;
}

// One pass of Regex._resolveHostTag; the state is the open custom tags and the
// <SKIPLINES> counter.
class TagExpander {
 public:
  explicit TagExpander(TagOptions options) : options_(options) {}

  std::string Expand(std::string_view regex) {
    std::string out;
    for (size_t i = 0; i < regex.size();) {
      const size_t n = regex[i] == '<' ? TagLength(regex, i) : 0;
      if (n == 0) {
        out += regex[i++];
        continue;
      }
      out += Substitute(regex.substr(i, n));
      i += n;
    }
    return out;
  }

 private:
  std::string Substitute(std::string_view tag) {
    const std::string_view name = tag.substr(1, tag.size() - 2);
    if (name == "HOST") return options_.usedns_no ? AddrGroup() : HostGroup();
    if (name == "SKIPLINES") return Cat(R"(\n(?P<skiplines)", skiplines_++, R"(>(?:(?:.*\n)*?)))");
    if (auto it = FixedTags().find(name); it != FixedTags().end()) return it->second;
    return Custom(tag, name);
  }

  // <F-NAME> opens (?P<name>; </F-NAME> closes it when it was opened.
  std::string Custom(std::string_view tag, std::string_view name) {
    const bool closing = name.starts_with('/');
    if (closing) name.remove_prefix(1);
    if (!name.starts_with("F-") || name.size() == 2 ||
        !std::all_of(name.begin() + 2, name.end(), IsCustomNameChar))
      return std::string(tag);
    name.remove_prefix(2);
    if (closing) return open_.contains(std::string(name)) ? ")" : std::string(tag);
    open_.emplace(name);
    return "(?P<" + MapTagToOption(name) + ">";
  }

  TagOptions options_;
  std::set<std::string, std::less<>> open_;
  int skiplines_ = 0;
};

// R_GLOB2LOCFLAGS: `(?<!\\)\((?:\?:)?(\(\?[a-z]+)\)` -> `\1:`, turning
// `((?i)x)` and `(?:(?i)x)` into `(?i:x)`.
std::string ScopeGlobalFlags(std::string_view regex) {
  std::string out;
  for (size_t i = 0; i < regex.size();) {
    size_t p = i + 1;
    if (regex[i] == '(' && (i == 0 || regex[i - 1] != '\\')) {
      if (regex.substr(p, 2) == "?:") p += 2;
      if (regex.substr(p, 2) == "(?") {
        size_t q = p + 2;
        while (q < regex.size() && regex[q] >= 'a' && regex[q] <= 'z') ++q;
        if (q > p + 2 && q < regex.size() && regex[q] == ')') {
          out.append(regex.substr(p, q - p)).append(":");
          i = q + 1;
          continue;
        }
      }
    }
    out += regex[i++];
  }
  return out;
}

bool IsBlank(std::string_view text) {
  return text.find_first_not_of(" \t\n\r\v\f\x1c\x1d\x1e\x1f") == std::string_view::npos;
}

// COMPLNAME_CRE `^(alt_|tuple_)(.*?)(?:_\d+)?$`: the target of alt_X_1 is X.
std::string ComplexTarget(std::string_view rest) {
  if (const size_t cut = rest.rfind('_'); cut != std::string_view::npos && cut + 1 < rest.size() &&
      std::all_of(rest.begin() + cut + 1, rest.end(), [](char c) { return c >= '0' && c <= '9'; }))
    rest = rest.substr(0, cut);
  return MapTagToOption(rest);
}

int* FixedSlot(GroupMap& map, std::string_view name) {
  static const std::pair<std::string_view, int GroupMap::*> kSlots[] = {
      {"fid", &GroupMap::fid},         {"ip4", &GroupMap::ip4},
      {"ip6", &GroupMap::ip6},         {"dns", &GroupMap::dns},
      {"cidr", &GroupMap::cidr},       {"fport", &GroupMap::fport},
      {"mlfid", &GroupMap::mlfid},     {"nofail", &GroupMap::nofail},
      {"mlfforget", &GroupMap::mlfforget}, {"mlfgained", &GroupMap::mlfgained},
      {"content", &GroupMap::content}, {"user", &GroupMap::user},
  };
  for (const auto& [slot, member] : kSlots)
    if (slot == name) return &(map.*member);
  return nullptr;
}

// skiplinesN, by N.
bool AddSkiplines(GroupMap& map, std::string_view name, int index) {
  constexpr std::string_view kPrefix = "skiplines";
  if (!name.starts_with(kPrefix) || name.size() == kPrefix.size()) return false;
  const std::string_view digits = name.substr(kPrefix.size());
  if (!std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return false;
  const size_t n = std::stoul(std::string(digits));
  if (map.skiplines.size() <= n) map.skiplines.resize(n + 1, -1);
  map.skiplines[n] = index;
  return true;
}

GroupMap BuildGroupMap(const Regex& regex) {
  GroupMap map;
  map.named = regex.NamedGroups();
  for (const auto& [name, index] : map.named) {
    if (int* slot = FixedSlot(map, name)) *slot = index;
    else if (AddSkiplines(map, name, index)) continue;
    if (name.size() <= 4) continue;
    if (name.starts_with("alt_")) map.alt.emplace_back(index, ComplexTarget(name.substr(4)));
    else if (name.starts_with("tuple_")) map.tuple.emplace_back(index, ComplexTarget(name.substr(6)));
  }
  return map;
}

}  // namespace

std::string ExpandTags(std::string_view regex, TagOptions options) {
  return ScopeGlobalFlags(TagExpander(options).Expand(regex));
}

Result<FailRegex> FailRegex::Compile(std::string_view regex, CompileOptions compile, TagOptions tags) {
  const std::string expanded = ExpandTags(regex, tags);
  if (IsBlank(expanded)) return Fail("Cannot add empty regex", "", 0, std::string(regex));
  auto compiled = Regex::Compile(expanded, compile);
  if (!compiled) {
    return Fail(Cat("Unable to compile regular expression '", expanded, "':\n",
                       compiled.error().message));
  }
  return FailRegex(std::string(regex), std::move(*compiled));
}

FailRegex::FailRegex(std::string source, Regex regex)
    : source_(std::move(source)), regex_(std::move(regex)), groups_(BuildGroupMap(regex_)) {}

bool FailRegex::HasFailureIdGroup() const {
  return groups_.fid >= 0 || groups_.ip4 >= 0 || groups_.ip6 >= 0 || groups_.dns >= 0 ||
         groups_.mlfid >= 0;
}

}  // namespace portcullis::regex
