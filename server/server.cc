#include "server/server.h"

#include <chrono>
#include <filesystem>
#include <functional>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "base/lsn.h"
#include "base/file_system.h"
#include "base/status_macros.h"
#include "grpcpp/ext/proto_server_reflection_plugin.h"
#include "grpcpp/health_check_service_interface.h"
#include "grpcpp/server_builder.h"
#include "remote/open_remote_storage.h"
#include "server/backup_service.h"
#include "server/branch_service.h"
#include "server/dump_service.h"
#include "server/health_service.h"
#include "server/http_endpoints.h"
#include "server/json_api.h"
#include "server/page_service.h"
#include "server/replication_service.h"
#include "server/retention_service.h"
#include "server/snapshot_service.h"
#include "server/tls.h"
#include "server/wal_service.h"
#include "spdlog/spdlog.h"

namespace pitr {
namespace {

// <data dir>/tmp, emptied: uploads being imported are spooled there, and
// those of a server that stopped mid-upload are of no use.
absl::StatusOr<std::string> PrepareScratchDir(const std::string& data_dir) {
  const std::string dir = JoinPath(data_dir, "tmp");
  PITR_RETURN_IF_ERROR(RemoveTree(dir));
  PITR_RETURN_IF_ERROR(FileSystem::Default()->CreateDirs(dir));
  return dir;
}

// gRPC's sync server runs each call on the thread that took it from the
// completion queue. After the call, that thread polls again if fewer than
// kMaxPollers threads are polling, else it exits; when the last polling
// thread takes a call, a new thread is started. gRPC's default (at most 2
// pollers) made the server start and end a thread every 10-50 calls as soon
// as a few clients called at once (server_bench: 2,600 threads in 3 s at 8
// clients). Up to kMaxPollers idle threads now wait for calls instead; they
// cost only their stacks.
constexpr int kMaxPollers = 16;

// A read replica's store: the data directory as it is if it holds one (a
// replica restarted), else a detached restore of the primary's bucket.
absl::Status PrepareReplica(remote::RemoteStorage* bucket,
                            ServerOptions* options) {
  if (bucket == nullptr) {
    return absl::InvalidArgumentError(
        "a read replica needs --remote: its primary's bucket, which it "
        "starts from");
  }
  if (options->restore_from_remote) {
    return absl::InvalidArgumentError(
        "a read replica restores from the bucket by itself: leave out "
        "--restore_from_remote");
  }
  options->engine.replica_of = options->replica->primary;
  std::error_code error;
  if (std::filesystem::exists(JoinPath(options->engine.dir, "pages"), error)) {
    return absl::OkStatus();
  }
  spdlog::info("pitrd: a new replica of {}: restoring {} from {}",
               options->replica->primary, options->engine.dir,
               bucket->Describe());
  RemoteRestoreOptions restore;
  restore.detached = true;
  return RestoreFromRemote(bucket, options->engine.dir, restore).status();
}

// Health's view of a replica's primary (nullptr on a primary).
std::function<bool(const std::string&)> ReplicaHealth(
    const ReplicaFollower* follower, bool whole_server) {
  if (follower == nullptr) return nullptr;
  return [follower, whole_server](const std::string& service) {
    if (service != v1::ReplicationService::service_full_name() &&
        !(whole_server && service.empty())) {
      return false;
    }
    return follower->primary_lost();
  };
}

}  // namespace

void SetPitrdProcessDefaults() {
#ifdef NDEBUG
  // absl::Mutex's deadlock detection is meant for debug builds: Abseil turns
  // it off when built with NDEBUG. Debian builds its Abseil without NDEBUG,
  // so it is on in every program, and gRPC's locks pay for it on each call
  // (a global graph of lock ids, updated under a global spinlock, also on
  // every mutex's destruction). Optimised builds of pitrd turn it off; debug
  // builds, which the tests use, keep it.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
#endif
}

absl::StatusOr<std::unique_ptr<Server>> Server::Start(ServerOptions options) {
  std::unique_ptr<Server> server(new Server());
  PITR_ASSIGN_OR_RETURN(
      std::shared_ptr<grpc::ServerCredentials> credentials,
      ServerCredentialsFor(options.tls_cert_file, options.tls_key_file));
  if (!options.token_file.empty()) {
    PITR_ASSIGN_OR_RETURN(server->authorizer_,
                          Authorizer::FromFile(options.token_file));
  }
  if (!options.remote_url.empty()) {
    PITR_ASSIGN_OR_RETURN(
        server->remote_,
        remote::OpenRemoteStorage(options.remote_url, options.remote));
    options.engine.remote = server->remote_.get();
  }
  if (options.restore_from_remote) {
    if (server->remote_ == nullptr) {
      return absl::InvalidArgumentError(
          "a restore from the bucket needs --remote: the bucket to restore "
          "from");
    }
    PITR_RETURN_IF_ERROR(RestoreFromRemote(server->remote_.get(),
                                           options.engine.dir,
                                           *options.restore_from_remote)
                             .status());
    if (options.restore_from_remote->detached) options.engine.remote = nullptr;
  }
  if (options.replica) {
    PITR_RETURN_IF_ERROR(PrepareReplica(server->remote_.get(), &options));
  }
  if (options.watch_lease < kMinWatchLease ||
      options.watch_lease > kMaxWatchLease) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--watch_lease ", absl::FormatDuration(options.watch_lease),
        " is outside ", absl::FormatDuration(kMinWatchLease), " to ",
        absl::FormatDuration(kMaxWatchLease)));
  }
  PITR_ASSIGN_OR_RETURN(server->engine_, Engine::Open(options.engine));
  PITR_ASSIGN_OR_RETURN(
      server->metrics_,
      ServerMetrics::Create(&server->metrics_registry_, server->engine_.get(),
                            options.size_interval));
  if (options.replica) {
    PITR_ASSIGN_OR_RETURN(
        server->follower_,
        ReplicaFollower::Start(server->engine_.get(), *options.replica));
    PITR_RETURN_IF_ERROR(server->metrics_->AddReplica(server->follower_.get()));
  }

  ServiceEnv env;
  env.engine = server->engine_.get();
  env.authorizer = server->authorizer_.get();
  env.metrics = server->metrics_.get();
  env.max_items_per_request = options.max_items_per_request;
  env.stopping = &server->stopping_;
  env.follower = server->follower_.get();
  env.blocking_calls = &server->blocking_calls_;
  if (!options.replica) {
    server->watches_ = std::make_unique<WatchHub>(options.watch_lease);
    env.watches = server->watches_.get();
    PITR_RETURN_IF_ERROR(server->metrics_->AddWatches(server->watches_.get()));
  }
  server->services_.push_back(std::make_unique<BranchServiceImpl>(env));
  server->services_.push_back(std::make_unique<WalServiceImpl>(env));
  server->services_.push_back(std::make_unique<PageServiceImpl>(env));
  server->services_.push_back(std::make_unique<SnapshotServiceImpl>(env));
  server->services_.push_back(std::make_unique<RetentionServiceImpl>(env));
  server->services_.push_back(std::make_unique<BackupServiceImpl>(env));
  server->services_.push_back(std::make_unique<ReplicationServiceImpl>(env));
  PITR_ASSIGN_OR_RETURN(const std::string scratch_dir,
                        PrepareScratchDir(options.engine.dir));
  server->services_.push_back(
      std::make_unique<DumpServiceImpl>(env, scratch_dir));
  server->services_.push_back(std::make_unique<HealthServiceImpl>(
      std::vector<std::string>{v1::BranchService::service_full_name(),
                               v1::WalService::service_full_name(),
                               v1::PageService::service_full_name(),
                               v1::SnapshotService::service_full_name(),
                               v1::RetentionService::service_full_name(),
                               v1::BackupService::service_full_name(),
                               v1::ReplicationService::service_full_name(),
                               v1::DumpService::service_full_name()},
      &server->stopping_,
      ReplicaHealth(server->follower_.get(),
                    options.replica_not_serving_when_lost)));

  // Our own health service (server/health_service.h says why).
  grpc::EnableDefaultHealthCheckService(false);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  builder.AddListeningPort(options.listen_address, credentials, &server->port_);
  builder.SetMaxReceiveMessageSize(options.max_message_bytes);
  builder.SetMaxSendMessageSize(options.max_message_bytes);
  for (auto& service : server->services_)
    builder.RegisterService(service.get());
  builder.SetSyncServerOption(grpc::ServerBuilder::MAX_POLLERS, kMaxPollers);
  server->grpc_server_ = builder.BuildAndStart();
  if (server->grpc_server_ == nullptr || server->port_ == 0) {
    return absl::UnavailableError(
        absl::StrCat("cannot listen on ", options.listen_address,
                     " (is the address valid and the port free?)"));
  }

  if (!options.http_address.empty()) {
    HttpServerOptions http;
    http.address = options.http_address;
    http.tls_cert_file = options.tls_cert_file;
    http.tls_key_file = options.tls_key_file;
    http.threads = options.http_threads;
    std::map<std::string, HttpHandler> handlers;
    handlers["/metrics"] =
        MetricsEndpoint(&server->metrics_registry_, server->authorizer_.get(),
                        options.metrics_without_token);
    // The JSON API calls the services above through an in-process channel.
    grpc::ChannelArguments channel_args;
    channel_args.SetMaxReceiveMessageSize(options.max_message_bytes);
    channel_args.SetMaxSendMessageSize(options.max_message_bytes);
    handlers["/api/v1"] =
        JsonApiHandler(server->grpc_server_->InProcessChannel(channel_args),
                       options.max_message_bytes);
    handlers["/api/v1/session"] = SessionEndpoint(server->authorizer_.get());
    handlers["/"] = ConsoleEndpoint();
    PITR_ASSIGN_OR_RETURN(server->http_server_,
                          HttpServer::Start(http, std::move(handlers)));
  }

  const Engine& engine = *server->engine_;
  spdlog::info(
      "pitrd {}: serving {} on port {} ({}, {}); HTTP {}; store {}{}: "
      "page size {}, latest lsn {}, {} branches, {} snapshots",
      kPitrVersion, options.listen_address, server->port_,
      options.tls_cert_file.empty() ? "plaintext" : "TLS",
      options.token_file.empty() ? "no authentication" : "bearer tokens",
      server->http_server_
          ? absl::StrCat("on port ", server->http_port(),
                         server->http_server_->tls() ? " (TLS)" : "")
          : std::string("off"),
      options.engine.dir,
      options.replica ? absl::StrCat(" (read replica of ",
                                     options.replica->primary, ")")
                      : std::string(),
      engine.page_size(), FormatLsn(engine.latest_lsn()),
      engine.ListBranches().size(), engine.snapshots().List().size());
  return server;
}

