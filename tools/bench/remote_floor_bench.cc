// remote_floor_bench: the floor of pitr's remote read path, against a
// trivial gRPC service in the same harness. One run, one machine; run by
// sqlite_bench after its SQLite workloads, or alone:
//
//   bazel run -c opt //tools/bench:remote_floor_bench [-- --clients=1,8]
//
// A SQLite page read that misses the extension's cache is one GetPage (or
// GetPages) round trip to pitrd, so that round trip is the floor under
// every cold read of SQLite on pitr. It is measured here against the
// cheapest service gRPC can offer on this machine: a PageService in this
// process whose GetPage copies one 8 KiB page from memory (the same
// messages, the same client and server stacks, the same callback API,
// loopback TCP; no engine, no authentication, no metrics). pitrd runs in this
// process too (Server::Start on 127.0.0.1:0, default options), holding --pages
// random 8 KiB pages on main, flushed; each call reads a random one at the
// latest LSN. Once warm they are all in pitrd's hot pages
// (engine/hot_pages.h), as a working set smaller than --hot_page_bytes is;
// a second pitrd without hot pages (every read walks the page store) is
// measured the same way. For each --clients (closed loop, one channel and
// TCP connection per client), --rounds rounds of --seconds per side, the
// order flipped every round; p50 and p99 of all the calls of each side, and
// their ratio (the target, for the first pitrd, is at most 1.3,
// docs/performance.md).
//
// Then the same GetPage read path of pitrd while --scrapers threads scrape
// its /metrics over HTTP, each every --scrape_every seconds, against the
// same without them (rounds alternating as above): scraping must not slow
// the reads down.
#include <curl/curl.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "base/status_macros.h"
#include "grpcpp/grpcpp.h"
#include "proto/page_service.grpc.pb.h"
#include "server/server.h"
#include "spdlog/spdlog.h"
#include "tools/bench/bench_util.h"
#include "tools/bench/closed_loop.h"

ABSL_FLAG(std::string, dir, "",
          "Parent directory of the scratch directory (a fresh "
          "remote_floor_bench.XXXXXX is made under it and deleted at the end). "
          "Default: $TEST_TMPDIR, else $TMPDIR, else /tmp.");
ABSL_FLAG(std::vector<std::string>, clients,
          std::vector<std::string>({"1", "8"}),
          "Closed-loop client threads, one channel each.");
ABSL_FLAG(int, pages, 4096, "8 KiB pages pitrd holds on main.");
ABSL_FLAG(int, rounds, 4, "Rounds per client count; each side once a round.");
ABSL_FLAG(double, seconds, 1.0, "Measured seconds per side per round.");
ABSL_FLAG(int, scrapers, 10,
          "Threads scraping /metrics in the scraped rounds.");
ABSL_FLAG(double, scrape_every, 0.1,
          "Seconds from the start of one scrape of a thread to its next "
          "(Prometheus' default is 15).");

