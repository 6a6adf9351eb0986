// pitrctl append and wal read: writing batches and reading the log back.
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "base/lsn.h"
#include "base/status_macros.h"
#include "clients/common/files.h"
#include "clients/common/format.h"
#include "clients/common/point.h"
#include "proto/time_convert.h"
#include "tools/pitrctl/command.h"
#include "tools/pitrctl/records.h"
#include "tools/pitrctl/views.h"

namespace pitr::ctl {

using clients::FormatTime;
using clients::ParseTime;
using clients::ReadFileToString;
namespace {

absl::Status Append(const Context& c) {
  v1::AppendRequest request;
  request.set_branch(c.args.Get("branch"));
  PITR_ASSIGN_OR_RETURN(std::vector<v1::WalRecord> records,
                        ParseRecordWords(c.args.positional()));
  if (c.args.Has("from_file")) {
    absl::StatusOr<std::string> text =
        ReadFileToString(c.args.Get("from_file"));
    if (!text.ok()) return AsUsageError(text.status());
    PITR_ASSIGN_OR_RETURN(std::vector<v1::WalRecord> more,
                          ParseRecordLines(*text));
    records.insert(records.end(), more.begin(), more.end());
  }
  if (records.empty()) return UsageError("no records to append");
  if (c.args.Has("commit_time")) {
    absl::StatusOr<absl::Time> t = ParseTime(c.args.Get("commit_time"));
    if (!t.ok()) return AsUsageError(t.status());
    *request.mutable_commit_time() = TimestampProto(absl::ToUnixMicros(*t));
  }
  bool has_image = false;
  for (const v1::WalRecord& r : records) has_image |= r.has_image();
  if (has_image) {
    PITR_ASSIGN_OR_RETURN(v1::StoreInfo info, FetchStoreInfo(c.client));
    PITR_RETURN_IF_ERROR(PadImages(info.page_size(), &records));
  }
  for (v1::WalRecord& r : records) *request.add_records() = std::move(r);
  v1::AppendResponse response;
  PITR_RETURN_IF_ERROR(
      c.client.Call(&v1::WalService::Stub::Append, request, &response));
  c.out.Print(AppendJson(response));
  return absl::OkStatus();
}

std::string KeyText(const v1::PageKey& key) {
  return absl::StrCat(key.space(), "/", key.page());
}

// One line for a record, indented under its batch.
std::string RecordLine(const v1::WalRecord& r) {
  if (r.has_image()) {
    return absl::StrCat("  image ", KeyText(r.image().key()), " ",
                        r.image().data().size(), " bytes");
  }
  if (r.has_delta()) {
    return absl::StrCat("  delta ", KeyText(r.delta().key()), " offset ",
                        r.delta().offset(), " ", r.delta().data().size(),
                        " bytes");
  }
  if (r.has_truncate()) {
    return absl::StrCat("  truncate space ", r.truncate().space(), " to ",
                        r.truncate().page_count(), " pages");
  }
  return "  unknown record";
}

// Sets `*lsn` from the option --`name` if it is given.
absl::Status LsnOption(const Args& args, const std::string& name,
                       uint64_t* lsn) {
  if (!args.Has(name)) return absl::OkStatus();
  absl::StatusOr<Lsn> parsed = ParseLsn(args.Get(name));
  if (!parsed.ok()) {
    return UsageError(
        absl::StrCat("--", name, ": ", parsed.status().message()));
  }
  *lsn = *parsed;
  return absl::OkStatus();
}

absl::Status Read(const Context& c) {
  v1::ReadWalRequest request;
  if (!c.args.Has("from")) {
    PITR_ASSIGN_OR_RETURN(v1::StoreInfo info, FetchStoreInfo(c.client));
    request.set_start_lsn(info.oldest_wal_lsn());
  }
  uint64_t start = request.start_lsn(), end = 0;
  PITR_RETURN_IF_ERROR(LsnOption(c.args, "from", &start));
  PITR_RETURN_IF_ERROR(LsnOption(c.args, "to", &end));
  request.set_start_lsn(start);
  request.set_end_lsn(end);
  request.set_follow(c.args.Flag("follow"));
  std::unique_ptr<grpc::ClientContext> context =
      c.client.NewContext(request.follow());
  auto reader = c.client.wal().ReadWal(context.get(), request);
  v1::WalBatch batch;
  while (reader->Read(&batch)) {
    if (c.out.json()) {
      c.out.Print(BatchJson(batch));
      continue;
    }
    c.out.Note(absl::StrCat(
        "batch ", FormatLsn(batch.start_lsn()), "..",
        FormatLsn(batch.commit_lsn()), " ",
        batch.branch().empty() ? "-" : batch.branch(), " timeline ",
        batch.timeline_id(), " ",
        batch.has_commit_time() ? FormatTime(batch.commit_time()) : "-", " ",
        batch.records_size(), " records"));
    for (const v1::WalRecord& r : batch.records()) c.out.Note(RecordLine(r));
  }
  return c.client.Convert(reader->Finish());
}

}  // namespace

std::vector<Command> WalCommands() {
  return {
      {"append",
       "[--branch B] [--commit_time TIME] [--from_file FILE] RECORD...",
       "Append one atomic batch to B (default main); RECORD is image SPACE "
       "PAGE PAYLOAD, delta SPACE PAGE OFFSET PAYLOAD or truncate SPACE COUNT, "
       "PAYLOAD hex:.., text:.. or @FILE.",
       {{"branch", true, "the branch to append to (default main)"},
        {"commit_time", true, "the batch's commit time (default now)"},
        {"from_file", true, "also the records in FILE, one a line"}},
       0,
       kAnyNumber,
       Append},
      {"wal read",
       "[--from LSN] [--to LSN] [--follow]",
       "Print the committed batches from LSN (default the oldest) to LSN "
       "(default the end; --follow: keep waiting for new ones).",
       {{"from", true, "the first LSN (default the oldest the server holds)"},
        {"to", true, "the last LSN (default the end)"},
        {"follow", false, "keep waiting for new batches"}},
       0,
       0,
       Read},
  };
}

}  // namespace pitr::ctl
