#include "portcullis/config/ini_file.h"

#include <algorithm>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <sys/stat.h>

#include "config/text.h"

namespace portcullis::config {

const Value* IniSection::Find(std::string_view option) const {
  for (const auto& [name, value] : entries_) {
    if (name == option) return &value;
  }
  return nullptr;
}

void IniSection::Set(std::string option, Value value) {
  for (auto& [name, old] : entries_) {
    if (name == option) {
      old = std::move(value);
      return;
    }
  }
  entries_.emplace_back(std::move(option), std::move(value));
}

const IniSection* IniFile::FindSection(std::string_view name) const {
  for (const auto& section : sections_) {
    if (section.name() == name) return &section;
  }
  return nullptr;
}

IniSection* IniFile::FindSection(std::string_view name) {
  for (auto& section : sections_) {
    if (section.name() == name) return &section;
  }
  return nullptr;
}

IniSection& IniFile::AddSection(std::string_view name, int line) {
  if (IniSection* found = FindSection(name)) return *found;
  sections_.emplace_back(std::string(name), line);
  return sections_.back();
}

namespace {

// Python's "line ending" for files opened in text mode: \n, \r\n and a lone \r.
std::vector<std::string_view> SplitLines(std::string_view text) {
  std::vector<std::string_view> lines;
  size_t start = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '\n' && text[i] != '\r') continue;
    lines.push_back(text.substr(start, i - start));
    if (text[i] == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
    start = i + 1;
  }
  if (start < text.size()) lines.push_back(text.substr(start));
  return lines;
}

// Where an inline comment starts: the first ';' at the line start or after
// whitespace ('#' never starts one); npos when none.
size_t InlineCommentStart(std::string_view line) {
  for (size_t i = line.find(';'); i != std::string_view::npos; i = line.find(';', i + 1)) {
    if (i == 0 || IsSpace(line[i - 1])) return i;
  }
  return std::string_view::npos;
}

bool IsFullLineComment(std::string_view line) {
  std::string_view stripped = Strip(line);
  return !stripped.empty() && (stripped[0] == '#' || stripped[0] == ';');
}

size_t IndentOf(std::string_view line) {
  size_t i = 0;
  while (i < line.size() && IsSpace(line[i])) ++i;
  return i;
}

// configparser's SECTCRE `\[(?P<header>.+)\]` matched (not fullmatched) at the start.
std::optional<std::string_view> SectionHeader(std::string_view value) {
  if (value.empty() || value[0] != '[') return std::nullopt;
  size_t close = value.rfind(']');
  if (close == std::string_view::npos || close < 2) return std::nullopt;
  return value.substr(1, close - 1);
}

// The parser's state while walking the lines of one file.
class Parser {
 public:
  explicit Parser(const std::string& file) : file_(file) {}

  Result<IniFile> Run(std::string_view text);

 private:
  Result<void> Line(std::string_view line);
  Result<void> Header(std::string_view line, std::string_view value);
  Result<void> Option(std::string_view line, std::string_view value);
  void Finish();
  std::unexpected<Error> Bad(std::string message, std::string_view fragment) const {
    return Fail(std::move(message), file_, line_no_, std::string(fragment));
  }

  struct Pending {
    std::vector<std::string> parts;
    std::vector<int> lines;
    int line = 0;
  };
  using Key = std::pair<std::string, std::string>;