namespace pitr {
namespace {

using bench::ClosedLoop;
using bench::Percentile;
using bench::Point;

constexpr uint32_t kPageSize = 8192;
constexpr uint32_t kSpace = 1;
constexpr double kFloorRatioTarget = 1.3;

// The trivial service: GetPage answers with one page held in memory, on the
// API pitrd's GetPage is on (gRPC's callback API, answered inline).
class MemoryPageService final
    : public v1::PageService::WithCallbackMethod_GetPage<
          v1::PageService::Service> {
 public:
  explicit MemoryPageService(std::string page) : page_(std::move(page)) {}
  grpc::ServerUnaryReactor* GetPage(grpc::CallbackServerContext* context,
                                    const v1::GetPageRequest* request,
                                    v1::Page* response) override {
    *response->mutable_key() = request->key();
    response->set_data(page_);
    response->set_lsn(1);
    grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
    reactor->Finish(grpc::Status::OK);
    return reactor;
  }

 private:
  const std::string page_;
};

// A stub per client thread, each on its own channel (and so its own TCP
// connection: a subchannel pool of its own).
absl::StatusOr<std::vector<std::unique_ptr<v1::PageService::Stub>>> Stubs(
    const std::string& target, int clients) {
  std::vector<std::unique_ptr<v1::PageService::Stub>> stubs;
  for (int i = 0; i < clients; ++i) {
    grpc::ChannelArguments args;
    args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
    auto channel = grpc::CreateCustomChannel(
        target, grpc::InsecureChannelCredentials(), args);
    if (!channel->WaitForConnected(std::chrono::system_clock::now() +
                                   std::chrono::seconds(10))) {
      return absl::UnavailableError(absl::StrCat("cannot connect to ", target));
    }
    stubs.push_back(v1::PageService::NewStub(channel));
  }
  return stubs;
}

// Random pages of space 1 through `stubs`, checking each page's size.
bench::Call ReadRandomPages(
    std::vector<std::unique_ptr<v1::PageService::Stub>>* stubs, int pages) {
  auto rngs = std::make_shared<std::vector<std::mt19937>>();
  for (size_t i = 0; i < stubs->size(); ++i) rngs->emplace_back(i + 1);
  return [stubs, rngs, pages](int t) -> absl::StatusOr<uint64_t> {
    v1::GetPageRequest request;
    request.mutable_key()->set_space(kSpace);
    request.mutable_key()->set_page((*rngs)[t]() % pages);
    v1::Page page;
    grpc::ClientContext context;
    const grpc::Status s = (*stubs)[t]->GetPage(&context, request, &page);
    if (!s.ok()) return absl::InternalError(s.error_message());
    if (page.data().size() != kPageSize) {
      return absl::InternalError("a page of the wrong size");
    }
    return 1;
  };
}

absl::Status Load(Engine& engine, int pages) {
  const std::string pool = bench::RandomPool(4 << 20, 5);
  for (int p = 0; p < pages;) {
    PITR_ASSIGN_OR_RETURN(WalBatch batch, engine.NewBatch(kMainBranch));
    for (int i = 0; i < 64 && p < pages; ++i, ++p) {
      const size_t at =
          (static_cast<size_t>(p) * 4099) % (pool.size() - kPageSize);
      PITR_RETURN_IF_ERROR(batch.PutPageImage(
          {kSpace, static_cast<uint32_t>(p)}, pool.substr(at, kPageSize)));
    }
    PITR_RETURN_IF_ERROR(engine.Append(kMainBranch, batch).status());
  }
  return engine.Flush();
}

// Each of two sides measured --rounds times, the order flipped every
// round; `measure(side)` measures one side once. Each side's calls of all
// rounds together.
struct Sides {
  Point point[2];
  double P50(int side) const { return Percentile(point[side].ns, 0.5) / 1e3; }
  double P99(int side) const { return Percentile(point[side].ns, 0.99) / 1e3; }
};
absl::StatusOr<Sides> Alternate(
    const std::function<absl::StatusOr<Point>(int side)>& measure) {
  Sides sides;
  for (int round = 0; round < absl::GetFlag(FLAGS_rounds); ++round) {
    for (int i = 0; i < 2; ++i) {
      const int side = (i + round) % 2;
      PITR_ASSIGN_OR_RETURN(Point point, measure(side));
      Point& total = sides.point[side];
      total.calls += point.calls;
      total.seconds += point.seconds;
      total.ns.insert(total.ns.end(), point.ns.begin(), point.ns.end());
    }
  }
  return sides;
}

size_t Discard(char*, size_t size, size_t n, void* bytes) {
  *static_cast<uint64_t*>(bytes) += size * n;
  return size * n;
}

// Threads that GET `url` back to back until stopped; how many scrapes.
class Scrapers {
 public:
  Scrapers(const std::string& url, int threads, absl::Duration every) {
    for (int i = 0; i < threads; ++i) {
      threads_.emplace_back([this, url, every] {
        CURL* curl = curl_easy_init();
        uint64_t bytes = 0;
        curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
        curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, Discard);
        curl_easy_setopt(curl, CURLOPT_WRITEDATA, &bytes);
        while (!stop_.load()) {
          const absl::Time next = absl::Now() + every;
          if (curl_easy_perform(curl) == CURLE_OK) ++scrapes_;
          absl::SleepFor(next - absl::Now());
        }
        curl_easy_cleanup(curl);
      });
    }
  }
  ~Scrapers() { Stop(); }
  uint64_t Stop() {
    stop_ = true;
    for (std::thread& t : threads_) t.join();
    threads_.clear();
    return scrapes_.load();
  }

