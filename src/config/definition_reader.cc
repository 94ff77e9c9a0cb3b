#include "config/definition_reader.h"

#include "config/text.h"
#include "portcullis/config/tags.h"

namespace portcullis::config {

namespace {

// configparserinc's CONDITIONAL_RE `^(\w+)(\?.+)$`; returns the base name.
std::optional<std::string> ConditionalBase(std::string_view key) {
  size_t q = key.find('?');
  if (q == 0 || q == std::string_view::npos || q + 1 >= key.size()) return std::nullopt;
  for (size_t i = 0; i < q; ++i) {
    if (!IsWordChar(key[i])) return std::nullopt;
  }
  return std::string(key.substr(0, q));
}

}  // namespace

Result<void> DefinitionReader::GetOptions(const OptionMap& jail_options,
                                          const std::vector<std::string>& names, bool all) {
  p_opts_ = jail_options;
  for (const auto& [name, value] : init_) p_opts_.Set(name, value);
  opts_ = {};
  for (const std::string& name : names) {
    if (p_opts_.Contains(name)) continue;  // the jail's own value is used instead
    auto value = tree_.Get(kDefinition, name, p_opts_);
    if (!value) return Fail(value.error());
    if (*value) opts_.Set(name, std::move(**value));
  }
  if (auto ok = ReadInit(); !ok) return ok;
  return all ? ReadAllDefinition() : Result<void>();
}

// Own [Init] options (not DEFAULT's) become known/<opt> and, unless the caller set
// them, <opt>.
Result<void> DefinitionReader::ReadInit() {
  if (!tree_.HasSection(kInit)) return {};
  for (const std::string& name : tree_.Options(kInit, false)) {
    auto value = tree_.Get(kInit, name);
    if (!value) return Fail(value.error());
    std::string text = value->value_or("");
    if (!StartsWith(name, "known/")) init_.Set("known/" + name, text);
    if (!init_.Contains(name)) init_.Set(name, text);
  }
  return {};
}

Result<void> DefinitionReader::ReadAllDefinition() {
  if (!tree_.HasSection(kDefinition)) return {};
  for (const std::string& name : tree_.Options(kDefinition, true)) {
    if (opts_.Contains(name)) continue;
    auto value = tree_.Get(kDefinition, name);
    if (!value) return Fail(value.error());
    if (*value) opts_.Set(name, std::move(**value));
  }
  return {};
}

Result<OptionMap> DefinitionReader::GetCombined(const std::set<std::string, std::less<>>& ignore) {
  OptionMap combined = opts_;
  for (const auto& [name, value] : init_) combined.Set(name, value);
  ignored_ = ignore;
  for (const auto& [name, value] : combined) {
    if (auto base = ConditionalBase(name)) ignored_.insert(*base);
  }
  if (combined.empty()) return combined;
  TagOptions options{ignored_, "", [this](std::string_view tag) {
                       return tree_.GetEx(kDefinition, tag, p_opts_);
                     }};
  std::string failed;
  auto substituted = SubstituteRecursiveTags(combined, options, &failed);
  if (!substituted) {
    const Value* where = Locate(failed, {});
    return Fail(where ? substituted.error().At(where->file, where->line) : substituted.error());
  }
  return substituted;
}

std::string_view DefinitionReader::SectionOf(std::string_view name) const {
  if (init_.Contains(name) && tree_.FindOwnRaw(kInit, name)) return kInit;
  return kDefinition;
}

const Value* DefinitionReader::Locate(std::string_view name,
                                      const OptionMap& caller_options) const {
  if (caller_options.Contains(name)) return nullptr;
  if (SectionOf(name) == kInit) return tree_.FindOwnRaw(kInit, name);
  if (p_opts_.Contains(name) && !init_.Contains(name)) return nullptr;
  return tree_.FindRaw(kDefinition, name);
}

}  // namespace portcullis::config