  const std::string& file_;
  int line_no_ = 0;
  IniFile ini_;
  std::optional<std::string> section_;  // nullopt before the first header
  std::optional<std::string> option_;   // the option continuation lines extend
  size_t indent_ = 0;
  std::set<std::string> sections_seen_;
  std::map<Key, int> options_seen_;  // -> line first written
  std::map<Key, Pending> pending_;
  std::vector<Key> order_;
};

Result<IniFile> Parser::Run(std::string_view text) {
  for (std::string_view line : SplitLines(text)) {
    ++line_no_;
    if (!IsValidUtf8(line)) return Bad("file is not valid UTF-8", "");
    if (auto ok = Line(line); !ok) return Fail(ok.error());
  }
  Finish();
  return std::move(ini_);
}

Result<void> Parser::Line(std::string_view line) {
  bool comment = IsFullLineComment(line);
  size_t cut = comment ? 0 : InlineCommentStart(line);
  bool has_comment = comment || cut != std::string_view::npos;
  std::string_view value = Strip(line.substr(0, cut));
  if (value.empty()) {
    // A blank line belongs to the value being written (dropped again if trailing);
    // a comment line is skipped without ending the value.
    if (!has_comment && section_ && option_) {
      Pending& p = pending_[{*section_, *option_}];
      p.parts.emplace_back();
      p.lines.push_back(line_no_);
    }
    return {};
  }
  size_t indent = IndentOf(line);
  if (section_ && option_ && indent > indent_) {
    Pending& p = pending_[{*section_, *option_}];
    p.parts.emplace_back(value);
    p.lines.push_back(line_no_);
    return {};
  }
  indent_ = indent;
  if (SectionHeader(value)) return Header(line, value);
  if (!section_) return Bad("option outside of any [section]", value);
  return Option(line, value);
}

Result<void> Parser::Header(std::string_view line, std::string_view value) {
  std::string name(*SectionHeader(value));
  option_.reset();
  if (name == IniFile::kDefaultSection) {
    section_ = name;
    return {};
  }
  if (!sections_seen_.insert(name).second) {
    return Bad("duplicate section [" + name + "] in the same file", value);
  }
  ini_.AddSection(name, line_no_);
  section_ = name;
  return {};
}

Result<void> Parser::Option(std::string_view line, std::string_view value) {
  size_t delim = value.find_first_of("=:");
  if (delim == std::string_view::npos) {
    return Bad("expected 'name = value' or '[section]'", value);
  }
  std::string name = ToLower(RStrip(value.substr(0, delim)));
  if (name.empty()) return Bad("option without a name", value);
  Key key{*section_, name};
  auto [seen, inserted] = options_seen_.emplace(key, line_no_);
  if (!inserted) {
    return Bad("duplicate option '" + name + "' in section [" + *section_ +
                   "] (first set at line " + std::to_string(seen->second) + ")",
               value);
  }
  Pending& p = pending_[key];
  p.parts = {std::string(Strip(value.substr(delim + 1)))};
  p.lines = {line_no_};
  p.line = line_no_;
  order_.push_back(key);
  option_ = name;
  return {};
}

// configparser's _join_multiline_values: "\n"-join, then drop trailing whitespace
// (which removes trailing blank lines).
void Parser::Finish() {
  for (const Key& key : order_) {
    Pending& p = pending_[key];
    std::string text;
    for (size_t i = 0; i < p.parts.size(); ++i) {
      if (i) text += '\n';
      text += p.parts[i];
    }
    text = std::string(RStrip(text));
    size_t count = static_cast<size_t>(std::count(text.begin(), text.end(), '\n')) + 1;
    p.lines.resize(std::min(count, p.lines.size()));
    Value v{std::move(text), file_, p.line, std::move(p.lines)};
    IniSection& section = key.first == IniFile::kDefaultSection
                              ? ini_.defaults()
                              : *ini_.FindSection(key.first);
    section.Set(key.second, std::move(v));
  }
}

bool IsRegularFile(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

}  // namespace

Result<IniFile> IniFile::Parse(std::string_view text, const std::string& file) {
  return Parser(file).Run(text);
}

Result<std::optional<IniFile>> IniFile::Load(const std::string& path) {
  if (!IsRegularFile(path)) return std::optional<IniFile>();
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::optional<IniFile>();
  std::ostringstream buffer;
  buffer << in.rdbuf();
  auto parsed = Parse(buffer.str(), path);
  if (!parsed) return Fail(parsed.error());
  return std::optional<IniFile>(std::move(*parsed));
}

struct FileCache::Impl {
  std::map<std::string, Result<std::shared_ptr<const IniFile>>> files;
};

FileCache::FileCache() : impl_(std::make_unique<Impl>()) {}
FileCache::FileCache(FileCache&&) noexcept = default;
FileCache& FileCache::operator=(FileCache&&) noexcept = default;
FileCache::~FileCache() = default;

Result<std::shared_ptr<const IniFile>> FileCache::Load(const std::string& path) {
  auto found = impl_->files.find(path);
  if (found != impl_->files.end()) return found->second;
  Result<std::shared_ptr<const IniFile>> entry = std::shared_ptr<const IniFile>();
  auto loaded = IniFile::Load(path);
  if (!loaded) {
    entry = Fail(loaded.error());
  } else if (*loaded) {
    entry = std::make_shared<const IniFile>(std::move(**loaded));
  }
  impl_->files.emplace(path, entry);
  return entry;
}

}  // namespace portcullis::config
