// A client's connection to a pitrd server: the channel (TLS when a CA
// certificate is given), one stub per service, and per-call contexts that
// carry the bearer token and the deadline. pitrctl and pitr-wal both talk
// to pitrd through it.
//
// Thread-compatible; each tool makes one Client and calls it from main.
#ifndef PITR_CLIENTS_COMMON_CLIENT_H_
#define PITR_CLIENTS_COMMON_CLIENT_H_

#include <cstdint>
#include <memory>
#include <string>
#include <utility>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "grpcpp/grpcpp.h"
#include "proto/backup_service.grpc.pb.h"
#include "proto/branch_service.grpc.pb.h"
#include "proto/dump_service.grpc.pb.h"
#include "proto/page_service.grpc.pb.h"
#include "proto/replication_service.grpc.pb.h"
#include "proto/retention_service.grpc.pb.h"
#include "proto/snapshot_service.grpc.pb.h"
#include "proto/wal_service.grpc.pb.h"

namespace pitr::clients {

struct ClientOptions {
  // host:port of the server.
  std::string server = "127.0.0.1:7400";
  // Sent as "authorization: Bearer <token>" on every call; empty: none.
  std::string token;
  // PEM file of the CA that signed the server's certificate; empty: a
  // plain-text channel.
  std::string ca_cert_path;
  // Deadline of each unary call; streaming calls have none.
  absl::Duration timeout = absl::Seconds(30);
  // Read-your-writes: sent as "pitr-min-lsn" on every call, so a read
  // waits (up to its deadline) until the server holds this LSN, e.g. a
  // replica the commit LSN the primary just returned. 0: none.
  uint64_t min_lsn = 0;
};

// The metadata key of ClientOptions::min_lsn (server/service_util.h).
inline constexpr char kMinLsnMetadata[] = "pitr-min-lsn";

// The token in a token file: the last word of its first line that is
// neither blank nor a '#' comment. So a file holding just the token works,
// and so does pitrd's own token file, whose lines are "<role> <token>".
// NOT_FOUND if the file is missing, INVALID_ARGUMENT if it holds no token.
absl::StatusOr<std::string> ReadTokenFile(const std::string& path);

class Client {
 public:
  // Makes the channel (clients/common/channel_credentials.h); it connects on
  // the first call, so an unreachable server shows as UNAVAILABLE then. Fails
  // only if the CA file is unreadable or holds no certificate.
  static absl::StatusOr<std::unique_ptr<Client>> Connect(
      const ClientOptions& options);

  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  v1::BranchService::Stub& branches() { return *branches_; }
  v1::WalService::Stub& wal() { return *wal_; }
  v1::PageService::Stub& pages() { return *pages_; }
  v1::SnapshotService::Stub& snapshots() { return *snapshots_; }
  v1::RetentionService::Stub& retention() { return *retention_; }
  v1::DumpService::Stub& dumps() { return *dumps_; }
  v1::BackupService::Stub& backups() { return *backups_; }
  v1::ReplicationService::Stub& replication() { return *replication_; }

  // A context with the token and, unless `streaming`, the call deadline.
  std::unique_ptr<grpc::ClientContext> NewContext(bool streaming) const;

  // Runs the unary call `method` of its service's stub with a fresh
  // context, e.g. Call(&v1::BranchService::Stub::GetBranch, request, &branch).
  template <typename Stub, typename Request, typename Response>
  absl::Status Call(grpc::Status (Stub::*method)(grpc::ClientContext*,
                                                 const Request&, Response*),
                    const Request& request, Response* response) {
    std::unique_ptr<grpc::ClientContext> context = NewContext(false);
    return Convert((StubOf<Stub>().*method)(context.get(), request, response));
  }

  // `status` as an absl::Status; UNAVAILABLE names the server.
  absl::Status Convert(const grpc::Status& status) const;

 private:
  Client(ClientOptions options, std::shared_ptr<grpc::Channel> channel);

  // The stub of type Stub (one of those above).
  template <typename Stub>
  Stub& StubOf();

  const ClientOptions options_;
  std::unique_ptr<v1::BranchService::Stub> branches_;
  std::unique_ptr<v1::WalService::Stub> wal_;
  std::unique_ptr<v1::PageService::Stub> pages_;
  std::unique_ptr<v1::SnapshotService::Stub> snapshots_;
  std::unique_ptr<v1::RetentionService::Stub> retention_;
  std::unique_ptr<v1::DumpService::Stub> dumps_;
  std::unique_ptr<v1::BackupService::Stub> backups_;
  std::unique_ptr<v1::ReplicationService::Stub> replication_;
};

template <>
inline v1::BranchService::Stub& Client::StubOf() {
  return *branches_;
}
template <>
inline v1::WalService::Stub& Client::StubOf() {
  return *wal_;
}
template <>
inline v1::PageService::Stub& Client::StubOf() {
  return *pages_;
}
template <>
inline v1::SnapshotService::Stub& Client::StubOf() {
  return *snapshots_;
}
template <>
inline v1::RetentionService::Stub& Client::StubOf() {
  return *retention_;
}
template <>
inline v1::BackupService::Stub& Client::StubOf() {
  return *backups_;
}
template <>
inline v1::ReplicationService::Stub& Client::StubOf() {
  return *replication_;
}

}  // namespace pitr::clients

#endif  // PITR_CLIENTS_COMMON_CLIENT_H_
