// BlockingCalls: threads for the calls of callback methods that must block.
//
// pitrd answers its hottest reads (GetPage, GetPages) on gRPC's callback
// API, on the thread that received the call: handing each call to a worker
// thread, as the synchronous API does, cost GetPage more than its read
// (remote_floor_bench, docs/performance.md). A callback must not block,
// though, and a read that asks for a minimum LSN the store does not hold
// yet waits for it (up to 30 s, service_util.h). Such a call runs here, on
// a thread of its own, like a call of the synchronous API.
//
// Thread-safety: every method may be called from any thread.
#ifndef PITR_SERVER_BLOCKING_CALLS_H_
#define PITR_SERVER_BLOCKING_CALLS_H_

#include <functional>
#include <list>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "base/mutex.h"

namespace pitr {

class BlockingCalls {
 public:
  BlockingCalls() = default;
  BlockingCalls(const BlockingCalls&) = delete;
  BlockingCalls& operator=(const BlockingCalls&) = delete;
  // Wait()s.
  ~BlockingCalls();

  // Runs `call` on a new thread.
  void Run(std::function<void()> call);

  // Returns once every call Run() started has returned.
  void Wait();

  // Calls running now.
  int running() const;

 private:
  struct Worker {
    std::thread thread;
    bool done = false;
  };
  // Joins the workers whose calls have returned; all of them if `all`
  // (waiting until they have).
  void Join(bool all);

  mutable Mutex mu_;
  CondVar call_returned_;  // signalled as each call returns
  std::list<Worker> workers_ ABSL_GUARDED_BY(mu_);
};

}  // namespace pitr

#endif  // PITR_SERVER_BLOCKING_CALLS_H_
