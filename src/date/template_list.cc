#include "date/template_list.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <mutex>
#include <string>

#include "date/template_regex.h"

namespace portcullis::date {
namespace {

std::string Upper(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

// Python compares the upper-cased pattern when it has no `%` (so `epoch` works too).
std::string PatternKey(std::string_view pattern) {
  return pattern.find('%') == std::string_view::npos ? Upper(pattern) : std::string(pattern);
}

bool HasEpochToken(std::string_view pattern) {
  std::string upper = Upper(pattern);
  for (std::string_view token : {"{EPOCH}", "{LEPOCH}"}) {
    for (size_t pos = upper.find(token); pos != std::string::npos; pos = upper.find(token, pos + 1))
      if (pos == 0 || upper[pos - 1] != '\\') return true;
  }
  return false;
}

bool IsOneOf(std::string_view key, std::string_view base) {
  return key == base || key == "{^LN-BEG}" + std::string(base) || key == "^" + std::string(base);
}

Result<TemplatePtr> Shared(Result<DateTemplate> t, std::string key) {
  if (!t) return Fail(t.error());
  t->set_key(std::move(key));
  return std::make_shared<const DateTemplate>(std::move(*t));
}

// Replaces every unescaped {DATE} (any case) of `pre_match` with `date`.
std::string SubstituteDate(std::string_view pre_match, std::string_view date) {
  std::string upper = Upper(pre_match), out;
  for (size_t i = 0; i < pre_match.size();) {
    if (upper.compare(i, 6, "{DATE}") == 0 && (i == 0 || pre_match[i - 1] != '\\')) {
      out += date;
      i += 6;
    } else {
      out += pre_match[i++];
    }
  }
  return out;
}

Result<std::vector<TemplatePtr>> BuildDefaults(std::string_view exact_year) {
  std::vector<TemplatePtr> anchored, base;
  for (std::string_view pattern : DefaultPatterns()) {
    auto t = TemplateForPattern(pattern, exact_year, /*deferred=*/true);
    if (!t) return Fail(t.error());
    const std::string& name = (*t)->name();
    if (!name.starts_with("{^LN-BEG}") && !name.starts_with("^")) {
      std::string wrapped = "{^LN-BEG}" + ((*t)->kind() == DateTemplate::Kind::kPattern ? (*t)->pattern() : name);
      auto copy = TemplateForPattern(wrapped, exact_year, /*deferred=*/true);
      if (!copy) return Fail(copy.error());
      auto heavy = std::make_shared<DateTemplate>(**copy);
      heavy->set_weight(100.0);
      anchored.push_back(std::move(heavy));
    }
    base.push_back(*t);
  }
  anchored.insert(anchored.end(), base.begin(), base.end());
  return anchored;
}

// {DATE} in `pre_match`: each base default template's unbound pattern put in its place.
// The first is compiled at once (an error in the user's part shows there); the others,
// which differ only in the default's part, when first searched (fail2ban compiles every
// template then).
Result<std::vector<TemplatePtr>> ExpandDate(std::string_view pre_match, std::string_view exact_year) {
  std::vector<TemplatePtr> out;
  for (std::string_view pattern : DefaultPatterns()) {
    auto base = TemplateForPattern(pattern, exact_year, /*deferred=*/true);  // its text only
    if (!base) return Fail(base.error());
    bool has_pattern = (*base)->kind() == DateTemplate::Kind::kPattern;
    std::string text = UnboundPattern(has_pattern ? (*base)->pattern() : (*base)->name());
    auto t = TemplateForPattern(SubstituteDate(pre_match, text), exact_year, /*deferred=*/!out.empty());
    if (!t) return Fail(t.error());
    out.push_back(*t);
  }
  return out;
}

}  // namespace

const std::vector<std::string_view>& DefaultPatterns() {
  static const std::vector<std::string_view> patterns = {
      R"(%ExY(?P<_sep>[-/.])%m(?P=_sep)%d(?:T|  ?)%H:%M:%S(?:[.,]%f)?(?:\s*%z)?)",
      R"((?:%a )?%b %d %k:%M:%S(?:\.%f)?(?: %ExY)?)",
      R"((?:%a )?%b %d %ExY %k:%M:%S(?:\.%f)?)",
      R"(%d(?P<_sep>[-/])%m(?P=_sep)(?:%ExY|%Exy) %k:%M:%S)",
      R"(%d(?P<_sep>[-/])%b(?P=_sep)%ExY[ :]?%H:%M:%S(?:\.%f)?(?: %z)?)",
      R"(%m/%d/%ExY:%H:%M:%S)",
      R"(%m-%d-%ExY %k:%M:%S(?:\.%f)?)",
      R"(EPOCH)",
      R"({^LN-BEG}%H:%M:%S)",
      R"(^<%m/%d/%Exy@%H:%M:%S>)",
      R"(%Exy%Exm%Exd  ?%H:%M:%S)",
      R"(%b %d, %ExY %I:%M:%S %p)",
      R"(^%b-%d-%Exy %k:%M:%S)",
      R"(%ExY%Exm%Exd(?:T|  ?)%ExH%ExM%ExS(?:[.,]%f)?(?:\s*%z)?)",
      R"((?:%Z )?(?:%a )?%b %d %k:%M:%S(?:\.%f)?(?: %ExY)?)",
      R"((?:%z )?(?:%a )?%b %d %k:%M:%S(?:\.%f)?(?: %ExY)?)",
      R"(TAI64N)",
  };
  return patterns;
}

bool IsAnchoredDefaultKey(std::string_view key) {
  for (std::string_view pattern : DefaultPatterns()) {
    if (pattern.starts_with("{^LN-BEG}") || pattern.starts_with("^")) continue;
    std::string name = pattern == "EPOCH" ? "Epoch" : std::string(pattern);
    if (PatternKey("{^LN-BEG}" + name) == key) return true;
  }
  return false;
}

Result<std::vector<TemplatePtr>> DefaultTemplates(std::string_view exact_year) {
  static std::mutex mutex;
  static std::map<std::string, std::vector<TemplatePtr>, std::less<>> cache;
  std::lock_guard lock(mutex);
  if (auto it = cache.find(exact_year); it != cache.end()) return it->second;
  auto built = BuildDefaults(exact_year);
  if (!built) return Fail(built.error());
  return cache.emplace(std::string(exact_year), std::move(*built)).first->second;
}

Result<TemplatePtr> TemplateForPattern(std::string_view pattern, std::string_view exact_year, bool deferred) {
  std::string key = PatternKey(pattern);
  if (key.find("EPOCH") != std::string::npos) {
    if (HasEpochToken(pattern))
      return Shared(DateTemplate::EpochInPattern(pattern, key.find("LEPOCH") != std::string::npos), key);
    if (IsOneOf(key, "EPOCH")) return Shared(DateTemplate::Epoch(key != "EPOCH", false), key);
    if (IsOneOf(key, "LEPOCH")) return Shared(DateTemplate::Epoch(key != "LEPOCH", true), key);
  }
  if (IsOneOf(key, "TAI64N")) return Shared(DateTemplate::Tai64n(key != "TAI64N"), key);
  return Shared(DateTemplate::FromPattern(pattern, exact_year, deferred), key);
}

Result<Expansion> ExpandDatePattern(std::string_view line, std::string_view exact_year) {
  std::string key = PatternKey(line);
  if (key == "{^LN-BEG}" || key == "{DEFAULT}") {
    auto all = DefaultTemplates(exact_year);
    if (!all) return Fail(all.error());
    Expansion out{{}, true, true};
    for (const TemplatePtr& t : *all)
      if (key == "{DEFAULT}" || (t->flags() & kLineBegin)) out.templates.push_back(t);
    return out;
  }
  if (key.find("{DATE}") != std::string::npos) {
    auto expanded = ExpandDate(line, exact_year);
    if (!expanded) return Fail(expanded.error());
    return Expansion{std::move(*expanded), true, false};
  }
  auto t = TemplateForPattern(key == "{NONE}" ? "{UNB}^" : line, exact_year);
  if (!t) return Fail(t.error());
  return Expansion{{std::move(*t)}, false, false};
}

}  // namespace portcullis::date
