// Server: a running pitrd. Opens the engine on a data directory and serves
// the pitr.v1 services over gRPC (plus the standard health service and
// server reflection), and Prometheus metrics over HTTP.
//
//   PITR_ASSIGN_OR_RETURN(auto server, Server::Start(options));
//   ...                       // until SIGTERM
//   PITR_RETURN_IF_ERROR(server->Shutdown(absl::Seconds(10)));
//
// Shutdown stops accepting calls, lets running calls finish for up to the
// grace period (then cancels them), and closes the engine, which flushes:
// every acknowledged batch is durable before Start returns it to a client,
// and everything is flushed to the page store before Shutdown returns.
//
// Thread-safety: Shutdown may be called from any thread, once.
#ifndef PITR_SERVER_SERVER_H_
#define PITR_SERVER_SERVER_H_

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "engine/engine.h"
#include "engine/remote_restore.h"
#include "remote/remote_options.h"
#include "remote/remote_storage.h"
#include "grpcpp/server.h"
#include "server/auth.h"
#include "server/blocking_calls.h"
#include "server/http_server.h"
#include "server/metrics.h"
#include "server/replica_follower.h"
#include "server/server_metrics.h"
#include "server/watch_hub.h"

namespace pitr {

struct ServerOptions {
  // The store (EngineOptions::dir is the data directory).
  EngineOptions engine;
  // gRPC listen address, host:port. Port 0 picks a free one (see port()).
  std::string listen_address = "127.0.0.1:7400";
  // The HTTP side (server/http_server.h): Prometheus metrics at /metrics.
  // Empty: none. Port 0 picks a free one (see http_port()).
  std::string http_address;
  // Its worker threads (requests served at once).
  int http_threads = 16;
  // /metrics answers without a token even when token_file is set.
  bool metrics_without_token = false;
  // Bearer tokens (server/auth.h); empty: every call is allowed.
  std::string token_file;
  // TLS certificate chain and private key (PEM); both or neither.
  std::string tls_cert_file;
  std::string tls_key_file;
  // Largest request or response message, in bytes.
  int max_message_bytes = 64 << 20;
  // Most keys (GetPages) or records (Append) one request may carry.
  int max_items_per_request = 1024;
  // How often branch sizes are measured for the metrics (a scan of the
  // store: ServerMetrics); zero or infinite: never.
  absl::Duration size_interval = absl::Minutes(5);
  // Object storage that keeps the history off this machine
  // (remote/open_remote_storage.h: s3://bucket/prefix or file:///dir);
  // empty: none. The server opens it and hands it to the engine
  // (EngineOptions::remote; archive_delay and archive_sync are there).
  std::string remote_url;
  remote::RemoteOptions remote;
  // Set: before opening the store, rebuild it in the (empty) data directory
  // from remote_url (engine/remote_restore.h). A detached restore serves
  // without archiving, leaving the bucket and its writer alone.
  std::optional<RemoteRestoreOptions> restore_from_remote;
  // Set: the server is a read replica of that primary
  // (server/replica_follower.h), with remote_url the primary's bucket. A
  // data directory without a store is first restored from the bucket,
  // detached. Write calls are refused naming the primary.
  std::optional<ReplicaFollowerOptions> replica;
  // A replica that lost its primary (ReplicaFollower::primary_lost) says so
  // in health as NOT_SERVING for pitr.v1.ReplicationService; with this set,
  // for the whole server too (so that load balancers send reads elsewhere).
  bool replica_not_serving_when_lost = false;
  // The lease of a cached reader (WatchChanges): how long a change waits
  // for a watcher that does not acknowledge it before evicting it.
  absl::Duration watch_lease = absl::Seconds(2);
};
inline constexpr absl::Duration kMinWatchLease = absl::Milliseconds(100);
inline constexpr absl::Duration kMaxWatchLease = absl::Minutes(10);

// Process-wide settings pitrd runs with. In optimised builds (NDEBUG):
// absl::Mutex deadlock detection off (server.cc says why). pitrd's main
// calls this first thing; a program that embeds a Server and wants to run it
// as pitrd does (server_bench) calls it too. REQUIRES: no absl::Mutex is held
// (call it before starting threads).
void SetPitrdProcessDefaults();

class Server {
 public:
  static absl::StatusOr<std::unique_ptr<Server>> Start(ServerOptions options);

  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;
  // Shuts down (with no grace period) if Shutdown was not called.
  ~Server();

  // The gRPC port and the HTTP port (0 if none).
  int port() const { return port_; }
  int http_port() const;
  Engine& engine() { return *engine_; }

  // Stops serving and closes the store; see the file comment.
  absl::Status Shutdown(absl::Duration grace);

 private:
  Server() = default;

  // Declared before engine_: the engine uses it until it is closed.
  std::unique_ptr<remote::RemoteStorage> remote_;
  std::unique_ptr<Engine> engine_;
  std::unique_ptr<ReplicaFollower> follower_;  // on a replica
  std::unique_ptr<Authorizer> authorizer_;
  std::unique_ptr<WatchHub> watches_;  // on a primary
  Metrics metrics_registry_;
  std::unique_ptr<ServerMetrics> metrics_;
  BlockingCalls blocking_calls_;  // ServiceEnv::blocking_calls
  std::vector<std::unique_ptr<grpc::Service>> services_;
  std::unique_ptr<grpc::Server> grpc_server_;
  std::unique_ptr<HttpServer> http_server_;
  int port_ = 0;
  std::atomic<bool> stopping_{false};  // ServiceEnv::stopping
  bool shut_down_ = false;
};

}  // namespace pitr

#endif  // PITR_SERVER_SERVER_H_
