#include "portcullis/log/log_source.h"

#include <algorithm>
#include <cctype>

namespace portcullis::log {

Result<Backend> ParseBackend(std::string_view text) {
  std::string name(text.substr(0, text.find('[')));
  while (!name.empty() && std::isspace(static_cast<unsigned char>(name.back()))) name.pop_back();
  std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
  if (name == "auto") return Backend::kAuto;
  if (name == "polling") return Backend::kPolling;
  if (name == "pyinotify" || name == "inotify" || name == "gamin") return Backend::kInotify;
  if (name == "systemd") return Backend::kSystemd;
  return Fail("Unknown backend " + name + ". Must be among ['pyinotify', 'gamin', 'polling', 'systemd'] or 'auto'");
}

Result<std::unique_ptr<LogSource>> MakeLogSource(Backend backend, const LogSourceOptions& options) {
  switch (backend) {
    case Backend::kPolling:
      return MakePollingSource(options);
    case Backend::kInotify:
      return MakeInotifySource(options);
    case Backend::kAuto:
      if (auto inotify = MakeInotifySource(options)) return inotify;
      return MakePollingSource(options);
    case Backend::kSystemd:
      break;
  }
  return Fail("backend 'systemd' is not supported yet: give the jail a logpath and backend = auto");
}

}  // namespace portcullis::log
