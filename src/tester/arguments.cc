#include "portcullis/tester/arguments.h"

#include <filesystem>
#include <system_error>

namespace portcullis::tester {
namespace {

// Python's \w over UTF-8 text: ASCII letters, digits, '_' and (approximately) every
// non-ASCII character.
bool IsWordByte(unsigned char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c >= 0x80;
}

// fail2ban-regex's test `(?ms)^/{0,3}[\w/_\-.]+(?:\[.*\])?$`: does REGEX look like a
// filter name, optionally with options?
bool LooksLikeFilter(std::string_view value) {
  size_t i = 0;
  while (i < value.size()) {
    unsigned char c = static_cast<unsigned char>(value[i]);
    if (!IsWordByte(c) && c != '/' && c != '-' && c != '.') break;
    ++i;
  }
  if (i == 0) return false;
  std::string_view rest = value.substr(i);
  if (rest.empty() || rest == "\n") return true;
  if (rest.front() != '[') return false;
  if (rest.back() == '\n') rest.remove_suffix(1);
  return rest.size() >= 2 && rest.back() == ']';
}

// The last six characters hold a '.' (fail2ban's `"." in fltName[~5:]`).
bool HasExtension(std::string_view name) {
  return name.substr(name.size() > 6 ? name.size() - 6 : 0).find('.') != std::string_view::npos;
}

}  // namespace

FileSystemView FileSystemView::Real() {
  std::error_code ec;
  std::string cwd = std::filesystem::current_path(ec).string();
  return FileSystemView{[](const std::string& path) {
                          std::error_code e;
                          return std::filesystem::is_regular_file(path, e);
                        },
                        cwd};
}

std::string PyBasename(std::string_view path) {
  size_t slash = path.rfind('/');
  return std::string(slash == std::string_view::npos ? path : path.substr(slash + 1));
}

std::string PyDirname(std::string_view path) {
  size_t slash = path.rfind('/');
  if (slash == std::string_view::npos) return "";
  std::string_view head = path.substr(0, slash + 1);
  if (head.find_first_not_of('/') == std::string_view::npos) return std::string(head);
  while (!head.empty() && head.back() == '/') head.remove_suffix(1);
  return std::string(head);
}

std::string PyJoin(std::string_view a, std::string_view b) {
  if (!b.empty() && b.front() == '/') return std::string(b);
  if (a.empty() || a.back() == '/') return std::string(a) + std::string(b);
  return std::string(a) + "/" + std::string(b);
}

std::string PySplitextStem(std::string_view path) {
  size_t slash = path.rfind('/');
  size_t base = slash == std::string_view::npos ? 0 : slash + 1;
  size_t dot = path.rfind('.');
  if (dot == std::string_view::npos || dot < base) return std::string(path);
  // A name made of leading dots only before the last one (".conf") has no extension.
  if (path.substr(base, dot - base).find_first_not_of('.') == std::string_view::npos) return std::string(path);
  return std::string(path.substr(0, dot));
}

std::string PyAbspath(std::string_view path, std::string_view cwd) {
  std::string joined = PyJoin(cwd, path);
  bool two_slashes = joined.starts_with("//") && !joined.starts_with("///");
  std::vector<std::string> parts;
  size_t pos = 0;
  while (pos <= joined.size()) {
    size_t next = joined.find('/', pos);
    if (next == std::string::npos) next = joined.size();
    std::string part = joined.substr(pos, next - pos);
    pos = next + 1;
    if (part.empty() || part == ".") continue;
    if (part == "..") {
      if (!parts.empty()) parts.pop_back();
      continue;
    }
    parts.push_back(std::move(part));
  }
  std::string out = two_slashes ? "//" : "/";
  for (size_t i = 0; i < parts.size(); ++i) out += (i ? "/" : "") + parts[i];
  return out;
}

Result<RegexArgument> ResolveRegexArgument(std::string_view value, std::string_view config_dir,
                                           const FileSystemView& fs) {
  RegexArgument arg;
  arg.value = std::string(value);
  if (!LooksLikeFilter(value)) return arg;
  auto parsed = config::ExtractOptions(value);
  if (!parsed) return Fail(parsed.error());
  const std::string& name = parsed->name;
  std::vector<std::string> tries{name};
  if (!HasExtension(name)) {
    tries.push_back(name + ".conf");
    tries.push_back(name + ".local");
  }
  std::string basedir(config_dir);
  std::string found;
  for (const std::string& candidate : tries) {
    std::string file = candidate;
    if (file.find('/') == std::string::npos) {
      file = PyBasename(basedir) == "filter.d" ? PyJoin(basedir, file) : PyJoin(PyJoin(basedir, "filter.d"), file);
    } else {
      basedir = PyDirname(file);
    }
    if (fs.is_file(file)) {
      found = file;
      break;
    }
  }
  if (found.empty()) return arg;
  arg.options = parsed->options;
  if (basedir == config_dir || PyBasename(basedir) == "filter.d" ||
      (!HasExtension(name) && name.find('/') == std::string::npos)) {
    arg.kind = RegexArgument::Kind::kFilter;
    if (PyBasename(basedir) == "filter.d") basedir = PyDirname(basedir);
    arg.basedir = basedir;
    arg.name = PySplitextStem(PyBasename(name));
  } else {
    arg.kind = RegexArgument::Kind::kForeignFile;
    arg.name = name;
    arg.file = name.starts_with('/') ? name : PyAbspath(name, fs.cwd);
  }
  return arg;
}

LogArgument ResolveLogArgument(std::string_view value, int maxlines, const FileSystemView& fs) {
  LogArgument arg;
  arg.value = std::string(value);
  if (fs.is_file(arg.value)) {
    arg.kind = LogArgument::Kind::kFile;
    return arg;
  }
  if (value.starts_with("systemd-journal")) {
    arg.kind = LogArgument::Kind::kJournal;
    return arg;
  }
  if (maxlines <= 1 && value.find('\n') == std::string_view::npos) {
    arg.kind = LogArgument::Kind::kSingleLine;
    arg.lines.push_back(arg.value);
    return arg;
  }
  arg.kind = LogArgument::Kind::kMultiLine;
  size_t pos = 0;
  while (true) {
    size_t nl = value.find('\n', pos);
    arg.lines.emplace_back(value.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos));
    if (nl == std::string_view::npos) break;
    pos = nl + 1;
  }
  return arg;
}

}  // namespace portcullis::tester
