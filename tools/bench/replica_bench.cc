// Read replicas, against one S3 server, in one run (figures in
// docs/performance.md, "Read replicas"). A primary and two replicas run as
// pitrd does, in this process (Server::Start, loopback TCP; every call goes
// through gRPC), the replicas restored from the primary's bucket:
//   1. Replica lag under a steady ingest of --ingest_batches_per_s batches
//      (one 8 KiB page each, Append through the API) for --lag_seconds:
//      for each batch, the time from its Append returning on the primary
//      to each replica holding it; p50 and p99.
//   2. Read throughput: --read_clients client threads calling GetPages
//      (--batch_keys random pages of --data_mib at the latest LSN) for
//      --read_seconds against the primary alone, then spread over the
//      primary and the two replicas; pages/s of each, and the machine's
//      cores (every server shares them).
//   3. History deeper than the local disk (an Engine in this process):
//      --history_hours of history (--history_mib of page writes, commit
//      times spread over the window) written to two stores, one with
//      --local_history=1h and one without, a base backup at the start and
//      at the end, GC with compaction: the local disk bytes of each.
//   4. Reads of the store with --local_history: the first read of a point
//      older than an hour (it fetches a backup and WAL from the bucket),
//      then --cold_reads reads of random pages at such points (warm: from
//      the cache), against the same reads at points inside the hour
//      (local); p50 and p99 of each.
// Object storage as remote_bench takes it (tools/bench/bench_remote.h):
//   tools/dev/s3_server.sh start
//   eval "$(tools/dev/s3_server.sh env | sed 's/^/export /')"
//   bazel run -c opt //tools/bench:replica_bench
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "base/file_system.h"
#include "base/status_macros.h"
#include "grpcpp/grpcpp.h"
#include "proto/page_service.grpc.pb.h"
#include "proto/status_util.h"
#include "proto/wal_service.grpc.pb.h"
#include "remote/open_remote_storage.h"
#include "engine/engine.h"
#include "server/server.h"
#include "tools/bench/bench_remote.h"
#include "tools/bench/bench_util.h"

ABSL_FLAG(int, data_mib, 64, "Pages loaded before the replicas start.");
ABSL_FLAG(double, ingest_batches_per_s, 200, "1: steady ingest rate.");
ABSL_FLAG(double, lag_seconds, 10, "1: how long the ingest lasts.");
ABSL_FLAG(int, read_clients, 8, "2: client threads.");
ABSL_FLAG(int, batch_keys, 32, "2: pages per GetPages call.");
ABSL_FLAG(double, read_seconds, 5, "2: measured seconds per side.");
ABSL_FLAG(double, history_hours, 3, "3: the window of history written.");
ABSL_FLAG(int, history_mib, 64, "3: page writes over that window.");
ABSL_FLAG(int, cold_reads, 2000, "4: reads of each kind.");
ABSL_FLAG(std::string, dir, "",
          "Parent directory of the scratch directory (replica_bench.XXXXXX, "
          "deleted at the end). Default: $TEST_TMPDIR, else $TMPDIR, else "
          "/tmp.");

