#include "config/interpolation.h"

#include "config/text.h"

namespace portcullis::config {

namespace {

const Value* OwnRaw(const IniFile& store, std::string_view section, std::string_view option) {
  if (section == IniFile::kDefaultSection) return store.defaults().Find(option);
  const IniSection* s = store.FindSection(section);
  return s ? s->Find(option) : nullptr;
}

const Value* RawWithDefault(const IniFile& store, std::string_view section,
                            std::string_view option) {
  const Value* own = OwnRaw(store, section, option);
  return own ? own : store.defaults().Find(option);
}

std::string FirstLine(std::string_view text) {
  return std::string(text.substr(0, text.find('\n')));
}

}  // namespace

// configparser's map: vars (names lower-cased; the last spelling wins), the section,
// [DEFAULT]; then fail2ban's %(sec/opt)s names.
std::optional<std::string> Interpolator::Lookup(const std::string& var) const {
  if (var == "__name__") return std::string(section_);
  const auto& vars = vars_.entries();
  for (auto it = vars.rbegin(); it != vars.rend(); ++it) {
    if (ToLower(it->first) == var) return it->second;
  }
  if (const Value* v = RawWithDefault(store_, section_, var)) return v->text;
  return LookupSectionOption(var);
}

// fail2ban's _map_section_options for a name "sec/opt".
std::optional<std::string> Interpolator::LookupSectionOption(const std::string& var) const {
  size_t slash = var.find('/');
  if (slash == 0 || slash == std::string::npos || slash + 1 == var.size()) return std::nullopt;
  for (size_t i = 0; i < slash; ++i) {
    if (!IsWordChar(var[i]) && var[i] != '-') return std::nullopt;
  }
  std::string sec = var.substr(0, slash);
  std::string opt = var.substr(slash + 1);
  const Value* found = nullptr;
  if (sec == "known") {
    found = OwnRaw(store_, "KNOWN/" + std::string(section_), opt);
  } else if (sec != "default") {
    const IniSection* s = store_.FindSection(sec);
    if (!s) return std::nullopt;
    found = s->Find(opt);
  }
  if (!found) found = store_.defaults().Find(opt);
  if (!found) return std::nullopt;
  return found->text;
}

Result<void> Interpolator::Expand(std::string_view option, std::string_view rest, int depth,
                                  std::string& out) const {
  std::string where = "option '" + std::string(option) + "' in section '" +
                      std::string(section_) + "'";
  if (depth > kMaxDepth) {
    return Fail(where + " cannot be substituted in " + std::to_string(kMaxDepth) +
                " steps (a %(..)s loop?)");
  }
  while (!rest.empty()) {
    size_t p = rest.find('%');
    if (p == std::string_view::npos) {
      out += rest;
      return {};
    }
    out += rest.substr(0, p);
    rest = rest.substr(p);
    char c = rest.size() > 1 ? rest[1] : '\0';
    if (c == '%') {
      out += '%';
      rest = rest.substr(2);
      continue;
    }
    if (c != '(') {
      return Fail("'%' must be followed by '%' or '(' in " + where, "", 0, FirstLine(rest));
    }
    size_t close = rest.find(')', 2);
    if (close == std::string_view::npos || close == 2 || close + 1 >= rest.size() ||
        rest[close + 1] != 's') {
      return Fail("bad interpolation variable reference in " + where, "", 0, FirstLine(rest));
    }
    std::string reference(rest.substr(0, close + 2));
    std::string var = ToLower(rest.substr(2, close - 2));
    rest = rest.substr(close + 2);
    std::optional<std::string> value = Lookup(var);
    if (!value) return Fail(where + " refers to unknown option '" + var + "'", "", 0, reference);
    if (value->find('%') == std::string::npos) {
      out += *value;
    } else if (auto ok = Expand(option, *value, depth + 1, out); !ok) {
      return ok;
    }
  }
  return {};
}

Error Interpolator::Located(Error error, std::string_view option) const {
  const std::string* from_vars = nullptr;
  for (const auto& [name, value] : vars_) {
    if (ToLower(name) == option) from_vars = &value;
  }
  const Value* raw = from_vars ? nullptr : RawWithDefault(store_, section_, option);
  return raw ? error.At(raw->file, raw->line) : error;
}

Result<std::string> Interpolator::Interpolate(std::string_view option,
                                              const std::string& raw) const {
  std::string out;
  if (auto ok = Expand(option, raw, 1, out); !ok) return Fail(Located(ok.error(), option));
  return out;
}

Result<std::optional<std::string>> Interpolator::Get(std::string_view option) const {
  if (section_ != IniFile::kDefaultSection && !store_.FindSection(section_)) {
    return std::optional<std::string>();
  }
  std::string name = ToLower(option);
  std::optional<std::string> raw;
  for (const auto& [key, value] : vars_) {
    if (ToLower(key) == name) raw = value;
  }
  if (!raw) {
    const Value* v = RawWithDefault(store_, section_, name);
    if (!v) return std::optional<std::string>();
    raw = v->text;
  }
  auto value = Interpolate(name, *raw);
  if (!value) return Fail(value.error());
  return std::optional<std::string>(std::move(*value));
}

}  // namespace portcullis::config
