#include "portcullis/regex/regex.h"

#include <algorithm>
#include <exception>

#include "python_traits.h"
#include "python_translator.h"

namespace portcullis::regex {

struct Match::Impl {
  boost::match_results<const char*> results;
  const char* base = nullptr;
  bool matched = false;
  bool complexity_exceeded = false;
};

struct Regex::Impl {
  std::string pattern;
  std::string translated;
  internal::BoostRegex boost;
  std::vector<std::pair<std::string, int>> named;
  int group_count = 0;
};

Match::Match() : impl_(std::make_unique<Impl>()) {}
Match::~Match() = default;
Match::Match(Match&&) noexcept = default;
Match& Match::operator=(Match&&) noexcept = default;

bool Match::Matched(int index) const {
  return impl_ && impl_->matched && index >= 0 &&
         static_cast<size_t>(index) < impl_->results.size() && impl_->results[index].matched;
}

std::string_view Match::Group(int index) const {
  if (!Matched(index)) return {};
  const auto& sub = impl_->results[index];
  return {sub.first, static_cast<size_t>(sub.second - sub.first)};
}

size_t Match::Begin(int index) const {
  return Matched(index) ? static_cast<size_t>(impl_->results[index].first - impl_->base) : 0;
}

size_t Match::End(int index) const {
  return Matched(index) ? static_cast<size_t>(impl_->results[index].second - impl_->base) : 0;
}

bool Match::complexity_exceeded() const { return impl_ && impl_->complexity_exceeded; }

namespace {

// Boost's what() repeats the pattern twice; the first sentence is the reason.
std::string BoostReason(const std::exception& e) {
  std::string_view what = e.what();
  if (auto cut = what.find(".  "); cut != std::string_view::npos) what = what.substr(0, cut + 1);
  return std::string(what);
}

}  // namespace

Result<Regex> Regex::Compile(std::string_view python_pattern, CompileOptions options) {
  auto translation = internal::Translate(python_pattern, options);
  if (!translation) return std::unexpected(translation.error());
  auto impl = std::make_shared<Impl>();
  impl->pattern = std::string(python_pattern);
  impl->translated = std::move(translation->pattern);
  impl->named = std::move(translation->named);
  impl->group_count = translation->group_count;
  namespace rc = boost::regex_constants;
  auto flags = rc::perl | rc::no_mod_m | rc::no_mod_s;
  if (options.ignore_case) flags |= rc::icase;
  try {
    impl->boost.assign(impl->translated, flags);
  } catch (const std::exception& e) {
    return Fail(BoostReason(e), "", 0, std::string(python_pattern));
  }
  return Regex(std::move(impl));
}

Regex::Regex(std::shared_ptr<const Impl> impl) : impl_(std::move(impl)) {}
Regex::~Regex() = default;

namespace {

// Runs one Boost search; complexity and stack limits become a miss. A template so
// that only the friend Regex names Match::Impl.
template <class MatchImpl>
bool RunSearch(const internal::BoostRegex& re, std::string_view text, MatchImpl& m,
               boost::regex_constants::match_flag_type flags) {
  m.base = text.data();
  m.complexity_exceeded = false;
  try {
    m.matched = boost::regex_search(text.data(), text.data() + text.size(), m.results, re, flags);
  } catch (const std::exception&) {
    m.matched = false;
    m.complexity_exceeded = true;
  }
  return m.matched;
}

}  // namespace

bool Regex::Search(std::string_view text, Match& m) const {
  if (!m.impl_) m.impl_ = std::make_unique<Match::Impl>();  // a moved-from Match
  return RunSearch(impl_->boost, text, *m.impl_, boost::regex_constants::match_default);
}

bool Regex::MatchAtStart(std::string_view text, Match& m) const {
  if (!m.impl_) m.impl_ = std::make_unique<Match::Impl>();
  return RunSearch(impl_->boost, text, *m.impl_, boost::regex_constants::match_continuous);
}

int Regex::GroupCount() const { return impl_->group_count; }

int Regex::GroupIndex(std::string_view name) const {
  const auto& named = impl_->named;
  auto it = std::lower_bound(named.begin(), named.end(), name,
                             [](const auto& entry, std::string_view n) { return entry.first < n; });
  return it != named.end() && it->first == name ? it->second : -1;
}

const std::vector<std::pair<std::string, int>>& Regex::NamedGroups() const { return impl_->named; }
const std::string& Regex::pattern() const { return impl_->pattern; }
const std::string& Regex::translated() const { return impl_->translated; }

Result<std::string> TranslatePython(std::string_view python_pattern, CompileOptions options) {
  auto translation = internal::Translate(python_pattern, options);
  if (!translation) return std::unexpected(translation.error());
  return std::move(translation->pattern);
}

}  // namespace portcullis::regex
