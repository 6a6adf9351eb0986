// server_bench: what the gRPC API costs on top of the engine. One pitrd runs
// in this process (Server::Start, port 0, 127.0.0.1): every call still goes
// through gRPC's client and server stacks over loopback TCP; the in-process
// figures call the same Engine directly, in the same run, for the ratios.
//
//   bazel run -c opt //server:server_bench [-- --dir=/path]
//
// 0. Load: --data_mib of page images (--page_size bytes, content derived
//    from the page number) written to main through AppendStream,
//    --load_batch_pages records per batch; then Engine::Flush.
// 1. Reads at the latest LSN, uniform random pages of the loaded set: for
//    each --clients count, single GetPage calls and batched GetPages calls
//    (--batch_keys keys each), through the API with one channel (one TCP
//    connection) per client thread, then with one channel shared by all
//    threads (--shared_channel), then in-process (Engine::GetPage,
//    Engine::GetPages) with the same threads. Each point runs
//    --warmup + --seconds; calls are counted and timed in the --seconds
//    window only. CPU: process CPU (getrusage) over the window, and the
//    client threads' own CPU (RUSAGE_THREAD); the rest is the server's
//    (gRPC's threads and the handlers). Every page read is checked for its
//    size and its stamp (the page number in its first 8 bytes).
// 2. Append: for each --append_clients count, each client appends batches of
//    --append_records page images to main (space 2) for --append_seconds,
//    with Append calls, then with Engine::Append in-process (a WalBatch
//    built per batch, as a client of the library would), in --rounds rounds,
//    the order flipped every round. Then AppendStream the same way. Ratios:
//    total = ratio of the totals, med = median over rounds of the ratio
//    within a round (the target is judged on med, as in wal_bench, because
//    the disk's speed drifts).
// 3. CreateBranch(new name, main, latest) through the API and
//    Engine::CreateBranch in-process, --branch_ops of each, one at a time,
//    alternating in --rounds rounds.
//
// EngineOptions are the defaults (SyncPolicy::kEveryBatch, as in
// production) with --page_size. Scratch data goes to a fresh
// server_bench.XXXXXX under --dir, deleted at the end.
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <functional>
#include <memory>
#include <random>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "base/status_macros.h"
#include "engine/engine.h"
#include "grpcpp/grpcpp.h"
#include "proto/branch_service.grpc.pb.h"
#include "proto/page_service.grpc.pb.h"
#include "proto/status_util.h"
#include "proto/wal_service.grpc.pb.h"
#include "server/server.h"
#include "spdlog/spdlog.h"
#include "tools/bench/bench_util.h"
#include "tools/bench/closed_loop.h"
#include "wal/batch.h"

ABSL_FLAG(std::string, dir, "",
          "Parent directory of the scratch directory (a fresh "
          "server_bench.XXXXXX is made under it and deleted at the end). "
          "Default: $TEST_TMPDIR, else $TMPDIR, else /tmp.");
ABSL_FLAG(int, data_mib, 128, "Page data loaded on main before the reads.");
ABSL_FLAG(int, page_size, 8192, "Store page size in bytes.");
ABSL_FLAG(int, load_batch_pages, 32, "Load: page images per batch.");
ABSL_FLAG(std::vector<std::string>, clients,
          std::vector<std::string>({"1", "8", "64"}),
          "Reads: concurrent client threads.");
ABSL_FLAG(int, batch_keys, 32, "Reads: keys per GetPages call.");
ABSL_FLAG(bool, shared_channel, true,
          "Reads: also measure with one channel shared by all threads.");
ABSL_FLAG(double, seconds, 2.0, "Reads: measured seconds per point.");
ABSL_FLAG(double, warmup, 0.3,
          "Seconds of unmeasured calls before each "
          "read point.");
ABSL_FLAG(std::vector<std::string>, append_clients,
          std::vector<std::string>({"1", "8"}),
          "Append: concurrent client threads.");
ABSL_FLAG(int, append_records, 4, "Append: page images per batch.");
ABSL_FLAG(double, append_seconds, 1.0, "Append: seconds per side per round.");
ABSL_FLAG(int, rounds, 4,
          "Append and CreateBranch: rounds, order flipped "
          "every round.");
ABSL_FLAG(int, branch_ops, 200, "CreateBranch: calls of each side.");
ABSL_FLAG(bool, deadlock_detection, false,
          "absl::Mutex deadlock detection (gRPC's locks use it). false: as "
          "pitrd runs (SetPitrdProcessDefaults: off in optimised builds). "
          "true: left as Debian's Abseil has it (on), to measure what it "
          "costs.");

