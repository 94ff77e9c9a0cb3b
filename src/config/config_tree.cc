#include "portcullis/config/config_tree.h"

#include <algorithm>
#include <filesystem>
#include <system_error>

#include "config/interpolation.h"
#include "config/text.h"

namespace portcullis::config {

namespace fs = std::filesystem;

struct ConfigTree::Impl {
  IniFile merged;
  std::vector<std::string> files;
  std::vector<Error> warnings;
};

namespace {

constexpr std::string_view kIncludes = "INCLUDES";
constexpr std::string_view kKnownPrefix = "KNOWN/";

bool Exists(const std::string& path) {
  std::error_code ec;
  return fs::exists(path, ec);
}

bool IsFile(const std::string& path) {
  std::error_code ec;
  return fs::is_regular_file(path, ec);
}

// os.path.join for two parts.
std::string JoinPath(std::string_view dir, std::string_view name) {
  if (dir.empty() || StartsWith(name, "/")) return std::string(name);
  std::string out(dir);
  if (out.back() != '/') out += '/';
  return out + std::string(name);
}

std::string DirName(std::string_view path) {
  size_t slash = path.rfind('/');
  if (slash == std::string_view::npos) return "";
  std::string_view dir = path.substr(0, slash + 1);
  std::string_view trimmed = dir;
  while (trimmed.size() > 1 && trimmed.back() == '/') trimmed.remove_suffix(1);
  return std::string(trimmed);
}

// os.path.splitext(path)[0] + ".local"; leading dots of the file name are no extension.
std::string LocalOf(std::string_view path) {
  size_t base = path.rfind('/');
  base = base == std::string_view::npos ? 0 : base + 1;
  size_t first = base;
  while (first < path.size() && path[first] == '.') ++first;
  size_t dot = path.rfind('.');
  if (dot == std::string_view::npos || dot < first) dot = path.size();
  return std::string(path.substr(0, dot)) + ".local";
}

// sorted(glob(dir + "/*" + suffix)): hidden names are not matched.
std::vector<std::string> Glob(const std::string& dir, std::string_view suffix) {
  std::vector<std::string> found;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    std::string name = it->path().filename().string();
    if (StartsWith(name, ".") || !EndsWith(name, suffix)) continue;
    found.push_back(JoinPath(dir, name));
  }
  std::sort(found.begin(), found.end());
  return found;
}

bool Contains(const std::vector<std::string>& list, std::string_view item) {
  return std::find(list.begin(), list.end(), item) != list.end();
}

// The list of files to merge, with [INCLUDES] expanded (configparserinc's _getIncludes).
class IncludeResolver {
 public:
  explicit IncludeResolver(FileCache& cache) : cache_(cache) {}

  // Includes that name no file. fail2ban passes over them silently; an optional
  // .local (paths-overrides.local) is expected to be absent, anything else is worth
  // a word.
  std::vector<Error> TakeWarnings() { return std::move(warnings_); }

  Result<std::vector<std::string>> Expand(const std::vector<std::string>& names,
                                          const std::vector<std::string>& seen) {
    std::vector<std::string> out;
    for (const std::string& name : WithLocals(names)) {
      auto files = IncludesOf(name, seen);
      if (!files) return files;
      out.insert(out.end(), files->begin(), files->end());
    }
    return out;
  }

 private:
  // Each file followed by its .local when that exists and is not listed already.
  static std::vector<std::string> WithLocals(const std::vector<std::string>& names) {
    std::vector<std::string> out;
    for (const std::string& name : names) {
      out.push_back(name);
      std::string local = LocalOf(name);
      if (!Contains(names, local) && IsFile(local)) out.push_back(local);
    }
    return out;
  }

  Result<std::vector<std::string>> IncludesOf(const std::string& file,
                                              const std::vector<std::string>& seen) {
    auto parsed = cache_.Load(file);
    if (!parsed) return Fail(parsed.error());
    if (!*parsed) return std::vector<std::string>();  // unreadable: contributes nothing
    auto before = Listed(**parsed, file, "before", seen);
    if (!before) return before;
    auto after = Listed(**parsed, file, "after", seen);
    if (!after) return after;
    before->push_back(file);
    before->insert(before->end(), after->begin(), after->end());
    return before;
  }

