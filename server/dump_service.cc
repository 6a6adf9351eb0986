#include "server/dump_service.h"

#include <unistd.h>

#include <cstdio>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "server/convert.h"

namespace pitr {

grpc::Status DumpServiceImpl::ExportBranch(
    grpc::ServerContext* context, const v1::ExportBranchRequest* request,
    grpc::ServerWriter<v1::DumpChunk>* writer) {
  return Serve(
      env_, context, Role::kRead, "ExportBranch", [&]() -> absl::Status {
        Engine& engine = *env_.engine;
        // The point is resolved here, so the first chunk can say which LSN the
        // dump holds.
        std::optional<Snapshot> snapshot;
        Branch branch;
        Lsn lsn;
        std::optional<Lsn> since;
        const bool incremental = request->has_since();
        if (incremental &&
            request->point().point_case() == v1::PointInTime::kSnapshot) {
          return absl::InvalidArgumentError(
              "an incremental export (since) needs a point on a branch, not "
              "a snapshot");
        }
        if (request->point().point_case() == v1::PointInTime::kSnapshot) {
          PITR_ASSIGN_OR_RETURN(
              snapshot, engine.snapshots().Get(request->point().snapshot()));
          lsn = snapshot->lsn;
        } else {
          PITR_ASSIGN_OR_RETURN(branch, BranchNamed(engine, request->branch()));
          PITR_ASSIGN_OR_RETURN(std::optional<Lsn> at,
                                ReadLsn(engine, branch, request->point()));
          lsn = at ? *at : engine.latest_lsn();
          if (incremental) {
            PITR_ASSIGN_OR_RETURN(since,
                                  ReadLsn(engine, branch, request->since()));
            if (!since) {
              return absl::InvalidArgumentError(
                  "since is set but names no point: give an lsn, a timestamp "
                  "or a snapshot");
            }
          }
        }
        uint64_t pages = 0;
        bool first = true;
        v1::DumpChunk chunk;
        const DumpSink sink = [&](absl::string_view bytes) -> absl::Status {
          if (context->IsCancelled()) {
            return absl::CancelledError(
                "the export was cancelled by the client");
          }
          chunk.Clear();
          chunk.set_data(std::string(bytes));
          chunk.set_pages(pages);
          if (first) {
            chunk.set_lsn(lsn);
            if (since) chunk.set_base_lsn(*since);
          }
          first = false;
          if (!writer->Write(chunk)) {
            return absl::CancelledError(
                "the client went away during the export");
          }
          return absl::OkStatus();
        };
        const DumpProgress progress = [&](uint64_t done, uint64_t /*total*/) {
          pages = done;
          return absl::OkStatus();
        };
        if (snapshot) {
          return engine.ExportSnapshot(snapshot->name, sink, progress).status();
        }
        std::optional<PointInTime> base;
        if (since) base = PointInTime{*since, std::nullopt};
        return engine
            .ExportBranch(branch.id, PointInTime{lsn, std::nullopt}, sink,
                          progress, base)
            .status();
      });
}

absl::StatusOr<std::string> DumpServiceImpl::Spool(
    grpc::ServerContext* context,
    grpc::ServerReader<v1::ImportDumpRequest>* reader, const std::string& path,
    v1::ImportDumpResponse* response) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) {
    return absl::InternalError(
        absl::StrCat("cannot create the upload file ", path));
  }
  std::string name;
  v1::ImportDumpRequest request;
  bool first = true;
  while (reader->Read(&request)) {
    if (first) {
      name = request.branch();
      first = false;
    }
    out.write(request.data().data(),
              static_cast<std::streamsize>(request.data().size()));
    if (!out) {
      return absl::ResourceExhaustedError(
          absl::StrCat("cannot write the upload to ", path, " after ",
                       response->bytes(), " bytes (is the disk full?)"));
    }
    response->set_bytes(response->bytes() + request.data().size());
  }
  out.close();
  if (context->IsCancelled()) {
    return absl::CancelledError("the import was cancelled by the client");
  }
  if (first) {
    return absl::InvalidArgumentError(
        "the import stream was empty: the first message must name the new "
        "branch");
  }
  if (!out) {
    return absl::InternalError(absl::StrCat("cannot close ", path));
  }
  return name;
}

grpc::Status DumpServiceImpl::ImportDump(
    grpc::ServerContext* context,
    grpc::ServerReader<v1::ImportDumpRequest>* reader,
    v1::ImportDumpResponse* response) {
  return Serve(
      env_, context, Role::kAdmin, "ImportDump", [&]() -> absl::Status {
        Engine& engine = *env_.engine;
        const std::string path =
            absl::StrCat(scratch_dir_, "/upload-", getpid(), "-",
                         next_upload_.fetch_add(1), ".dump");
        absl::StatusOr<std::string> name =
            Spool(context, reader, path, response);
        absl::StatusOr<ImportSummary> imported =
            name.ok() ? engine.ImportDump(*name, path,
                                          [&](uint64_t, uint64_t) {
                                            return context->IsCancelled()
                                                       ? absl::CancelledError(
                                                             "the import was "
                                                             "cancelled by the "
                                                             "client")
                                                       : absl::OkStatus();
                                          })
                      : absl::StatusOr<ImportSummary>(name.status());
        std::remove(path.c_str());
        if (!imported.ok()) return imported.status();
        NotifyWatchers(env_, imported->branch.id);
        PITR_ASSIGN_OR_RETURN(*response->mutable_branch(),
                              DescribeBranch(engine, imported->branch, true));
        if (imported->snapshot) {
          *response->mutable_snapshot() =
              SnapshotProto(*imported->snapshot, imported->branch.name);
        }
        response->set_pages(imported->pages);
        response->set_source_lsn(imported->source.lsn);
        response->set_base_lsn(imported->source.base_lsn);
        return absl::OkStatus();
      });
}

}  // namespace pitr
