#include "server/health_service.h"

#include <algorithm>
#include <utility>

#include "absl/time/clock.h"

namespace pitr {

using grpc::health::v1::HealthCheckRequest;
using grpc::health::v1::HealthCheckResponse;

HealthServiceImpl::HealthServiceImpl(
    std::vector<std::string> services, const std::atomic<bool>* stopping,
    std::function<bool(const std::string&)> not_serving,
    absl::Duration watch_poll)
    : services_(std::move(services)),
      stopping_(stopping),
      not_serving_(std::move(not_serving)),
      watch_poll_(watch_poll) {}

HealthCheckResponse::ServingStatus HealthServiceImpl::StatusOf(
    const std::string& service, bool stopping) const {
  if (!service.empty() && std::find(services_.begin(), services_.end(),
                                    service) == services_.end()) {
    return HealthCheckResponse::SERVICE_UNKNOWN;
  }
  return stopping || (not_serving_ && not_serving_(service))
             ? HealthCheckResponse::NOT_SERVING
             : HealthCheckResponse::SERVING;
}

grpc::Status HealthServiceImpl::Check(grpc::ServerContext* /*context*/,
                                      const HealthCheckRequest* request,
                                      HealthCheckResponse* response) {
  const HealthCheckResponse::ServingStatus status =
      StatusOf(request->service(), stopping_->load());
  if (status == HealthCheckResponse::SERVICE_UNKNOWN) {
    return grpc::Status(grpc::StatusCode::NOT_FOUND,
                        "unknown service \"" + request->service() + "\"");
  }
  response->set_status(status);
  return grpc::Status::OK;
}

grpc::Status HealthServiceImpl::Watch(
    grpc::ServerContext* context, const HealthCheckRequest* request,
    grpc::ServerWriter<HealthCheckResponse>* writer) {
  HealthCheckResponse response;
  bool first = true;
  for (;;) {
    // One read of the flag per turn: reading it again to decide whether to
    // end could see the server stopping after a SERVING status was judged
    // unchanged, and end the watch without reporting NOT_SERVING.
    const bool stopping = stopping_->load();
    const HealthCheckResponse::ServingStatus status =
        StatusOf(request->service(), stopping);
    if (first || status != response.status()) {
      response.set_status(status);
      if (!writer->Write(response)) return grpc::Status::OK;  // client gone
      first = false;
    }
    if (stopping) return grpc::Status::OK;
    if (context->IsCancelled()) {
      return grpc::Status(grpc::StatusCode::CANCELLED, "the client cancelled");
    }
    absl::SleepFor(watch_poll_);
  }
}

}  // namespace pitr
