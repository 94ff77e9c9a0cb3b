#include "portcullis/tester/out_format.h"

#include <unistd.h>

#include "portcullis/base/py_repr.h"
#include "portcullis/tester/report.h"

namespace portcullis::tester {
namespace {

constexpr std::string_view kMsgMark = std::string_view("\0msg\0", 5);

std::string JoinMatches(const filter::Lines& lines) {
  std::string out;
  for (size_t i = 0; i < lines.size(); ++i) {
    if (i) out += '\n';
    out += JoinedLine(lines[i]);
  }
  return out;
}

// fail2ban's _escOut: a NUL byte in a value prints as "\x00".
std::string EscapeNul(std::string value) {
  for (size_t pos = 0; (pos = value.find('\0', pos)) != std::string::npos; pos += 4) value.replace(pos, 1, "\\x00");
  return value;
}

// The failure's address: data "ip" when the id is something else, else the id.
IpAddr AddressOf(const filter::Failure& failure) {
  if (const std::string* ip = failure.data.Text("ip")) return IpAddr::Parse(*ip);
  return failure.id ? *failure.id : IpAddr();
}

std::string Hostname() {
  char buf[256] = {};
  if (gethostname(buf, sizeof buf - 1) != 0) return "";
  return buf;
}

// fail2ban's mapTag2Opt: F-ID -> fid, F-PORT -> fport, others lower-cased.
std::string MapTagToOption(std::string_view tag) {
  std::string lower;
  for (char c : tag) lower += static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  if (lower == "id") return "fid";
  if (lower == "port") return "fport";
  return lower;
}

bool IsCustomTagChar(char c) { return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-'; }

}  // namespace

OutFormat::OutFormat(std::string format, HostLookup host_lookup)
    : format_(std::move(format)), host_lookup_(std::move(host_lookup)) {
  if (format_ == "id" || format_ == "fid") kind_ = Kind::kId;
  else if (format_ == "ip") kind_ = Kind::kIp;
  else if (format_ == "msg") kind_ = Kind::kMsg;
  else if (format_ == "row") kind_ = Kind::kRow;
  else if (format_.find('<') == std::string::npos) kind_ = Kind::kWord;
  else kind_ = Kind::kTemplate;
}

std::string OutFormat::TagValue(const filter::Failure& failure, std::string_view tag, double now, bool& wrap,
                                bool& known) const {
  known = true;
  if (tag == "ip") return AddressOf(failure).ToString();
  if (tag == "fid") return IdStr(failure);
  if (tag == "family") {
    std::string_view family = AddressOf(failure).FamilyStr();
    return family.empty() ? "None" : std::string(family);
  }
  if (tag == "ip-rev") return AddressOf(failure).Ptr("");
  if (tag == "ip-host") {
    std::optional<std::string> name;
    if (host_lookup_) name = host_lookup_(AddressOf(failure));
    return name ? *name : "None";
  }
  if (tag == "failures" || tag == "bancount" || tag == "restored") return "0";
  if (tag == "time") return failure.time ? PyTimeRepr(failure.time, failure.time_is_integer) : PyFloatRepr(now);
  if (tag == "matches") return JoinMatches(failure.data.matches());
  if (tag == "msg") {
    if (!wrap && failure.data.matches().size() <= 1) return JoinMatches(failure.data.matches());
    wrap = true;
    return std::string(kMsgMark);
  }
  if (tag == "br") return "\n";
  if (tag == "sp") return " ";
  if (tag == "fq-hostname" || tag == "sh-hostname") return Hostname();
  known = false;
  return "";
}

// CommandAction.replaceDynamicTags: action tags first, then <F-NAME> groups.
std::string OutFormat::Substitute(const filter::Failure& failure, double now, bool& wrap) const {
  std::string first;
  const std::string& f = format_;
  for (size_t i = 0; i < f.size();) {
    size_t end = f[i] == '<' ? f.find_first_of(" <>", i + 1) : std::string::npos;
    if (end == std::string::npos || f[end] != '>' || end == i + 1) {
      first += f[i++];
      continue;
    }
    std::string_view tag(f.data() + i + 1, end - i - 1);
    bool known = false;
    std::string value = TagValue(failure, tag, now, wrap, known);
    if (!known) first.append(f, i, end + 1 - i);
    else first += tag == "msg" ? value : EscapeNul(std::move(value));
    i = end + 1;
  }
  if (first.find('<') == std::string::npos) return first;
  std::string out;
  for (size_t i = 0; i < first.size();) {
    if (first.compare(i, 3, "<F-") == 0) {
      size_t end = i + 3;
      while (end < first.size() && IsCustomTagChar(first[end])) ++end;
      if (end > i + 3 && end < first.size() && first[end] == '>') {
        std::string key = MapTagToOption(std::string_view(first).substr(i + 3, end - i - 3));
        if (key == "matches") out += EscapeNul(PyValueStr(failure.data.matches()));
        else if (key == "failures") out += "0";
        else if (const filter::FailValue* v = failure.data.Find(key); v && !std::holds_alternative<std::monostate>(*v))
          out += EscapeNul(PyValueStr(*v));
        i = end + 1;
        continue;
      }
    }
    out += first[i++];
  }
  return out;
}

void OutFormat::Print(const std::vector<const filter::Failure*>& failures, double now, std::string& out) const {
  switch (kind_) {
    case Kind::kId:
      for (const auto* f : failures) out += IdStr(*f) + "\n";
      return;
    case Kind::kIp:
      for (const auto* f : failures) {
        const std::string* ip = f->data.Text("ip");
        out += (ip ? *ip : IdStr(*f)) + "\n";
      }
      return;
    case Kind::kMsg:
      for (const auto* f : failures)
        for (const auto& line : f->data.matches()) out += JoinedLine(line) + "\n";
      return;
    case Kind::kRow:
      for (const auto* f : failures)
        out += "[" + IdRepr(*f) + ",\t" + PyTimeRepr(f->time, f->time_is_integer) + ",\t" +
               PyDictRepr(f->data, "matches") + "],\n";
      return;
    case Kind::kWord:
      for (const auto* f : failures) {
        const filter::FailValue* v = f->data.Find(format_);
        out += (v ? PyValueStr(*v) : "None") + "\n";
      }
      return;
    case Kind::kTemplate:
      break;
  }
  bool wrap = false;
  std::vector<std::pair<const filter::Failure*, std::string>> rows;
  for (const auto* f : failures) {
    std::string v = Substitute(*f, now, wrap);
    if (wrap) {
      rows.emplace_back(f, std::move(v));
      continue;
    }
    out += v + "\n";
  }
  for (const auto& [f, v] : rows) {
    for (const auto& line : f->data.matches()) {
      std::string row = v;
      std::string text = JoinedLine(line);
      for (size_t pos = 0; (pos = row.find(kMsgMark, pos)) != std::string::npos; pos += text.size())
        row.replace(pos, kMsgMark.size(), text);
      out += row + "\n";
    }
  }
}

}  // namespace portcullis::tester
