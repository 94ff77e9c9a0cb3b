#include "portcullis/base/clock.h"

#include <chrono>
#include <cstdlib>
#include <ctime>

namespace portcullis {

double SystemClock::Now() const {
  using namespace std::chrono;
  return duration<double>(system_clock::now().time_since_epoch()).count();
}

void PinLocalTimeZone() {
  if (std::getenv("TZ") == nullptr) setenv("TZ", ":/etc/localtime", 0);
  tzset();
}

}  // namespace portcullis
