#pragma once
// Python's repr() of the values fail2ban prints: strings, tuples, None. fail2ban-regex
// output, config error messages and tuple failure ids are spelled this way.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace portcullis {

// repr(str): 'text' (or "text" when it holds ' but no "), with Python's escapes.
std::string PyRepr(std::string_view text);
// repr(tuple) of str/None items: ('a', None), ('a',) for one item.
std::string PyRepr(const std::vector<std::optional<std::string>>& tuple);

}  // namespace portcullis