namespace pitr {
namespace {

using bench::Call;
using bench::ClosedLoop;
using bench::CpuSeconds;
using bench::LoadAvg;
using bench::Nanos;
using bench::ParseList;
using bench::Percentile;
using bench::Point;
using bench::Seconds;

using Clock = std::chrono::steady_clock;

constexpr double kMiB = 1 << 20;
constexpr uint32_t kReadSpace = 1;
constexpr uint32_t kAppendSpace = 2;
// Pages the appends cycle through.
constexpr uint32_t kAppendPages = 4096;
// Targets (docs/performance.md).
constexpr double kGetPageP99TargetUs = 200;
constexpr int kGetPageP99Clients = 8;
constexpr double kBatchedPagesTarget = 50000;
constexpr double kAppendRatioTarget = 0.7;

std::string PassMiss(bool ok) { return ok ? "PASS" : "MISS"; }

// Page `page`'s content: a splitmix64 stream seeded by it, with the page
// number in the first 8 bytes (what the readers check).
void FillPage(uint64_t page, size_t size, std::string* out) {
  out->resize(size);
  uint64_t x = page * 0x9E3779B97F4A7C15u + 1;
  for (size_t i = 8; i + 8 <= size; i += 8) {
    x += 0x9E3779B97F4A7C15u;
    uint64_t z = x;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
    z ^= z >> 31;
    std::memcpy(&(*out)[i], &z, 8);
  }
  std::memcpy(&(*out)[0], &page, 8);
}

bool Stamped(const std::string& data, uint32_t page, size_t size) {
  uint64_t stamp;
  if (data.size() != size) return false;
  std::memcpy(&stamp, data.data(), 8);
  return stamp == page;
}

absl::Status FromGrpc(const grpc::Status& s, absl::string_view call) {
  absl::Status status = FromGrpcStatus(s);
  if (status.ok()) return status;
  return absl::Status(status.code(),
                      absl::StrCat(call, ": ", status.message()));
}

// ------------------------------------------------------------- clients

struct Stubs {
  std::shared_ptr<grpc::Channel> channel;
  std::unique_ptr<v1::PageService::Stub> pages;
  std::unique_ptr<v1::WalService::Stub> wal;
  std::unique_ptr<v1::BranchService::Stub> branches;
};

// A channel to `target`. `own_connection`: a subchannel pool of its own, so
// the channel opens its own TCP connection (channels with equal arguments
// otherwise share one).
absl::StatusOr<Stubs> Connect(const std::string& target, bool own_connection) {
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(64 << 20);
  args.SetMaxSendMessageSize(64 << 20);
  if (own_connection) args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  Stubs s;
  s.channel = grpc::CreateCustomChannel(
      target, grpc::InsecureChannelCredentials(), args);
  if (!s.channel->WaitForConnected(std::chrono::system_clock::now() +
                                   std::chrono::seconds(10))) {
    return absl::UnavailableError(absl::StrCat("cannot connect to ", target));
  }
  s.pages = v1::PageService::NewStub(s.channel);
  s.wal = v1::WalService::NewStub(s.channel);
  s.branches = v1::BranchService::NewStub(s.channel);
  return s;
}

// ------------------------------------------------------------------ setup

struct Bench {
  std::unique_ptr<Server> server;
  std::string target;
  size_t page_size = 0;
  uint32_t pages = 0;  // loaded in kReadSpace
  // Channel i: its own connection; shared: one for everybody.
  std::vector<Stubs> own;
  Stubs shared;
};

absl::Status Load(Bench* b) {
  const int batch_pages = absl::GetFlag(FLAGS_load_batch_pages);
  grpc::ClientContext context;
  v1::AppendStreamResponse response;
  std::unique_ptr<grpc::ClientWriter<v1::AppendRequest>> writer =
      b->shared.wal->AppendStream(&context, &response);
  v1::AppendRequest request;
  std::string page;
  const Clock::time_point start = Clock::now();
  for (uint32_t p = 0; p < b->pages;) {
    request.Clear();
    for (int i = 0; i < batch_pages && p < b->pages; ++i, ++p) {
      v1::WalRecord::PageImage* image = request.add_records()->mutable_image();
      image->mutable_key()->set_space(kReadSpace);
      image->mutable_key()->set_page(p);
      FillPage(p, b->page_size, image->mutable_data());
    }
    if (!writer->Write(request)) break;  // Finish says why
  }
  writer->WritesDone();
  PITR_RETURN_IF_ERROR(FromGrpc(writer->Finish(), "AppendStream (load)"));
  const double load_s = Seconds(Clock::now() - start);
  const Clock::time_point f0 = Clock::now();
  PITR_RETURN_IF_ERROR(b->server->engine().Flush());
  absl::PrintF(
      "0. Load: %d pages (%.0f MiB) on main through AppendStream, %d per "
      "batch: %.1f s, %.0f MiB/s;\n   %d batches acknowledged; then "
      "Engine::Flush %.1f s.\n",
      b->pages, b->pages * b->page_size / kMiB, batch_pages, load_s,
      b->pages * b->page_size / kMiB / load_s, response.batches(),
      Seconds(Clock::now() - f0));
  return absl::OkStatus();
}

// -------------------------------------------------------------- 1. reads

enum class Via { kOwnChannel, kSharedChannel, kInProcess };

const char* ViaName(Via via) {
  switch (via) {
    case Via::kOwnChannel:
      return "gRPC own";
    case Via::kSharedChannel:
      return "gRPC shared";
    case Via::kInProcess:
      return "in-process";
  }
  return "?";
}

// Per-thread state of a read point.
struct Reader {
  std::mt19937_64 rng;
  v1::GetPageRequest one;
  v1::Page page;
  v1::GetPagesRequest many;
  v1::GetPagesResponse pages;
  std::vector<PageKey> keys;
};

Call ReadCall(Bench* b, Via via, bool batched, std::vector<Reader>* readers) {
  const int n = batched ? absl::GetFlag(FLAGS_batch_keys) : 1;
  return [b, via, batched, n, readers](int t) -> absl::StatusOr<uint64_t> {
    Reader& r = (*readers)[t];
    const uint32_t pages = b->pages;
    const size_t size = b->page_size;
    auto bad = [](uint32_t page) {
      return absl::DataLossError(
          absl::StrCat("page ", page, " read back wrong"));
    };
    if (via == Via::kInProcess) {
      Engine& engine = b->server->engine();
      if (!batched) {
        const uint32_t p = static_cast<uint32_t>(r.rng() % pages);
        PITR_ASSIGN_OR_RETURN(std::string data,
                              engine.GetPage(kMainBranch, {kReadSpace, p}));
        if (!Stamped(data, p, size)) return bad(p);
        return 1;
      }
      r.keys.resize(n);
      for (PageKey& k : r.keys) {
        k = {kReadSpace, static_cast<uint32_t>(r.rng() % pages)};
      }
      PITR_ASSIGN_OR_RETURN(auto got, engine.GetPages(kMainBranch, r.keys));
      for (int i = 0; i < n; ++i) {
        PITR_RETURN_IF_ERROR(got[i].status());
        if (!Stamped(*got[i], r.keys[i].page, size)) return bad(r.keys[i].page);
      }
      return n;
    }
    v1::PageService::Stub& stub =
        via == Via::kOwnChannel ? *b->own[t].pages : *b->shared.pages;
    grpc::ClientContext context;
    if (!batched) {
      const uint32_t p = static_cast<uint32_t>(r.rng() % pages);
      r.one.mutable_key()->set_space(kReadSpace);
      r.one.mutable_key()->set_page(p);
      PITR_RETURN_IF_ERROR(
          FromGrpc(stub.GetPage(&context, r.one, &r.page), "GetPage"));
      if (!Stamped(r.page.data(), p, size)) return bad(p);
      return 1;
    }
    if (r.many.keys_size() != n) {
      r.many.clear_keys();
      for (int i = 0; i < n; ++i) r.many.add_keys()->set_space(kReadSpace);
    }
    for (v1::PageKey& k : *r.many.mutable_keys()) {
      k.set_page(static_cast<uint32_t>(r.rng() % pages));
    }
    PITR_RETURN_IF_ERROR(
        FromGrpc(stub.GetPages(&context, r.many, &r.pages), "GetPages"));
    if (r.pages.results_size() != n) {
      return absl::InternalError("GetPages: wrong number of results");
    }
    for (int i = 0; i < n; ++i) {
      const v1::PageResult& res = r.pages.results(i);
      if (res.code() != 0) {
        return absl::Status(static_cast<absl::StatusCode>(res.code()),
                            res.message());
      }
      if (!Stamped(res.data(), r.many.keys(i).page(), size)) {
        return bad(r.many.keys(i).page());
      }
    }
    return n;
  };
}

struct ReadRow {
  int clients;
  bool batched;
  Via via;
  Point point;
};

void PrintReadRow(const ReadRow& row, const ReadRow* in_process) {
  const Point& p = row.point;
  const double calls = static_cast<double>(p.calls);
  std::string ratio = "-";
  if (in_process != nullptr && row.via != Via::kInProcess) {
    ratio = absl::StrFormat(
        "%5.2f  %5.1f", p.ItemsPerSecond() / in_process->point.ItemsPerSecond(),
        Percentile(p.ns, 0.5) / Percentile(in_process->point.ns, 0.5));
  }
  std::string target = "-";
  if (row.via == Via::kOwnChannel && !row.batched &&
      row.clients == kGetPageP99Clients) {
    target = absl::StrFormat(
        "p99<=%.0fus %s", kGetPageP99TargetUs,
        PassMiss(Percentile(p.ns, 0.99) / 1e3 <= kGetPageP99TargetUs));
  }
  if (row.via != Via::kInProcess && row.batched) {
    target =
        absl::StrFormat(">=%.0fk/s %s", kBatchedPagesTarget / 1e3,
                        PassMiss(p.ItemsPerSecond() >= kBatchedPagesTarget));
  }
  absl::PrintF(
      "%-9s %3d | %-11s | %8.0f %8.0f | %8.1f %8.1f | %7.1f %7.1f %7.1f | "
      "%-12s | %s\n",
      row.batched ? "GetPages" : "GetPage", row.clients, ViaName(row.via),
      p.CallsPerSecond(), p.ItemsPerSecond(), Percentile(p.ns, 0.5) / 1e3,
      Percentile(p.ns, 0.99) / 1e3, p.cpu_s / calls * 1e6,
      p.client_cpu_s / calls * 1e6, (p.cpu_s - p.client_cpu_s) / calls * 1e6,
      ratio, target);
}

absl::StatusOr<std::vector<ReadRow>> RunReads(Bench* b,
                                              const std::vector<int>& clients) {
  const absl::Duration warmup = absl::Seconds(absl::GetFlag(FLAGS_warmup));
  const absl::Duration window = absl::Seconds(absl::GetFlag(FLAGS_seconds));
  std::vector<Via> vias = {Via::kOwnChannel};
  if (absl::GetFlag(FLAGS_shared_channel)) vias.push_back(Via::kSharedChannel);
  vias.push_back(Via::kInProcess);

  absl::PrintF(
      "\n1. Reads at the latest LSN of uniform random pages of the %d loaded "
      "(main). GetPage: one key per call;\n   GetPages: %d keys per call. "
      "gRPC own: one channel (TCP connection) per client thread; gRPC "
      "shared:\n   one channel for all threads; in-process: Engine::GetPage / "
      "GetPages on the same threads.\n   %.1f s measured per point after "
      "%.1f s warm-up. Latency per call in us. CPU in us per call: all =\n"
      "   process CPU (getrusage) / calls, client = the client threads' own "
      "CPU, server = all - client\n   (gRPC's threads and the handlers). vs "
      "in-process: pages/s ratio, p50 ratio (same clients, batching).\n\n",
      b->pages, absl::GetFlag(FLAGS_batch_keys), absl::ToDoubleSeconds(window),
      absl::ToDoubleSeconds(warmup));
  absl::PrintF("%-13s | %-11s | %8s %8s | %8s %8s | %7s %7s %7s | %-12s | %s\n",
               "call  clients", "via", "calls/s", "pages/s", "p50", "p99",
               "cpu all", "client", "server", "vs in-proc", "target");
  absl::PrintF("%-13s | %-11s | %8s %8s | %8s %8s | %7s %7s %7s | %-12s |\n",
               "", "", "", "", "", "", "", "", "", "pages/s p50");
  absl::PrintF("%s\n", std::string(118, '-'));

  std::vector<ReadRow> rows;
  for (bool batched : {false, true}) {
    for (int c : clients) {
      std::vector<ReadRow> group;
      for (Via via : vias) {
        std::vector<Reader> readers(c);
        for (int t = 0; t < c; ++t) readers[t].rng.seed(1000 * c + t);
        PITR_ASSIGN_OR_RETURN(
            Point p,
            ClosedLoop(c, warmup, window, ReadCall(b, via, batched, &readers)));
        group.push_back({c, batched, via, std::move(p)});
      }
      const ReadRow& in_process = group.back();
      for (const ReadRow& row : group) PrintReadRow(row, &in_process);
      rows.insert(rows.end(), group.begin(), group.end());
    }
  }
  return rows;
}

// ------------------------------------------------------------- 2. append

// Per-thread state of an append point.
struct Writer {
  uint32_t next = 0;
  v1::AppendRequest request;
  v1::AppendResponse response;
  std::unique_ptr<WalBatch> batch;
  std::string image;
};

// The next pages of thread t: each thread cycles through its own range.
uint32_t NextPage(Writer* w, int t, int threads) {
  const uint32_t per = kAppendPages / static_cast<uint32_t>(threads);
  return static_cast<uint32_t>(t) * per + (w->next++ % per);
}

Call AppendCall(Bench* b, bool grpc_api, int threads,
                std::vector<Writer>* writers) {
  const int records = absl::GetFlag(FLAGS_append_records);
  return [=](int t) -> absl::StatusOr<uint64_t> {
    Writer& w = (*writers)[t];
    if (grpc_api) {
      if (w.request.records_size() != records) {
        w.request.clear_records();
        for (int i = 0; i < records; ++i) {
          v1::WalRecord::PageImage* image =
              w.request.add_records()->mutable_image();
          image->mutable_key()->set_space(kAppendSpace);
          FillPage(t * 1000 + i, b->page_size, image->mutable_data());
        }
      }
      for (v1::WalRecord& r : *w.request.mutable_records()) {
        r.mutable_image()->mutable_key()->set_page(NextPage(&w, t, threads));
      }
      grpc::ClientContext context;
      PITR_RETURN_IF_ERROR(FromGrpc(
          b->own[t].wal->Append(&context, w.request, &w.response), "Append"));
      return records;
    }
    Engine& engine = b->server->engine();
    if (w.batch == nullptr) {
      PITR_ASSIGN_OR_RETURN(WalBatch batch, engine.NewBatch(kMainBranch));
      w.batch = std::make_unique<WalBatch>(std::move(batch));
      FillPage(t * 1000, b->page_size, &w.image);
    }
    w.batch->Clear();
    for (int i = 0; i < records; ++i) {
      PITR_RETURN_IF_ERROR(w.batch->PutPageImage(
          {kAppendSpace, NextPage(&w, t, threads)}, w.image));
    }
    PITR_RETURN_IF_ERROR(engine.Append(kMainBranch, *w.batch).status());
    return records;
  };
}

// AppendStream: each thread streams batches for `window`; returns the
// batches committed (as the server counted them) and the time.
absl::StatusOr<Point> StreamPoint(Bench* b, int threads,
                                  absl::Duration window) {
  const int records = absl::GetFlag(FLAGS_append_records);
  std::vector<uint64_t> batches(threads);
  std::vector<absl::Status> errors(threads);
  std::vector<std::thread> pool;
  const Clock::time_point start = Clock::now();
  const Clock::time_point end = start + absl::ToChronoNanoseconds(window);
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] {
      Writer w;
      for (int i = 0; i < records; ++i) {
        v1::WalRecord::PageImage* image =
            w.request.add_records()->mutable_image();
        image->mutable_key()->set_space(kAppendSpace);
        FillPage(t * 1000 + i, b->page_size, image->mutable_data());
      }
      grpc::ClientContext context;
      v1::AppendStreamResponse response;
      auto writer = b->own[t].wal->AppendStream(&context, &response);
      while (Clock::now() < end) {
        for (v1::WalRecord& r : *w.request.mutable_records()) {
          r.mutable_image()->mutable_key()->set_page(NextPage(&w, t, threads));
        }
        if (!writer->Write(w.request)) break;
      }
      writer->WritesDone();
      errors[t] = FromGrpc(writer->Finish(), "AppendStream");
      batches[t] = response.batches();
    });
  }
  for (std::thread& t : pool) t.join();
  Point p;
  p.clients = threads;
  p.seconds = Seconds(Clock::now() - start);
  for (int t = 0; t < threads; ++t) {
    PITR_RETURN_IF_ERROR(errors[t]);
    p.calls += batches[t];
    p.items += batches[t] * records;
  }
  return p;
}

