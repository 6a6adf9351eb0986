#include "server/wal_service.h"

#include <map>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "base/lsn.h"
#include "base/status_macros.h"
#include "proto/record_convert.h"
#include "proto/time_convert.h"

namespace pitr {
namespace {

// How long ReadWal with `follow` waits for new batches before it looks
// again whether the client has gone or the server is stopping.
constexpr absl::Duration kFollowPoll = absl::Milliseconds(200);

// How many times Append rebuilds a batch whose branch was restored between
// building and appending it (each restore moves the branch to a new
// timeline; the batch then belongs after the restore).
constexpr int kAppendAttempts = 3;

// Names the branch that writes each timeline now, looked up again when a
// timeline is new to it.
class TimelineNames {
 public:
  explicit TimelineNames(const Engine& engine) : engine_(engine) {}

  const std::string& NameOf(TimelineId timeline) {
    if (names_.find(timeline) == names_.end()) {
      names_.clear();
      for (const Branch& b : engine_.ListBranches())
        names_[b.timeline] = b.name;
      names_.emplace(timeline, "");  // no branch writes it now
    }
    return names_[timeline];
  }

 private:
  const Engine& engine_;
  std::map<TimelineId, std::string> names_;
};

}  // namespace

absl::StatusOr<AppendResult> WalServiceImpl::AppendOne(
    const v1::AppendRequest& request) {
  Engine& engine = *env_.engine;
  PITR_RETURN_IF_ERROR(CheckCount(request.records_size(),
                                  env_.max_items_per_request, "records"));
  PITR_ASSIGN_OR_RETURN(Branch branch, BranchNamed(engine, request.branch()));
  std::optional<int64_t> timestamp_us;
  if (request.has_commit_time()) {
    PITR_ASSIGN_OR_RETURN(timestamp_us,
                          TimestampUs(request.commit_time(), "commit_time"));
  }
  absl::StatusOr<AppendResult> result;
  for (int attempt = 0; attempt < kAppendAttempts; ++attempt) {
    PITR_ASSIGN_OR_RETURN(WalBatch batch, engine.NewBatch(branch.id));
    PITR_RETURN_IF_ERROR(AddRecords(request.records(), &batch));
    if (timestamp_us) batch.SetTimestamp(*timestamp_us);
    result =
        request.has_expected_position()
            ? engine.Append(
                  branch.id, batch,
                  BranchPosition{
                      request.expected_position().lsn(),
                      TimelineId(request.expected_position().timeline_id())})
            : engine.Append(branch.id, batch);
    if (result.ok() || !absl::IsFailedPrecondition(result.status())) break;
    // Restored meanwhile? Then the batch goes on the new timeline.
    absl::StatusOr<Branch> now = engine.GetBranch(branch.id);
    if (!now.ok() || now->timeline == branch.timeline) break;
    branch = *now;
  }
  if (result.ok()) NotifyWatchers(env_, branch.id);
  return result;
}

grpc::Status WalServiceImpl::Append(grpc::ServerContext* context,
                                    const v1::AppendRequest* request,
                                    v1::AppendResponse* response) {
  return Serve(env_, context, Role::kAdmin, "Append", [&]() -> absl::Status {
    PITR_ASSIGN_OR_RETURN(AppendResult result, AppendOne(*request));
    response->set_commit_lsn(result.commit_lsn);
    response->set_start_lsn(result.start_lsn);
    *response->mutable_commit_time() = TimestampProto(result.timestamp_us);
    return absl::OkStatus();
  });
}

grpc::Status WalServiceImpl::AppendStream(
    grpc::ServerContext* context, grpc::ServerReader<v1::AppendRequest>* reader,
    v1::AppendStreamResponse* response) {
  return Serve(
      env_, context, Role::kAdmin, "AppendStream", [&]() -> absl::Status {
        v1::AppendRequest request;
        while (reader->Read(&request)) {
          absl::StatusOr<AppendResult> result = AppendOne(request);
          if (!result.ok()) {
            return absl::Status(
                result.status().code(),
                absl::StrCat("batch ", response->batches(),
                             " of the stream was "
                             "refused (the ",
                             response->batches(),
                             " before it are committed, up to lsn ",
                             FormatLsn(response->last_commit_lsn()),
                             "): ", result.status().message()));
          }
          response->set_batches(response->batches() + 1);
          response->set_records(response->records() + request.records_size());
          response->set_last_commit_lsn(result->commit_lsn);
          *response->mutable_last_commit_time() =
              TimestampProto(result->timestamp_us);
        }
        if (context->IsCancelled()) {
          return absl::CancelledError(absl::StrCat(
              "the client cancelled the stream after ", response->batches(),
              " committed batches (up to lsn ",
              FormatLsn(response->last_commit_lsn()), ")"));
        }
        return absl::OkStatus();
      });
}

grpc::Status WalServiceImpl::ReadWal(grpc::ServerContext* context,
                                     const v1::ReadWalRequest* request,
                                     grpc::ServerWriter<v1::WalBatch>* writer) {
  return Serve(env_, context, Role::kRead, "ReadWal", [&]() -> absl::Status {
    Engine& engine = *env_.engine;
    const Lsn end = request->end_lsn();
    if (end != 0 && end < request->start_lsn()) {
      return absl::InvalidArgumentError(
          absl::StrCat("end_lsn ", FormatLsn(end), " is before start_lsn ",
                       FormatLsn(request->start_lsn()), " (0 means no end)"));
    }
    PITR_ASSIGN_OR_RETURN(std::unique_ptr<WalReader> reader,
                          engine.wal().NewReader(request->start_lsn()));
    TimelineNames names(engine);
    CommittedBatch batch;
    v1::WalBatch message;
    while (!context->IsCancelled()) {
      PITR_ASSIGN_OR_RETURN(bool more, reader->Next(&batch));
      if (!more) {
        if (!request->follow()) return absl::OkStatus();
        absl::Status waited = reader->WaitForMore(absl::Now() + kFollowPoll);
        if (absl::IsCancelled(waited) || env_.stopping->load()) {
          return absl::UnavailableError(
              "the server is shutting down; resume from lsn " +
              FormatLsn(reader->position()));
        }
        continue;  // a new batch, or time to look at the context again
      }
      message.Clear();
      message.set_start_lsn(batch.start_lsn);
      message.set_commit_lsn(batch.commit_lsn);
      message.set_timeline_id(batch.timeline.value());
      message.set_branch(names.NameOf(batch.timeline));
      *message.mutable_commit_time() = TimestampProto(batch.timestamp_us);
      for (const WalRecord& record : batch.records) {
        *message.add_records() = RecordProto(record);
      }
      if (!writer->Write(message)) {
        return absl::CancelledError("the client went away");
      }
      if (end != 0 && batch.commit_lsn >= end) return absl::OkStatus();
    }
    return absl::CancelledError(absl::StrCat("cancelled by the client at lsn ",
                                             FormatLsn(reader->position())));
  });
}

}  // namespace pitr
