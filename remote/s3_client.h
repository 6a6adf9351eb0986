// S3Client: sends one S3 request of the S3 backend, retrying it by the
// RetryPolicy, and turns any answer that is not a 2xx into an absl::Status
// (s3_status.h). Adds what every request needs: the payload hash header
// RGW insists on (x-amz-content-sha256: UNSIGNED-PAYLOAD; the bodies are
// checked by their own checksums) and the session token, if any.
//
// Thread-safety: Call may be used from any number of threads at once.
#ifndef PITR_REMOTE_S3_CLIENT_H_
#define PITR_REMOTE_S3_CLIENT_H_

#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "remote/credentials.h"
#include "remote/http_client.h"
#include "remote/remote_options.h"
#include "remote/s3_status.h"
#include "remote/s3_url.h"

namespace pitr::remote {

struct S3Request {
  S3Operation operation;  // for messages
  std::string method;
  std::string full_key;  // prefix included; "" for the bucket itself
  std::string query;     // S3Query's
  std::vector<std::string> headers;
  absl::string_view body;
  const FileRange* file_body = nullptr;
  BodySink sink;  // where a 2xx body goes; unset: HttpResponse::body
  // Called before every try (e.g. to start the sink's file anew).
  std::function<absl::Status()> before_attempt;
};

class S3Client {
 public:
  S3Client(const RemoteOptions& options, const Credentials& credentials,
           const std::string& bucket);

  // The 2xx answer, after as many tries as the RetryPolicy allows.
  absl::StatusOr<HttpResponse> Call(const S3Request& request);

 private:
  const S3Url url_;
  const RetryPolicy retry_;
  const std::string session_token_;
  HttpClient http_;
};

}  // namespace pitr::remote

#endif  // PITR_REMOTE_S3_CLIENT_H_
