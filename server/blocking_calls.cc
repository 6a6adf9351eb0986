#include "server/blocking_calls.h"

#include <utility>

namespace pitr {

BlockingCalls::~BlockingCalls() { Wait(); }

void BlockingCalls::Run(std::function<void()> call) {
  Join(/*all=*/false);
  absl::MutexLock l(&mu_);
  Worker& worker = workers_.emplace_back();
  worker.thread = std::thread([this, &worker, call = std::move(call)] {
    call();
    absl::MutexLock done(&mu_);
    worker.done = true;
  });
}

void BlockingCalls::Wait() { Join(/*all=*/true); }

int BlockingCalls::running() const {
  absl::MutexLock l(&mu_);
  int running = 0;
  for (const Worker& worker : workers_) running += worker.done ? 0 : 1;
  return running;
}

void BlockingCalls::Join(bool all) {
  std::list<Worker> finished;
  {
    absl::MutexLock l(&mu_);
    if (all) {
      mu_.Await(absl::Condition(
          +[](std::list<Worker>* workers) {
            for (const Worker& worker : *workers) {
              if (!worker.done) return false;
            }
            return true;
          },
          &workers_));
    }
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
