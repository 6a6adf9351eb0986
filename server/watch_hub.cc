#include "server/watch_hub.h"

#include <algorithm>
#include <utility>

#include "absl/time/clock.h"

namespace pitr {

// Every field but the constants is guarded by the hub's mu_ (an annotation
// cannot name the enclosing object's mutex).
class WatchHub::Watcher {
 public:
  Watcher(BranchId branch, std::function<void()> evict)
      : branch(branch), evict(std::move(evict)) {}

  const BranchId branch;
  const std::function<void()> evict;
  // The version of the last notice sent (nullopt: none yet) and the
  // highest the client acknowledged.
  std::optional<uint64_t> sent;
  uint64_t acked = 0;
  // When the lease runs out, and the renewal to echo in the next notice.
  Clock::time_point lease_end = Clock::time_point::min();
  uint64_t renewal = 0;
  bool evicted = false;
  bool removed = false;
};

uint64_t& WatchHub::VersionOf(BranchId branch) { return versions_[branch]; }

std::shared_ptr<WatchHub::Watcher> WatchHub::Add(BranchId branch,
                                                 std::function<void()> evict) {
  auto watcher = std::make_shared<Watcher>(branch, std::move(evict));
  MutexLock lock(&mu_);
  // The call's first request renews (Received, just after).
  watcher->lease_end = Clock::now() + absl::ToChronoNanoseconds(lease_);
  watchers_.insert(watcher.get());
  changed_.SignalAll();
  return watcher;
}

void WatchHub::Remove(Watcher* watcher) {
  MutexLock lock(&mu_);
  watcher->removed = true;
  watchers_.erase(watcher);
  changed_.SignalAll();
}

WatchHub::Watcher* WatchHub::Lagging(BranchId branch, uint64_t version) {
  for (Watcher* watcher : watchers_) {
    if (watcher->branch == branch && watcher->acked < version) return watcher;
  }
  return nullptr;
}

void WatchHub::Evict(Watcher* watcher) {
  watcher->evicted = true;
  watchers_.erase(watcher);
  ++evictions_;
  watcher->evict();
  changed_.SignalAll();
}

void WatchHub::BranchChanged(BranchId branch) {
  MutexLock lock(&mu_);
  const uint64_t version = ++VersionOf(branch);
  changed_.SignalAll();
  // Watchers may come, go or renew while the lock is released in the wait:
  // each round looks at the set afresh.
  while (Watcher* lagging = Lagging(branch, version)) {
    const Clock::time_point lease_end = lagging->lease_end;
    if (Clock::now() >= lease_end) {
      Evict(lagging);
    } else {
      changed_.WaitWithDeadline(
          &mu_, absl::Now() + absl::FromChrono(lease_end - Clock::now()));
    }
  }
}

void WatchHub::Received(Watcher* watcher, uint64_t acked_version,
                        uint64_t renewal) {
  MutexLock lock(&mu_);
  if (watcher->evicted || watcher->removed) return;
  // Only what was sent can have been applied.
  watcher->acked = std::max(watcher->acked,
                            std::min(acked_version, watcher->sent.value_or(0)));
  if (renewal != 0) {
    watcher->lease_end = Clock::now() + absl::ToChronoNanoseconds(lease_);
    watcher->renewal = renewal;
  }
  changed_.SignalAll();
}

std::optional<WatchHub::Notice> WatchHub::NextNotice(Watcher* watcher,
                                                     absl::Duration timeout) {
  MutexLock lock(&mu_);
  const absl::Time deadline = absl::Now() + timeout;
  while (!watcher->evicted && !watcher->removed) {
    const uint64_t version = VersionOf(watcher->branch);
    if (!watcher->sent.has_value() || version > *watcher->sent ||
        watcher->renewal != 0) {
      Notice notice;
      notice.version = version;
      notice.renewal = std::exchange(watcher->renewal, 0);
      return notice;
    }
    if (changed_.WaitWithDeadline(&mu_, deadline)) break;
  }
  return std::nullopt;
}

void WatchHub::Sent(Watcher* watcher, uint64_t version) {
  MutexLock lock(&mu_);
  watcher->sent = std::max(watcher->sent.value_or(0), version);
}

bool WatchHub::Evicted(Watcher* watcher) {
  MutexLock lock(&mu_);
  return watcher->evicted;
}

size_t WatchHub::watchers() {
  MutexLock lock(&mu_);
  return watchers_.size();
}

uint64_t WatchHub::evictions() {
  MutexLock lock(&mu_);
  return evictions_;
}

}  // namespace pitr
