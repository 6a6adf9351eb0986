// The client side of the whole-server crash and fault tests: writers that
// append marked batches to a branch of a real pitrd over gRPC, a reference
// model of what each acknowledged batch left, and the checks run after each
// restart.
//
// Each writer owns one space of one branch (no other writer touches it), so
// its model is its own: for every page, the versions it had and the commit
// LSN each became visible at. A batch writes 2 to 5 pages of the space, each
// a full image of the batch's marker repeated, or the marker as a delta at
// an offset of a page that exists; a page at a commit LSN therefore names
// the batch that last wrote it, and a half batch shows up as pages of two
// different batches where the model has one.
//
//   ServerWriter writer("b1", /*space=*/11, /*seed=*/7);
//   PendingBatch batch = writer.Next();
//   grpc::Status status = writer.Send(client, batch, &response);
//   if (status.ok()) writer.Acknowledged(batch, response.commit_lsn());
//   ...  // kill, restart
//   ASSERT_TRUE(writer.Recover(client, batch_in_flight, &counters).ok());
//   EXPECT_TRUE(writer.VerifyLatest(client, &counters).ok());
//
// Thread-safety: a ServerWriter is used by one thread at a time (the
// writer thread while the server runs, the test thread to verify).
#ifndef PITR_TESTS_CRASH_SERVER_WORKLOAD_H_
#define PITR_TESTS_CRASH_SERVER_WORKLOAD_H_

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "grpcpp/support/status.h"
#include "proto/wal_service.pb.h"
#include "tests/e2e/pitrd_process.h"

namespace pitr::crash {

// pitrd's --page_size for these tests.
inline constexpr uint32_t kServerPageSize = 4096;
// Pages 0..kPagesPerWriter-1 of a writer's space.
inline constexpr uint32_t kPagesPerWriter = 16;

// What the checks did, summed over a test.
struct VerifyCounters {
  uint64_t pages_compared = 0;    // page reads compared with the model
  uint64_t batches_checked = 0;   // acknowledged batches checked at their LSN
  uint64_t in_flight_visible = 0;  // unacknowledged batches found committed
  uint64_t in_flight_absent = 0;   // ... and found not committed
};

// A batch built but not (yet) acknowledged.
struct PendingBatch {
  uint64_t seq = 0;
  v1::AppendRequest request;
  // The content of each page the batch writes, after it.
  std::map<uint32_t, std::string> after;
};

class ServerWriter {
 public:
  ServerWriter(std::string branch, uint32_t space, uint64_t seed);

  const std::string& branch() const { return branch_; }
  uint32_t space() const { return space_; }
  uint64_t acknowledged() const { return acked_.size(); }
  // Commit LSN of the last acknowledged batch (0 if none).
  uint64_t last_commit_lsn() const;

  // The next batch, built on the model's latest state.
  PendingBatch Next();
  // One Append call with `timeout`.
  grpc::Status Send(e2e::PitrClient& client, const PendingBatch& batch,
                    v1::AppendResponse* response,
                    absl::Duration timeout = absl::Seconds(30)) const;
  // Adds an acknowledged batch to the model.
  void Acknowledged(const PendingBatch& batch, uint64_t commit_lsn);

  // After a restart: whether `in_flight` (sent, never acknowledged) was
  // committed. It must be wholly visible at the latest LSN or not at all;
  // if visible, the LSN it became visible at is found (by bisection, every
  // probe checked for a half batch) and it joins the model.
  absl::Status Recover(e2e::PitrClient& client, const PendingBatch& in_flight,
                       VerifyCounters* counters);

  // Every page of the space at the latest LSN equals the model (NOT_FOUND
  // where the model has none).
  absl::Status VerifyLatest(e2e::PitrClient& client, VerifyCounters* counters,
                            const std::string& branch = "") const;
  // Every page of the space as of `point` on `branch` equals the model at
  // `model_lsn` (a snapshot of this writer's branch, or a branch made from
  // one).
  absl::Status VerifyAt(e2e::PitrClient& client, const std::string& branch,
                        const v1::PointInTime& point, uint64_t model_lsn,
                        VerifyCounters* counters) const;
  // Acknowledged batches number `first` onwards (in acknowledgement order):
  // at its commit LSN each page it wrote reads as the batch left it; one
  // LSN before, as the model had it then (no half batch either side).
  absl::Status VerifyBatches(e2e::PitrClient& client, size_t first,
                             VerifyCounters* counters) const;
  // `count` acknowledged batches picked at random, checked as above.
  absl::Status VerifySample(e2e::PitrClient& client, size_t count,
                            VerifyCounters* counters);

 private:
  struct Version {
    uint64_t lsn;  // visible from
    std::shared_ptr<const std::string> data;
  };
  struct Acked {
    uint64_t seq;
    uint64_t commit_lsn;
    std::vector<uint32_t> pages;
  };

  // The model's page `page` at `lsn`; null if it does not exist then.
  const std::string* PageAt(uint32_t page, uint64_t lsn) const;
  absl::Status CheckBatch(e2e::PitrClient& client, const Acked& batch,
                          VerifyCounters* counters) const;
  // Reads `pages` as of `point`; nullopt for NOT_FOUND.
  absl::StatusOr<std::vector<std::optional<std::string>>> Read(
      e2e::PitrClient& client, const std::string& branch,
      const std::vector<uint32_t>& pages, const v1::PointInTime& point) const;

  std::string branch_;
  uint32_t space_;
  std::mt19937_64 rng_;
  uint64_t next_seq_ = 0;
  std::map<uint32_t, std::vector<Version>> pages_;
  std::vector<Acked> acked_;
};

// The point at `lsn`.
v1::PointInTime AtLsn(uint64_t lsn);
// A page of kServerPageSize bytes of `marker` repeated.
std::string MarkedPage(const std::string& marker);

}  // namespace pitr::crash

#endif  // PITR_TESTS_CRASH_SERVER_WORKLOAD_H_
