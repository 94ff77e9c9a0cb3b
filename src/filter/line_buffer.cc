#include <algorithm>
#include <array>

#include "filter_impl.h"

namespace portcullis::filter {

void BuildBuffer(std::span<const LineParts> lines, std::string& buf) {
  buf.clear();
  for (size_t i = 0; i < lines.size(); ++i) {
    if (i) buf += '\n';
    buf += lines[i].prefix;
    buf += lines[i].suffix;
  }
  buf += '\n';
}

namespace {

size_t CountNewlines(std::string_view text, size_t end) {
  return static_cast<size_t>(std::count(text.begin(), text.begin() + std::min(end, text.size()), '\n'));
}

// The text of every skiplinesN group, split into lines (Python's splitlines()).
std::vector<std::string> SkippedLines(const CompiledRegex& re, const regex::Match& m) {
  std::string joined;
  for (int index : re.regex.groups().skiplines)
    if (m.Matched(index)) joined += m.Group(index);
  std::vector<std::string> lines;
  size_t start = 0;
  while (start < joined.size()) {
    size_t nl = joined.find('\n', start);
    if (nl == std::string::npos) nl = joined.size();
    lines.emplace_back(joined.substr(start, nl - start));
    start = nl + 1;
  }
  return lines;
}

void MoveSkippedLines(const CompiledRegex& re, const regex::Match& m, LineSplit& out) {
  size_t n = 0;
  for (const std::string& skipped : SkippedLines(re, m)) {
    for (size_t k = n; k < out.matched.size(); ++k) {
      if (out.matched[k].WithoutDate() != skipped) continue;
      out.unmatched.push_back(std::move(out.matched[k]));
      out.matched.erase(out.matched.begin() + static_cast<long>(k));
      n = k;
      break;
    }
  }
}

}  // namespace

void SplitLines(const CompiledRegex& re, const regex::Match& m, std::string_view buf,
                const Lines& org, LineSplit& out) {
  out.matched.clear();
  out.unmatched.clear();
  if (org.size() <= 1) {
    out.matched = org;
    return;
  }
  size_t start = m.Begin(0), end = m.End(0);
  // Python: buf.rindex("\n", 0, start + 1) + 1, i.e. the last newline in [0, start].
  size_t line_start = 0;
  for (size_t i = std::min(start, buf.size() - 1) + 1; i-- > 0;) {
    if (buf[i] == '\n') {
      line_start = i + 1;
      break;
    }
  }
  size_t from = end == 0 ? buf.size() - 1 : end - 1;
  size_t nl = buf.find('\n', from);
  size_t line_end = nl == std::string_view::npos ? buf.size() : nl + 1;
  size_t count1 = std::min(CountNewlines(buf, line_start), org.size());
  size_t count2 = std::min(CountNewlines(buf, line_end), org.size());
  out.unmatched.assign(org.begin(), org.begin() + static_cast<long>(count1));
  if (count2 > count1) out.matched.assign(org.begin() + static_cast<long>(count1), org.begin() + static_cast<long>(count2));
  MoveSkippedLines(re, m, out);
  out.unmatched.insert(out.unmatched.end(), org.begin() + static_cast<long>(count2), org.end());
}

namespace {

// The value of `key` among out's entries from `base` on (one regex's groups), or nullptr.
FailValue* FindFrom(FailData& out, size_t base, std::string_view key) {
  auto& entries = out.entries();
  for (size_t i = base; i < entries.size(); ++i)
    if (entries[i].first == key) return &entries[i].second;
  return nullptr;
}

FailValue& SetFrom(FailData& out, size_t base, std::string_view key, FailValue value) {
  if (FailValue* v = FindFrom(out, base, key)) return *v = std::move(value);
  return out.entries().emplace_back(std::string(key), std::move(value)).second;
}

// Appends one group of a hit to `out` (None when it did not take part).
void AppendGroup(const std::string& name, int index, const regex::Match& m, FailData& out) {
  if (m.Matched(index))
    out.entries().emplace_back(std::piecewise_construct, std::forward_as_tuple(name),
                               std::forward_as_tuple(std::in_place_type<std::string>, m.Group(index)));
  else
    out.entries().emplace_back(name, std::monostate{});
}

// Appends the named groups of a hit to `out`, but the groups numbered `skip` (-1: none);
// `counted`: only those of re.counted_groups. alt_/tuple_ groups fold into the entries
// this regex added, not those before them.
void AppendGroups(const CompiledRegex& re, const regex::Match& m, FailData& out, std::array<int, 2> skip = {-1, -1},
                  bool counted = false) {
  const size_t base = out.entries().size();
  // A regex's group names are unique: appended without looking for them first.
  if (counted) {
    for (const CompiledRegex::CountedGroup& g : re.counted_groups)
      if (g.index != skip[0] && g.index != skip[1] && (g.keep_none || m.Matched(g.index)))
        AppendGroup(g.name, g.index, m, out);
  } else {
    for (const auto& [name, index] : re.groups_by_index)
      if (index != skip[0] && index != skip[1]) AppendGroup(name, index, m, out);
  }
  for (const auto& [index, target] : re.regex.groups().alt) {
    if (!m.Matched(index) || m.Group(index).empty()) continue;
    if (const FailValue* v = FindFrom(out, base, target); v && IsTruthy(*v)) continue;
    SetFrom(out, base, target, std::string(m.Group(index)));
  }
  for (const auto& [index, target] : re.regex.groups().tuple) {
    std::optional<std::string> value;
    if (m.Matched(index)) value = std::string(m.Group(index));
    FailValue* current = FindFrom(out, base, target);
    if (current && std::holds_alternative<Tuple>(*current)) {
      std::get<Tuple>(*current).push_back(std::move(value));
      continue;
    }
    Tuple tuple;
    if (current && std::holds_alternative<std::string>(*current))
      tuple.emplace_back(std::get<std::string>(*current));
    else
      tuple.emplace_back(std::nullopt);
    tuple.push_back(std::move(value));
    SetFrom(out, base, target, std::move(tuple));
  }
}

size_t Reserve(const CompiledRegex& re) { return re.groups_by_index.size() + re.regex.groups().alt.size(); }

}  // namespace

FailData GroupsOf(const CompiledRegex& re, const regex::Match& m) {
  FailData fail;
  fail.entries().reserve(Reserve(re) + 4);  // + matches etc.
  AppendGroups(re, m, fail);
  return fail;
}

void HitData(const CompiledRegex* pref, const regex::Match& pref_match, const CompiledRegex& re,
             const regex::Match& m, std::optional<bool>& forget, FailData& fail, bool counted) {
  // With an mlfid, fail2ban's _mergeFailure pops mlfforget at once: it is left out here
  // when the groups alone tell (no alt_/tuple_ group folds into either key).
  forget.reset();
  const regex::GroupMap& groups = re.regex.groups();
  const regex::GroupMap* pref_groups = pref ? &pref->regex.groups() : nullptr;
  int pref_skip = -1, re_skip = -1;
  if (!re.folds_mlf && !(pref && pref->folds_mlf)) {
    const bool has_mlfid = groups.mlfid >= 0 ? m.Matched(groups.mlfid)
                                             : pref_groups && pref_groups->mlfid >= 0 && pref_match.Matched(pref_groups->mlfid);
    auto truthy = [](const regex::Match& match, int index) { return match.Matched(index) && !match.Group(index).empty(); };
    if (has_mlfid && groups.mlfforget >= 0) {
      forget = truthy(m, groups.mlfforget);
      re_skip = groups.mlfforget;
      if (pref_groups) pref_skip = pref_groups->mlfforget;
    } else if (has_mlfid && pref_groups && pref_groups->mlfforget >= 0) {
      forget = truthy(pref_match, pref_groups->mlfforget);
      pref_skip = pref_groups->mlfforget;
    } else if (has_mlfid) {
      forget = false;
    }
  }
  auto& entries = fail.entries();
  entries.clear();
  entries.reserve((pref ? Reserve(*pref) : 0) + Reserve(re) + 4);  // + matches etc.
  if (pref) AppendGroups(*pref, pref_match, fail, {pref_groups->content, pref_skip}, counted);
  const size_t pref_count = entries.size();
  AppendGroups(re, m, fail, {re_skip, -1}, counted);
  if (pref_count == 0) return;
  // fail2ban's dict update: a key both have keeps the prefregex's place and takes the
  // failregex's value.
  size_t kept = pref_count;
  for (size_t k = pref_count; k < entries.size(); ++k) {
    auto same = std::find_if(entries.begin(), entries.begin() + static_cast<std::ptrdiff_t>(pref_count),
                             [&key = entries[k].first](const FailData::Entry& e) { return e.first == key; });
    if (same != entries.begin() + static_cast<std::ptrdiff_t>(pref_count)) {
      same->second = std::move(entries[k].second);
    } else {
      if (kept != k) entries[kept] = std::move(entries[k]);
      ++kept;
    }
  }
  entries.resize(kept);
}

}  // namespace portcullis::filter
