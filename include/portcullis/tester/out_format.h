#pragma once
// fail2ban-regex -o/--out: one line of output per failure instead of the report.
//
//   id, fid   the failure id                     row  [id,\ttime,\t{data}],
//   ip        the address (data "ip" or the id)  msg  each matched line
//   <word>    data[word] or None (user, ip4, dns, host …)
//   a template with tags, substituted as an action would (no shell escaping):
//   "<ip> <F-USER> <family> <time> <fid> <failures> <ip-rev> <ip-host> <matches>
//    <msg> <br> <sp>"; unknown tags stay as written, <F-NAME> of a missing group is "".
//   <msg> in a failure of several lines prints one output line per matched line.

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "portcullis/base/ip_addr.h"
#include "portcullis/filter/failure.h"

namespace portcullis::tester {

class OutFormat {
 public:
  // Reverse DNS for <ip-host>: the name, or nullopt (printed "None").
  using HostLookup = std::function<std::optional<std::string>(const IpAddr&)>;

  explicit OutFormat(std::string format, HostLookup host_lookup = {});

  // Appends the output lines for the failures of one log line to `out` (each with
  // "\n"). `now` is the time used for <time> when a failure has none.
  void Print(const std::vector<const filter::Failure*>& failures, double now, std::string& out) const;

 private:
  enum class Kind { kId, kIp, kMsg, kRow, kWord, kTemplate };
  std::string Substitute(const filter::Failure& failure, double now, bool& wrap) const;
  std::string TagValue(const filter::Failure& failure, std::string_view tag, double now, bool& wrap,
                       bool& known) const;

  Kind kind_;
  std::string format_;
  HostLookup host_lookup_;
};

}  // namespace portcullis::tester
