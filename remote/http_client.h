// HttpClient: one HTTP request at a time per call, over libcurl, signed with
// AWS Signature V4 by libcurl itself (CURLOPT_AWS_SIGV4). Knows nothing of
// S3 beyond the signature: s3_client.h builds the requests.
//
// Thread-safety: Send may be called from any number of threads at once; each
// call takes an easy handle from a pool guarded by a Mutex (handles keep
// their connections between calls) and returns it afterwards.
#ifndef PITR_REMOTE_HTTP_CLIENT_H_
#define PITR_REMOTE_HTTP_CLIENT_H_

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "base/mutex.h"

namespace pitr::remote {

// Bytes [offset, offset + length) of a local file, as a request body.
struct FileRange {
  std::string path;
  uint64_t offset = 0;
  uint64_t length = 0;
};

// Receives a successful (2xx) response's body, chunk by chunk. An error
// stops the transfer and becomes Send's result.
using BodySink = std::function<absl::Status(absl::string_view)>;

struct HttpRequest {
  std::string method;  // GET, HEAD, PUT, POST, DELETE
  std::string url;
  std::vector<std::string> headers;  // "Name: value"
  // The body: `body`, or the file range if `file_body` is set.
  absl::string_view body;
  const FileRange* file_body = nullptr;
  // Where a 2xx response's body goes; unset: into HttpResponse::body.
  BodySink sink;
};

struct HttpResponse {
  long status = 0;
  std::map<std::string, std::string> headers;  // names in lower case
  std::string body;  // the whole body, unless a 2xx went to the sink

  // The header's value, or "".
  std::string Header(const std::string& lower_case_name) const;
};

struct HttpClientOptions {
  std::string region = "us-east-1";
  std::string access_key_id;
  std::string secret_access_key;
  absl::Duration connect_timeout = absl::Seconds(10);
  absl::Duration stall_timeout = absl::Seconds(30);
};

class HttpClient {
 public:
  explicit HttpClient(HttpClientOptions options);
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // Sends the request and returns whatever HTTP status the server answers.
  // Errors are only those of the transfer, naming the method and URL:
  // UNAVAILABLE (cannot connect, connection lost), DEADLINE_EXCEEDED (a
  // timeout), or the sink's or the body file's own error.
  absl::StatusOr<HttpResponse> Send(const HttpRequest& request);

 private:
  void* TakeHandle();
  void ReturnHandle(void* handle);

  const HttpClientOptions options_;
  const std::string sigv4_;    // "aws:amz:<region>:s3"
  const std::string userpwd_;  // "<access key>:<secret>"
  Mutex mu_;
  std::vector<void*> idle_ ABSL_GUARDED_BY(mu_);  // CURL* easy handles
};

}  // namespace pitr::remote

#endif  // PITR_REMOTE_HTTP_CLIENT_H_
