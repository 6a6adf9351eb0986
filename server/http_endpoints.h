// What pitrd serves over HTTP besides gRPC, and the rules every HTTP
// endpoint shares: bearer tokens checked with the gRPC side's Authorizer
// (same tokens, same roles), and errors as HTTP statuses with the gRPC code
// and message in a JSON body.
#ifndef PITR_SERVER_HTTP_ENDPOINTS_H_
#define PITR_SERVER_HTTP_ENDPOINTS_H_

#include "grpcpp/support/status.h"
#include "server/auth.h"
#include "server/http_server.h"
#include "server/metrics.h"

namespace pitr {

// The HTTP status for a gRPC code (as grpc-gateway maps them: NOT_FOUND
// 404, INVALID_ARGUMENT 400, UNAUTHENTICATED 401, ...).
int HttpStatusFor(grpc::StatusCode code);

// {"code": <gRPC code>, "codeName": "NOT_FOUND", "message": "..."}.
std::string ErrorJson(const grpc::Status& status);

// Answers `status` (not OK) as its HTTP status with ErrorJson as the body.
void RespondError(HttpExchange& exchange, const grpc::Status& status);

// OK if the request's "Authorization: Bearer <token>" has `role` or more
// (always, without a token file: `authorizer` null); otherwise answers
// 401 (with WWW-Authenticate) or 403 and returns the error.
grpc::Status CheckToken(const Authorizer* authorizer, Role role,
                        HttpExchange& exchange);

// GET /metrics: `metrics` in Prometheus' text format. It needs a read
// token when `authorizer` is set, unless `open`.
HttpHandler MetricsEndpoint(const Metrics* metrics,
                            const Authorizer* authorizer, bool open);

// GET /api/v1/session: what the request's token may do, for the console:
// {"tokensRequired": bool, "role": "admin" | "read" | ""} ("" for no or an
// unknown token, when tokens are required).
HttpHandler SessionEndpoint(const Authorizer* authorizer);

// The web console's files (web/assets.h): "/" and "/app.js"...; anything
// else is 404. They need no token (the API calls they make do).
HttpHandler ConsoleEndpoint();

}  // namespace pitr

#endif  // PITR_SERVER_HTTP_ENDPOINTS_H_
