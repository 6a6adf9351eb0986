// Fuzz target: request validation and conversion in the server, through the
// real service handlers (WalServiceImpl, PageServiceImpl, BranchServiceImpl)
// called directly with a grpc::ServerContext, against an in-process Engine
// in a temporary directory (page size 512, seeded with two branches, a
// snapshot and a few pages).
//
// Input: a kind byte (request_kinds.h), then the request message, serialized
// (bytes that do not parse as the message are skipped).
//
// Checked, besides no crash, hang or out-of-bounds access (ASan):
// - the conversions every handler uses: TimestampUs (accepted timestamps
//   convert back with TimestampProto), ToDuration, ToPoint, PageSizeOf,
//   PagePositionOf; they refuse with INVALID_ARGUMENT only;
// - the handler answers with a status the API documents for bad input, never
//   INTERNAL, UNKNOWN or DATA_LOSS;
// - a refused request leaves the store as it was: the branches (ids, names,
//   timelines, branch points, latest LSNs) and the snapshots.
// Successful writes change the store; after 200 of them it is recreated, so
// the store stays small in long runs (a crash that depends on such a state
// may need the inputs before it to reproduce: libFuzzer keeps them with
// -print_final_stats; see README.md).
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/time.h"
#include "engine/engine.h"
#include "grpcpp/server_context.h"
#include "proto/branch_service.pb.h"
#include "proto/page_service.pb.h"
#include "proto/record_convert.h"
#include "proto/status_util.h"
#include "proto/time_convert.h"
#include "proto/wal_service.pb.h"
#include "server/branch_service.h"
#include "server/metrics.h"
#include "server/page_service.h"
#include "server/server_metrics.h"
#include "server/service_util.h"
#include "server/wal_service.h"
#include "spdlog/spdlog.h"
#include "tests/fuzz/fuzz_check.h"
#include "tests/fuzz/request_kinds.h"

namespace pitr {
namespace {

using fuzz::kFuzzPageSize;

constexpr int kMutationsPerStore = 200;

void Must(const absl::Status& s, const char* what) {
  FUZZ_CHECK(s.ok(), "%s: %s", what, s.ToString().c_str());
}

// The engine, the services and the seed data. Made once per process and
// remade after kMutationsPerStore successful writes.
class Store {
 public:
  Store() {
    const char* tmp = std::getenv("TEST_TMPDIR");
    std::string pattern = absl::StrCat(tmp != nullptr ? tmp : "/tmp",
                                       "/pitr-request-fuzz.XXXXXX");
    FUZZ_CHECK(mkdtemp(pattern.data()) != nullptr, "mkdtemp %s",
               pattern.c_str());
    dir_ = pattern;
    EngineOptions options;
    options.dir = dir_ + "/store";
    options.page_size = kFuzzPageSize;
    options.sync = SyncPolicy::kNone;
    options.gc_period = absl::InfiniteDuration();
    options.memtable_bytes = 4 << 20;
    options.cache_bytes = 8 << 20;
    auto engine = Engine::Open(options);
    Must(engine.status(), "Engine::Open");
    engine_ = std::move(*engine);
    Seed();
    auto metrics =
        ServerMetrics::Create(&registry_, engine_.get(), absl::ZeroDuration());
    Must(metrics.status(), "ServerMetrics::Create");
    metrics_ = std::move(*metrics);
    ServiceEnv env;
    env.engine = engine_.get();
    env.metrics = metrics_.get();
    wal_ = std::make_unique<WalServiceImpl>(env);
    pages_ = std::make_unique<PageServiceImpl>(env);
    branches_ = std::make_unique<BranchServiceImpl>(env);
  }

