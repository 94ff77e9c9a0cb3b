#include "portcullis/config/tags.h"

#include <map>

namespace portcullis::config {

namespace {

struct TagMatch {
  size_t start = 0;
  size_t end = 0;
  std::string name;
};

// TAG_CRE `<([^ <>]+)>` searched from `pos`.
std::optional<TagMatch> FindTag(std::string_view text, size_t pos) {
  for (size_t i = text.find('<', pos); i != std::string_view::npos; i = text.find('<', i + 1)) {
    size_t k = i + 1;
    while (k < text.size() && text[k] != ' ' && text[k] != '<' && text[k] != '>') ++k;
    if (k > i + 1 && k < text.size() && text[k] == '>') {
      return TagMatch{i, k + 1, std::string(text.substr(i + 1, k - i - 1))};
    }
  }
  return std::nullopt;
}

std::string ReplaceAll(std::string_view text, std::string_view from, std::string_view to) {
  std::string out;
  size_t pos = 0;
  for (size_t i = text.find(from); i != std::string_view::npos; i = text.find(from, pos)) {
    out += text.substr(pos, i - pos);
    out += to;
    pos = i + from.size();
  }
  out += text.substr(pos);
  return out;
}

class Substitution {
 public:
  Substitution(const OptionMap& tags, const TagOptions& options)
      : tags_(tags), options_(options) {}

  Result<OptionMap> Run(std::string* failed_key);

 private:
  Result<std::optional<std::string>> Replacement(const std::string& tag);
  // One pass over a value; true when it still holds tags after changing.
  Result<bool> SubstituteKey(size_t index);

  OptionMap tags_;
  const TagOptions& options_;
  std::set<std::string> done_;
  std::map<std::string, std::map<std::string, int>> counts_;
  std::map<std::string, std::optional<std::string>> fallback_cache_;
};

Result<std::optional<std::string>> Substitution::Replacement(const std::string& tag) {
  if (!options_.conditional.empty()) {
    if (const std::string* v = tags_.Find(tag + "?" + options_.conditional)) return *v;
  }
  if (const std::string* v = tags_.Find(tag)) return *v;
  if (!options_.fallback) return std::optional<std::string>();
  auto cached = fallback_cache_.find(tag);
  if (cached != fallback_cache_.end()) return cached->second;
  auto found = options_.fallback(tag);
  if (!found) return found;
  fallback_cache_.emplace(tag, *found);
  return found;
}

Result<bool> Substitution::SubstituteKey(size_t index) {
  const std::string key = tags_.entries()[index].first;
  std::string value = tags_.entries()[index].second;
  const std::string original = value;
  std::map<std::string, int>& counts = counts_[key];
  for (auto m = FindTag(value, 0); m;) {
    if (options_.ignore.contains(m->name)) {
      m = FindTag(value, m->end);
      continue;
    }
    auto count = counts.find(m->name);
    if (m->name == key || (count != counts.end() && count->second > kMaxTagReplaceCount)) {
      return Fail("properties contain self referencing definitions and cannot be resolved, "
                  "fail tag: " + key + ", found: " + m->name, "", 0, value);
    }
    auto replacement = Replacement(m->name);
    if (!replacement) return Fail(replacement.error());
    if (!*replacement) {
      m = FindTag(value, m->end);
      continue;
    }
    value = ReplaceAll(value, "<" + m->name + ">", **replacement);
    ++counts[m->name];
    m = FindTag(value, m->start);
  }
  bool again = value != original && FindTag(value, 0).has_value();
  if (value.find('<') == std::string::npos) done_.insert(key);
  if (value != original) tags_.Set(key, std::move(value));
  return again;
}

Result<OptionMap> Substitution::Run(std::string* failed_key) {
  for (bool again = true; again;) {
    again = false;
    for (size_t i = 0; i < tags_.size(); ++i) {
      const std::string& key = tags_.entries()[i].first;
      if (options_.ignore.contains(key) || done_.contains(key)) continue;
      auto changed = SubstituteKey(i);
      if (!changed) {
        if (failed_key) *failed_key = tags_.entries()[i].first;
        return Fail(changed.error());
      }
      again = again || *changed;
    }
  }
  return std::move(tags_);
}

}  // namespace

Result<OptionMap> SubstituteRecursiveTags(const OptionMap& tags, const TagOptions& options,
                                          std::string* failed_key) {
  return Substitution(tags, options).Run(failed_key);
}

}  // namespace portcullis::config
