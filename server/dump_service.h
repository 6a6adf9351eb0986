// DumpService (proto/dump_service.proto) over the engine: a branch exported
// as a stream of dump bytes, and a streamed dump imported as a new branch.
// An upload is spooled to a file in the scratch directory, because the
// engine checks the whole dump before it writes anything.
#ifndef PITR_SERVER_DUMP_SERVICE_H_
#define PITR_SERVER_DUMP_SERVICE_H_

#include <atomic>
#include <string>

#include "proto/dump_service.grpc.pb.h"
#include "server/service_util.h"

namespace pitr {

class DumpServiceImpl final : public v1::DumpService::Service {
 public:
  // Uploads are spooled in `scratch_dir`, which must exist.
  DumpServiceImpl(ServiceEnv env, std::string scratch_dir)
      : env_(env), scratch_dir_(std::move(scratch_dir)) {}

  grpc::Status ExportBranch(grpc::ServerContext* context,
                            const v1::ExportBranchRequest* request,
                            grpc::ServerWriter<v1::DumpChunk>* writer) override;
  grpc::Status ImportDump(grpc::ServerContext* context,
                          grpc::ServerReader<v1::ImportDumpRequest>* reader,
                          v1::ImportDumpResponse* response) override;

 private:
  // Writes the uploaded bytes to `path`; returns the name of the branch to
  // make and counts the bytes into response->bytes.
  absl::StatusOr<std::string> Spool(
      grpc::ServerContext* context,
      grpc::ServerReader<v1::ImportDumpRequest>* reader,
      const std::string& path, v1::ImportDumpResponse* response);

  const ServiceEnv env_;
  const std::string scratch_dir_;
  std::atomic<uint64_t> next_upload_{0};
};

}  // namespace pitr

#endif  // PITR_SERVER_DUMP_SERVICE_H_
