#include "server/watch_hub.h"

#include <atomic>
#include <thread>

#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"

namespace pitr {
namespace {

constexpr BranchId kBranch = 7;

// BranchChanged(kBranch) on a thread of its own.
class Change {
 public:
  explicit Change(WatchHub* hub)
      : thread_([this, hub] {
          hub->BranchChanged(kBranch);
          done_.Notify();
        }) {}
  ~Change() { thread_.join(); }

  bool Done(absl::Duration wait) {
    return done_.WaitForNotificationWithTimeout(wait);
  }

 private:
  absl::Notification done_;
  std::thread thread_;
};

TEST(WatchHubTest, ChangeWithoutWatchersDoesNotWait) {
  WatchHub hub(absl::Hours(1));
  hub.BranchChanged(kBranch);
  hub.BranchChanged(kBranch);
  EXPECT_EQ(hub.evictions(), 0u);
}

TEST(WatchHubTest, FirstNoticeIsDueAtOnceAndEchoesTheRenewal) {
  WatchHub hub(absl::Hours(1));
  auto watcher = hub.Add(kBranch, [] {});
  hub.Received(watcher.get(), 0, 41);
  std::optional<WatchHub::Notice> notice =
      hub.NextNotice(watcher.get(), absl::ZeroDuration());
  ASSERT_TRUE(notice.has_value());
  EXPECT_EQ(notice->version, 0u);
  EXPECT_EQ(notice->renewal, 41u);
  hub.Sent(watcher.get(), notice->version);
  // Nothing more until a change or a renewal.
  EXPECT_FALSE(hub.NextNotice(watcher.get(), absl::Milliseconds(10)));
  hub.Received(watcher.get(), 0, 42);
  notice = hub.NextNotice(watcher.get(), absl::ZeroDuration());
  ASSERT_TRUE(notice.has_value());
  EXPECT_EQ(notice->renewal, 42u);
  hub.Remove(watcher.get());
}

TEST(WatchHubTest, ChangeWaitsForTheWatchersAcknowledgement) {
  WatchHub hub(absl::Hours(1));
  auto watcher = hub.Add(kBranch, [] {});
  hub.Received(watcher.get(), 0, 1);
  ASSERT_TRUE(hub.NextNotice(watcher.get(), absl::ZeroDuration()));
  hub.Sent(watcher.get(), 0);
  Change change(&hub);
  std::optional<WatchHub::Notice> notice =
      hub.NextNotice(watcher.get(), absl::Seconds(30));
  ASSERT_TRUE(notice.has_value());
  EXPECT_EQ(notice->version, 1u);
  // Acknowledging what was not sent yet counts for nothing.
  hub.Received(watcher.get(), 1, 0);
  EXPECT_FALSE(change.Done(absl::Milliseconds(50)));
  hub.Sent(watcher.get(), 1);
  EXPECT_FALSE(change.Done(absl::Milliseconds(50)));
  hub.Received(watcher.get(), 1, 0);
  EXPECT_TRUE(change.Done(absl::Seconds(30)));
  EXPECT_EQ(hub.evictions(), 0u);
  hub.Remove(watcher.get());
}

TEST(WatchHubTest, WatchersOfOtherBranchesDoNotHoldAChange) {
  WatchHub hub(absl::Hours(1));
  auto other = hub.Add(kBranch + 1, [] {});
  hub.BranchChanged(kBranch);  // returns: nobody watches kBranch
  EXPECT_EQ(hub.evictions(), 0u);
  hub.Remove(other.get());
}

TEST(WatchHubTest, WatcherThatEndsReleasesTheChange) {
  WatchHub hub(absl::Hours(1));
  auto watcher = hub.Add(kBranch, [] {});
  Change change(&hub);
  EXPECT_FALSE(change.Done(absl::Milliseconds(50)));
  hub.Remove(watcher.get());
  EXPECT_TRUE(change.Done(absl::Seconds(30)));
  EXPECT_EQ(hub.evictions(), 0u);
}

TEST(WatchHubTest, SilentWatcherIsEvictedWhenItsLeaseRunsOut) {
  const absl::Duration lease = absl::Milliseconds(200);
  WatchHub hub(lease);
  std::atomic<int> evicted{0};
  auto watcher = hub.Add(kBranch, [&] { ++evicted; });
  const absl::Time start = absl::Now();
  hub.BranchChanged(kBranch);
  EXPECT_GE(absl::Now() - start, lease * 0.9);
  EXPECT_EQ(evicted.load(), 1);
  EXPECT_EQ(hub.evictions(), 1u);
  EXPECT_TRUE(hub.Evicted(watcher.get()));
  EXPECT_EQ(hub.watchers(), 0u);
  // An evicted watcher gets no more notices and renews nothing.
  hub.Received(watcher.get(), 0, 5);
  EXPECT_FALSE(hub.NextNotice(watcher.get(), absl::ZeroDuration()));
  // Later changes do not wait for it.
  hub.BranchChanged(kBranch);
  EXPECT_EQ(evicted.load(), 1);
  hub.Remove(watcher.get());
}

TEST(WatchHubTest, RenewalsKeepAWatcherPastItsFirstLease) {
  const absl::Duration lease = absl::Milliseconds(300);
  WatchHub hub(lease);
  auto watcher = hub.Add(kBranch, [] {});
  const absl::Time start = absl::Now();
  Change change(&hub);
  // Renew for three leases without acknowledging, then acknowledge.
  uint64_t renewal = 0;
  while (absl::Now() - start < 3 * lease) {
    hub.Received(watcher.get(), 0, ++renewal);
    absl::SleepFor(lease / 6);
  }
  EXPECT_FALSE(change.Done(absl::ZeroDuration()));
  std::optional<WatchHub::Notice> notice =
      hub.NextNotice(watcher.get(), absl::ZeroDuration());
  ASSERT_TRUE(notice.has_value());
  hub.Sent(watcher.get(), notice->version);
  hub.Received(watcher.get(), notice->version, 0);
  EXPECT_TRUE(change.Done(absl::Seconds(30)));
  EXPECT_EQ(hub.evictions(), 0u);
  hub.Remove(watcher.get());
}

}  // namespace
}  // namespace pitr
