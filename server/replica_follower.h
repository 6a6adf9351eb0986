// ReplicaFollower: the thread of a read replica (pitrd --replica_of) that
// follows its primary. It calls ReplicationService.Follow on the primary
// from the end of the replica's log and applies each event as it comes
// (Engine::ApplyReplicated, Engine::ApplyCatalogImage; engine/replication.h),
// noting the primary's position from every message for the lag.
//
// When the stream ends or fails (the primary restarts, the network goes),
// the replica keeps serving what it has and the follower calls again, with
// a backoff from 100 ms to 5 s. When the primary no longer holds the WAL
// the replica needs (OUT_OF_RANGE: it was trimmed after archiving), the
// follower applies it from the bucket first (Engine::CatchUpFromArchive).
// A replica whose log diverged from the primary's (DATA_LOSS) stops
// following for good and says so: it must be rebuilt.
//
// Thread-safety: every method may be called from any thread.
#ifndef PITR_SERVER_REPLICA_FOLLOWER_H_
#define PITR_SERVER_REPLICA_FOLLOWER_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "base/lsn.h"
#include "base/mutex.h"
#include "clients/common/client.h"
#include "engine/engine.h"
#include "grpcpp/client_context.h"

namespace pitr {

struct ReplicaFollowerOptions {
  // The primary: host:port, the CA of its certificate (empty: plain text)
  // and the token to present (empty: none; a read token is enough).
  std::string primary;
  std::string ca_cert_path;
  std::string token;
  // Longest wait between two calls to a primary that does not answer.
  absl::Duration max_backoff = absl::Seconds(5);
};

// Where a replica stands (ReplicationService.GetReplicationStatus).
struct ReplicaState {
  std::string primary;
  bool connected = false;
  Lsn applied_lsn = 0;
  Lsn primary_lsn = 0;  // as last heard
  uint64_t lag_bytes = 0;
  absl::Duration lag;  // commit time of the primary's latest minus ours
  std::optional<absl::Time> last_contact;
  absl::Status last_error;
  bool stopped = false;  // for good: diverged, or stopped for a promotion
  uint64_t batches_applied = 0;
  uint64_t catalog_changes_applied = 0;
  uint64_t archive_catch_ups = 0;
};

class ReplicaFollower {
 public:
  // Starts following; `engine` (a replica) must outlive the follower.
  static absl::StatusOr<std::unique_ptr<ReplicaFollower>> Start(
      Engine* engine, ReplicaFollowerOptions options);
  ReplicaFollower(const ReplicaFollower&) = delete;
  ReplicaFollower& operator=(const ReplicaFollower&) = delete;
  ~ReplicaFollower();  // Stop()

  // Ends the stream and the thread; nothing is applied after it returns.
  // Idempotent.
  void Stop();

  ReplicaState state() const;
  // Not connected to the primary for kLostAfter (since the last word from
  // it, or since the start): health reports it.
  static constexpr absl::Duration kLostAfter = absl::Seconds(5);
  bool primary_lost() const;

 private:
  ReplicaFollower(Engine* engine, ReplicaFollowerOptions options,
                  std::unique_ptr<clients::Client> client);
  void Loop();
  // One call of Follow, until it ends: its status.
  absl::Status FollowOnce();
  absl::Status Apply(const v1::ReplicationMessage& message);

  Engine* const engine_;
  const ReplicaFollowerOptions options_;
  const std::unique_ptr<clients::Client> client_;

  mutable Mutex mu_;
  CondVar stop_requested_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  // The call in progress, to cancel it on Stop.
  grpc::ClientContext* call_ ABSL_GUARDED_BY(mu_) = nullptr;
  ReplicaState state_ ABSL_GUARDED_BY(mu_);
  int64_t primary_commit_us_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t applied_commit_us_ ABSL_GUARDED_BY(mu_) = 0;
  const absl::Time started_at_ = absl::Now();
  std::thread thread_;
};

}  // namespace pitr

#endif  // PITR_SERVER_REPLICA_FOLLOWER_H_