  Result<std::vector<std::string>> Listed(const IniFile& ini, const std::string& file,
                                          std::string_view option,
                                          const std::vector<std::string>& seen) {
    std::vector<std::string> out;
    if (!ini.FindSection(kIncludes)) return out;
    auto value = Interpolator(ini, kIncludes, {}).Get(option);
    if (!value) return Fail(value.error());
    if (!*value) return out;
    std::vector<std::string> chain = seen;
    chain.push_back(file);
    const Value* raw = ini.FindSection(kIncludes)->Find(std::string(option));
    for (const std::string& line : SplitOn(**value, '\n')) {
      std::string path = JoinPath(DirName(file), line);
      if (Contains(seen, path)) continue;  // an include cycle
      if (!IsFile(path) && !EndsWith(path, ".local"))
        warnings_.push_back(Error{"included file does not exist", file, raw ? raw->line : 0, path});
      auto files = Expand({path}, chain);
      if (!files) return files;
      out.insert(out.end(), files->begin(), files->end());
    }
    return out;
  }

  FileCache& cache_;
  std::vector<Error> warnings_;
};

// configparserinc's CONDITIONAL_RE `^(\w+)(\?.+)$`: "Init?family=inet6" -> Init, ?family=inet6.
std::optional<std::pair<std::string, std::string>> SplitConditional(std::string_view name) {
  size_t q = name.find('?');
  if (q == 0 || q == std::string_view::npos || q + 1 >= name.size()) return std::nullopt;
  for (size_t i = 0; i < q; ++i) {
    if (!IsWordChar(name[i])) return std::nullopt;
  }
  return std::pair{std::string(name.substr(0, q)), std::string(name.substr(q))};
}

// Merges one file into the tree: later values win, the values they replace are kept
// under KNOWN/<section>.
void MergeFile(IniFile& into, const IniFile& file) {
  for (const auto& [name, value] : file.defaults().entries()) into.defaults().Set(name, value);
  for (const IniSection& section : file.sections()) {
    std::string name = section.name();
    std::string suffix;
    if (auto cond = SplitConditional(name)) std::tie(name, suffix) = *cond;
    IniSection* existing = into.FindSection(name);
    if (existing) {
      IniSection known_values;
      for (const auto& [option, value] : section.entries()) {
        if (const Value* old = existing->Find(option + suffix)) known_values.Set(option + suffix, *old);
      }
      IniSection& known = into.AddSection(std::string(kKnownPrefix) + name);
      for (const auto& [option, value] : known_values.entries()) known.Set(option, value);
    }
    IniSection& target = existing ? *into.FindSection(name) : into.AddSection(name, section.line());
    for (const auto& [option, value] : section.entries()) target.Set(option + suffix, value);
  }
}

struct MergedFiles {
  IniFile merged;
  std::vector<std::string> files;
  std::vector<Error> warnings;
};

Result<MergedFiles> ReadFiles(const std::vector<std::string>& candidates, FileCache& cache) {
  IncludeResolver resolver(cache);
  auto files = resolver.Expand(candidates, {});
  if (!files) return Fail(files.error());
  MergedFiles impl;
  impl.warnings = resolver.TakeWarnings();
  for (const std::string& file : *files) {
    auto parsed = cache.Load(file);
    if (!parsed) return Fail(parsed.error());
    if (!*parsed) continue;
    impl.files.push_back(file);
    MergeFile(impl.merged, **parsed);
  }
  return impl;
}

std::string AbsoluteIfDotSlash(std::string_view name) {
  if (!StartsWith(name, "./")) return std::string(name);
  std::error_code ec;
  return fs::absolute(fs::path(std::string(name)), ec).lexically_normal().string();
}

}  // namespace