namespace pitr {
namespace {

using Clock = std::chrono::steady_clock;
constexpr uint32_t kPageSize = 8192;
constexpr uint32_t kReadSpace = 1;
constexpr uint32_t kIngestSpace = 2;


absl::Status FromGrpc(const grpc::Status& status) {
  return FromGrpcStatus(status);
}

struct Stubs {
  std::unique_ptr<v1::PageService::Stub> pages;
  std::unique_ptr<v1::WalService::Stub> wal;
};

// Stubs on a channel of its own (its own TCP connection).
Stubs Connect(int port) {
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(64 << 20);
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  auto channel = grpc::CreateCustomChannel(absl::StrCat("127.0.0.1:", port),
                                           grpc::InsecureChannelCredentials(),
                                           args);
  return {v1::PageService::NewStub(channel), v1::WalService::NewStub(channel)};
}

ServerOptions OptionsFor(const std::string& dir,
                         const bench::BenchRemote& remote) {
  ServerOptions options;
  options.engine.dir = dir;
  options.engine.page_size = kPageSize;
  options.engine.backup_every = absl::ZeroDuration();
  options.listen_address = "127.0.0.1:0";
  options.size_interval = absl::ZeroDuration();
  options.remote_url = remote.url;
  options.remote = remote.options;
  return options;
}

// --data_mib of pages in kReadSpace, a batch of 32 per Append.
absl::Status Load(Stubs& primary, uint32_t pages) {
  const std::string pool = bench::RandomPool(1 << 20, 1);
  v1::AppendRequest request;
  for (uint32_t page = 0; page < pages; ++page) {
    v1::WalRecord::PageImage* image = request.add_records()->mutable_image();
    image->mutable_key()->set_space(kReadSpace);
    image->mutable_key()->set_page(page);
    image->set_data(pool.substr((page * 4099) % (pool.size() - kPageSize),
                                kPageSize));
    if (request.records_size() == 32 || page + 1 == pages) {
      grpc::ClientContext context;
      v1::AppendResponse response;
      PITR_RETURN_IF_ERROR(
          FromGrpc(primary.wal->Append(&context, request, &response)));
      request.Clear();
    }
  }
  return absl::OkStatus();
}

absl::Status Lag(Stubs& primary, const std::vector<Server*>& replicas) {
  const double rate = absl::GetFlag(FLAGS_ingest_batches_per_s);
  const int batches =
      static_cast<int>(rate * absl::GetFlag(FLAGS_lag_seconds));
  struct Sent {
    Lsn commit;
    Clock::time_point at;
  };
  std::vector<Sent> sent(batches);
  std::atomic<int> sent_count{0};
  std::vector<std::vector<int64_t>> lags(replicas.size());
  std::vector<std::thread> watchers;
  for (size_t r = 0; r < replicas.size(); ++r) {
    watchers.emplace_back([&, r] {
      for (int i = 0; i < batches; ++i) {
        while (sent_count.load() <= i) std::this_thread::yield();
        absl::Status held = replicas[r]->engine().WaitForLsn(
            sent[i].commit, absl::Now() + absl::Seconds(60));
        if (!held.ok()) return;
        lags[r].push_back(std::chrono::duration_cast<std::chrono::microseconds>(
                              Clock::now() - sent[i].at)
                              .count());
      }
    });
  }
  const std::string page(kPageSize, 'i');
  const Clock::time_point start = Clock::now();
  absl::Status status;
  for (int i = 0; i < batches && status.ok(); ++i) {
    std::this_thread::sleep_until(
        start + std::chrono::microseconds(static_cast<int64_t>(i * 1e6 / rate)));
    v1::AppendRequest request;
    v1::WalRecord::PageImage* image = request.add_records()->mutable_image();
    image->mutable_key()->set_space(kIngestSpace);
    image->mutable_key()->set_page(i % 1024);
    image->set_data(page);
    grpc::ClientContext context;
    v1::AppendResponse response;
    status = FromGrpc(primary.wal->Append(&context, request, &response));
    sent[i] = {response.commit_lsn(), Clock::now()};
    sent_count = i + 1;
  }
  if (!status.ok()) sent_count = batches;  // release the watchers
  for (std::thread& t : watchers) t.join();
  PITR_RETURN_IF_ERROR(status);
  absl::PrintF(
      "1. replica lag, %d batches at %.0f/s (one 8 KiB page each), from the "
      "primary's Append returning to the replica holding the batch:\n",
      batches, rate);
  for (size_t r = 0; r < replicas.size(); ++r) {
    if (lags[r].size() != static_cast<size_t>(batches)) {
      return absl::InternalError("a replica did not receive every batch");
    }
    absl::PrintF("   replica %d: p50 %.2f ms  p99 %.2f ms  max %.2f ms\n",
                 static_cast<int>(r + 1), bench::Percentile(lags[r], 0.5) / 1e3,
                 bench::Percentile(lags[r], 0.99) / 1e3,
                 bench::Percentile(lags[r], 1.0) / 1e3);
  }
  return absl::OkStatus();
}

// Pages/s of --read_clients threads calling GetPages, thread t on
// servers[t % servers.size()].
absl::StatusOr<double> Reads(const std::vector<int>& ports, uint32_t pages) {
  const int clients = absl::GetFlag(FLAGS_read_clients);
  const int keys = absl::GetFlag(FLAGS_batch_keys);
  const absl::Duration window = absl::Seconds(absl::GetFlag(FLAGS_read_seconds));
  std::vector<uint64_t> read(clients);
  std::vector<absl::Status> errors(clients);
  const absl::Time begin = absl::Now() + absl::Milliseconds(300);  // warm-up
  const absl::Time end = begin + window;
  std::vector<std::thread> threads;
  for (int t = 0; t < clients; ++t) {
    threads.emplace_back([&, t] {
      Stubs stubs = Connect(ports[t % ports.size()]);
      std::mt19937 random(t);
      v1::GetPagesRequest request;
      for (int k = 0; k < keys; ++k) {
        request.add_keys()->set_space(kReadSpace);
      }
      v1::GetPagesResponse response;
      while (absl::Now() < end) {
        for (int k = 0; k < keys; ++k) {
          request.mutable_keys(k)->set_page(random() % pages);
        }
        grpc::ClientContext context;
        grpc::Status status = stubs.pages->GetPages(&context, request, &response);
        if (!status.ok()) {
          errors[t] = FromGrpc(status);
          return;
        }
        const absl::Time now = absl::Now();
        if (now >= begin && now <= end) read[t] += response.results_size();
      }
    });
  }
  for (std::thread& t : threads) t.join();
  for (const absl::Status& e : errors) PITR_RETURN_IF_ERROR(e);
  uint64_t total = 0;
  for (uint64_t n : read) total += n;
  return total / absl::ToDoubleSeconds(window);
}

// 3 and 4: a store of --history_hours of history, with or without
// --local_history=1h. Returns the engine (closed by the caller) and the
// commit LSN of each batch.
struct HistoryStore {
  std::unique_ptr<remote::RemoteStorage> bucket;  // declared first: outlives
  std::unique_ptr<Engine> engine;
  std::vector<Lsn> commits;
  std::vector<int64_t> times_us;
};

absl::StatusOr<HistoryStore> WriteHistory(const std::string& dir,
                                          const bench::BenchRemote& remote,
                                          bool tiered) {
  HistoryStore store;
  PITR_ASSIGN_OR_RETURN(store.bucket,
                        remote::OpenRemoteStorage(remote.url, remote.options));
  EngineOptions options;
  options.dir = dir;
  options.page_size = kPageSize;
  options.remote = store.bucket.get();
  options.gc_period = absl::InfiniteDuration();
  options.local_history =
      tiered ? absl::Hours(1) : absl::InfiniteDuration();
  PITR_ASSIGN_OR_RETURN(store.engine, Engine::Open(options));
  Engine& engine = *store.engine;
  PITR_RETURN_IF_ERROR(engine.backups().Create().status());
  const std::string pool = bench::RandomPool(1 << 20, 3);
  const int pages_written =
      absl::GetFlag(FLAGS_history_mib) * (1 << 20) / kPageSize;
  const int per_batch = 16;
  const int batches = pages_written / per_batch;
  const absl::Duration window =
      absl::Seconds(absl::GetFlag(FLAGS_history_hours) * 3600);
  const absl::Time start = absl::Now() - window;
  std::mt19937 random(11);
  for (int b = 0; b < batches; ++b) {
    WalBatch batch(kMainTimeline);
    for (int p = 0; p < per_batch; ++p) {
      const uint32_t page = random() % 1024;  // 8 MiB of pages, rewritten
      PITR_RETURN_IF_ERROR(batch.PutPageImage(
          {kReadSpace, page},
          absl::string_view(pool).substr(random() % (pool.size() - kPageSize),
                                         kPageSize)));
    }
    const int64_t at_us = absl::ToUnixMicros(start + window * b / batches);
    batch.SetTimestamp(at_us);
    PITR_ASSIGN_OR_RETURN(AppendResult appended, engine.Append(batch));
    store.commits.push_back(appended.commit_lsn);
    store.times_us.push_back(at_us);
  }
  PITR_RETURN_IF_ERROR(engine.backups().Create().status());
  PITR_RETURN_IF_ERROR(engine.gc().Run(/*compact=*/true).status());
  return store;
}

absl::Status History(const std::string& scratch,
                     const bench::BenchRemote& remote) {
  uint64_t bytes[2] = {0, 0};
  HistoryStore tiered;
  for (int tiered_side = 0; tiered_side < 2; ++tiered_side) {
    const std::string name = tiered_side ? "tiered" : "whole";
    bench::BenchRemote prefix = remote;
    prefix.url = absl::StrCat(remote.url, "-", name);
    PITR_ASSIGN_OR_RETURN(
        HistoryStore store,
        WriteHistory(JoinPath(scratch, name), prefix, tiered_side == 1));
    bytes[tiered_side] = store.engine->stats().store_bytes;
    if (tiered_side == 1) {
      tiered = std::move(store);
    } else {
      PITR_RETURN_IF_ERROR(store.engine->Close());
      PITR_RETURN_IF_ERROR(bench::DeleteAll(store.bucket.get(), ""));
    }
  }
  absl::PrintF(
      "\n3. local disk (page store) after GC, %.0f h of history (%d MiB of "
      "page writes over 8 MiB of pages), 7 d retention:\n"
      "   without --local_history:    %.1f MiB\n"
      "   --local_history=1h:         %.1f MiB (%.2fx)\n",
      absl::GetFlag(FLAGS_history_hours), absl::GetFlag(FLAGS_history_mib),
      bytes[0] / 1048576.0, bytes[1] / 1048576.0,
      static_cast<double>(bytes[1]) / bytes[0]);

  // 4. Reads at points older than the hour (cold) and inside it (local).
  Engine& engine = *tiered.engine;
  const int64_t hour_ago = absl::ToUnixMicros(absl::Now() - absl::Hours(1));
  std::vector<Lsn> cold_points, local_points;
  for (size_t i = 0; i < tiered.commits.size(); ++i) {
    (tiered.times_us[i] < hour_ago - 60'000'000 ? cold_points : local_points)
        .push_back(tiered.commits[i]);
  }
  std::mt19937 random(5);
  auto time_read = [&](const std::vector<Lsn>& points) -> absl::StatusOr<int64_t> {
    const Lsn lsn = points[random() % points.size()];
    const Clock::time_point t0 = Clock::now();
    absl::StatusOr<std::string> page =
        engine.GetPage(kMainBranch,
                       {kReadSpace, static_cast<uint32_t>(random() % 1024)}, lsn);
    if (!page.ok() && !absl::IsNotFound(page.status())) return page.status();
    return std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() -
                                                                 t0)
        .count();
  };
  PITR_ASSIGN_OR_RETURN(int64_t first, time_read(cold_points));
  const ColdHistoryStats fetched = engine.stats().cold;
  std::vector<int64_t> warm, local;
  for (int i = 0; i < absl::GetFlag(FLAGS_cold_reads); ++i) {
    PITR_ASSIGN_OR_RETURN(int64_t w, time_read(cold_points));
    warm.push_back(w);
    PITR_ASSIGN_OR_RETURN(int64_t l, time_read(local_points));
    local.push_back(l);
  }
  absl::PrintF(
      "\n4. GetPage (in process) at a point older than the hour:\n"
      "   first read (fetches %.1f MiB from the bucket): %.1f ms\n"
      "   warm (the cache):    p50 %.0f us  p99 %.0f us\n"
      "   local (inside the hour): p50 %.0f us  p99 %.0f us  (warm / local "
      "p50: %.2fx)\n",
      fetched.bytes_fetched / 1048576.0, first / 1e3,
      bench::Percentile(warm, 0.5), bench::Percentile(warm, 0.99),
      bench::Percentile(local, 0.5), bench::Percentile(local, 0.99),
      bench::Percentile(warm, 0.5) / bench::Percentile(local, 0.5));
  if (engine.stats().cold.stores_built != fetched.stores_built) {
    return absl::InternalError("warm reads fetched from the bucket again");
  }
  PITR_RETURN_IF_ERROR(engine.Close());
  PITR_RETURN_IF_ERROR(bench::DeleteAll(tiered.bucket.get(), ""));
  return absl::OkStatus();
}

absl::Status Run(const std::string& scratch) {
  PITR_ASSIGN_OR_RETURN(
      bench::BenchRemote remote,
      bench::BenchRemoteFor("replica_bench"));
  absl::PrintF("remote %s; %u cores shared by the primary, the replicas and "
               "the clients\n\n",
               remote.url, std::thread::hardware_concurrency());
  PITR_ASSIGN_OR_RETURN(
      std::unique_ptr<Server> primary,
      Server::Start(OptionsFor(JoinPath(scratch, "primary"), remote)));
  Stubs to_primary = Connect(primary->port());
  const uint32_t pages =
      static_cast<uint32_t>(absl::GetFlag(FLAGS_data_mib)) * (1 << 20) /
      kPageSize;
  PITR_RETURN_IF_ERROR(Load(to_primary, pages));
  PITR_RETURN_IF_ERROR(primary->engine().backups().Create().status());

  std::vector<std::unique_ptr<Server>> replicas;
  std::vector<Server*> replica_ptrs;
  for (int r = 1; r <= 2; ++r) {
    ServerOptions options =
        OptionsFor(JoinPath(scratch, absl::StrCat("replica", r)), remote);
    ReplicaFollowerOptions follow;
    follow.primary = absl::StrCat("127.0.0.1:", primary->port());
    options.replica = follow;
    const absl::Time started = absl::Now();
    PITR_ASSIGN_OR_RETURN(std::unique_ptr<Server> replica,
                          Server::Start(options));
    absl::PrintF("replica %d: restored from the bucket and serving in %s\n", r,
                 absl::FormatDuration(absl::Now() - started));
    replica_ptrs.push_back(replica.get());
    replicas.push_back(std::move(replica));
  }
  absl::PrintF("\n");
  PITR_RETURN_IF_ERROR(Lag(to_primary, replica_ptrs));

  PITR_ASSIGN_OR_RETURN(double alone, Reads({primary->port()}, pages));
  PITR_ASSIGN_OR_RETURN(
      double spread, Reads({primary->port(), replicas[0]->port(),
                            replicas[1]->port()},
                           pages));
  absl::PrintF(
      "\n2. GetPages (%d keys, %d clients, %u pages at the latest LSN):\n"
      "   primary alone:          %.0f pages/s\n"
      "   primary + 2 replicas:   %.0f pages/s (%.2fx)\n",
      absl::GetFlag(FLAGS_batch_keys), absl::GetFlag(FLAGS_read_clients),
      pages, alone, spread, spread / alone);

  for (auto& replica : replicas) {
    PITR_RETURN_IF_ERROR(replica->Shutdown(absl::Seconds(5)));
  }
  PITR_RETURN_IF_ERROR(primary->Shutdown(absl::Seconds(5)));
  PITR_ASSIGN_OR_RETURN(std::unique_ptr<remote::RemoteStorage> storage,
                        remote::OpenRemoteStorage(remote.url, remote.options));
  PITR_RETURN_IF_ERROR(bench::DeleteAll(storage.get(), ""));
  return History(scratch, remote);
}

}  // namespace
}  // namespace pitr

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  pitr::SetPitrdProcessDefaults();
  const auto start = std::chrono::steady_clock::now();
  absl::StatusOr<std::string> scratch =
      pitr::bench::MakeScratchDir(absl::GetFlag(FLAGS_dir), "replica_bench");
  if (!scratch.ok()) {
    absl::FPrintF(stderr, "replica_bench: %s\n", scratch.status().ToString());
    return 1;
  }
  absl::Status status = pitr::Run(*scratch);
  return pitr::bench::Finish("replica_bench", *scratch, false, status, start);
}
