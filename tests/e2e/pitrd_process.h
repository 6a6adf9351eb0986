// PitrdProcess: the real pitrd binary, run as a child process for
// end-to-end tests and benchmarks.
//
//   PitrdOptions options;
//   options.flags = {"--gc_period=inf"};
//   absl::StatusOr<std::unique_ptr<PitrdProcess>> pitrd =
//       PitrdProcess::Start(options);
//   ASSERT_TRUE(pitrd.ok()) << pitrd.status();
//   PitrClient client((*pitrd)->NewChannel());
//   auto context = CallContext();
//   client.pages->GetStoreInfo(context.get(), request, &info);
//   absl::StatusOr<int> exit_code = (*pitrd)->Stop();  // SIGTERM
//   ASSERT_TRUE((*pitrd)->Restart().ok());             // same data dir
//
// The binary comes from the test's runfiles (a test that uses this library
// lists `data = ["//server:pitrd"]`). Each start picks a free loopback port,
// turns the metrics endpoint off (so parallel tests do not collide on its
// fixed default port) and appends the caller's flags, which override those
// defaults. Start and Restart return once the server answers gRPC calls.
//
// pitrd's stdout and stderr go to a log file, in TEST_UNDECLARED_OUTPUTS_DIR
// when Bazel runs the test (so it is kept) and in the data dir's parent
// otherwise. The destructor kills a server still running and, if the
// current GoogleTest test has failed, prints the log.
//
// Thread-safety: a PitrdProcess is used from one thread (channels and stubs
// made from it may be used from any thread).
#ifndef PITR_TESTS_E2E_PITRD_PROCESS_H_
#define PITR_TESTS_E2E_PITRD_PROCESS_H_

#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "grpcpp/channel.h"
#include "grpcpp/client_context.h"
#include "grpcpp/security/credentials.h"
#include "proto/backup_service.grpc.pb.h"
#include "proto/branch_service.grpc.pb.h"
#include "proto/page_service.grpc.pb.h"
#include "proto/replication_service.grpc.pb.h"
#include "proto/retention_service.grpc.pb.h"
#include "proto/snapshot_service.grpc.pb.h"
#include "proto/wal_service.grpc.pb.h"

namespace pitr::e2e {

struct PitrdOptions {
  // Extra pitrd flags ("--name=value"), after (so overriding) the defaults
  // --data_dir, --listen and --http_listen=.
  std::vector<std::string> flags;
  // The data directory. Empty: a new directory under TEST_TMPDIR (or the
  // system's temp dir).
  std::string data_dir;
  // Channel credentials of clients (TLS); null: plaintext.
  std::shared_ptr<grpc::ChannelCredentials> credentials;
  // With credentials: the name the server's certificate is for, if not
  // 127.0.0.1. Clients always connect to 127.0.0.1 (no name lookup).
  std::string tls_server_name;
  // How long Start and Restart wait for the server to answer.
  absl::Duration start_timeout = absl::Seconds(60);
};

class PitrdProcess {
 public:
  // Starts pitrd and waits until it serves. FAILED_PRECONDITION with the
  // log's tail if it exits first, DEADLINE_EXCEEDED if it does not answer
  // within options.start_timeout.
  static absl::StatusOr<std::unique_ptr<PitrdProcess>> Start(
      PitrdOptions options);

  PitrdProcess(const PitrdProcess&) = delete;
  PitrdProcess& operator=(const PitrdProcess&) = delete;
  ~PitrdProcess();

  // Sends SIGTERM and waits up to `timeout` for the exit; returns the exit
  // code (128 + signal if a signal ended it). DEADLINE_EXCEEDED (and the
  // process is then killed) if it does not exit in time.
  absl::StatusOr<int> Stop(absl::Duration timeout = absl::Seconds(60));
  // Sends SIGKILL and reaps the process.
  void Kill();
  // Starts pitrd again on the same data directory, with the same flags, on
  // a new free port. REQUIRES: the server is not running.
  absl::Status Restart();
  // The same on the port it had, as an operator restarts a server under
  // running clients (which reconnect to the address they know). Tries for
  // up to options.start_timeout while the port is not free yet.
  absl::Status RestartOnSamePort();

  bool running() const { return pid_ > 0; }
  pid_t pid() const { return pid_; }
  int port() const { return port_; }
  // "127.0.0.1:port" for clients.
  std::string address() const;
  const std::string& data_dir() const { return options_.data_dir; }
  const std::string& log_path() const { return log_path_; }
  // Everything pitrd has logged since the first start.
  std::string Log() const;
  // The port of the HTTP side as this run's startup line names it ("HTTP on
  // port N"), or 0 when it is off.
  int http_port() const { return http_port_; }

  // A new channel to the server, with the options' credentials.
  std::shared_ptr<grpc::Channel> NewChannel() const;

 private:
  explicit PitrdProcess(PitrdOptions options);
  // Starts the process listening on `port` (0: a free one).
  absl::Status Spawn(int port);
  // Waits until pitrd answers on gRPC and has logged its startup line
  // (written once every listener, HTTP included, is up).
  absl::Status WaitUntilServing();
  // True once this run's startup line is in the log; sets http_port_.
  bool ReadStartupLine();
  // Reaps the child if it has exited; true then, with its exit code.
  bool Reap(bool block, int* exit_code);

  PitrdOptions options_;
  std::string log_path_;
  pid_t pid_ = -1;
  int port_ = 0;
  int http_port_ = 0;
  // Where this run's part of the log starts.
  size_t log_start_ = 0;
};

// One stub of each pitr.v1 service, on one channel.
struct PitrClient {
  explicit PitrClient(const std::shared_ptr<grpc::Channel>& channel);

  std::unique_ptr<v1::BranchService::Stub> branches;
  std::unique_ptr<v1::WalService::Stub> wal;
  std::unique_ptr<v1::PageService::Stub> pages;
  std::unique_ptr<v1::SnapshotService::Stub> snapshots;
  std::unique_ptr<v1::RetentionService::Stub> retention;
  std::unique_ptr<v1::BackupService::Stub> backups;
  std::unique_ptr<v1::ReplicationService::Stub> replication;
};

// A context for one call: a deadline `timeout` from now and, unless
// `token` is empty, "authorization: Bearer <token>".
std::unique_ptr<grpc::ClientContext> CallContext(
    const std::string& token = "", absl::Duration timeout = absl::Seconds(30));

// "CODE: message" of a status, for test failure messages.
std::string Describe(const grpc::Status& status);

}  // namespace pitr::e2e

#endif  // PITR_TESTS_E2E_PITRD_PROCESS_H_
