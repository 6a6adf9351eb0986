// pitrd: the pitr server. Serves a store on a local data directory over
// gRPC (proto/*.proto) until SIGTERM or SIGINT, then shuts down cleanly:
// stops accepting calls, lets running ones finish, flushes and closes.
//
//   pitrd --data_dir=./data --listen=127.0.0.1:7400
//
// `pitrd --help` documents every flag.
#include <signal.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "base/duration_flag.h"
#include "base/status_macros.h"
#include "base/version.h"
#include "clients/common/client.h"
#include "clients/common/point.h"
#include "server/logging.h"
#include "server/page_service.h"
#include "server/server.h"
#include "server/service_util.h"
#include "spdlog/spdlog.h"

ABSL_FLAG(std::string, data_dir, "./data",
          "Data directory of the store; created and initialised on first "
          "start.");
ABSL_FLAG(uint32_t, page_size, 8192,
          "Page size in bytes for a new store: a power of two from 512 to "
          "65536. An existing store keeps its own (a different value is "
          "refused).");
ABSL_FLAG(std::string, listen, "127.0.0.1:7400",
          "gRPC listen address, host:port. The default serves loopback only; "
          "use 0.0.0.0:7400 (with --token_file and TLS) to serve a network.");
ABSL_FLAG(std::string, http_listen, "127.0.0.1:7401",
          "Address of the HTTP side: Prometheus metrics at /metrics. It "
          "speaks TLS when --tls_cert is set and asks for the same tokens "
          "as gRPC (--token_file). Empty to turn it off.");
ABSL_FLAG(int32_t, http_threads, 16,
          "Worker threads of the HTTP side: requests served at once.");
ABSL_FLAG(bool, metrics_without_token, false,
          "Serve /metrics without a token even with --token_file (for a "
          "Prometheus that cannot send one).");
ABSL_FLAG(pitr::DurationFlag, default_retention,
          pitr::DurationFlag{absl::Hours(24 * 7)},
          "History kept readable on branches that set no retention of their "
          "own, e.g. 7d, 12h or 30m; once a default is set through "
          "the API (pitrctl retention set --default), the store keeps that "
          "one and this flag no longer applies.");
ABSL_FLAG(pitr::DurationFlag, gc_period, pitr::DurationFlag{absl::Minutes(10)},
          "How often GC runs in the background; 'inf' for never (GC then "
          "runs only when asked).");
ABSL_FLAG(pitr::DurationFlag, max_clock_skew, pitr::DurationFlag{absl::Minutes(1)},
          "Appends whose commit time is more than this ahead of this "
          "machine's clock are refused (OUT_OF_RANGE); 'inf' for no limit.");
ABSL_FLAG(uint64_t, cache_bytes, 256 << 20,
          "Bytes of the cache of hot blocks and page images.");
ABSL_FLAG(uint64_t, hot_page_bytes, 64 << 20,
          "Bytes of whole pages recent reads returned, kept so that the next "
          "read of a hot page skips the page store. 0: none.");
ABSL_FLAG(std::string, token_file, "",
          "File of bearer tokens, one '<admin|read> <token>' per line. When "
          "given, every call needs 'authorization: Bearer <token>'; read "
          "tokens may only read, list and export.");
ABSL_FLAG(std::string, tls_cert, "",
          "TLS certificate chain (PEM). With --tls_key, the server speaks TLS "
          "only.");
ABSL_FLAG(std::string, tls_key, "", "TLS private key (PEM), with --tls_cert.");
ABSL_FLAG(int32_t, max_message_bytes, 64 << 20,
          "Largest request or response message, in bytes.");
ABSL_FLAG(int32_t, max_items_per_request, 1024,
          "Most page keys (GetPages) or records (Append) in one request.");
ABSL_FLAG(pitr::DurationFlag, size_interval,
          pitr::DurationFlag{absl::Minutes(5)},
          "How often the per-branch logical and physical sizes in the "
          "metrics are measured (each time a scan of the whole store); 0 or "
          "'inf' for never.");