struct Rounds {
  std::vector<Point> points;
  uint64_t calls = 0, items = 0;
  double seconds = 0;
  void Add(Point p) {
    calls += p.calls;
    items += p.items;
    seconds += p.seconds;
    points.push_back(std::move(p));
  }
  double CallsPerSecond() const { return calls / seconds; }
  std::vector<int64_t> AllNs() const {
    std::vector<int64_t> ns;
    for (const Point& p : points) ns.insert(ns.end(), p.ns.begin(), p.ns.end());
    return ns;
  }
};

double MedianRoundRatio(const Rounds& a, const Rounds& b) {
  std::vector<double> r;
  for (size_t i = 0; i < a.points.size() && i < b.points.size(); ++i) {
    r.push_back(a.points[i].ItemsPerSecond() / b.points[i].ItemsPerSecond());
  }
  std::sort(r.begin(), r.end());
  if (r.empty()) return 0;
  const size_t n = r.size();
  return n % 2 == 1 ? r[n / 2] : (r[n / 2 - 1] + r[n / 2]) / 2;
}

struct AppendRows {
  int clients;
  Rounds api, stream, in_process;
};

absl::StatusOr<std::vector<AppendRows>> RunAppends(
    Bench* b, const std::vector<int>& clients) {
  const int rounds = absl::GetFlag(FLAGS_rounds);
  const absl::Duration window =
      absl::Seconds(absl::GetFlag(FLAGS_append_seconds));
  std::vector<AppendRows> out;
  for (int c : clients) {
    AppendRows rows;
    rows.clients = c;
    for (int round = 0; round < rounds; ++round) {
      // Sides in order api, stream, in-process; reversed on odd rounds.
      for (int k = 0; k < 3; ++k) {
        const int side = round % 2 == 0 ? k : 2 - k;
        if (side == 1) {
          PITR_ASSIGN_OR_RETURN(Point p, StreamPoint(b, c, window));
          rows.stream.Add(std::move(p));
          continue;
        }
        std::vector<Writer> writers(c);
        PITR_ASSIGN_OR_RETURN(
            Point p, ClosedLoop(c, absl::Milliseconds(100), window,
                                AppendCall(b, side == 0, c, &writers)));
        (side == 0 ? rows.api : rows.in_process).Add(std::move(p));
      }
    }
    out.push_back(std::move(rows));
  }

  const int records = absl::GetFlag(FLAGS_append_records);
  const double batch_mib = records * b->page_size / kMiB;
  absl::PrintF(
      "\n2. Append to main: batches of %d page images (%.0f KiB of page "
      "bytes), SyncPolicy::kEveryBatch.\n   Append: one call per batch, "
      "one channel per client; AppendStream: one stream per client;\n   "
      "in-process: Engine::Append of a WalBatch built per batch. %d rounds "
      "of %.1f s per side,\n   order flipped every round. MiB/s of page "
      "bytes. vs in-process: total = ratio of the totals,\n   med = median "
      "over rounds of the ratio within the round (judged). Latency per "
      "batch in ms\n   (AppendStream: none, the client does not wait per "
      "batch).\n\n",
      records, batch_mib * 1024, rounds, absl::ToDoubleSeconds(window));
  absl::PrintF("%-7s | %-12s | %9s %8s | %7s %7s | %-11s | %s\n", "clients",
               "via", "batches/s", "MiB/s", "p50", "p99", "vs in-proc",
               "target");
  absl::PrintF("%-7s | %-12s | %9s %8s | %7s %7s | %5s %5s |\n", "", "", "", "",
               "", "", "total", "med");
  absl::PrintF("%s\n", std::string(86, '-'));
  for (const AppendRows& rows : out) {
    struct Line {
      const char* name;
      const Rounds* r;
    };
    for (const Line& line :
         {Line{"Append", &rows.api}, Line{"AppendStream", &rows.stream},
          Line{"in-process", &rows.in_process}}) {
      const Rounds& r = *line.r;
      const std::vector<int64_t> ns = r.AllNs();
      std::string ratio = "-", target = "-";
      if (line.r != &rows.in_process) {
        const double total =
            r.CallsPerSecond() / rows.in_process.CallsPerSecond();
        const double med = MedianRoundRatio(r, rows.in_process);
        ratio = absl::StrFormat("%5.2f %5.2f", total, med);
        target = absl::StrFormat(">=%.1fx %s", kAppendRatioTarget,
                                 PassMiss(med >= kAppendRatioTarget));
      }
      absl::PrintF(
          "%7d | %-12s | %9.0f %8.1f | %7s %7s | %-11s | %s\n", rows.clients,
          line.name, r.CallsPerSecond(), r.CallsPerSecond() * batch_mib,
          ns.empty() ? "-" : absl::StrFormat("%.3f", Percentile(ns, 0.5) / 1e6),
          ns.empty() ? "-"
                     : absl::StrFormat("%.3f", Percentile(ns, 0.99) / 1e6),
          ratio, target);
    }
  }
  return out;
}

