// pitrctl export and import: dump files (docs/dump-format.md), full or
// incremental, streamed, with a progress line on stderr.
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "clients/common/files.h"
#include "clients/common/progress.h"
#include "tools/pitrctl/command.h"
#include "tools/pitrctl/views.h"

namespace pitr::ctl {

using clients::FileError;
using clients::Json;
using clients::ProgressBar;
namespace {

constexpr size_t kImportChunkBytes = 1 << 20;

// Streams the dump into `partial`; the caller renames it when complete.
absl::Status ExportTo(const Context& c, const v1::ExportBranchRequest& request,
                      const std::string& partial, Json* result) {
  std::ofstream file(partial, std::ios::binary | std::ios::trunc);
  if (!file) return FileError("create", partial);
  std::unique_ptr<grpc::ClientContext> context = c.client.NewContext(true);
  auto reader = c.client.dumps().ExportBranch(context.get(), request);
  ProgressBar progress(stderr, ShowProgress(c.args), 0);
  v1::DumpChunk chunk;
  uint64_t bytes = 0, pages = 0, lsn = 0, base_lsn = 0;
  bool first = true;
  while (reader->Read(&chunk)) {
    if (first) {
      lsn = chunk.lsn();
      base_lsn = chunk.base_lsn();
    }
    first = false;
    file.write(chunk.data().data(),
               static_cast<std::streamsize>(chunk.data().size()));
    bytes += chunk.data().size();
    pages = chunk.pages();
    progress.Update(bytes, pages);
  }
  absl::Status status = c.client.Convert(reader->Finish());
  progress.Finish();
  PITR_RETURN_IF_ERROR(status);
  file.close();
  if (!file) return FileError("write", partial);
  result->Set("lsn", LsnJson(lsn));
  if (base_lsn != 0) result->Set("since_lsn", LsnJson(base_lsn));
  result->Set("pages", Json::Number(pages)).Set("bytes", Json::Number(bytes));
  return absl::OkStatus();
}

absl::Status Export(const Context& c) {
  v1::ExportBranchRequest request;
  request.set_branch(c.args.positional()[0]);
  PITR_ASSIGN_OR_RETURN(*request.mutable_point(), PointOption(c.args));
  if (c.args.Has("since")) {
    PITR_ASSIGN_OR_RETURN(*request.mutable_since(),
                          PointOption(c.args, "since"));
  }
  const std::string& path = c.args.positional()[1];
  std::string partial = path + ".part";
  Json result = Json::Object().Set("branch", Json::String(request.branch()));
  absl::Status status = ExportTo(c, request, partial, &result);
  if (status.ok() && std::rename(partial.c_str(), path.c_str()) != 0) {
    status = FileError("rename to " + path, partial);
  }
  if (!status.ok()) {
    std::remove(partial.c_str());
    return status;
  }
  c.out.Print(result.Set("file", Json::String(path)));
  return absl::OkStatus();
}

absl::Status Import(const Context& c) {
  const std::string& path = c.args.positional()[0];
  std::ifstream file(path, std::ios::binary | std::ios::ate);
  if (!file) return AsUsageError(FileError("open", path));
  uint64_t size = static_cast<uint64_t>(file.tellg());
  file.seekg(0);

  std::unique_ptr<grpc::ClientContext> context = c.client.NewContext(true);
  v1::ImportDumpResponse response;
  auto writer = c.client.dumps().ImportDump(context.get(), &response);
  ProgressBar progress(stderr, ShowProgress(c.args), size);
  v1::ImportDumpRequest request;
  request.set_branch(c.args.positional()[1]);
  std::string buffer(kImportChunkBytes, '\0');
  uint64_t sent = 0;
  bool first = true;
  while (first || sent < size) {
    file.read(&buffer[0], static_cast<std::streamsize>(buffer.size()));
    if (file.bad()) {
      context->TryCancel();
      return FileError("read", path);
    }
    size_t n = static_cast<size_t>(file.gcount());
    if (n == 0 && !first) break;
    request.set_data(buffer.substr(0, n));
    // A false Write means the server ended the call; Finish says why.
    if (!writer->Write(request)) break;
    request.clear_branch();
    sent += n;
    first = false;
    progress.Update(sent, 0);
  }
  writer->WritesDone();
  absl::Status status = c.client.Convert(writer->Finish());
  progress.Finish();
  PITR_RETURN_IF_ERROR(status);
  Json result = Json::Object().Set("branch", BranchJson(response.branch()));
  if (response.has_snapshot()) {
    result.Set("snapshot", SnapshotJson(response.snapshot()));
  }
  result.Set("lsn", LsnJson(response.source_lsn()));
  if (response.base_lsn() != 0) {
    result.Set("since_lsn", LsnJson(response.base_lsn()));
  }
  c.out.Print(result.Set("pages", Json::Number(response.pages()))
                  .Set("bytes", Json::Number(response.bytes())));
  return absl::OkStatus();
}

}  // namespace

std::vector<Command> DumpCommands() {
  return {
      {"export",
       "BRANCH FILE [--at POINT] [--since POINT] [--progress]",
       "Write a dump of BRANCH at POINT (default latest) to FILE; with "
       "--since, only the pages changed since that point (an incremental "
       "dump, for `import` onto the branch that imported that point).",
       {{"at", true, "the point to dump (default the latest)"},
        {"since", true,
         "an earlier point of BRANCH: write only what changed since it"},
        {"progress", false,
         "draw a progress line on stderr (default: if it is a terminal)"}},
       2,
       2,
       Export},
      {"import",
       "FILE NAME [--progress]",
       "Load the dump FILE into a new root branch NAME; an incremental dump "
       "applies instead to the branch NAME that imported its base.",
       {{"progress", false,
         "draw a progress line on stderr (default: if it is a terminal)"}},
       2,
       2,
       Import},
  };
}

}  // namespace pitr::ctl