ABSL_FLAG(pitr::DurationFlag, watch_lease,
          pitr::DurationFlag{absl::Seconds(2)},
          "Lease of a cached reader (WatchChanges, which the SQLite extension "
          "uses): a change's reply waits at most this long for a watcher that "
          "does not acknowledge it, which is then evicted. Longer: fewer "
          "renewals; shorter: a stalled client holds writers back less.");
ABSL_FLAG(std::string, remote, "",
          "Object storage that keeps the store's history off this machine: "
          "s3://bucket/prefix (AWS S3 or any S3-compatible server) or "
          "file:///dir. Empty: none. See docs/operations.md.");
ABSL_FLAG(std::string, remote_endpoint, "",
          "http(s)://host:port of an S3-compatible server (path-style "
          "addressing); empty: AWS.");
ABSL_FLAG(std::string, remote_region, "us-east-1", "S3 region to sign for.");
ABSL_FLAG(std::string, remote_credentials_file, "",
          "AWS-style credentials file ([default] profile, or $AWS_PROFILE) "
          "read when AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY are not set; "
          "empty: ~/.aws/credentials.");
ABSL_FLAG(pitr::DurationFlag, archive_delay,
          pitr::DurationFlag{absl::Seconds(1)},
          "With --remote: every batch reaches object storage within about "
          "this of its commit.");
ABSL_FLAG(bool, archive_sync, false,
          "With --remote: an append returns only once its batch is in "
          "object storage (no acknowledged batch is lost with the machine); "
          "see --archive_sync_timeout.");
ABSL_FLAG(pitr::DurationFlag, archive_sync_timeout,
          pitr::DurationFlag{absl::Seconds(30)},
          "With --archive_sync: an append whose batch is not in object "
          "storage after this fails with DEADLINE_EXCEEDED (the batch is "
          "committed locally and still goes to object storage).");
ABSL_FLAG(pitr::DurationFlag, backup_every, pitr::DurationFlag{absl::Hours(6)},
          "With --remote: a base backup of the store this long after the "
          "last one (and at the first start with --remote); 0 for only on "
          "demand (pitrctl backup create).");
ABSL_FLAG(bool, restore_from_remote, false,
          "Rebuild the store in the empty --data_dir from --remote before "
          "serving (every branch, snapshot, schedule and setting), at "
          "--restore_at or the latest archived point; the restored store "
          "takes the prefix over (the old server, if it runs, is fenced). "
          "See docs/operations.md.");
ABSL_FLAG(std::string, restore_at, "",
          "With --restore_from_remote: the point to restore to, an LSN "
          "(0/2036) or an RFC 3339 time (2026-11-21T10:00:00Z); empty: the "
          "latest archived point.");
ABSL_FLAG(bool, restore_detached, false,
          "With --restore_from_remote: leave the bucket alone and serve the "
          "restored store without archiving (to test restores while the "
          "store runs).");
ABSL_FLAG(pitr::DurationFlag, local_history,
          pitr::DurationFlag{absl::InfiniteDuration()},
          "With --remote: how much of each branch's past the local disk "
          "keeps (e.g. 1d); older history inside retention is read from the "
          "bucket through a local cache. inf: all of it. See "
          "docs/operations.md, \"History deeper than the local disk\".");
ABSL_FLAG(uint64_t, remote_cache_bytes, uint64_t{1} << 30,
          "With --local_history: disk for the stores built from the bucket "
          "to read older history (the least recently used dropped first).");
ABSL_FLAG(std::string, replica_of, "",
          "Serve as a read replica of the pitrd at HOST:PORT: start from its "
          "bucket (--remote; an empty --data_dir is restored from it), "
          "follow its WAL, serve every read, refuse writes. See "
          "docs/operations.md, \"Read replicas\".");
