#include <algorithm>

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

FailData GroupsOf(const CompiledRegex& re, const regex::Match& m, std::string_view skip) {
  FailData fail;
  fail.entries().reserve(re.groups_by_index.size() + re.regex.groups().alt.size() + 4);  // + matches etc.
  // A regex's group names are unique: appended without looking for them first.
  for (const auto& [name, index] : re.groups_by_index) {
    if (name == skip) continue;
    if (m.Matched(index))
      fail.entries().emplace_back(name, std::string(m.Group(index)));
    else
      fail.entries().emplace_back(name, std::monostate{});
  }
  for (const auto& [index, target] : re.regex.groups().alt) {
    if (!m.Matched(index) || m.Group(index).empty() || fail.Truthy(target)) continue;
    fail.Set(target, std::string(m.Group(index)));
  }
  for (const auto& [index, target] : re.regex.groups().tuple) {
    std::optional<std::string> value;
    if (m.Matched(index)) value = std::string(m.Group(index));
    FailValue* current = fail.Find(target);
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
    fail.Set(target, std::move(tuple));
  }
  return fail;
}

}  // namespace portcullis::filter
