#include "portcullis/action/action_runner.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

namespace portcullis::action {

// One action with its queue and its thread.
struct ActionRunner::Worker {
  // A ban or an unban carries its ticket so that queued neighbours can be run as one
  // batch; anything else (start, stop, flush) is a function run on its own.
  enum class Kind { kOther, kBan, kUnban };
  struct Job {
    Kind kind = Kind::kOther;
    ban::Ticket ticket;
    std::function<void(CommandAction&)> run;
  };

  Worker(CommandAction a, size_t batch_max)
      : action(std::move(a)),
        ban_batch(action.has_ban_batch() ? std::max<size_t>(batch_max, 1) : 1),
        unban_batch(action.has_unban_batch() ? std::max<size_t>(batch_max, 1) : 1),
        thread([this] { Loop(); }) {}
  ~Worker() {
    {
      std::lock_guard lock(mu);
      quit = true;
    }
    wake.notify_one();
    thread.join();
  }

  // Queues `job`; false when `bounded` and `limit` jobs are waiting already.
  // Only a sleeping worker is woken: a busy one looks at the queue again by itself,
  // and a wake-up per ban was a context switch per ban under a storm.
  bool Submit(Job job, bool bounded, size_t limit, bool bulk = false) {
    bool wake_worker;
    {
      std::lock_guard lock(mu);
      if (bounded && jobs.size() >= limit) return false;
      jobs.push_back(std::move(job));
      wake_worker = sleeping && (!bulk || jobs.size() % 1024 == 0);
    }
    if (wake_worker) wake.notify_one();
    return true;
  }

  size_t DropQueuedBans() {
    std::lock_guard lock(mu);
    return std::erase_if(jobs, [](const Job& job) { return job.kind == Kind::kBan; });
  }

  void Wake() {
    bool wake_worker;
    {
      std::lock_guard lock(mu);
      wake_worker = sleeping && !jobs.empty();
    }
    if (wake_worker) wake.notify_one();
  }

  bool Submit(std::function<void(CommandAction&)> run) { return Submit({Kind::kOther, {}, std::move(run)}, false, 0); }

  bool WaitIdle(std::chrono::steady_clock::time_point until) {
    std::unique_lock lock(mu);
    return idle.wait_until(lock, until, [&] { return jobs.empty() && !busy; });
  }

  void WaitIdle() {
    std::unique_lock lock(mu);
    idle.wait(lock, [&] { return jobs.empty() && !busy; });
  }

  // Natural batching: whenever the worker is free it takes the first job and, if that
  // is a ban (unban), every ban (unban) queued right behind it, up to the cap. A lone
  // ban thus runs at once; under load the batches grow by themselves, and the order of
  // everything else stays as queued.
  void Loop() {
    std::unique_lock lock(mu);
    std::vector<ban::Ticket> batch;
    for (;;) {
      sleeping = true;
      wake.wait(lock, [&] { return quit || !jobs.empty(); });
      sleeping = false;
      if (jobs.empty()) return;  // quit, with all work done
      Job job = std::move(jobs.front());
      jobs.pop_front();
      batch.clear();
      if (job.kind != Kind::kOther) {
        const size_t cap = job.kind == Kind::kBan ? ban_batch : unban_batch;
        batch.push_back(std::move(job.ticket));
        while (batch.size() < cap && !jobs.empty() && jobs.front().kind == job.kind) {
          batch.push_back(std::move(jobs.front().ticket));
          jobs.pop_front();
        }
      }
      busy = true;
      lock.unlock();
      Run(job.kind, job.run, batch);  // the action is only ever touched by this thread
      commands.store(action.commands_run());
      lock.lock();
      busy = false;
      if (jobs.empty()) idle.notify_all();
    }
  }

  void Run(Kind kind, const std::function<void(CommandAction&)>& run, const std::vector<ban::Ticket>& batch) {
    if (kind == Kind::kBan) {
      action.BanBatch(batch);
    } else if (kind == Kind::kUnban) {
      action.UnbanBatch(batch);
    } else {
      run(action);
    }
  }

  CommandAction action;
  const size_t ban_batch;    // jobs taken at once: batch_max with a batch command, else 1
  const size_t unban_batch;
  std::atomic<size_t> commands{0};
  std::mutex mu;
  std::condition_variable wake;
  std::condition_variable idle;
  std::deque<Job> jobs;
  bool busy = false;
  bool sleeping = false;  // waiting on `wake`
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
    result->workers_.push_back(std::make_unique<Worker>(std::move(*action), options.action.batch_max));
  }
  return result;
}

ActionRunner::~ActionRunner() = default;

void ActionRunner::Start() {
  for (auto& worker : workers_) {
    worker->Submit([](CommandAction& a) { a.Start(); });
    worker->WaitIdle();
  }
}

bool ActionRunner::Ban(const ban::Ticket& ticket) {
  bool all = true;
  for (auto& worker : workers_) {
    all = worker->Submit({Worker::Kind::kBan, ticket, {}}, true, queue_limit_, bulk_) && all;
  }
  return all;
}

void ActionRunner::BeginBulk() { bulk_ = true; }

void ActionRunner::EndBulk() {
  bulk_ = false;
  for (auto& worker : workers_) worker->Wake();
}

void ActionRunner::Unban(const ban::Ticket& ticket) {
  for (auto& worker : workers_) worker->Submit({Worker::Kind::kUnban, ticket, {}}, false, 0);
}

size_t ActionRunner::Stop(const std::vector<ban::Ticket>& banned) {
  // Bans still waiting are dropped: the flush (or unban) that follows would undo them,
  // and they are in the database for the next start. A storm's queue of one process
  // per address would otherwise hold a stop for hours.
  size_t dropped = 0;
  for (auto& worker : workers_) dropped += worker->DropQueuedBans();
  for (auto& worker : workers_) {
    worker->Submit([&banned](CommandAction& a) {
      if (a.has_flush()) {
        a.Flush();
        return;
      }
      a.UnbanBatch(banned);
    });
  }
  for (auto& worker : workers_) worker->WaitIdle();  // `banned` outlives the jobs
  for (auto it = workers_.rbegin(); it != workers_.rend(); ++it) {
    (*it)->Submit([](CommandAction& a) { a.Stop(); });
    (*it)->WaitIdle();
  }
  return dropped;
}

size_t ActionRunner::QueuedJobs() const {
  size_t total = 0;
  for (const auto& worker : workers_) {
    std::lock_guard lock(worker->mu);
    total += worker->jobs.size();
  }
  return total;
}

size_t ActionRunner::CommandsRun() const {
  size_t total = 0;
  for (const auto& worker : workers_) total += worker->commands.load();
  return total;
}

bool ActionRunner::WaitIdle(std::chrono::milliseconds timeout) {
  auto until = std::chrono::steady_clock::now() + timeout;
  bool idle = true;
  for (auto& worker : workers_) idle = worker->WaitIdle(until) && idle;
  return idle;
}

}  // namespace portcullis::action