// ------------------------------------------------------- 3. CreateBranch

struct BranchResult {
  std::vector<int64_t> api, in_process;
};

absl::StatusOr<BranchResult> RunBranches(Bench* b) {
  const int rounds = absl::GetFlag(FLAGS_rounds);
  const int per = std::max(1, absl::GetFlag(FLAGS_branch_ops) / rounds);
  BranchResult out;
  Engine& engine = b->server->engine();
  // The appends left memtables to flush: flush them now and let the disk
  // settle, so the synced catalog writes do not queue behind them.
  PITR_RETURN_IF_ERROR(engine.Flush());
  absl::SleepFor(absl::Seconds(1));
  v1::CreateBranchRequest request;
  v1::Branch response;
  for (int round = 0; round < rounds; ++round) {
    for (int k = 0; k < 2; ++k) {
      const bool api = (round + k) % 2 == 0;
      for (int i = 0; i < per; ++i) {
        const std::string name =
            absl::StrFormat("%s%02d_%04d", api ? "api" : "eng", round, i);
        const Clock::time_point t0 = Clock::now();
        if (api) {
          request.set_name(name);
          grpc::ClientContext context;
          PITR_RETURN_IF_ERROR(FromGrpc(
              b->own[0].branches->CreateBranch(&context, request, &response),
              "CreateBranch"));
        } else {
          PITR_RETURN_IF_ERROR(
              engine.CreateBranch(name, kMainBranch, PointInTime{}).status());
        }
        (api ? out.api : out.in_process).push_back(Nanos(Clock::now() - t0));
      }
    }
  }
  absl::PrintF(
      "\n3. CreateBranch(new name, main, latest), one call at a time, %d "
      "through the API (1 channel) and\n   %d with Engine::CreateBranch, "
      "alternating in %d rounds, after Engine::Flush and 1 s\n   of rest. "
      "Latency in ms.\n\n",
      out.api.size(), out.in_process.size(), rounds);
  absl::PrintF("%-12s | %7s %7s %7s | %s\n", "via", "p50", "p99", "max",
               "p50 vs in-process");
  absl::PrintF("%s\n", std::string(56, '-'));
  for (bool api : {true, false}) {
    const std::vector<int64_t>& v = api ? out.api : out.in_process;
    absl::PrintF(
        "%-12s | %7.3f %7.3f %7.3f | %s\n", api ? "gRPC" : "in-process",
        Percentile(v, 0.5) / 1e6, Percentile(v, 0.99) / 1e6,
        Percentile(v, 1.0) / 1e6,
        api ? absl::StrFormat(
                  "%.2fx (%+.3f ms)",
                  Percentile(out.api, 0.5) / Percentile(out.in_process, 0.5),
                  (Percentile(out.api, 0.5) - Percentile(out.in_process, 0.5)) /
                      1e6)
            : std::string("-"));
  }
  return out;
}