 private:
  std::atomic<bool> stop_{false};
  std::atomic<uint64_t> scrapes_{0};
  std::vector<std::thread> threads_;
};

// GetPage with one client, with and without scrapers on /metrics.
absl::Status ReadWhileScraped(Server* pitrd, int pages, absl::Duration window) {
  const int scrapers = absl::GetFlag(FLAGS_scrapers);
  PITR_ASSIGN_OR_RETURN(auto stubs,
                        Stubs(absl::StrCat("127.0.0.1:", pitrd->port()), 1));
  const std::string url =
      absl::StrCat("http://127.0.0.1:", pitrd->http_port(), "/metrics");
  uint64_t scrapes = 0;
  double scraped_seconds = 0;
  // Side 0 quiet, side 1 scraped.
  PITR_ASSIGN_OR_RETURN(
      Sides sides, Alternate([&](int side) -> absl::StatusOr<Point> {
        std::unique_ptr<Scrapers> scraping;
        if (side == 1) {
          scraping = std::make_unique<Scrapers>(
              url, scrapers, absl::Seconds(absl::GetFlag(FLAGS_scrape_every)));
        }
        absl::StatusOr<Point> point = ClosedLoop(
            1, absl::Milliseconds(200), window, ReadRandomPages(&stubs, pages));
        if (scraping) {
          scrapes += scraping->Stop();
          if (point.ok()) scraped_seconds += point->seconds;
        }
        return point;
      }));
  absl::PrintF(
      "\nGetPage of pitrd (1 client) while %d threads scrape /metrics, each "
      "every %.2f s (%.0f scrapes/s), against the same without them.\n\n",
      scrapers, absl::GetFlag(FLAGS_scrape_every),
      scraped_seconds > 0 ? scrapes / scraped_seconds : 0.0);
  absl::PrintF("%-10s | %9s %9s %9s | %s\n", "reads", "calls/s", "p50 us",
               "p99 us", "scraped / quiet (p50, p99)");
  absl::PrintF("%s\n", std::string(70, '-'));
  absl::PrintF("%-10s | %9.0f %9.1f %9.1f |\n", "quiet",
               sides.point[0].CallsPerSecond(), sides.P50(0), sides.P99(0));
  absl::PrintF("%-10s | %9.0f %9.1f %9.1f | %.2f %.2f\n", "scraped",
               sides.point[1].CallsPerSecond(), sides.P50(1), sides.P99(1),
               sides.P50(1) / sides.P50(0), sides.P99(1) / sides.P99(0));
  return absl::OkStatus();
}

// pitrd on `dir` holding `pages` pages, with hot pages of `hot_page_bytes`.
absl::StatusOr<std::unique_ptr<Server>> StartPitrd(const std::string& dir,
                                                   int pages,
                                                   size_t hot_page_bytes) {
  ServerOptions options;
  options.engine.dir = dir;
  options.engine.page_size = kPageSize;
  options.engine.hot_page_bytes = hot_page_bytes;
  options.listen_address = "127.0.0.1:0";
  options.http_address = "127.0.0.1:0";
  PITR_ASSIGN_OR_RETURN(std::unique_ptr<Server> pitrd, Server::Start(options));
  PITR_RETURN_IF_ERROR(Load(pitrd->engine(), pages));
  return pitrd;
}

absl::Status Run(const std::string& scratch) {
  PITR_ASSIGN_OR_RETURN(
      std::vector<int> clients,
      bench::ParseList<int>(absl::GetFlag(FLAGS_clients), "clients"));
  const int pages = absl::GetFlag(FLAGS_pages);
  PITR_ASSIGN_OR_RETURN(
      std::unique_ptr<Server> pitrd,
      StartPitrd(scratch + "/data", pages, EngineOptions().hot_page_bytes));
  PITR_ASSIGN_OR_RETURN(std::unique_ptr<Server> cold,
                        StartPitrd(scratch + "/cold", pages, 0));

  MemoryPageService trivial(bench::RandomPool(kPageSize, 9));
  int trivial_port = 0;
  grpc::ServerBuilder builder;
  builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(),
                           &trivial_port);
  builder.RegisterService(&trivial);
  builder.SetSyncServerOption(grpc::ServerBuilder::MAX_POLLERS, 16);
  std::unique_ptr<grpc::Server> memory = builder.BuildAndStart();
  if (memory == nullptr) return absl::InternalError("the trivial server");

