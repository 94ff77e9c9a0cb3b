#include "portcullis/action/action_runner.h"

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

namespace portcullis::action {

// One action with its queue and its thread.
struct ActionRunner::Worker {
  explicit Worker(CommandAction a) : action(std::move(a)), thread([this] { Loop(); }) {}
  ~Worker() {
    {
      std::lock_guard lock(mu);
      quit = true;
    }
    wake.notify_one();
    thread.join();
  }

  // Queues `job`; false when `bounded` and `limit` jobs are waiting already.
  bool Submit(std::function<void(CommandAction&)> job, bool bounded, size_t limit) {
    {
      std::lock_guard lock(mu);
      if (bounded && jobs.size() >= limit) return false;
      jobs.push_back(std::move(job));
    }
    wake.notify_one();
    return true;
  }

  bool WaitIdle(std::chrono::steady_clock::time_point until) {
    std::unique_lock lock(mu);
    return idle.wait_until(lock, until, [&] { return jobs.empty() && !busy; });
  }

  void WaitIdle() {
    std::unique_lock lock(mu);
    idle.wait(lock, [&] { return jobs.empty() && !busy; });
  }

  void Loop() {
    std::unique_lock lock(mu);
    for (;;) {
      wake.wait(lock, [&] { return quit || !jobs.empty(); });
      if (jobs.empty()) return;  // quit, with all work done
      auto job = std::move(jobs.front());
      jobs.pop_front();
      busy = true;
      lock.unlock();
      job(action);  // the action is only ever touched by this thread
      lock.lock();
      busy = false;
      if (jobs.empty()) idle.notify_all();
    }
  }

  CommandAction action;
  std::mutex mu;
  std::condition_variable wake;
  std::condition_variable idle;
  std::deque<std::function<void(CommandAction&)>> jobs;
  bool busy = false;
  bool quit = false;
  std::thread thread;  // last: starts once the rest is built
};

Result<std::unique_ptr<ActionRunner>> ActionRunner::Create(const std::vector<config::ActionSpec>& actions,
                                                           platform::CommandRunner& runner,
                                                           ActionRunnerOptions options) {
  std::unique_ptr<ActionRunner> result(new ActionRunner());
  result->queue_limit_ = options.queue_limit;
  for (const config::ActionSpec& spec : actions) {
    auto action = CommandAction::Create(spec, runner, options.action);
    if (!action) return Fail(action.error());
    result->workers_.push_back(std::make_unique<Worker>(std::move(*action)));
  }
  return result;
}

ActionRunner::~ActionRunner() = default;

void ActionRunner::Start() {
  for (auto& worker : workers_) {
    worker->Submit([](CommandAction& a) { a.Start(); }, false, 0);
    worker->WaitIdle();
  }
}

bool ActionRunner::Ban(const ban::Ticket& ticket) {
  bool all = true;
  for (auto& worker : workers_) {
    all = worker->Submit([ticket](CommandAction& a) { a.Ban(ticket); }, true, queue_limit_) && all;
  }
  return all;
}

void ActionRunner::Unban(const ban::Ticket& ticket) {
  for (auto& worker : workers_) worker->Submit([ticket](CommandAction& a) { a.Unban(ticket); }, false, 0);
}

void ActionRunner::Stop(const std::vector<ban::Ticket>& banned) {
  for (auto& worker : workers_) {
    worker->Submit(
        [&banned](CommandAction& a) {
          if (a.has_flush()) {
            a.Flush();
            return;
          }
          for (const ban::Ticket& ticket : banned) a.Unban(ticket);
        },
        false, 0);
  }
  for (auto& worker : workers_) worker->WaitIdle();  // `banned` outlives the jobs
  for (auto it = workers_.rbegin(); it != workers_.rend(); ++it) {
    (*it)->Submit([](CommandAction& a) { a.Stop(); }, false, 0);
    (*it)->WaitIdle();
  }
}

bool ActionRunner::WaitIdle(std::chrono::milliseconds timeout) {
  auto until = std::chrono::steady_clock::now() + timeout;
  bool idle = true;
  for (auto& worker : workers_) idle = worker->WaitIdle(until) && idle;
  return idle;
}

}  // namespace portcullis::action