ABSL_FLAG(std::string, replica_token_file, "",
          "With --replica_of: the token to present to the primary (a file as "
          "pitrctl's --token_file; a read token is enough).");
ABSL_FLAG(std::string, replica_ca_cert, "",
          "With --replica_of: the CA certificate (PEM) of the primary's TLS "
          "certificate; empty: plain text.");
ABSL_FLAG(bool, replica_not_serving_when_lost, false,
          "With --replica_of: report NOT_SERVING for the whole server in "
          "health while the primary is lost (always for "
          "pitr.v1.ReplicationService).");
ABSL_FLAG(std::string, log_level, "info",
          "Least important log lines written: trace, debug, info, warn, "
          "error, critical or off.");
ABSL_FLAG(std::string, log_format, "text",
          "Log lines on stderr as text ('2026-12-04T10:00:00.123456Z [info] "
          "message') or json (one object a line: time, level, logger, "
          "source if any, message).");
ABSL_FLAG(pitr::DurationFlag, shutdown_grace,
          pitr::DurationFlag{absl::Seconds(10)},
          "On SIGTERM or SIGINT, how long running calls may take to finish "
          "before they are cancelled.");

namespace pitr {
namespace {

// --restore_at: an LSN or an RFC 3339 time (as pitrctl takes points);
// empty: the latest.
absl::StatusOr<PointInTime> ParseRestorePoint(const std::string& text) {
  if (text.empty()) return PointInTime{};
  PITR_ASSIGN_OR_RETURN(v1::PointInTime point, clients::ParsePoint(text));
  return ToPoint(point);
}

// Sets up the log lines from --log_level and --log_format; false (after
// saying why on stderr) if either is not a valid value.
bool SetUpLoggingFromFlags() {
  absl::StatusOr<spdlog::level::level_enum> level =
      ParseLogLevel(absl::GetFlag(FLAGS_log_level));
  absl::StatusOr<LogFormat> format =
      ParseLogFormat(absl::GetFlag(FLAGS_log_format));
  for (const auto& [flag, status] :
       {std::make_pair("log_level", level.status()),
        std::make_pair("log_format", format.status())}) {
    if (!status.ok()) {
      std::fprintf(stderr, "pitrd: --%s: %s\n", flag,
                   std::string(status.message()).c_str());
      return false;
    }
  }
  SetUpLogging(*level, *format);
  return true;
}

int Main() {
  if (!SetUpLoggingFromFlags()) return 1;
  // Every thread inherits this mask, so the signals reach only sigwait.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  ServerOptions options;
  options.engine.dir = absl::GetFlag(FLAGS_data_dir);
  options.engine.page_size = absl::GetFlag(FLAGS_page_size);
  options.engine.default_retention.window =
      absl::GetFlag(FLAGS_default_retention).value;
  options.engine.gc_period = absl::GetFlag(FLAGS_gc_period).value;
  options.engine.max_clock_skew = absl::GetFlag(FLAGS_max_clock_skew).value;
  options.engine.cache_bytes = absl::GetFlag(FLAGS_cache_bytes);
  options.engine.hot_page_bytes = absl::GetFlag(FLAGS_hot_page_bytes);
  options.listen_address = absl::GetFlag(FLAGS_listen);
  options.http_address = absl::GetFlag(FLAGS_http_listen);
  options.http_threads = absl::GetFlag(FLAGS_http_threads);
  options.metrics_without_token = absl::GetFlag(FLAGS_metrics_without_token);
  options.token_file = absl::GetFlag(FLAGS_token_file);
  options.tls_cert_file = absl::GetFlag(FLAGS_tls_cert);
  options.tls_key_file = absl::GetFlag(FLAGS_tls_key);
  options.max_message_bytes = absl::GetFlag(FLAGS_max_message_bytes);
  options.max_items_per_request = absl::GetFlag(FLAGS_max_items_per_request);
  options.size_interval = absl::GetFlag(FLAGS_size_interval).value;
  options.watch_lease = absl::GetFlag(FLAGS_watch_lease).value;
  options.remote_url = absl::GetFlag(FLAGS_remote);
  options.remote.endpoint = absl::GetFlag(FLAGS_remote_endpoint);
  options.remote.region = absl::GetFlag(FLAGS_remote_region);
  options.remote.credentials_file =
      absl::GetFlag(FLAGS_remote_credentials_file);
  options.engine.archive_delay = absl::GetFlag(FLAGS_archive_delay).value;
  options.engine.archive_sync = absl::GetFlag(FLAGS_archive_sync);
  options.engine.archive_sync_timeout =
      absl::GetFlag(FLAGS_archive_sync_timeout).value;

  options.engine.backup_every = absl::GetFlag(FLAGS_backup_every).value;
  options.engine.local_history = absl::GetFlag(FLAGS_local_history).value;
  options.engine.remote_cache_bytes = absl::GetFlag(FLAGS_remote_cache_bytes);
  if (absl::GetFlag(FLAGS_restore_from_remote)) {
    RemoteRestoreOptions restore;
    absl::StatusOr<PointInTime> at =
        ParseRestorePoint(absl::GetFlag(FLAGS_restore_at));
    if (!at.ok()) {
      spdlog::critical("pitrd: --restore_at: {}",
                       std::string(at.status().message()));
      return 1;
    }
    restore.at = *at;
    restore.detached = absl::GetFlag(FLAGS_restore_detached);
    options.restore_from_remote = restore;
  } else if (!absl::GetFlag(FLAGS_restore_at).empty() ||
             absl::GetFlag(FLAGS_restore_detached)) {
    spdlog::critical(
        "pitrd: --restore_at and --restore_detached go with "
        "--restore_from_remote");
    return 1;
  }

  if (!absl::GetFlag(FLAGS_replica_of).empty()) {
    ReplicaFollowerOptions replica;
    replica.primary = absl::GetFlag(FLAGS_replica_of);
    replica.ca_cert_path = absl::GetFlag(FLAGS_replica_ca_cert);
    if (!absl::GetFlag(FLAGS_replica_token_file).empty()) {
      absl::StatusOr<std::string> token =
          clients::ReadTokenFile(absl::GetFlag(FLAGS_replica_token_file));
      if (!token.ok()) {
        spdlog::critical("pitrd: --replica_token_file: {}",
                         token.status().ToString());
        return 1;
      }
      replica.token = *token;
    }
    options.replica = replica;
    options.replica_not_serving_when_lost =
        absl::GetFlag(FLAGS_replica_not_serving_when_lost);
  }

  absl::StatusOr<std::unique_ptr<Server>> server = Server::Start(options);
  if (!server.ok()) {
    spdlog::critical("pitrd: cannot start: {}", server.status().ToString());
    return 1;
  }
  int signal = 0;
  sigwait(&signals, &signal);
  spdlog::info("pitrd: {} received", signal == SIGTERM ? "SIGTERM" : "SIGINT");
  absl::Status closed =
      (*server)->Shutdown(absl::GetFlag(FLAGS_shutdown_grace).value);
  if (!closed.ok()) {
    spdlog::critical("pitrd: shutdown failed: {}", closed.ToString());
    return 1;
  }
  spdlog::info("pitrd: stopped");
  return 0;
}

}  // namespace
}  // namespace pitr

int main(int argc, char** argv) {
  pitr::SetPitrdProcessDefaults();
  pitr::SetFlagsVersion("pitrd");
  absl::SetProgramUsageMessage(
      "pitrd: the pitr server. Serves a page store with branches, restore, "
      "snapshots and retention over gRPC.\n\n  pitrd --data_dir=./data "
      "--listen=127.0.0.1:7400\n");
  absl::ParseCommandLine(argc, argv);
  return pitr::Main();
}
