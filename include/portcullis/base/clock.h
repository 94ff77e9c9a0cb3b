#pragma once
// The wall clock as a dependency: production code takes a `const Clock&`, tests pass
// a FakeClock set to fail2ban's TEST_NOW (1124013600) and never sleep.

namespace portcullis {

class Clock {
 public:
  virtual ~Clock() = default;
  // Seconds since the Unix epoch, with fractions.
  virtual double Now() const = 0;
};

// The real time of day.
class SystemClock final : public Clock {
 public:
  double Now() const override;
};

// Another clock read once every `every` calls, for a loop that asks for the time of
// each log line where a fraction of a millisecond does not matter (fail2ban-regex's
// "now" for a line). One thread only.
class CoarseClock final : public Clock {
 public:
  explicit CoarseClock(const Clock& source, unsigned every = 256) : source_(source), every_(every) {}
  double Now() const override {
    if (calls_++ % every_ == 0) now_ = source_.Now();
    return now_;
  }

 private:
  const Clock& source_;
  unsigned every_;
  mutable unsigned calls_ = 0;
  mutable double now_ = 0;
};

// A clock that says what it is told.
class FakeClock final : public Clock {
 public:
  explicit FakeClock(double now = 0) : now_(now) {}
  double Now() const override { return now_; }
  void Set(double now) { now_ = now; }
  void Advance(double seconds) { now_ += seconds; }

 private:
  double now_;
};

// glibc stats /etc/localtime on every localtime()/mktime() while TZ is unset. Setting
// TZ to ":/etc/localtime" when it is unset keeps the same zone and saves a system call
// per log line. Call once at the start of main, before any thread starts.
void PinLocalTimeZone();

}  // namespace portcullis
