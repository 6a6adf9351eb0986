#include "server/blocking_calls.h"

#include <utility>

namespace pitr {

BlockingCalls::~BlockingCalls() { Wait(); }

void BlockingCalls::Run(std::function<void()> call) {
  Join(/*all=*/false);
  MutexLock l(&mu_);
  Worker& worker = workers_.emplace_back();
  worker.thread = std::thread([this, &worker, call = std::move(call)] {
    call();
    MutexLock done(&mu_);
    worker.done = true;
    call_returned_.SignalAll();
  });
}

void BlockingCalls::Wait() { Join(/*all=*/true); }

int BlockingCalls::running() const {
  MutexLock l(&mu_);
  int running = 0;
  for (const Worker& worker : workers_) running += worker.done ? 0 : 1;
  return running;
}

void BlockingCalls::Join(bool all) {
  std::list<Worker> finished;
  {
    MutexLock l(&mu_);
    auto all_done = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
      for (const Worker& worker : workers_) {
        if (!worker.done) return false;
      }
      return true;
    };
    while (all && !all_done()) call_returned_.Wait(&mu_);
    for (auto it = workers_.begin(); it != workers_.end();) {
      auto next = std::next(it);
      if (it->done) finished.splice(finished.end(), workers_, it);
      it = next;
    }
  }
  // A done worker has only its lock's release left to run.
  for (Worker& worker : finished) worker.thread.join();
}

}  // namespace pitr
