// HTTP/1.1 request heads and responses, as far as HttpServer needs them:
// the request line of a GET, and a whole response to write back. Private to
// //server:http_server.
#ifndef PITR_SERVER_HTTP_MESSAGE_H_
#define PITR_SERVER_HTTP_MESSAGE_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace pitr {

struct HttpRequestLine {
  std::string method;  // "GET", ...
  std::string path;    // Without the query string.
};

// Parses the first line of `head` ("GET /metrics?x=1 HTTP/1.1\r\n..."); the
// header lines after it are not needed and not read. INVALID_ARGUMENT,
// quoting the line, if it is not "<method> <target> HTTP/1.<n>".
absl::StatusOr<HttpRequestLine> ParseRequestLine(absl::string_view head);

// The bytes of a complete response with the given status code (200, 404,
// ...), headers Content-Type, Content-Length and "Connection: close", any
// `extra_headers` ("Name: value\r\n" lines), and `body`.
std::string FormatResponse(int status, absl::string_view content_type,
                           absl::string_view extra_headers,
                           absl::string_view body);

}  // namespace pitr

#endif  // PITR_SERVER_HTTP_MESSAGE_H_