  absl::PrintF(
      "\nGetPage of a random 8 KiB page: pitrd (%d pages on main, flushed; "
      "\"no hot pages\": a pitrd\nwithout them) against a trivial PageService "
      "answering from memory, in this process,\n%d rounds of %.1f s per side "
      "(each pitrd in rounds of its own with the trivial one).\n\n",
      pages, absl::GetFlag(FLAGS_rounds), absl::GetFlag(FLAGS_seconds));
  absl::PrintF("%7s | %-14s | %9s %9s %9s | %s\n", "clients", "service",
               "calls/s", "p50 us", "p99 us", "pitrd / trivial (p50, p99)");
  absl::PrintF("%s\n", std::string(94, '-'));
  const absl::Duration window = absl::Seconds(absl::GetFlag(FLAGS_seconds));
  for (int n : clients) {
    PITR_ASSIGN_OR_RETURN(auto memory_stubs,
                          Stubs(absl::StrCat("127.0.0.1:", trivial_port), n));
    for (Server* server : {pitrd.get(), cold.get()}) {
      PITR_ASSIGN_OR_RETURN(
          auto pitrd_stubs,
          Stubs(absl::StrCat("127.0.0.1:", server->port()), n));
      // Side 0 pitrd, side 1 the trivial service.
      PITR_ASSIGN_OR_RETURN(
          Sides sides, Alternate([&](int side) {
            return ClosedLoop(
                n, absl::Milliseconds(200), window,
                ReadRandomPages(side == 0 ? &pitrd_stubs : &memory_stubs,
                                pages));
          }));
      const double p50[2] = {sides.P50(0), sides.P50(1)};
      const double p99[2] = {sides.P99(0), sides.P99(1)};
      const bool hot = server == pitrd.get();
      absl::PrintF("%7d | %-14s | %9.0f %9.1f %9.1f |\n", n, "trivial",
                   sides.point[1].CallsPerSecond(), p50[1], p99[1]);
      const bool within = p50[0] / p50[1] <= kFloorRatioTarget &&
                          p99[0] / p99[1] <= kFloorRatioTarget;
      absl::PrintF(
          "%7d | %-14s | %9.0f %9.1f %9.1f | %.2f %.2f%s\n", n,
          hot ? "pitrd" : "no hot pages", sides.point[0].CallsPerSecond(),
          p50[0], p99[0], p50[0] / p50[1], p99[0] / p99[1],
          hot ? absl::StrFormat("  (target <= %.1f: %s)", kFloorRatioTarget,
                                within ? "PASS" : "MISS")
              : std::string());
    }
  }
  memory->Shutdown();
  PITR_RETURN_IF_ERROR(cold->Shutdown(absl::Seconds(5)));
  PITR_RETURN_IF_ERROR(ReadWhileScraped(pitrd.get(), pages, window));
  return pitrd->Shutdown(absl::Seconds(5));
}

}  // namespace
}  // namespace pitr

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  // The embedded server runs as pitrd does (no Mutex deadlock detection in
  // optimised builds: it cost this benchmark's pitrd side 10 % of its CPU).
  pitr::SetPitrdProcessDefaults();
  spdlog::set_level(spdlog::level::warn);
  const auto start = std::chrono::steady_clock::now();
  absl::StatusOr<std::string> scratch = pitr::bench::MakeScratchDir(
      absl::GetFlag(FLAGS_dir), "remote_floor_bench");
  if (!scratch.ok()) {
    std::fprintf(stderr, "%s\n", scratch.status().ToString().c_str());
    return 1;
  }
  return pitr::bench::Finish("remote_floor_bench", *scratch, false,
                             pitr::Run(*scratch), start);
}