Server::~Server() {
  if (!shut_down_) {
    absl::Status status = Shutdown(absl::ZeroDuration());
    if (!status.ok()) spdlog::error("pitrd: {}", status.ToString());
  }
}

int Server::http_port() const {
  return http_server_ ? http_server_->port() : 0;
}

absl::Status Server::Shutdown(absl::Duration grace) {
  if (shut_down_) return absl::OkStatus();
  shut_down_ = true;
  stopping_ = true;
  // A Start that failed half way leaves only some members made.
  if (grpc_server_) {
    spdlog::info("pitrd: shutting down: no new calls; running calls have {}",
                 absl::FormatDuration(grace));
    grpc_server_->Shutdown(std::chrono::system_clock::now() +
                           absl::ToChronoNanoseconds(grace));
    grpc_server_->Wait();
  }
  blocking_calls_.Wait();
  if (http_server_) http_server_->Stop();
  if (follower_) follower_->Stop();
  if (metrics_) metrics_->Stop();  // its size measurements read the engine
  if (!engine_) return absl::OkStatus();
  const absl::Status closed = engine_->Close();
  if (closed.ok()) {
    spdlog::info("pitrd: store closed at lsn {}",
                 FormatLsn(engine_->latest_lsn()));
  }
  return closed;
}

}  // namespace pitr
