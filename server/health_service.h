// The standard gRPC health service (grpc.health.v1.Health,
// proto/grpc/health/v1/health.proto): pitrd reports SERVING for the server
// as a whole ("") and for each pitr.v1 service it serves, and NOT_SERVING
// once it has begun to shut down, or when `not_serving` says so of the name
// (a read replica that lost its primary: server.cc). Other names are
// unknown (Check: NOT_FOUND; Watch: SERVICE_UNKNOWN).
//
// pitrd serves this itself instead of enabling gRPC's default health
// service: that one is written with gRPC's callback API, and registering any
// callback service makes gRPC 1.51 start "nexting" threads that poll the
// same sockets as the sync server's threads and add thread hand-offs to
// every call (docs/performance.md, server_bench).
//
// Calls need no token: load balancers and probes call it.
//
// Thread-safety: the methods run concurrently on gRPC's threads.
#ifndef PITR_SERVER_HEALTH_SERVICE_H_
#define PITR_SERVER_HEALTH_SERVICE_H_

#include <atomic>
#include <functional>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "grpc/health/v1/health.grpc.pb.h"

namespace pitr {

class HealthServiceImpl final : public grpc::health::v1::Health::Service {
 public:
  // `services`: the fully qualified names served ("pitr.v1.PageService").
  // `stopping` (owned by the server, outlives this) is set when the server
  // begins to shut down.
  // `not_serving` (if set) is asked for each name ("" too) whether it is
  // NOT_SERVING now.
  HealthServiceImpl(
      std::vector<std::string> services, const std::atomic<bool>* stopping,
      std::function<bool(const std::string&)> not_serving = nullptr,
      absl::Duration watch_poll = absl::Milliseconds(200));

  grpc::Status Check(grpc::ServerContext* context,
                     const grpc::health::v1::HealthCheckRequest* request,
                     grpc::health::v1::HealthCheckResponse* response) override;
  // Ends when the client cancels, or after reporting NOT_SERVING when the
  // server stops (within `watch_poll`), so that it never holds a shutdown.
  grpc::Status Watch(grpc::ServerContext* context,
                     const grpc::health::v1::HealthCheckRequest* request,
                     grpc::ServerWriter<grpc::health::v1::HealthCheckResponse>*
                         writer) override;

 private:
  // The status of `service` ("" for the server), given whether the server
  // is stopping.
  grpc::health::v1::HealthCheckResponse::ServingStatus StatusOf(
      const std::string& service, bool stopping) const;

  const std::vector<std::string> services_;
  const std::atomic<bool>* const stopping_;
  const std::function<bool(const std::string&)> not_serving_;
  const absl::Duration watch_poll_;
};

}  // namespace pitr

#endif  // PITR_SERVER_HEALTH_SERVICE_H_