  ~Store() {
    metrics_->Stop();
    wal_.reset();
    pages_.reset();
    branches_.reset();
    metrics_.reset();
    Must(engine_->Close(), "Engine::Close");
    engine_.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  Engine& engine() { return *engine_; }
  WalServiceImpl& wal() { return *wal_; }
  PageServiceImpl& pages() { return *pages_; }
  BranchServiceImpl& branches() { return *branches_; }

  // Everything a refused request must leave alone, as text.
  std::string Fingerprint() const {
    std::string out;
    for (const Branch& b : engine_->ListBranches()) {
      absl::StatusOr<HistoryBounds> bounds = engine_->GetHistoryBounds(b.id);
      absl::StrAppend(&out, "branch ", b.id, " ", b.name, " timeline ",
                      b.timeline.value(), " parent ", b.parent, "@",
                      b.branch_point, " latest ",
                      bounds.ok() ? absl::StrCat(bounds->latest_lsn)
                                  : bounds.status().ToString(),
                      "\n");
    }
    for (const Snapshot& s : engine_->snapshots().List()) {
      absl::StrAppend(&out, "snapshot ", s.name, " ", s.branch, "@", s.lsn,
                      "\n");
    }
    return out;
  }

 private:
  void Write(BranchId branch, uint32_t page, char fill) {
    absl::StatusOr<WalBatch> batch = engine_->NewBatch(branch);
    Must(batch.status(), "NewBatch");
    Must(batch->PutPageImage({1, page}, std::string(kFuzzPageSize, fill)),
         "PutPageImage");
    Must(batch->PutPageDelta({1, page}, 10, "delta"), "PutPageDelta");
    Must(engine_->Append(branch, *batch).status(), "Append");
  }

  void Seed() {
    absl::StatusOr<Branch> main = engine_->FindBranch("main");
    Must(main.status(), "main");
    Write(main->id, 0, 'a');
    Write(main->id, 1, 'b');
    absl::StatusOr<Branch> dev = engine_->CreateBranch("dev", main->id, {});
    Must(dev.status(), "CreateBranch dev");
    Write(dev->id, 0, 'c');
    Must(engine_->snapshots().Create("snap", main->id, {}).status(),
         "CreateSnapshot");
    Write(main->id, 0, 'd');
  }

  std::string dir_;
  Metrics registry_;
  std::unique_ptr<Engine> engine_;
  std::unique_ptr<ServerMetrics> metrics_;
  std::unique_ptr<WalServiceImpl> wal_;
  std::unique_ptr<PageServiceImpl> pages_;
  std::unique_ptr<BranchServiceImpl> branches_;
};

std::unique_ptr<Store>& TheStore() {
  static auto* store = new std::unique_ptr<Store>();
  if (*store == nullptr) *store = std::make_unique<Store>();
  return *store;
}

int g_mutations = 0;

void CheckRefusal(const absl::Status& s, const char* what) {
  if (s.ok()) return;
  FUZZ_CHECK(s.code() == absl::StatusCode::kInvalidArgument,
             "%s refused with %s", what, s.ToString().c_str());
}

void CheckTimestamp(const google::protobuf::Timestamp& ts) {
  absl::StatusOr<int64_t> us = TimestampUs(ts, "fuzz");
  CheckRefusal(us.status(), "TimestampUs");
  if (!us.ok()) return;
  google::protobuf::Timestamp back = TimestampProto(*us);
  FUZZ_CHECK(back.seconds() == ts.seconds() &&
                 back.nanos() == ts.nanos() / 1000 * 1000,
             "TimestampUs(%lld s, %d ns) = %lld does not convert back "
             "(%lld s, %d ns)",
             static_cast<long long>(ts.seconds()), ts.nanos(),
             static_cast<long long>(*us),
             static_cast<long long>(back.seconds()), back.nanos());
}

void CheckPoint(const v1::PointInTime& point) {
  if (point.has_timestamp()) CheckTimestamp(point.timestamp());
  absl::StatusOr<PointInTime> at = ToPoint(point);
  CheckRefusal(at.status(), "ToPoint");
  if (at.ok() && point.point_case() == v1::PointInTime::kLsn) {
    FUZZ_CHECK(at->lsn == point.lsn() && !at->timestamp_us, "ToPoint lsn");
  }
}

void CheckConversions(fuzz::RequestKind kind, const std::string& bytes) {
  switch (kind) {
    case fuzz::kAppend: {
      v1::AppendRequest r;
      if (!r.ParseFromString(bytes)) return;
      if (r.has_commit_time()) CheckTimestamp(r.commit_time());
      WalBatch batch(kMainTimeline);
      CheckRefusal(AddRecords(r.records(), &batch), "AddRecords");
      break;
    }
    case fuzz::kListBranches: {
      v1::ListBranchesRequest r;
      if (!r.ParseFromString(bytes)) return;
      absl::StatusOr<int> size = PageSizeOf(r.page_size());
      CheckRefusal(size.status(), "PageSizeOf");
      if (size.ok())
        FUZZ_CHECK(*size >= 1 && *size <= 1000, "page size %d", *size);
      CheckRefusal(PagePositionOf(r.page_token()).status(), "PagePositionOf");
      break;
    }
    default: {
      // Every other request has its point in field 3.
      v1::GetPageRequest r;
      if (!r.ParseFromString(bytes)) return;
      CheckPoint(r.point());
      break;
    }
  }
}

// Parses `bytes` as a Request and answers it with `handle(request,
// &response)`; OK without handling (and *parsed false) if they are not one.
template <typename Request, typename Response, typename Handle>
grpc::Status Parsed(const std::string& bytes, bool* parsed, Handle handle) {
  Request request;
  *parsed = request.ParseFromString(bytes);
  if (!*parsed) return grpc::Status::OK;
  Response response;
  return handle(request, &response);
}

// A synchronous handler, called with a ServerContext of no call.
template <typename Request, typename Response, typename Service,
          typename Method>
grpc::Status Call(Service& service, Method method, const std::string& bytes,
                  bool* parsed) {
  return Parsed<Request, Response>(
      bytes, parsed, [&](const Request& request, Response* response) {
        grpc::ServerContext context;
        return (service.*method)(&context, &request, response);
      });
}

// The work of a callback method, which needs a real call to run whole.
template <typename Request, typename Response, typename Service,
          typename Method>
grpc::Status Work(Service& service, Method method, const std::string& bytes,
                  bool* parsed) {
  return Parsed<Request, Response>(
      bytes, parsed, [&](const Request& request, Response* response) {
        return ToGrpcStatus((service.*method)(request, response));
      });
}

void Run(const uint8_t* data, size_t size) {
  if (size == 0) return;
  const auto kind = static_cast<fuzz::RequestKind>(data[0] % fuzz::kCount);
  const std::string bytes(reinterpret_cast<const char*>(data + 1), size - 1);
  CheckConversions(kind, bytes);

  Store& store = *TheStore();
  const std::string before = store.Fingerprint();
  bool parsed = false;
  grpc::Status status;
  switch (kind) {
    case fuzz::kAppend:
      status = Call<v1::AppendRequest, v1::AppendResponse>(
          store.wal(), &WalServiceImpl::Append, bytes, &parsed);
      break;
    case fuzz::kGetPage:
      status = Work<v1::GetPageRequest, v1::Page>(
          store.pages(), &PageServiceImpl::ReadPage, bytes, &parsed);
      break;
    case fuzz::kGetPages:
      status = Work<v1::GetPagesRequest, v1::GetPagesResponse>(
          store.pages(), &PageServiceImpl::ReadPages, bytes, &parsed);
      break;
    case fuzz::kGetSpaceSize:
      status = Call<v1::GetSpaceSizeRequest, v1::SpaceSize>(
          store.pages(), &PageServiceImpl::GetSpaceSize, bytes, &parsed);
      break;
    case fuzz::kCreateBranch:
      status = Call<v1::CreateBranchRequest, v1::Branch>(
          store.branches(), &BranchServiceImpl::CreateBranch, bytes, &parsed);
      break;
    case fuzz::kGetBranch:
      status = Call<v1::GetBranchRequest, v1::Branch>(
          store.branches(), &BranchServiceImpl::GetBranch, bytes, &parsed);
      break;
    case fuzz::kListBranches:
      status = Call<v1::ListBranchesRequest, v1::ListBranchesResponse>(
          store.branches(), &BranchServiceImpl::ListBranches, bytes, &parsed);
      break;
    case fuzz::kDeleteBranch:
      status = Call<v1::DeleteBranchRequest, v1::DeleteBranchResponse>(
          store.branches(), &BranchServiceImpl::DeleteBranch, bytes, &parsed);
      break;
    case fuzz::kRestoreBranch:
      status = Call<v1::RestoreBranchRequest, v1::RestoreBranchResponse>(
          store.branches(), &BranchServiceImpl::RestoreBranch, bytes, &parsed);
      break;
    case fuzz::kCount:
      break;
  }
  if (!parsed) return;
  const grpc::StatusCode code = status.error_code();
  FUZZ_CHECK(code != grpc::StatusCode::INTERNAL &&
                 code != grpc::StatusCode::UNKNOWN &&
                 code != grpc::StatusCode::DATA_LOSS,
             "request kind %d answered %d: %s", static_cast<int>(kind),
             static_cast<int>(code), status.error_message().c_str());
  const std::string after = store.Fingerprint();
  if (!status.ok()) {
    FUZZ_CHECK(after == before,
               "request kind %d was refused (%d: %s) but changed the store:\n"
               "before:\n%s\nafter:\n%s",
               static_cast<int>(kind), static_cast<int>(code),
               status.error_message().c_str(), before.c_str(), after.c_str());
  } else if (after != before && ++g_mutations >= kMutationsPerStore) {
    TheStore().reset();
    g_mutations = 0;
  }
}

}  // namespace
}  // namespace pitr

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const bool quiet = [] {
    spdlog::set_level(spdlog::level::off);
    return true;
  }();
  (void)quiet;
  pitr::Run(data, size);
  return 0;
}
