// WatchHub: the leases of cached readers (PageService.WatchChanges) and
// the rule that makes them safe: a change of a branch is not acknowledged
// to whoever made it until every watcher of the branch has acknowledged the
// notice of it, or its lease has run out.
//
// Each branch has a version, raised by BranchChanged after every change of
// its head (a commit, a restore, an import, a delete). A watcher's stream
// sends a notice whenever the version passes what it last sent (and to
// answer each lease renewal); the client acknowledges the versions it
// applied. BranchChanged then waits until each watcher of the branch has
// acknowledged the new version, or its lease has expired: the watcher is
// then evicted (its call cancelled), so it can no longer renew a lease on a
// view that missed the change.
//
// The lease runs `lease` from when the server received the renewal, on
// the steady clock. The client counts its own from before it sent the
// renewal, so it always ends first.
//
// Thread-safe.
#ifndef PITR_SERVER_WATCH_HUB_H_
#define PITR_SERVER_WATCH_HUB_H_

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>

#include "absl/base/thread_annotations.h"
#include "base/mutex.h"
#include "absl/time/time.h"
#include "base/ids.h"

namespace pitr {

class WatchHub {
 public:
  using Clock = std::chrono::steady_clock;

  // One watcher: a WatchChanges call on one branch.
  class Watcher;

  // What a watcher's stream must send next (NextNotice).
  struct Notice {
    // The branch's version the notice reports (acknowledged back).
    uint64_t version = 0;
    // The latest renewal received, echoed so the client can date its
    // lease; 0 if none since the last notice.
    uint64_t renewal = 0;
  };

  explicit WatchHub(absl::Duration lease) : lease_(lease) {}

  WatchHub(const WatchHub&) = delete;
  WatchHub& operator=(const WatchHub&) = delete;

  absl::Duration lease() const { return lease_; }

  // Registers a watcher of `branch`, with a lease from now; `evict` ends its
  // call (it runs under the hub's lock, so it must not call the hub). Its
  // first notice is due at once.
  std::shared_ptr<Watcher> Add(BranchId branch, std::function<void()> evict);
  // Ends a watcher (its call is over): changes no longer wait for it.
  void Remove(Watcher* watcher);

  // Called after a change of `branch`'s head: raises its version, wakes its
  // watchers' streams and waits until each has acknowledged the new version
  // or lost its lease (evicted).
  void BranchChanged(BranchId branch);

  // The client's message: it applied notices up to `acked_version`, and
  // `renewal` (if nonzero) renews its lease from now.
  void Received(Watcher* watcher, uint64_t acked_version, uint64_t renewal);

  // Blocks until `watcher` has a notice to send (a new version or a renewal
  // to answer), up to `timeout`; nullopt if there is none by then, or if the
  // watcher was evicted or removed (Gone says which).
  std::optional<Notice> NextNotice(Watcher* watcher, absl::Duration timeout);
  // Records that the notice of `version` went out.
  void Sent(Watcher* watcher, uint64_t version);
  // The watcher was evicted (its lease ran out while a change waited).
  bool Evicted(Watcher* watcher);

  // How many watchers there are now, and how many were evicted so far.
  size_t watchers();
  uint64_t evictions();

 private:
  uint64_t& VersionOf(BranchId branch) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // A watcher of `branch` that has not acknowledged `version`; null if none.
  Watcher* Lagging(BranchId branch, uint64_t version)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void Evict(Watcher* watcher) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const absl::Duration lease_;
  Mutex mu_;
  // Signalled on every change of what follows: versions, acknowledgements,
  // renewals, watchers coming and going.
  CondVar changed_;
  // Per branch, the version of its head; absent: 0.
  std::map<BranchId, uint64_t> versions_ ABSL_GUARDED_BY(mu_);
  std::set<Watcher*> watchers_ ABSL_GUARDED_BY(mu_);
  uint64_t evictions_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace pitr

#endif  // PITR_SERVER_WATCH_HUB_H_
