#include "server/http_endpoints.h"

#include <map>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "clients/common/json.h"
#include "web/assets.h"

namespace pitr {

int HttpStatusFor(grpc::StatusCode code) {
  switch (code) {
    case grpc::OK:
      return 200;
    case grpc::CANCELLED:
      return 499;
    case grpc::INVALID_ARGUMENT:
    case grpc::FAILED_PRECONDITION:
    case grpc::OUT_OF_RANGE:
      return 400;
    case grpc::DEADLINE_EXCEEDED:
      return 504;
    case grpc::NOT_FOUND:
      return 404;
    case grpc::ALREADY_EXISTS:
    case grpc::ABORTED:
      return 409;
    case grpc::PERMISSION_DENIED:
      return 403;
    case grpc::UNAUTHENTICATED:
      return 401;
    case grpc::RESOURCE_EXHAUSTED:
      return 429;
    case grpc::UNIMPLEMENTED:
      return 501;
    case grpc::UNAVAILABLE:
      return 503;
    default:  // UNKNOWN, INTERNAL, DATA_LOSS
      return 500;
  }
}

std::string ErrorJson(const grpc::Status& status) {
  return absl::StrCat(
      "{\"code\": ", static_cast<int>(status.error_code()), ", \"codeName\": ",
      clients::JsonQuote(absl::StatusCodeToString(
          static_cast<absl::StatusCode>(status.error_code()))),
      ", \"message\": ", clients::JsonQuote(status.error_message()), "}");
}

void RespondError(HttpExchange& exchange, const grpc::Status& status) {
  HttpHeaders headers;
  if (status.error_code() == grpc::UNAUTHENTICATED) {
    headers.emplace_back("WWW-Authenticate", "Bearer realm=\"pitr\"");
  }
  exchange.Respond(HttpStatusFor(status.error_code()), "application/json",
                   ErrorJson(status) + "\n", headers);
}

grpc::Status CheckToken(const Authorizer* authorizer, Role role,
                        HttpExchange& exchange) {
  if (authorizer == nullptr) return grpc::Status::OK;
  std::multimap<grpc::string_ref, grpc::string_ref> metadata;
  const std::optional<std::string> header = exchange.Header("Authorization");
  if (header.has_value()) metadata.emplace("authorization", *header);
  grpc::Status status = authorizer->Authorize(metadata, role);
  if (!status.ok()) RespondError(exchange, status);
  return status;
}

HttpHandler MetricsEndpoint(const Metrics* metrics,
                            const Authorizer* authorizer, bool open) {
  return [metrics, authorizer, open](HttpExchange& exchange) {
    if (exchange.method() != "GET" && exchange.method() != "HEAD") {
      RespondError(exchange, grpc::Status(grpc::UNIMPLEMENTED,
                                          "/metrics answers GET only"));
      return;
    }
    if (!open && !CheckToken(authorizer, Role::kRead, exchange).ok()) return;
    exchange.Respond(200, "text/plain; version=0.0.4; charset=utf-8",
                     metrics->RenderText());
  };
}

HttpHandler SessionEndpoint(const Authorizer* authorizer) {
  return [authorizer](HttpExchange& exchange) {
    std::string role;
    if (authorizer == nullptr) {
      role = "admin";
    } else {
      std::multimap<grpc::string_ref, grpc::string_ref> metadata;
      const std::optional<std::string> header =
          exchange.Header("Authorization");
      if (header.has_value()) metadata.emplace("authorization", *header);
      if (authorizer->Authorize(metadata, Role::kAdmin).ok()) {
        role = "admin";
      } else if (authorizer->Authorize(metadata, Role::kRead).ok()) {
        role = "read";
      }
    }
    exchange.Respond(200, "application/json",
                     absl::StrCat("{\"tokensRequired\": ",
                                  authorizer != nullptr ? "true" : "false",
                                  ", \"role\": \"", role, "\"}\n"));
  };
}

HttpHandler ConsoleEndpoint() {
  return [](HttpExchange& exchange) {
    if (exchange.method() != "GET" && exchange.method() != "HEAD") {
      return RespondError(exchange, grpc::Status(grpc::UNIMPLEMENTED,
                                                 "the console answers GET"));
    }
    const WebAsset* asset = FindWebAsset(exchange.path());
    if (asset == nullptr) {
      return RespondError(
          exchange, grpc::Status(grpc::NOT_FOUND,
                                 absl::StrCat("nothing at ", exchange.path())));
    }
    exchange.Respond(
        200, asset->content_type,
        absl::string_view(reinterpret_cast<const char*>(asset->data),
                          asset->size),
        {{"Cache-Control", "no-cache"},
         {"Content-Security-Policy",
          "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'"},
         {"X-Frame-Options", "DENY"}});
  };
}

}  // namespace pitr
