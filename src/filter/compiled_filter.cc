#include <algorithm>

#include "compiled_filter_impl.h"

namespace portcullis::filter {
namespace {

// `replay`: the regex runs on every line and its texts mostly differ where it only
// tests a class (a prefregex's syslog prefix, before its `.+$`): see CompileOptions.
Result<CompiledRegex> CompileOne(const RegexSource& source, bool multiline, bool usedns_no, bool replay = false) {
  regex::CompileOptions compile;
  compile.multiline = multiline;
  compile.replay = replay;
  regex::TagOptions tags;
  tags.usedns_no = usedns_no;
  auto re = regex::FailRegex::Compile(source.text, compile, tags);
  if (!re) return Fail(re.error().At(source.file, source.line));
  CompiledRegex out{std::move(*re), {}, regex::ExpandTags(source.text, tags)};
  out.groups_by_index = out.regex.groups().named;
  std::sort(out.groups_by_index.begin(), out.groups_by_index.end(),
            [](const auto& a, const auto& b) { return a.second < b.second; });
  for (const auto* folded : {&out.regex.groups().alt, &out.regex.groups().tuple})
    for (const auto& [index, target] : *folded)
      out.folds_mlf = out.folds_mlf || target == "mlfid" || target == "mlfforget";
  return out;
}

Result<void> CompileList(const std::vector<RegexSource>& sources, bool multiline, bool usedns_no,
                         std::vector<CompiledRegex>& out) {
  for (const RegexSource& source : sources) {
    auto re = CompileOne(source, multiline, usedns_no);
    if (!re) return Fail(re.error());
    out.push_back(std::move(*re));
  }
  return {};
}

Result<void> CheckFailureIds(const CompiledFilter::Impl& impl) {
  bool pref_has_id = impl.prefregex && impl.prefregex->regex.HasFailureIdGroup();
  for (size_t i = 0; i < impl.failregex.size(); ++i) {
    const CompiledRegex& re = impl.failregex[i];
    if (re.regex.HasFailureIdGroup() || pref_has_id) continue;
    const RegexSource& source = impl.config.failregex[i];
    return Fail("No failure-id group in '" + re.expanded + "'", source.file, source.line);
  }
  return {};
}

void SetCountedGroups(CompiledRegex& re, const CompiledRegex* pref) {
  for (const auto& [name, index] : re.groups_by_index) {
    if (!IsFilterKey(name)) continue;
    bool in_pref = false;
    if (pref)
      for (const auto& g : pref->groups_by_index) in_pref = in_pref || g.first == name;
    re.counted_groups.push_back({name, index, in_pref});
  }
}

}  // namespace

Result<UseDns> ParseUseDns(std::string_view text) {
  std::string lower;
  for (char c : text) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (lower == "yes" || lower == "true") return UseDns::kYes;
  if (lower == "warn") return UseDns::kWarn;
  if (lower == "no" || lower == "false") return UseDns::kNo;
  if (lower == "raw") return UseDns::kRaw;
  return Fail("Incorrect value '" + std::string(text) + "' specified for usedns");
}

Result<std::shared_ptr<const CompiledFilter>> CompiledFilter::Compile(const FilterConfig& config) {
  if (config.maxlines <= 0) return Fail("maxlines must be integer greater than zero");
  auto impl = std::make_unique<Impl>();
  impl->config = config;
  bool usedns_no = config.usedns == UseDns::kNo;
  if (config.prefregex && !config.prefregex->text.empty()) {
    auto pref = CompileOne(*config.prefregex, false, usedns_no, /*replay=*/true);
    if (!pref) return Fail(pref.error());
    impl->prefregex = std::move(*pref);
  }
  if (auto ok = CompileList(config.failregex, config.maxlines > 1, usedns_no, impl->failregex); !ok)
    return Fail(ok.error());
  if (auto ok = CompileList(config.ignoreregex, false, usedns_no, impl->ignoreregex); !ok)
    return Fail(ok.error());
  if (auto ok = CheckFailureIds(*impl); !ok) return Fail(ok.error());
  if (impl->prefregex) SetCountedGroups(*impl->prefregex, nullptr);
  for (CompiledRegex& re : impl->failregex) SetCountedGroups(re, impl->prefregex ? &*impl->prefregex : nullptr);
  std::vector<std::bitset<256>> first;
  for (const CompiledRegex& re : impl->failregex) first.push_back(re.regex.regex().FirstBytesAtStart());
  for (unsigned c = 0; c < 256; ++c) {
    impl->fail_first[c] = static_cast<uint32_t>(impl->fail_candidates.size());
    for (size_t i = 0; i < first.size(); ++i)
      if (first[i][c]) impl->fail_candidates.push_back(static_cast<uint32_t>(i));
  }
  impl->fail_first[256] = static_cast<uint32_t>(impl->fail_candidates.size());
  return std::shared_ptr<const CompiledFilter>(new CompiledFilter(std::move(impl)));
}

CompiledFilter::CompiledFilter(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
CompiledFilter::~CompiledFilter() = default;
const FilterConfig& CompiledFilter::config() const { return impl_->config; }
size_t CompiledFilter::failregex_count() const { return impl_->failregex.size(); }

bool CompiledFilter::uses_mlfid() const {
  if (impl_->prefregex && impl_->prefregex->regex.groups().mlfid >= 0) return true;
  for (const CompiledRegex& re : impl_->failregex)
    if (re.regex.groups().mlfid >= 0) return true;
  return false;
}

size_t CompiledFilter::ignoreregex_count() const { return impl_->ignoreregex.size(); }
const std::string& CompiledFilter::ExpandedFailRegex(size_t index) const {
  return impl_->failregex.at(index).expanded;
}

const std::string* CompiledFilter::ExpandedPrefRegex() const {
  return impl_->prefregex ? &impl_->prefregex->expanded : nullptr;
}

}  // namespace portcullis::filter
