#include "date/time_zone.h"

#include <array>
#include <cctype>
#include <string>

namespace portcullis::date {
namespace {

struct ZoneGroup {
  int minutes;
  std::string_view names;  // space-separated abbreviations
};

// strptime.py's TZ_STR: abbreviations by offset, incl. the military letters A..Z.
constexpr std::array kZones = {
    ZoneGroup{-12 * 60, "Y"},
    ZoneGroup{-11 * 60, "X NUT SST"},
    ZoneGroup{-10 * 60, "W CKT HAST HST TAHT TKT"},
    ZoneGroup{-9 * 60, "V AKST GAMT GIT HADT HNY"},
    ZoneGroup{-8 * 60, "U AKDT CIST HAY HNP PST PT"},
    ZoneGroup{-7 * 60, "T HAP HNR MST PDT"},
    ZoneGroup{-6 * 60, "S CST EAST GALT HAR HNC MDT"},
    ZoneGroup{-5 * 60, "R CDT COT EASST ECT EST ET HAC HNE PET"},
    ZoneGroup{-4 * 60, "Q AST BOT CLT COST EDT FKT GYT HAE HNA PYT"},
    ZoneGroup{-3 * 60, "P ADT ART BRT CLST FKST GFT HAA PMST PYST SRT UYT WGT"},
    ZoneGroup{-2 * 60, "O BRST FNT PMDT UYST WGST"},
    ZoneGroup{-1 * 60, "N AZOT CVT EGT"},
    ZoneGroup{0, "Z EGST GMT UTC WET WT"},
    ZoneGroup{1 * 60, "A CET DFT WAT WEDT WEST"},
    ZoneGroup{2 * 60, "B CAT CEDT CEST EET SAST WAST"},
    ZoneGroup{3 * 60, "C EAT EEDT EEST IDT MSK"},
    ZoneGroup{4 * 60, "D AMT AZT GET GST KUYT MSD MUT RET SAMT SCT"},
    ZoneGroup{5 * 60, "E AMST AQTT AZST HMT MAWT MVT PKT TFT TJT TMT UZT YEKT"},
    ZoneGroup{6 * 60, "F ALMT BIOT BTT IOT KGT NOVT OMST YEKST"},
    ZoneGroup{7 * 60, "G CXT DAVT HOVT ICT KRAT NOVST OMSST THA WIB"},
    ZoneGroup{8 * 60, "H ACT AWST BDT BNT CAST HKT IRKT KRAST MYT PHT SGT ULAT WITA WST"},
    ZoneGroup{9 * 60, "I AWDT IRKST JST KST PWT TLT WDT WIT YAKT"},
    ZoneGroup{10 * 60, "K AEST ChST PGT VLAT YAKST YAPT"},
    ZoneGroup{11 * 60, "L AEDT LHDT MAGT NCT PONT SBT VLAST VUT"},
    ZoneGroup{12 * 60, "M ANAST ANAT FJT GILT MAGST MHT NZST PETST PETT TVT WFT"},
    ZoneGroup{13 * 60, "FJST NZDT"},
    ZoneGroup{690, "NFT"},
    ZoneGroup{630, "ACDT LHST"},
    ZoneGroup{570, "ACST"},
    ZoneGroup{390, "CCT MMT"},
    ZoneGroup{345, "NPT"},
    ZoneGroup{330, "SLT"},
    ZoneGroup{270, "AFT IRDT"},
    ZoneGroup{210, "IRST"},
    ZoneGroup{-150, "HAT NDT"},
    ZoneGroup{-210, "HNT NST NT"},
    ZoneGroup{-270, "HLV VET"},
    ZoneGroup{-570, "MART MIT"},
};

std::optional<int> AbbreviationMinutes(std::string_view abbr) {
  if (abbr.empty()) return 0;
  for (const ZoneGroup& group : kZones) {
    for (size_t pos = 0; pos < group.names.size();) {
      size_t end = group.names.find(' ', pos);
      if (end == std::string_view::npos) end = group.names.size();
      if (group.names.substr(pos, end - pos) == abbr) return group.minutes;
      pos = end + 1;
    }
  }
  return std::nullopt;
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// `[+-][01]\d(?::?\d{2})?` exactly; returns signed minutes.
std::optional<int> ParseOffset(std::string_view text) {
  if (text.size() < 3 || (text[0] != '+' && text[0] != '-') || (text[1] != '0' && text[1] != '1') ||
      !IsDigit(text[2]))
    return std::nullopt;
  int hours = (text[1] - '0') * 10 + (text[2] - '0');
  std::string_view rest = text.substr(3);
  if (rest.size() == 3 && rest[0] == ':') rest.remove_prefix(1);
  if (!rest.empty() && (rest.size() != 2 || !IsDigit(rest[0]) || !IsDigit(rest[1]))) return std::nullopt;
  int minutes = hours * 60 + (rest.empty() ? 0 : (rest[0] - '0') * 10 + (rest[1] - '0'));
  return text[0] == '-' ? -minutes : minutes;
}

}  // namespace

std::optional<int> ZoneOffsetMinutes(std::string_view zone) {
  size_t letters = 0;
  while (letters < zone.size() && std::isupper(static_cast<unsigned char>(zone[letters]))) ++letters;
  if (letters == 2 || letters > 5) return std::nullopt;
  std::optional<int> base = AbbreviationMinutes(zone.substr(0, letters));
  if (!base) return std::nullopt;
  std::string_view offset = zone.substr(letters);
  if (offset.empty()) return *base;
  std::optional<int> minutes = ParseOffset(offset);
  if (!minutes) return std::nullopt;
  return *base + *minutes;
}

Result<int> ParseLogTimeZone(std::string_view tz) {
  std::optional<int> minutes = ZoneOffsetMinutes(tz);
  if (!minutes) return Fail("Unknown or unsupported time zone: '" + std::string(tz) + "'");
  return *minutes;
}

}  // namespace portcullis::date
