#include "remote/s3_client.h"

#include "absl/strings/str_cat.h"
#include "base/status_macros.h"

namespace pitr::remote {

S3Client::S3Client(const RemoteOptions& options,
                   const Credentials& credentials, const std::string& bucket)
    : url_(options.endpoint, options.region, bucket),
      retry_(options.retry),
      session_token_(credentials.session_token),
      http_(HttpClientOptions{options.region, credentials.access_key_id,
                              credentials.secret_access_key,
                              options.connect_timeout,
                              options.stall_timeout}) {}

absl::StatusOr<HttpResponse> S3Client::Call(const S3Request& request) {
  HttpRequest http;
  http.method = request.method;
  http.url = request.full_key.empty()
                 ? url_.Bucket(request.query)
                 : url_.Object(request.full_key, request.query);
  http.headers = request.headers;
  http.headers.push_back("x-amz-content-sha256: UNSIGNED-PAYLOAD");
  if (!session_token_.empty()) {
    http.headers.push_back("x-amz-security-token: " + session_token_);
  }
  http.body = request.body;
  http.file_body = request.file_body;
  http.sink = request.sink;
  HttpResponse response;
  PITR_RETURN_IF_ERROR(Retry(retry_, [&]() -> absl::Status {
    if (request.before_attempt) {
      PITR_RETURN_IF_ERROR(request.before_attempt());
    }
    absl::StatusOr<HttpResponse> sent = http_.Send(http);
    if (!sent.ok()) {
      return absl::Status(
          sent.status().code(),
          absl::StrCat(request.operation.what,
                       request.operation.key.empty() ? "" : " of object \"",
                       request.operation.key,
                       request.operation.key.empty() ? "" : "\"", " in ",
                       request.operation.where, ": ", sent.status().message()));
    }
    response = *std::move(sent);
    if (response.status / 100 == 2) return absl::OkStatus();
    return S3Status(request.operation, response);
  }));
  return response;
}

}  // namespace pitr::remote
