#include "portcullis/filter/filter.h"

#include <algorithm>
#include <charconv>
#include <cmath>

#include "filter_impl.h"
#include "portcullis/base/py_repr.h"

namespace portcullis::filter {
namespace {

constexpr double kLastDateReuse = 60;  // seconds a dateless line may borrow the last date

// How an address text is turned into an IpAddr (fail2ban's cidr argument).
enum class AddrMode { kRaw, kParse };

IpAddr MakeAddress(std::string_view text, AddrMode mode, int cidr = -1) {
  if (mode == AddrMode::kRaw) return IpAddr::Raw(text);
  return IpAddr::Parse(text, cidr);
}

// The prefix length a <CIDR> group gave, or -1.
int ParseCidr(const std::string* text) {
  int cidr = -1;
  if (!text || text->empty()) return cidr;
  auto [ptr, ec] = std::from_chars(text->data(), text->data() + text->size(), cidr);
  return ec == std::errc() ? cidr : -1;
}

void AssignParts(LineParts& parts, std::string_view prefix, std::string_view date, std::string_view suffix) {
  parts.prefix.assign(prefix);
  parts.date.assign(date);
  parts.suffix.assign(suffix);
}

}  // namespace

Result<Filter> Filter::Create(std::shared_ptr<const CompiledFilter> compiled, const Clock& clock,
                              Resolver* resolver) {
  auto impl = std::make_unique<Impl>(std::move(compiled), clock, resolver);
  const FilterConfig& config = impl->c.config;
  if (config.detect_dates) {
    std::optional<std::string_view> pattern;
    if (config.datepattern) pattern = *config.datepattern;
    auto detector = date::DateDetector::Create(pattern, clock);
    if (!detector) return Fail(detector.error());
    impl->detector.emplace(std::move(*detector));
    if (config.logtimezone) {
      auto ok = impl->detector->SetDefaultTimeZone(*config.logtimezone);
      if (!ok) return Fail(ok.error());
    }
  }
  return Filter(std::move(impl));
}

Filter::Filter(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Filter::Filter(Filter&&) noexcept = default;
Filter& Filter::operator=(Filter&&) noexcept = default;
Filter::~Filter() = default;

void Filter::set_observer(FilterObserver* observer) { impl_->observer = observer; }
void Filter::set_in_operation(bool in_operation) { impl_->in_operation = in_operation; }
void Filter::set_find_time(double seconds) { impl_->find_time = seconds; }
void Filter::set_failure_data(bool full) { impl_->full_failure_data = full; }
const date::DateDetector* Filter::date_detector() const {
  return impl_->detector ? &*impl_->detector : nullptr;
}
const Lines& Filter::line_buffer() const { return impl_->kept; }
const LineParts& Filter::current_line() const {
  impl_->current_copy = impl_->current.Copy();
  return impl_->current_copy;
}

std::string Filter::ContinuationKey() const {
  const Impl& d = *impl_;
  std::string key = d.detector ? d.detector->ContinuationKey() : "no detector";
  key += "\n" + d.last_time_text + "\n";
  if (d.last_date) key += std::to_string(*d.last_date) + (d.last_date_is_integer ? " int" : "");
  return key;
}

MlfidSnapshot Filter::MlfidCacheSnapshot() const { return impl_->mlfid_cache.Snapshot(); }
void Filter::LogMlfidCache(MlfidLog* log) { impl_->mlfid_cache.set_log(log); }
void Filter::ClearMlfidCache() { impl_->mlfid_cache.Clear(); }

const std::vector<Failure>& Filter::ProcessLine(std::string_view line) {
  impl_->results.clear();
  impl_->ProcessDated(line);
  return impl_->results;
}

const std::vector<Failure>& Filter::ProcessLine(const LineParts& line, double time) {
  impl_->results.clear();
  impl_->last_time_text = line.date;
  impl_->last_date = time;
  impl_->last_date_is_integer = impl_->date_is_integer = false;
  impl_->FindFailure(PartsView{line.prefix, line.date, line.suffix}, time, false);
  return impl_->results;
}

// fail2ban's processLine: find the date, cut it out, fall back to the last date.
void Filter::Impl::ProcessDated(std::string_view line) {
  std::optional<double> date;
  const double now = clock.Now();
  std::optional<date::DateMatch> found;
  date_is_integer = false;
  if (detector) found = detector->Match(line, now);
  if (found) {
    current = PartsView{line.substr(0, found->begin), line.substr(found->begin, found->end - found->begin),
                        line.substr(found->end)};
    if (found->begin < found->end) {
      if (found->time) {
        date = found->time;
        date_is_integer = found->time_is_integer;
        last_time_text = current.date;
        last_date = date;
        last_date_is_integer = date_is_integer;
      }
    } else if (last_date && *last_date > now - kLastDateReuse) {
      current = PartsView{"", last_time_text, line};
      date = last_date;
      date_is_integer = last_date_is_integer;
    } else {
      date = now;
    }
  } else {
    current = PartsView{"", "", line};
  }
  bool no_date = false;
  if (!date) {
    no_date = true;
    if (last_date && *last_date > now - kLastDateReuse) {
      current = PartsView{"", last_time_text, line};
      date = last_date;
      date_is_integer = last_date_is_integer;
    } else if (c.config.check_find_time && in_operation) {
      date = now;
    }
  }
  if (c.config.check_find_time && date) {
    if (in_operation) {
      if (std::fabs(std::trunc(*date - now)) > kLastDateReuse) {
        date = now;
        last_date = date;
        date_is_integer = last_date_is_integer = false;
      }
    } else if (*date < now - find_time) {
      return;
    }
  }
  FindFailure(current, date, no_date);
}

void Filter::Impl::UseLines(Lines lines) {
  replaced = std::move(lines);
  use_replaced = true;
  content_pending = false;
  buf_valid = false;
}

// The prefregex's <F-CONTENT> becomes the whole buffer (fail2ban: [('', '', content)]).
// The buffer is the content and a newline: most contents run to the end of the line,
// and the prefregex's text has that newline after them already. The line itself is
// copied only when read.
void Filter::Impl::UseContent(std::string_view content) {
  pending_content = content;
  content_pending = true;
  use_replaced = true;
  const char* text_end = pref_buf.data() + pref_buf.size();
  if (content.data() + content.size() + 1 == text_end && text_end[-1] == '\n') {
    search_text = std::string_view(content.data(), content.size() + 1);
  } else {
    buf.assign(content) += '\n';
    search_text = buf;
  }
  buf_valid = true;
}

void Filter::Impl::BuildText() {
  BuildBuffer(CurrentLines(), buf);
  search_text = buf;
  buf_valid = true;
}

const Lines& Filter::Impl::CurrentLines() {
  if (content_pending) {
    replaced.resize(1);
    AssignParts(replaced[0], "", "", pending_content);
    content_pending = false;
  }
  return use_replaced ? replaced : Org();
}

// fail2ban's _ignoreLine: the index of the first ignoreregex found, or -1.
int Filter::Impl::IgnoreLine(std::string_view line_buf, const Lines* matched) {
  std::string matched_buf;
  if (matched && c.config.maxlines > 1) {
    BuildBuffer(*matched, matched_buf);
    line_buf = matched_buf;
  }
  int found = -1;
  for (size_t i = 0; i < c.ignoreregex.size(); ++i) {
    if (!c.ignoreregex[i].regex.regex().Search(line_buf, ignore_match)) continue;
    found = static_cast<int>(i);
    if (observer) observer->OnIgnoreRegexMatch(found);
    if ((!c.config.check_all_regex || c.config.maxlines > 1) && matched) UseLines(split.unmatched);
    if (!c.config.check_all_regex) break;
  }
  return found;
}

std::vector<IpAddr> Filter::Impl::TextToIp(std::string_view text) const {
  std::vector<IpAddr> ips;
  // fail2ban's searchIP accepts only a literal IPv4 address here.
  IpAddr plain = IpAddr::Parse(text);
  if (plain.IsValid() && plain.IsV4() && text.find('/') == std::string_view::npos)
    ips.push_back(plain);
  UseDns usedns = c.config.usedns;
  if (ips.empty() && (usedns == UseDns::kYes || usedns == UseDns::kWarn) && resolver)
    ips = resolver->Resolve(text);
  return ips;
}

// Turns one hit's data into failures: picks the failure id and address. `fail` may be
// the live mlfid cache entry: what fail2ban writes into it (mlfpending, ip) stays.
void Filter::Impl::AddFailures(int index, FailData& fail, std::optional<double> date) {
  const bool raw_mode = c.config.usedns == UseDns::kRaw || c.config.return_raw_host;
  const AddrMode default_mode = raw_mode ? AddrMode::kRaw : AddrMode::kParse;
  // The groups read here, found in one pass over the data.
  const FailValue *fid_found = nullptr, *ip4 = nullptr, *ip6 = nullptr, *cidr_text = nullptr, *dns = nullptr;
  bool has_mlfid = false;
  for (const auto& [key_text, value] : fail.entries()) {
    const std::string_view key = key_text;  // compared by size first
    if (key == "fid") fid_found = &value;
    else if (key == "ip4") ip4 = &value;
    else if (key == "ip6") ip6 = &value;
    else if (key == "cidr") cidr_text = &value;
    else if (key == "dns") dns = &value;
    else if (key == "mlfid") has_mlfid = std::holds_alternative<std::string>(value);
  }
  auto text = [](const FailValue* v) { return v ? std::get_if<std::string>(v) : nullptr; };
  // `fid` and `ip` point into the entries: read before "ip" or "mlfpending" is set below,
  // which may move them.
  const FailValue* fid = fid_found && !std::holds_alternative<std::monostate>(*fid_found) ? fid_found : nullptr;
  std::optional<std::string_view> ip;
  std::string tuple_text;  // a tuple fid's repr, when it stands for the address
  int cidr = -1;
  bool raw = raw_mode;
  AddrMode ip_mode = default_mode;
  if (const std::string* found = text(ip4) ? text(ip4) : text(ip6)) {
    ip = *found;
    cidr = ParseCidr(text(cidr_text));
    raw = true;
    ip_mode = AddrMode::kParse;
  }
  if (!ip && text(dns)) ip = *text(dns);
  if (!ip && fid) {
    if (const std::string* fid_text = std::get_if<std::string>(fid)) {
      ip = *fid_text;
    } else {
      tuple_text = PyRepr(std::get<Tuple>(*fid));
      ip = tuple_text;
    }
    raw = true;
  } else if (!ip && !has_mlfid) {
    return;  // fail2ban: "No group found" is logged and the regex skipped
  }
  // One failure per id (most hits have one: no list is built for them).
  auto emit = [&](std::optional<IpAddr> id) {
    const bool nofail = fail.Truthy("nofail");
    if (full_failure_data) {
      results.push_back(Failure{index, std::move(id), date, fail, date_is_integer, nofail});
      return;
    }
    Failure& f = results.emplace_back();  // built in place: a Failure is a few hundred bytes
    f.failregex = index;
    f.id = std::move(id);
    f.time = date;
    f.time_is_integer = date_is_integer;
    f.nofail = nofail;
  };
  if (!ip) {
    fail.Set("mlfpending", std::int64_t{1});
    if (!c.config.check_all_regex && c.config.ignore_pending) return;
    emit(std::nullopt);
  } else if (raw) {
    const std::string* fid_text = fid ? std::get_if<std::string>(fid) : nullptr;
    if (!fid || (fid_text && *fid_text == *ip)) {
      // One failure, certain: its id is made only for a caller that reads it.
      emit(full_failure_data ? std::optional<IpAddr>(MakeAddress(*ip, ip_mode, cidr)) : std::nullopt);
    } else {
      IpAddr id = fid_text ? MakeAddress(*fid_text, default_mode) : IpAddr::Raw(PyRepr(std::get<Tuple>(*fid)));
      std::string ip_text = MakeAddress(*ip, ip_mode, cidr).ToString();
      fail.Set("ip", std::move(ip_text));
      emit(std::move(id));
    }
  } else {
    for (IpAddr& addr : TextToIp(*ip)) emit(std::move(addr));
  }
}

// fail2ban's findFailure: the buffer, ignoreregex, prefregex and each failregex.
void Filter::Impl::FindFailure(const PartsView& tuple, std::optional<double> date, bool no_date) {
  const FilterConfig& config = c.config;
  use_replaced = false;
  content_pending = false;
  if (config.maxlines > 1) {
    kept.push_back(tuple.Copy());
    if (kept.size() > static_cast<size_t>(config.maxlines))
      kept.erase(kept.begin(), kept.end() - config.maxlines);
    org = kept;
    org_pending = nullptr;
    BuildBuffer(org, buf);
  } else {
    org_pending = &tuple;  // `tuple` outlives this call's use of it
    buf.clear();
    buf.append(tuple.prefix).append(tuple.suffix) += '\n';  // BuildBuffer of one line
  }
  search_text = buf;
  buf_valid = true;
  const int ignore_count = static_cast<int>(c.ignoreregex.size());
  const int fail_count = static_cast<int>(c.failregex.size());
  if (ignore_count > 0 && ignore_count < fail_count - 2 && IgnoreLine(buf, nullptr) >= 0) return;

  // The prefregex's groups are built only when a failregex hits (or a report asks):
  // most lines a prefregex admits still match no failregex.
  if (c.prefregex) {
    // The prefregex's groups point into pref_buf; buf is built again when a failregex
    // needs it (from the content, or from the lines when there is none).
    std::swap(pref_buf, buf);
    buf_valid = false;
    if (!c.prefregex->regex.regex().Search(pref_buf, pref_match)) {
      if (observer) observer->OnPrefRegexResult(nullptr);
      return;
    }
    if (observer) {
      static const FailData kNoGroups;
      observer->OnPrefRegexMatch();
      if (observer->WantsPrefRegexGroups()) {
        FailData groups = GroupsOf(*c.prefregex, pref_match);
        observer->OnPrefRegexResult(&groups);
      } else {
        observer->OnPrefRegexResult(&kNoGroups);
      }
    }
    int content = c.prefregex->regex.groups().content;
    if (pref_match.Matched(content) && !pref_match.Group(content).empty())
      UseContent(pref_match.Group(content));
  }
  // Only the failregexes that may match a buffer beginning as this one does; a hit that
  // consumes lines changes the buffer, and the rest are picked by its first byte.
  if (!buf_valid) BuildText();
  char first = search_text[0];
  std::span<const uint32_t> candidates = c.Candidates(first);
  for (size_t k = 0;; ++k) {
    if (!buf_valid) {
      BuildText();
      if (search_text[0] != first) {  // those after the last one tried, for the new first byte
        first = search_text[0];
        const uint32_t after = k > 0 ? candidates[k - 1] + 1 : 0;
        candidates = c.Candidates(first, after);
        k = 0;
      }
    }
    if (k >= candidates.size()) break;
    const int i = static_cast<int>(candidates[k]);
    const CompiledRegex& re = c.failregex[candidates[k]];
    if (!re.regex.regex().Search(search_text, match)) continue;
    // A hit's lines, kept for its data; with one line a buffer, nothing else reads them.
    const bool keep_lines = full_failure_data || config.maxlines > 1;
    if (keep_lines) {
      SplitLines(re, match, search_text, Org(), split);
    } else {
      split.matched.clear();
      split.unmatched.clear();
    }
    std::optional<bool> forget;
    FailData& fail = hit_data;
    HitData(c.prefregex ? &*c.prefregex : nullptr, pref_match, re, match, forget, fail, !full_failure_data);
    if (ignore_count > 0 && IgnoreLine(search_text, &split.matched) >= 0) {
      buf_valid = false;
      if (!config.check_all_regex) break;
      continue;
    }
    if (no_date && !date && config.check_find_time) continue;
    if (!config.check_all_regex || config.maxlines > 1) UseLines(split.unmatched);
    if (const std::string* mlfid = fail.Text("mlfid")) {
      mlfid_key.assign(*mlfid);  // `fail` changes below; the key's storage is reused
      FailData* live = MergeFailure(mlfid_cache, mlfid_key, fail, split.matched, keep_lines, forget);
      if (live->Truthy("nofail") && !config.check_all_regex) break;
      AddFailures(i, *live, date);
    } else {
      if (keep_lines) {
        Lines lines = fail.matches();
        lines.insert(lines.end(), split.matched.begin(), split.matched.end());
        fail.Set("matches", std::move(lines));
      }
      AddFailures(i, fail, date);
    }
    if (!config.check_all_regex) break;
  }
  if (config.maxlines > 1) kept = CurrentLines();
}

}  // namespace portcullis::filter
