// JsonApi: the gRPC API over HTTP and JSON, at /api/v1 of pitrd's HTTP
// side, so that curl (and the web console) can do everything pitrctl can.
//
// Every call goes to pitrd's own gRPC services through an in-process
// channel, carrying the HTTP request's Authorization header: the same
// roles, checks, errors and metrics as over gRPC. Messages are converted
// with protobuf's JSON mapping (JsonStringToMessage / MessageToJsonString:
// lowerCamelCase names, 64-bit integers as strings, bytes as base64,
// timestamps as RFC 3339).
//
//   POST /api/v1/rpc/<Service>/<Method>   any method but the bidirectional
//       streams; the body is the request (empty: the default). "Service" is
//       e.g. BranchService or pitr.v1.BranchService.
//   GET /api/v1/store, /branches, /branches/{name}, /snapshots,
//       /snapshots/{name}, /schedules, /spaces, /retention/{branch}, ...
//       and POST / DELETE on some of them (Routes() in json_api.cc): the
//       usual calls under resource paths; path and query parameters fill
//       the request's fields (dotted for nested ones: ?point.lsn=0/16B0).
//   GET /api/v1/branches/{branch}/export   the dump, as a download
//   POST /api/v1/branches/{branch}/import  the dump as the body
//
// Responses: 200 with the response message; a server stream as
// newline-delimited JSON (application/x-ndjson, one message a line,
// chunked); an error as its HTTP status with {"code", "codeName",
// "message"} (server/http_endpoints.h), also as the last line of a stream
// that fails after it began.
#ifndef PITR_SERVER_JSON_API_H_
#define PITR_SERVER_JSON_API_H_

#include <memory>

#include "grpcpp/channel.h"
#include "server/http_server.h"

namespace pitr {

// The handler of /api/v1, calling the services on `channel` (the server's
// in-process channel). Request bodies are refused past `max_body_bytes`.
HttpHandler JsonApiHandler(std::shared_ptr<grpc::Channel> channel,
                           size_t max_body_bytes);

}  // namespace pitr

#endif  // PITR_SERVER_JSON_API_H_