ConfigTree::ConfigTree(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
ConfigTree::ConfigTree(ConfigTree&&) noexcept = default;
ConfigTree& ConfigTree::operator=(ConfigTree&&) noexcept = default;
ConfigTree::~ConfigTree() = default;

Result<ConfigTree> ConfigTree::Read(std::string_view basedir, std::string_view name) {
  FileCache cache;
  return Read(basedir, name, cache);
}

Result<ConfigTree> ConfigTree::ReadFile(std::string_view path) {
  FileCache cache;
  return ReadFile(path, cache);
}

Result<ConfigTree> ConfigTree::Read(std::string_view basedir, std::string_view name,
                                    FileCache& cache) {
  std::string base(basedir);
  while (!base.empty() && base.back() == '/') base.pop_back();
  if (!Exists(base.empty() ? "/" : base)) {
    return Fail("Base configuration directory " + base + " does not exist");
  }
  std::string stem = JoinPath(base, AbsoluteIfDotSlash(name));
  std::vector<std::string> candidates{stem + ".conf"};
  for (auto& f : Glob(stem + ".d", ".conf")) candidates.push_back(f);
  candidates.push_back(stem + ".local");
  for (auto& f : Glob(stem + ".d", ".local")) candidates.push_back(f);
  std::erase_if(candidates, [](const std::string& f) { return !Exists(f); });
  std::string missing = "Found no accessible config files for " + PyRepr(name) + " under " + base;
  if (candidates.empty()) return Fail(missing);
  auto impl = ReadFiles(candidates, cache);
  if (!impl) return Fail(impl.error());
  if (impl->files.empty()) return Fail(missing);
  return ConfigTree(std::make_unique<Impl>(Impl{std::move(impl->merged), std::move(impl->files), std::move(impl->warnings)}));
}

Result<ConfigTree> ConfigTree::ReadFile(std::string_view path, FileCache& cache) {
  auto impl = ReadFiles({AbsoluteIfDotSlash(path)}, cache);
  if (!impl) return Fail(impl.error());
  if (impl->files.empty()) {
    return Fail("Found no accessible config files for " + PyRepr(path));
  }
  return ConfigTree(std::make_unique<Impl>(Impl{std::move(impl->merged), std::move(impl->files), std::move(impl->warnings)}));
}

const std::vector<std::string>& ConfigTree::files() const { return impl_->files; }

const std::vector<Error>& ConfigTree::warnings() const { return impl_->warnings; }

const IniFile& ConfigTree::merged() const { return impl_->merged; }

bool ConfigTree::HasSection(std::string_view section) const {
  return impl_->merged.FindSection(section) != nullptr;
}

std::vector<std::string> ConfigTree::Sections() const {
  std::vector<std::string> names;
  for (const IniSection& s : impl_->merged.sections()) {
    if (s.name() == kIncludes || StartsWith(s.name(), kKnownPrefix)) continue;
    names.push_back(s.name());
  }
  return names;
}

std::vector<std::string> ConfigTree::Options(std::string_view section, bool with_defaults) const {
  std::vector<std::string> names;
  if (const IniSection* s = impl_->merged.FindSection(section)) {
    for (const auto& entry : s->entries()) names.push_back(entry.first);
  }
  if (!with_defaults) return names;
  for (const auto& entry : impl_->merged.defaults().entries()) {
    if (!Contains(names, entry.first)) names.push_back(entry.first);
  }
  return names;
}

const Value* ConfigTree::FindOwnRaw(std::string_view section, std::string_view option) const {
  const IniSection* s = section == IniFile::kDefaultSection ? &impl_->merged.defaults()
                                                            : impl_->merged.FindSection(section);
  return s ? s->Find(ToLower(option)) : nullptr;
}

const Value* ConfigTree::FindRaw(std::string_view section, std::string_view option) const {
  if (const Value* own = FindOwnRaw(section, option)) return own;
  return impl_->merged.defaults().Find(ToLower(option));
}

Result<std::optional<std::string>> ConfigTree::Get(std::string_view section,
                                                   std::string_view option,
                                                   const OptionMap& vars) const {
  return Interpolator(impl_->merged, section, vars).Get(option);
}

// get_ex's SECTION_OPTNAME_CRE `^([\w\-]+)/([^\s>]+)$`.
static std::optional<std::pair<std::string, std::string>> SplitSectionOption(
    std::string_view name) {
  size_t slash = name.find('/');
  if (slash == 0 || slash == std::string_view::npos || slash + 1 >= name.size()) return std::nullopt;
  for (size_t i = 0; i < slash; ++i) {
    if (!IsWordChar(name[i]) && name[i] != '-') return std::nullopt;
  }
  for (char c : name.substr(slash + 1)) {
    if (IsSpace(c) || c == '>') return std::nullopt;
  }
  return std::pair{std::string(name.substr(0, slash)), std::string(name.substr(slash + 1))};
}

Result<std::optional<std::string>> ConfigTree::GetEx(std::string_view section,
                                                     std::string_view option,
                                                     const OptionMap& vars) const {
  if (auto split = SplitSectionOption(option)) {
    auto& [sec, opt] = *split;
    std::string lower = ToLower(sec);
    std::vector<std::string> candidates;
    if (lower == "known") candidates = {std::string(kKnownPrefix) + std::string(section), std::string(section)};
    else candidates = {lower == "default" ? std::string(IniFile::kDefaultSection) : sec};
    for (const std::string& candidate : candidates) {
      auto value = Get(candidate, opt);
      if (!value || *value) return value;
    }
  }
  return Get(section, option, vars);
}

void ConfigTree::MergeDefaults(const OptionMap& options) {
  for (const auto& [name, text] : options) impl_->merged.defaults().Set(name, Value{text, "", 0, {}});
}

void ConfigTree::MergeSection(std::string_view section, const OptionMap& options,
                              std::string_view prefix) {
  IniSection& target = impl_->merged.AddSection(section);
  for (const auto& [name, text] : options) {
    if (!prefix.empty() && name == "__name__") continue;
    std::string key = prefix.empty() || StartsWith(name, prefix) ? name : std::string(prefix) + name;
    target.Set(std::move(key), Value{text, "", 0, {}});
  }
}

}  // namespace portcullis::config