// ----------------------------------------------------------------- main

absl::Status Run(const std::string& scratch, const std::vector<int>& clients,
                 const std::vector<int>& append_clients) {
  Bench b;
  ServerOptions options;
  options.engine.dir = scratch + "/data";
  options.engine.page_size =
      static_cast<uint32_t>(absl::GetFlag(FLAGS_page_size));
  options.listen_address = "127.0.0.1:0";
  PITR_ASSIGN_OR_RETURN(b.server, Server::Start(options));
  b.target = absl::StrCat("127.0.0.1:", b.server->port());
  b.page_size = b.server->engine().page_size();
  b.pages = static_cast<uint32_t>(
      static_cast<uint64_t>(absl::GetFlag(FLAGS_data_mib)) * (1 << 20) /
      b.page_size);
  const int most =
      std::max(*std::max_element(clients.begin(), clients.end()),
               *std::max_element(append_clients.begin(), append_clients.end()));
  for (int i = 0; i < most; ++i) {
    PITR_ASSIGN_OR_RETURN(Stubs s, Connect(b.target, true));
    b.own.push_back(std::move(s));
  }
  PITR_ASSIGN_OR_RETURN(b.shared, Connect(b.target, true));

  PITR_RETURN_IF_ERROR(Load(&b));
  PITR_ASSIGN_OR_RETURN(std::vector<ReadRow> reads, RunReads(&b, clients));
  PITR_ASSIGN_OR_RETURN(std::vector<AppendRows> appends,
                        RunAppends(&b, append_clients));
  PITR_RETURN_IF_ERROR(RunBranches(&b).status());

  // Targets.
  absl::PrintF("\nTargets\n");
  for (const ReadRow& r : reads) {
    if (r.via == Via::kOwnChannel && !r.batched &&
        r.clients == kGetPageP99Clients) {
      const double p99 = Percentile(r.point.ns, 0.99) / 1e3;
      absl::PrintF("  GetPage p99 at %d clients <= %.0f us: %.1f us  %s\n",
                   kGetPageP99Clients, kGetPageP99TargetUs, p99,
                   PassMiss(p99 <= kGetPageP99TargetUs));
    }
  }
  const ReadRow* best = nullptr;
  for (const ReadRow& r : reads) {
    if (r.batched && r.via != Via::kInProcess &&
        (best == nullptr ||
         r.point.ItemsPerSecond() > best->point.ItemsPerSecond())) {
      best = &r;
    }
  }
  if (best != nullptr) {
    absl::PrintF(
        "  GetPages >= %.0f pages/s on %u cores: %.0f pages/s (best: %d "
        "clients, %s)  %s\n",
        kBatchedPagesTarget, std::thread::hardware_concurrency(),
        best->point.ItemsPerSecond(), best->clients, ViaName(best->via),
        PassMiss(best->point.ItemsPerSecond() >= kBatchedPagesTarget));
  }
  for (const AppendRows& a : appends) {
    for (bool stream : {false, true}) {
      const double med =
          MedianRoundRatio(stream ? a.stream : a.api, a.in_process);
      absl::PrintF(
          "  %s at %d clients >= %.1f x in-process Engine::Append: %.2f "
          "(median of rounds)  %s\n",
          stream ? "AppendStream" : "Append", a.clients, kAppendRatioTarget,
          med, PassMiss(med >= kAppendRatioTarget));
    }
  }
  return b.server->Shutdown(absl::Seconds(5));
}

