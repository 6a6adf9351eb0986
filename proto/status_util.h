// Conversion between absl::Status and grpc::Status.
//
// The one place where a service handler turns the engine's absl::Status into
// the grpc::Status it returns, and where a client turns a grpc::Status back.
// The numeric values of absl::StatusCode and grpc::StatusCode are the same
// (both follow google.rpc.Code), so the code passes through unchanged.
//
// Thread-safe: pure functions.
#ifndef PITR_PROTO_STATUS_UTIL_H_
#define PITR_PROTO_STATUS_UTIL_H_

#include <cstddef>

#include "absl/status/status.h"
#include "grpcpp/support/status.h"

namespace pitr {

// The longest message ToGrpcStatus passes on, in bytes, before the marker
// that says how much was cut. Status messages travel in HTTP/2 trailers,
// which peers limit in size; a longer message would lose the whole reply.
inline constexpr size_t kMaxGrpcMessageBytes = 4096;

// Returns a grpc::Status with the code of `status` and its message, cut to
// kMaxGrpcMessageBytes (at a UTF-8 character boundary) plus a marker
// "...[truncated N bytes]" when longer. A code outside the known range
// becomes UNKNOWN.
grpc::Status ToGrpcStatus(const absl::Status& status);

// Returns an absl::Status with the code and message of `status`. A code
// outside the known range becomes kUnknown.
absl::Status FromGrpcStatus(const grpc::Status& status);

}  // namespace pitr

#endif  // PITR_PROTO_STATUS_UTIL_H_
