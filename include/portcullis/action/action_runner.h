#pragma once
// Running a jail's actions off the log-reading path: fail2ban's Actions thread, with
// one worker and one bounded queue per action.
//
//   auto runner = ActionRunner::Create(specs, process_runner, {});
//   (*runner)->Start();            // actionstart of each action, in order; waits
//   (*runner)->Ban(ticket);        // queued; returns at once
//   (*runner)->Unban(ticket);
//   (*runner)->Stop(banned);       // waits: flush (or unban each), actionstop in reverse
//
// A slow or hanging command holds up only its own action, and only until its timeout;
// the other actions and the caller go on. Commands of one action run one at a time in
// the order queued, as fail2ban serializes them.
//
// Batching (issue 5, for actions with actionban_batch/actionunban_batch; see
// command_action.h): there is no timer. Each time a worker is free it takes the job at
// the head of its queue and, when that is a ban, every ban queued directly behind it,
// up to `action.batch_max` (the same for unbans), and runs them as batch commands. A
// lone ban therefore runs at once, alone; under a flood the batches grow by themselves
// (300,000 bans: about 300 commands instead of 300,000). Only neighbouring bans (or
// neighbouring unbans) coalesce, so start, ban, unban, flush and stop keep their queued
// order. Actions without the batch keys take one job at a time, as before. At Stop an
// action without actionflush unbans `banned` in batches too.

#include <atomic>
#include <chrono>
#include <cstddef>
#include <memory>
#include <vector>

#include "portcullis/action/command_action.h"
#include "portcullis/ban/ticket.h"
#include "portcullis/base/error.h"
#include "portcullis/config/action_reader.h"
#include "portcullis/platform/process_runner.h"

namespace portcullis::action {

struct ActionRunnerOptions {
  CommandActionOptions action;  // for every action (batch caps included); log_error is called from workers
  size_t queue_limit = 10'000;  // bans waiting per action
};

class ActionRunner {
 public:
  // Errors: those of CommandAction::Create for any of `actions`.
  static Result<std::unique_ptr<ActionRunner>> Create(const std::vector<config::ActionSpec>& actions,
                                                      platform::CommandRunner& runner, ActionRunnerOptions options);
  // Finishes the work queued, then ends the workers; runs no actionstop.
  ~ActionRunner();
  ActionRunner(const ActionRunner&) = delete;
  ActionRunner& operator=(const ActionRunner&) = delete;

  // Runs each action's actionstart, one action after the other, and waits for them.
  void Start();
  // Queues the ban with every action. False when an action's queue was full: that
  // action does not ban the ticket (the others do).
  bool Ban(const ban::Ticket& ticket);
  // Between BeginBulk and EndBulk (one thread's many bans: a read of a large log
  // slice, a restore) a sleeping worker is woken once per 1,024 jobs instead of for
  // each one, and at EndBulk: a wake-up per ban made a fast action ping-pong with the
  // caller, a context switch per ban.
  void BeginBulk();
  void EndBulk();
  // Queues the unban with every action; never refused, so no ban outlives its end.
  void Unban(const ban::Ticket& ticket);
  // At jail stop: bans still queued are dropped (how many is returned), the rest of the
  // queued work runs; then each action flushes (actionflush) or, without one, unbans
  // each of `banned`; then actionstop, last action first. Waits.
  size_t Stop(const std::vector<ban::Ticket>& banned);
  // The commands all actions have run so far (each one /bin/sh started); for tests and
  // measurements. Exact once WaitIdle returned true.
  size_t CommandsRun() const;
  // Jobs waiting in all queues (not the ones running); for tests.
  size_t QueuedJobs() const;
  // Waits up to `timeout` for every queue to be empty and every worker idle.
  bool WaitIdle(std::chrono::milliseconds timeout);

 private:
  struct Worker;
  ActionRunner() = default;

  std::vector<std::unique_ptr<Worker>> workers_;
  size_t queue_limit_ = 0;
  std::atomic<bool> bulk_{false};  // set by the jail thread, read by Ban from any thread
};

}  // namespace portcullis::action