int Main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "GetPage, Append and CreateBranch through pitrd's gRPC API over "
      "loopback, against the engine in-process.\n"
      "  bazel run -c opt //server:server_bench");
  absl::ParseCommandLine(argc, argv);
  if (!absl::GetFlag(FLAGS_deadlock_detection)) SetPitrdProcessDefaults();
  spdlog::set_level(spdlog::level::warn);
  absl::StatusOr<std::vector<int>> clients =
      ParseList<int>(absl::GetFlag(FLAGS_clients), "clients");
  absl::StatusOr<std::vector<int>> append_clients =
      ParseList<int>(absl::GetFlag(FLAGS_append_clients), "append_clients");
  for (const absl::Status& s : {clients.status(), append_clients.status()}) {
    if (!s.ok()) {
      absl::FPrintF(stderr, "%s\n", s.ToString());
      return 2;
    }
  }
  if (absl::GetFlag(FLAGS_data_mib) < 1 || absl::GetFlag(FLAGS_rounds) < 1 ||
      absl::GetFlag(FLAGS_batch_keys) < 1 ||
      absl::GetFlag(FLAGS_append_records) < 1 ||
      absl::GetFlag(FLAGS_load_batch_pages) < 1 ||
      absl::GetFlag(FLAGS_branch_ops) < 1 ||
      absl::GetFlag(FLAGS_seconds) <= 0 ||
      absl::GetFlag(FLAGS_append_seconds) <= 0) {
    absl::FPrintF(stderr, "counts and times must be positive\n");
    return 2;
  }

  const absl::StatusOr<std::string> made =
      bench::MakeScratchDir(absl::GetFlag(FLAGS_dir), "server_bench");
  if (!made.ok()) {
    absl::FPrintF(stderr, "%s\n", made.status().ToString());
    return 1;
  }
  const std::string scratch = *made;
  struct utsname uts;
  absl::PrintF("server_bench  %s\n",
               absl::FormatTime("%Y-%m-%d %H:%M:%S %Z", absl::Now(),
                                absl::LocalTimeZone()));
  absl::PrintF("  scratch  %s (%s)\n", scratch, bench::FsTypeName(scratch));
  absl::PrintF(
      "  machine  %d cpus (client threads and server share them), kernel "
      "%s, load %s\n",
      std::thread::hardware_concurrency(),
      ::uname(&uts) == 0 ? uts.release : "?", LoadAvg());
  absl::PrintF(
      "  config   --data_mib=%d --page_size=%d --clients=%s --batch_keys=%d "
      "--seconds=%g\n           --append_clients=%s --append_records=%d "
      "--append_seconds=%g --rounds=%d --branch_ops=%d\n"
      "           --deadlock_detection=%s\n",
      absl::GetFlag(FLAGS_data_mib), absl::GetFlag(FLAGS_page_size),
      absl::StrJoin(absl::GetFlag(FLAGS_clients), ","),
      absl::GetFlag(FLAGS_batch_keys), absl::GetFlag(FLAGS_seconds),
      absl::StrJoin(absl::GetFlag(FLAGS_append_clients), ","),
      absl::GetFlag(FLAGS_append_records), absl::GetFlag(FLAGS_append_seconds),
      absl::GetFlag(FLAGS_rounds), absl::GetFlag(FLAGS_branch_ops),
      absl::GetFlag(FLAGS_deadlock_detection) ? "true" : "false");

  const Clock::time_point start = Clock::now();
  const absl::Status status = Run(scratch, *clients, *append_clients);
  return bench::Finish("server_bench", scratch, false, status, start);
}

}  // namespace
}  // namespace pitr

int main(int argc, char** argv) { return pitr::Main(argc, argv); }
