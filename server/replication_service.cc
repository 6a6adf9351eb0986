#include "server/replication_service.h"

#include <memory>
#include <optional>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "base/status_macros.h"
#include "engine/replication_source.h"
#include "proto/record_convert.h"
#include "proto/time_convert.h"
#include "remote/catalog_archive.h"
#include "spdlog/spdlog.h"

namespace pitr {
namespace {

// With nothing new to send, a heartbeat this often (the replica's lag and
// its view of the primary come from them), and how long the stream waits
// for new batches before it looks whether the client went away.
constexpr absl::Duration kHeartbeat = absl::Seconds(1);
constexpr absl::Duration kFollowPoll = absl::Milliseconds(200);

}  // namespace

v1::ReplicationStatus DescribeReplication(const Engine& engine,
                                          const ReplicaFollower* follower) {
  v1::ReplicationStatus status;
  if (follower == nullptr || !engine.replica_of()) {
    status.set_role(v1::ReplicationStatus::PRIMARY);
    return status;
  }
  const ReplicaState state = follower->state();
  status.set_role(v1::ReplicationStatus::REPLICA);
  status.set_primary(state.primary);
  status.set_connected(state.connected);
  status.set_applied_lsn(state.applied_lsn);
  status.set_primary_lsn(state.primary_lsn);
  status.set_lag_bytes(state.lag_bytes);
  *status.mutable_lag() = DurationProto(state.lag);
  if (state.last_contact) {
    *status.mutable_last_contact() =
        TimestampProto(absl::ToUnixMicros(*state.last_contact));
  }
  if (!state.last_error.ok()) {
    status.set_last_error(state.last_error.ToString());
  }
  status.set_batches_applied(state.batches_applied);
  status.set_catalog_changes_applied(state.catalog_changes_applied);
  status.set_archive_catch_ups(state.archive_catch_ups);
  return status;
}

grpc::Status ReplicationServiceImpl::Follow(
    grpc::ServerContext* context, const v1::FollowRequest* request,
    grpc::ServerWriter<v1::ReplicationMessage>* writer) {
  return Serve(env_, context, Role::kRead, "Follow", [&]() -> absl::Status {
    Engine& engine = *env_.engine;
    if (std::optional<std::string> primary = engine.replica_of()) {
      return absl::FailedPreconditionError(absl::StrCat(
          "this server is itself a read replica: follow its primary ",
          *primary));
    }
    PITR_ASSIGN_OR_RETURN(
        std::unique_ptr<ReplicationSource> source,
        ReplicationSource::Start(&engine, request->start_lsn()));
    spdlog::info("pitrd: a replica ({}) follows from lsn {}", context->peer(),
                 FormatLsn(request->start_lsn()));
    v1::ReplicationMessage message;
    ReplicationEvent event;
    absl::Time last_sent = absl::InfinitePast();
    while (!context->IsCancelled()) {
      PITR_ASSIGN_OR_RETURN(bool have_event, source->Next(&event));
      message.Clear();
      if (!have_event) {
        if (absl::Now() - last_sent < kHeartbeat) {
          absl::Status waited =
              source->WaitForMore(absl::Now() + kFollowPoll);
          if (absl::IsCancelled(waited) || env_.stopping->load()) {
            return absl::UnavailableError(
                "the server is shutting down; follow again from lsn " +
                FormatLsn(source->position()));
          }
          continue;
        }
      } else if (event.kind == ReplicationEvent::Kind::kBatch) {
        const CommittedBatch& batch = event.batch;
        v1::WalBatch* proto = message.mutable_batch();
        proto->set_start_lsn(batch.start_lsn);
        proto->set_commit_lsn(batch.commit_lsn);
        proto->set_timeline_id(batch.timeline.value());
        *proto->mutable_commit_time() = TimestampProto(batch.timestamp_us);
        for (const WalRecord& record : batch.records) {
          *proto->add_records() = RecordProto(record);
        }
        message.set_starts_segment(event.starts_segment);
      } else {
        message.set_catalog_image(remote::EncodeCatalogImage(event.catalog));
      }
      message.set_primary_lsn(engine.latest_lsn());
      *message.mutable_primary_commit_time() =
          TimestampProto(engine.wal().last_timestamp_us().value_or(0));
      message.set_primary_archived_lsn(engine.archived_lsn());
      if (!writer->Write(message)) {
        return absl::CancelledError("the replica went away");
      }
      last_sent = absl::Now();
    }
    return absl::CancelledError(
        absl::StrCat("the replica cancelled the stream at lsn ",
                     FormatLsn(source->position())));
  });
}

grpc::Status ReplicationServiceImpl::GetReplicationStatus(
    grpc::ServerContext* context,
    const v1::GetReplicationStatusRequest* /*request*/,
    v1::ReplicationStatus* response) {
  return Serve(env_, context, Role::kRead, "GetReplicationStatus",
               [&]() -> absl::Status {
                 *response = DescribeReplication(*env_.engine, env_.follower);
                 return absl::OkStatus();
               });
}

grpc::Status ReplicationServiceImpl::Promote(
    grpc::ServerContext* context, const v1::PromoteRequest* /*request*/,
    v1::PromoteResponse* response) {
  return Serve(env_, context, Role::kAdmin, "Promote", [&]() -> absl::Status {
    Engine& engine = *env_.engine;
    if (!engine.replica_of() || env_.follower == nullptr) {
      return absl::FailedPreconditionError(
          "this server is a primary already: only a read replica is promoted");
    }
    spdlog::info("pitrd: promoting: no longer following {}",
                 *engine.replica_of());
    env_.follower->Stop();
    absl::StatusOr<PromoteReport> promoted = engine.Promote();
    if (!promoted.ok()) {
      return absl::Status(
          promoted.status().code(),
          absl::StrCat("the promotion failed and this replica no longer "
                       "follows its primary (restart it to follow again, or "
                       "promote it again): ",
                       promoted.status().message()));
    }
    response->set_lsn(promoted->lsn);
    response->set_batches_from_bucket(promoted->caught_up.batches);
    response->set_generation(promoted->generation);
    response->set_generation_start_lsn(promoted->generation_start);
    *response->mutable_took() = DurationProto(promoted->took);
    return absl::OkStatus();
  });
}

}  // namespace pitr
