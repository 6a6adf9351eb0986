#include "clients/common/client.h"

#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "base/status_macros.h"
#include "clients/common/channel_credentials.h"
#include "clients/common/files.h"
#include "proto/status_util.h"

namespace pitr::clients {

absl::StatusOr<std::string> ReadTokenFile(const std::string& path) {
  PITR_ASSIGN_OR_RETURN(std::string text, ReadFileToString(path));
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    std::vector<absl::string_view> words =
        absl::StrSplit(line, absl::ByAnyChar(" \t\r"), absl::SkipEmpty());
    if (!words.empty() && words[0][0] != '#') return std::string(words.back());
  }
  return absl::InvalidArgumentError(
      absl::StrCat("token file ", path, " holds no token"));
}

absl::StatusOr<std::unique_ptr<Client>> Client::Connect(
    const ClientOptions& options) {
  PITR_ASSIGN_OR_RETURN(std::shared_ptr<grpc::ChannelCredentials> credentials,
                        ChannelCredentialsFor(options.ca_cert_path));
  return std::unique_ptr<Client>(
      new Client(options, grpc::CreateChannel(options.server, credentials)));
}

Client::Client(ClientOptions options, std::shared_ptr<grpc::Channel> channel)
    : options_(std::move(options)),
      branches_(v1::BranchService::NewStub(channel)),
      wal_(v1::WalService::NewStub(channel)),
      pages_(v1::PageService::NewStub(channel)),
      snapshots_(v1::SnapshotService::NewStub(channel)),
      retention_(v1::RetentionService::NewStub(channel)),
      dumps_(v1::DumpService::NewStub(channel)),
      backups_(v1::BackupService::NewStub(channel)),
      replication_(v1::ReplicationService::NewStub(channel)) {}

std::unique_ptr<grpc::ClientContext> Client::NewContext(bool streaming) const {
  auto context = std::make_unique<grpc::ClientContext>();
  if (!options_.token.empty()) {
    context->AddMetadata("authorization",
                         absl::StrCat("Bearer ", options_.token));
  }
  if (options_.min_lsn != 0) {
    context->AddMetadata(kMinLsnMetadata, absl::StrCat(options_.min_lsn));
  }
  if (!streaming && options_.timeout != absl::InfiniteDuration()) {
    context->set_deadline(absl::ToChronoTime(absl::Now() + options_.timeout));
  }
  return context;
}

absl::Status Client::Convert(const grpc::Status& status) const {
  absl::Status result = FromGrpcStatus(status);
  if (result.code() == absl::StatusCode::kUnavailable) {
    return absl::UnavailableError(
        absl::StrCat(result.message(), " (server ", options_.server, ")"));
  }
  return result;
}

}  // namespace pitr::clients
