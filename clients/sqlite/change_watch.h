// ChangeWatch: a database file's lease on what changes in its space of a
// branch (PageService.WatchChanges), so that a transaction can start with
// no round trip to the server.
//
// A reader thread applies each notice the server pushes (a span of the
// branch's history and the pages of the space changed in it) and then
// acknowledges it; the server holds every change's reply until then. A
// renewal thread renews the lease every quarter of it. While the lease
// holds, the spans received are every change acknowledged to anyone, so the
// last span's end is where the branch stands: View() says so. When the
// lease lapses (the server or the network is slow, or the watch ended),
// View() is nullopt and the caller asks the server (GetChanges).
//
// The lease is counted from just before the renewal that the server's
// notice echoes was sent, and shortened by a margin, so it ends before
// the server's (server/watch_hub.h).
//
// Thread-safe.
#ifndef PITR_CLIENTS_SQLITE_CHANGE_WATCH_H_
#define PITR_CLIENTS_SQLITE_CHANGE_WATCH_H_

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "base/mutex.h"
#include "clients/common/client.h"
#include "proto/page_service.pb.h"

namespace pitr::sqlite {

// Whether two positions are the same point of the same timeline.
bool SamePosition(const v1::BranchPosition& a, const v1::BranchPosition& b);

class ChangeWatch {
 public:
  using Clock = std::chrono::steady_clock;

  // One notice: the branch moved from `from` (unset: unknown, the first
  // notice of a watch without `since`) to `to`.
  struct Span {
    uint64_t sequence = 0;  // numbers the spans of this watch, from 1
    std::optional<v1::BranchPosition> from;
    v1::BranchPosition to;
    uint32_t space_pages = 0;
    std::vector<uint32_t> pages;
    bool all_changed = false;
  };

  // Where the branch stands (the last notice's end), the space's size
  // there, and the spans not consumed yet, in order.
  struct View {
    v1::BranchPosition position;
    uint32_t space_pages = 0;
    std::vector<Span> spans;
    // The sequence of the last span received (to Consume through).
    uint64_t through = 0;
  };

  // Starts watching `space` of `branch`, from `since` (the position the
  // caller's cache holds; unset: none).
  static std::unique_ptr<ChangeWatch> Start(
      std::shared_ptr<clients::Client> client, const std::string& branch,
      uint32_t space, const std::optional<v1::BranchPosition>& since);

  ChangeWatch(const ChangeWatch&) = delete;
  ChangeWatch& operator=(const ChangeWatch&) = delete;
  // Cancels the call and joins its threads.
  ~ChangeWatch();

  // The spans since the last Consume, if the lease holds now and the watch
  // has had its first notice; nullopt otherwise.
  std::optional<View> Current();
  // The sequence of the last span received.
  uint64_t received();
  // Drops the spans up to sequence `through` (the caller applied them).
  void Consume(uint64_t through);

  // The watch is over (its status says why: FAILED_PRECONDITION or
  // UNIMPLEMENTED from a server that cannot watch, UNAVAILABLE...).
  bool ended();
  absl::Status end_status();

 private:
  ChangeWatch(std::shared_ptr<clients::Client> client);

  // The reader thread: applies and acknowledges notices until the call
  // ends.
  void ReadNotices();
  // The renewal thread: renews every quarter lease until the call ends.
  void Renew();
  // Sends a request acknowledging the notice of version `ack`, renewing
  // the lease if `renew`. False if the call is over.
  bool Send(uint64_t ack, bool renew) ABSL_LOCKS_EXCLUDED(write_mu_, mu_);

  const std::shared_ptr<clients::Client> client_;
  std::unique_ptr<grpc::ClientContext> context_;
  std::unique_ptr<
      grpc::ClientReaderWriter<v1::WatchChangesRequest, v1::WatchNotice>>
      stream_;

  // Serialises writes to the stream (the reader's acknowledgements and the
  // renewals).
  Mutex write_mu_;
  uint64_t next_renewal_ ABSL_GUARDED_BY(write_mu_) = 1;

  Mutex mu_;
  // Signalled when the call ends (wakes the renewal thread).
  CondVar ended_cv_;
  std::vector<Span> spans_ ABSL_GUARDED_BY(mu_);
  uint64_t last_sequence_ ABSL_GUARDED_BY(mu_) = 0;
  // The last notice's end, which the next span starts from, and the
  // space's size there.
  std::optional<v1::BranchPosition> position_ ABSL_GUARDED_BY(mu_);
  uint32_t space_pages_ ABSL_GUARDED_BY(mu_) = 0;
  bool have_notice_ ABSL_GUARDED_BY(mu_) = false;
  uint64_t applied_version_ ABSL_GUARDED_BY(mu_) = 0;
  // When each renewal in flight was sent.
  std::map<uint64_t, Clock::time_point> renewals_sent_ ABSL_GUARDED_BY(mu_);
  Clock::time_point lease_end_ ABSL_GUARDED_BY(mu_) = Clock::time_point::min();
  Clock::duration lease_ ABSL_GUARDED_BY(mu_) = std::chrono::seconds(1);
  bool ended_ ABSL_GUARDED_BY(mu_) = false;
  absl::Status end_status_ ABSL_GUARDED_BY(mu_);

  std::thread reader_;
  std::thread renewer_;
};

}  // namespace pitr::sqlite

#endif  // PITR_CLIENTS_SQLITE_CHANGE_WATCH_H_
