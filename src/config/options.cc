#include "portcullis/config/options.h"

#include <regex>

#include "config/text.h"

namespace portcullis::config {

void OptionMap::Set(std::string name, std::string value) {
  for (auto& [key, old] : entries_) {
    if (key == name) {
      old = std::move(value);
      return;
    }
  }
  entries_.emplace_back(std::move(name), std::move(value));
}

const std::string* OptionMap::Find(std::string_view name) const {
  for (const auto& [key, value] : entries_) {
    if (key == name) return &value;
  }
  return nullptr;
}

bool OptionMap::Erase(std::string_view name) {
  for (auto it = entries_.begin(); it != entries_.end(); ++it) {
    if (it->first == name) {
      entries_.erase(it);
      return true;
    }
  }
  return false;
}

std::string OptionMap::Repr() const {
  std::string out = "{";
  for (size_t i = 0; i < entries_.size(); ++i) {
    if (i) out += ", ";
    out += PyRepr(entries_[i].first) + ": " + PyRepr(entries_[i].second);
  }
  return out + "}";
}

namespace {

bool IsOptionNameChar(char c) { return IsWordChar(c) || c == '-' || c == '.'; }

// Python's `$` without MULTILINE: at the end, or before a final "\n".
bool AtEnd(std::string_view text, size_t pos) {
  return pos == text.size() || (pos + 1 == text.size() && text[pos] == '\n');
}

std::string Head25(std::string_view text) { return std::string(text.substr(0, 25)); }

// One `key=value` of an option list, starting at `pos` (after leading blanks).
// Returns the value and moves `pos` past the separator; nullopt when no `key=`.
struct OptionMatch {
  std::string key;
  std::string value;
};

std::optional<OptionMatch> MatchKeyValue(std::string_view text, size_t& pos) {
  size_t p = pos;
  while (p < text.size() && IsSpace(text[p])) ++p;
  size_t key_start = p;
  while (p < text.size() && IsOptionNameChar(text[p])) ++p;
  if (p == key_start || p >= text.size() || text[p] != '=') return std::nullopt;
  OptionMatch match{std::string(text.substr(key_start, p - key_start)), {}};
  ++p;
  char quote = p < text.size() ? text[p] : '\0';
  size_t close = (quote == '"' || quote == '\'') ? text.find(quote, p + 1) : std::string_view::npos;
  if (close != std::string_view::npos) {
    match.value = std::string(text.substr(p + 1, close - p - 1));
    p = close + 1;
  } else {
    size_t end = text.find_first_of(",]", p);
    if (end == std::string_view::npos) end = text.size();
    match.value = std::string(text.substr(p, end - p));
    p = end;
  }
  pos = p;
  return match;
}

// The separator after a value: ",", "]\s*[", or the end. Returns false for garbage.
bool SkipSeparator(std::string_view text, size_t& pos) {
  if (pos < text.size() && text[pos] == ',') {
    ++pos;
    return true;
  }
  if (pos < text.size() && text[pos] == ']') {
    size_t p = pos + 1;
    while (p < text.size() && IsSpace(text[p])) ++p;
    if (p < text.size() && text[p] == '[') {
      pos = p + 1;
      return true;
    }
  }
  if (AtEnd(text, pos)) {
    pos = text.size();
    return true;
  }
  return false;
}

// `,?\s*$`: only an optional comma and blanks are left.
bool OnlyTrailer(std::string_view text, size_t pos) {
  if (pos < text.size() && text[pos] == ',') ++pos;
  while (pos < text.size() && IsSpace(text[pos])) ++pos;
  return pos == text.size();
}

Result<OptionMap> ParseOptionList(std::string_view text) {
  OptionMap options;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t start = pos;
    if (auto match = MatchKeyValue(text, pos)) {
      if (!SkipSeparator(text, pos)) {
        return Fail("unexpected syntax at " + std::to_string(pos) + " after option " +
                    PyRepr(match->key) + ": " + Head25(text.substr(pos)));
      }
      options.Set(std::string(Strip(match->key)), std::string(Strip(match->value)));
      continue;
    }
    if (OnlyTrailer(text, start)) break;
    return Fail("expected option, wrong syntax at " + std::to_string(start) + ": " +
                Head25(text.substr(start)));
  }
  return options;
}

}  // namespace

Result<NameWithOptions> ExtractOptions(std::string_view text) {
  size_t open = text.find('[');
  if (open == 0 || text.empty()) return Fail("unexpected option syntax", "", 0, std::string(text));
  NameWithOptions result{std::string(text.substr(0, open)), {}};
  if (open == std::string_view::npos) return result;
  std::string_view rest = RStrip(text.substr(open));
  if (rest.size() < 2 || rest.back() != ']') {
    return Fail("unexpected option syntax", "", 0, std::string(text));
  }
  auto options = ParseOptionList(rest.substr(1, rest.size() - 2));
  if (!options) return Fail(options.error());
  result.options = std::move(*options);
  return result;
}

std::vector<std::string> SplitWithOptions(std::string_view text) {
  // fail2ban's OPTION_SPLIT_CRE; short action lists only, so std::regex will do.
  static const std::regex kWord(
      R"((?:[^\[\s]+(?:\s*\[\s*(?:[\w\-_\.]+=(?:"[^"]*"|'[^']*'|[^,\]]*)\s*(?:,|\]\s*\[)?\s*)*\])?\s*|\S+)(?=\n\s*|\s+|$))");
  std::vector<std::string> words;
  std::string subject(text);
  for (auto it = std::sregex_iterator(subject.begin(), subject.end(), kWord);
       it != std::sregex_iterator(); ++it) {
    std::string match = it->str();
    std::string_view word = Strip(match);
    if (!word.empty()) words.emplace_back(word);
  }
  return words;
}

std::vector<std::string> SplitWords(std::string_view text) {
  std::vector<std::string> words;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t end = text.find_first_of(" ,\n", pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view word = Strip(text.substr(pos, end - pos));
    if (!word.empty()) words.emplace_back(word);
    pos = end + 1;
  }
  return words;
}

bool ParseBool(std::string_view text) {
  std::string lower = ToLower(text);
  return lower == "1" || lower == "on" || lower == "true" || lower == "yes";
}

}  // namespace portcullis::config
