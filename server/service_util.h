// What every pitr.v1 service handler shares: the engine it serves, the
// authorisation check, the metrics of each method, and Serve(), which runs
// one call: check the caller's role, run the handler's body, convert its
// absl::Status (ToGrpcStatus) and count it. Handlers stay thin: parse the
// request, call the engine, fill the response.
//
// Also the request-level translations that several services need: a branch
// by name, and a PointInTime message as a read LSN or an engine point.
#ifndef PITR_SERVER_SERVICE_UTIL_H_
#define PITR_SERVER_SERVICE_UTIL_H_

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/clock.h"
#include "engine/engine.h"
#include "grpcpp/server_context.h"
#include "grpcpp/support/server_callback.h"
#include "proto/resources.pb.h"
#include "proto/status_util.h"
#include "server/auth.h"
#include "server/blocking_calls.h"
#include "server/server_metrics.h"
#include "server/watch_hub.h"

namespace pitr {

class ReplicaFollower;

// The engine and the server-wide pieces a service works with. All pointers
// are owned by the server (server.h) and outlive the services.
struct ServiceEnv {
  Engine* engine = nullptr;
  const Authorizer* authorizer = nullptr;  // null: every call is allowed
  ServerMetrics* metrics = nullptr;
  // Requests may not carry more than this many keys or records.
  int max_items_per_request = 1024;
  // Set when the server begins to shut down: calls that would wait for
  // more (ReadWal with follow) end at once instead of holding the
  // shutdown for its whole grace period.
  const std::atomic<bool>* stopping = nullptr;
  // On a read replica: what follows the primary (null on a primary).
  ReplicaFollower* follower = nullptr;
  // The leases of cached readers (WatchChanges); null on a replica.
  WatchHub* watches = nullptr;
  // Where callback methods run calls that must block (ServeInline); null:
  // they block gRPC's thread (tests that call handlers directly).
  BlockingCalls* blocking_calls = nullptr;
};

// After a change of `branch`'s head: waits until its watchers know of it
// (WatchHub::BranchChanged). Call it before the change's reply.
void NotifyWatchers(const ServiceEnv& env, BranchId branch);

// Read-your-writes: a call carrying "pitr-min-lsn: <lsn>" in its metadata
// (clients::ClientOptions::min_lsn) waits until the store holds that LSN,
// up to its deadline (at most kMaxMinLsnWait), then fails with UNAVAILABLE
// naming how far behind the store is (and, on a replica, its primary).
// INVALID_ARGUMENT for a value that is not an LSN.
inline constexpr absl::Duration kMaxMinLsnWait = absl::Seconds(30);
absl::Status WaitForMinLsn(const ServiceEnv& env,
                           const grpc::ServerContextBase& context);
// True if WaitForMinLsn would wait: the call asks for an LSN the store does
// not hold yet.
bool MustWaitForMinLsn(const ServiceEnv& env,
                       const grpc::ServerContextBase& context);

// Runs `body` (absl::Status()) for one call of `method` (its name, e.g.
// "GetPage"), which needs `role`, once the store holds the call's minimum
// LSN, if it gives one (WaitForMinLsn). A call whose deadline has passed is
// not started. (Not ServerContext::IsCancelled: on the sync server it polls
// the call's completion queue, which halved GetPage's throughput at 8
// clients on 2 cores, remote_floor_bench. Calls that run long look at it
// themselves.)
template <typename Body>
grpc::Status Serve(const ServiceEnv& env, grpc::ServerContextBase* context,
                   Role role, const char* method, Body&& body) {
  const absl::Time start = absl::Now();
  grpc::Status status = env.authorizer != nullptr
                            ? env.authorizer->Check(*context, role)
                            : grpc::Status::OK;
  if (status.ok() && absl::FromChrono(context->deadline()) <= start) {
    status = grpc::Status(grpc::StatusCode::DEADLINE_EXCEEDED,
                          "the call's deadline passed before it started");
  }
  if (status.ok()) status = ToGrpcStatus(WaitForMinLsn(env, *context));
  if (status.ok()) status = ToGrpcStatus(body());
  env.metrics->ForMethod(method)->Record(status.error_code(),
                                         absl::Now() - start);
  return status;
}

// Serve() for a unary method on gRPC's callback API: the call runs on the
// thread gRPC received it on, with no hand-off to a worker thread (which
// cost GetPage more than its read, remote_floor_bench), unless it must
// first wait for its minimum LSN: then on a thread of env.blocking_calls,
// since a callback must not block. `body` must hold what it uses by value
// (the request and response pointers, not references to them): it may run
// after the handler returned.
template <typename Body>
grpc::ServerUnaryReactor* ServeInline(const ServiceEnv& env,
                                      grpc::CallbackServerContext* context,
                                      Role role, const char* method,
                                      Body body) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  if (env.blocking_calls != nullptr && MustWaitForMinLsn(env, *context)) {
    env.blocking_calls->Run(
        [env = &env, context, role, method, reactor, body = std::move(body)] {
          reactor->Finish(Serve(*env, context, role, method, body));
        });
    return reactor;
  }
  reactor->Finish(Serve(env, context, role, method, body));
  return reactor;
}

// The branch named `name`; "" means "main". NOT_FOUND naming it otherwise.
absl::StatusOr<Branch> BranchNamed(const Engine& engine,
                                   const std::string& name);

// The engine's point for a branch or snapshot operation: an LSN or a
// timestamp (a snapshot point is handled by the caller, which has a
// dedicated engine call for it). Unset: the latest.
absl::StatusOr<PointInTime> ToPoint(const v1::PointInTime& point);

// The LSN a read of `branch` at `point` is served at: the LSN, the last
// commit at or before the timestamp, or the snapshot's LSN (which must be on
// the branch's current timeline: FAILED_PRECONDITION otherwise, as after a
// restore). nullopt: the latest.
absl::StatusOr<std::optional<Lsn>> ReadLsn(Engine& engine, const Branch& branch,
                                           const v1::PointInTime& point);

// The API's view of a branch: parent name, depth and, if with_bounds,
// history bounds filled in.
absl::StatusOr<v1::Branch> DescribeBranch(const Engine& engine,
                                          const Branch& branch,
                                          bool with_bounds);
// The name of branch `id`, or "" if it no longer exists.
std::string BranchNameOf(const Engine& engine, BranchId id);

// Fails with INVALID_ARGUMENT naming `what` if count > limit.
absl::Status CheckCount(int count, int limit, const char* what);

// The part of a list of `total` items that one List call returns:
// positions [begin, end), and the token of the next page ("" on the last).
struct ListPage {
  uint64_t begin = 0;
  uint64_t end = 0;
  std::string next_page_token;
};
absl::StatusOr<ListPage> PageOfList(int32_t page_size,
                                    const std::string& page_token,
                                    uint64_t total);

// A page_size field: 0 means 100, above 1000 means 1000; negative is
// INVALID_ARGUMENT.
absl::StatusOr<int> PageSizeOf(int32_t page_size);
// A page_token of a list: empty or a decimal position. INVALID_ARGUMENT
// otherwise.
absl::StatusOr<uint64_t> PagePositionOf(const std::string& page_token);

}  // namespace pitr

#endif  // PITR_SERVER_SERVICE_UTIL_H_
