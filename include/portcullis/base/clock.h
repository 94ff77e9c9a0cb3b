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
// "now" for a line). Each thread counts its own calls, so threads may share it.
class CoarseClock final : public Clock {
 public:
  explicit CoarseClock(const Clock& source, unsigned every = 256) : source_(source), every_(every) {}
  double Now() const override {
    thread_local const CoarseClock* owner = nullptr;
    thread_local unsigned calls = 0;
    thread_local double now = 0;
    if (owner != this || ++calls % every_ == 0) {
      owner = this;
      now = source_.Now();
    }
    return now;
  }

 private:
  const Clock& source_;
  unsigned every_;
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
