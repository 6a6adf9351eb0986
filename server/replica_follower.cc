#include "server/replica_follower.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "base/status_macros.h"
#include "proto/record_convert.h"
#include "proto/time_convert.h"
#include "remote/catalog_archive.h"
#include "spdlog/spdlog.h"

namespace pitr {

namespace {
constexpr absl::Duration kFirstBackoff = absl::Milliseconds(100);
}  // namespace

absl::StatusOr<std::unique_ptr<ReplicaFollower>> ReplicaFollower::Start(
    Engine* engine, ReplicaFollowerOptions options) {
  if (!engine->replica_of()) {
    return absl::FailedPreconditionError(
        "the store is not a read replica: it follows no primary");
  }
  clients::ClientOptions client;
  client.server = options.primary;
  client.ca_cert_path = options.ca_cert_path;
  client.token = options.token;
  PITR_ASSIGN_OR_RETURN(std::unique_ptr<clients::Client> connected,
                        clients::Client::Connect(client));
  auto follower = std::unique_ptr<ReplicaFollower>(
      new ReplicaFollower(engine, std::move(options), std::move(connected)));
  follower->thread_ = std::thread([f = follower.get()] { f->Loop(); });
  return follower;
}

ReplicaFollower::ReplicaFollower(Engine* engine, ReplicaFollowerOptions options,
                                 std::unique_ptr<clients::Client> client)
    : engine_(engine), options_(std::move(options)), client_(std::move(client)) {
  state_.primary = options_.primary;
  state_.applied_lsn = state_.primary_lsn = engine_->latest_lsn();
  applied_commit_us_ = primary_commit_us_ =
      engine_->wal().last_timestamp_us().value_or(0);
}

ReplicaFollower::~ReplicaFollower() { Stop(); }

void ReplicaFollower::Stop() {
  {
    MutexLock l(&mu_);
    stopping_ = true;
    if (call_ != nullptr) call_->TryCancel();
    stop_requested_.SignalAll();
  }
  if (thread_.joinable()) thread_.join();
  MutexLock l(&mu_);
  state_.stopped = true;
  state_.connected = false;
}

ReplicaState ReplicaFollower::state() const {
  MutexLock l(&mu_);
  ReplicaState state = state_;
  state.applied_lsn = engine_->latest_lsn();
  state.primary_lsn = std::max(state.primary_lsn, state.applied_lsn);
  state.lag_bytes = state.primary_lsn - state.applied_lsn;
  state.lag = state.lag_bytes == 0
                  ? absl::ZeroDuration()
                  : absl::Microseconds(std::max<int64_t>(
                        0, primary_commit_us_ - applied_commit_us_));
  return state;
}

bool ReplicaFollower::primary_lost() const {
  MutexLock l(&mu_);
  if (state_.connected) return false;
  return absl::Now() - state_.last_contact.value_or(started_at_) > kLostAfter;
}

void ReplicaFollower::Loop() {
  absl::Duration backoff = kFirstBackoff;
  while (true) {
    absl::Status status = FollowOnce();
    MutexLock l(&mu_);
    state_.connected = false;
    if (stopping_) return;
    state_.last_error = status;
    if (absl::IsDataLoss(status)) {
      spdlog::error(
          "pitrd replica: stopped following {} for good: {}; rebuild this "
          "replica (an empty data directory) from the bucket",
          options_.primary, status.ToString());
      state_.stopped = true;
      return;
    }
    if (absl::IsOutOfRange(status)) {
      // The primary trimmed what we need: it is in the bucket.
      mu_.Unlock();
      absl::StatusOr<ArchiveCatchUp> caught_up = engine_->CatchUpFromArchive();
      mu_.Lock();
      if (caught_up.ok()) {
        ++state_.archive_catch_ups;
        state_.batches_applied += caught_up->batches;
        if (caught_up->batches > 0) {
          backoff = kFirstBackoff;
          continue;
        }
      } else {
        state_.last_error = caught_up.status();
      }
    }
    spdlog::warn("pitrd replica: following {} at lsn {}: {}; again in {}",
                 options_.primary, FormatLsn(engine_->latest_lsn()),
                 state_.last_error.ToString(), absl::FormatDuration(backoff));
    stop_requested_.WaitWithDeadline(&mu_, absl::Now() + backoff);
    if (stopping_) return;
    backoff = std::min(backoff * 2, options_.max_backoff);
  }
}

absl::Status ReplicaFollower::FollowOnce() {
  std::unique_ptr<grpc::ClientContext> context = client_->NewContext(true);
  {
    MutexLock l(&mu_);
    if (stopping_) return absl::CancelledError("stopping");
    call_ = context.get();
  }
  v1::FollowRequest request;
  request.set_start_lsn(engine_->latest_lsn());
  std::unique_ptr<grpc::ClientReader<v1::ReplicationMessage>> reader =
      client_->replication().Follow(context.get(), request);
  v1::ReplicationMessage message;
  absl::Status applied;
  bool announced = false;
  while (applied.ok() && reader->Read(&message)) {
    if (!announced) {
      spdlog::info("pitrd replica: following {} from lsn {}", options_.primary,
                   FormatLsn(request.start_lsn()));
      announced = true;
    }
    applied = Apply(message);
    if (!applied.ok()) context->TryCancel();
  }
  absl::Status finished = client_->Convert(reader->Finish());
  MutexLock l(&mu_);
  call_ = nullptr;
  if (!applied.ok()) return applied;
  if (finished.ok()) {
    return absl::UnavailableError(
        absl::StrCat("the primary ", options_.primary, " ended the stream"));
  }
  return finished;
}

absl::Status ReplicaFollower::Apply(const v1::ReplicationMessage& message) {
  PITR_ASSIGN_OR_RETURN(
      const int64_t primary_commit_us,
      TimestampUs(message.primary_commit_time(), "primary_commit_time"));
  {
    MutexLock l(&mu_);
    state_.connected = true;
    state_.last_contact = absl::Now();
    state_.last_error = absl::OkStatus();
    state_.primary_lsn = message.primary_lsn();
    primary_commit_us_ = primary_commit_us;
  }
  engine_->SetPrimaryArchivedLsn(message.primary_archived_lsn());
  switch (message.event_case()) {
    case v1::ReplicationMessage::kBatch: {
      const v1::WalBatch& proto = message.batch();
      WalBatch batch{TimelineId(proto.timeline_id())};
      PITR_RETURN_IF_ERROR(AddRecords(proto.records(), &batch));
      PITR_ASSIGN_OR_RETURN(const int64_t commit_us,
                            TimestampUs(proto.commit_time(), "commit_time"));
      batch.SetTimestamp(commit_us);
      PITR_RETURN_IF_ERROR(engine_->ApplyReplicated(
          batch, proto.start_lsn(), proto.commit_lsn(),
          message.starts_segment()));
      MutexLock l(&mu_);
      ++state_.batches_applied;
      applied_commit_us_ = commit_us;
      return absl::OkStatus();
    }
    case v1::ReplicationMessage::kCatalogImage: {
      PITR_ASSIGN_OR_RETURN(
          remote::CatalogImage image,
          remote::DecodeCatalogImage(message.catalog_image(), "the stream"));
      PITR_RETURN_IF_ERROR(engine_->ApplyCatalogImage(image));
      MutexLock l(&mu_);
      ++state_.catalog_changes_applied;
      return absl::OkStatus();
    }
    case v1::ReplicationMessage::EVENT_NOT_SET:
      return absl::OkStatus();  // a heartbeat
  }
  return absl::OkStatus();
}

}  // namespace pitr
