#pragma once
// Python re.sub over fail2ban's two tag patterns: each match is replaced by what the
// callback returns, scanning resumes after the match (replacements are not rescanned).

#include <functional>
#include <string>
#include <string_view>

namespace portcullis::action {

// TAG_CRE `<([^ <>]+)>`; the callback gets the name and the whole `<name>`.
std::string SubstituteTags(std::string_view text,
                           const std::function<std::string(std::string_view name, std::string_view whole)>& replace);

// FCUSTAG_CRE `<F-([A-Z0-9_\-]+)>`; the callback gets the part after "F-".
std::string SubstituteDataTags(std::string_view text,
                               const std::function<std::string(std::string_view name)>& replace);

}  // namespace portcullis::action
