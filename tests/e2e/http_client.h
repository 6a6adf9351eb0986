// A small HTTP client for the end-to-end tests of pitrd's HTTP side
// (libcurl): one request, its status and body.
#ifndef PITR_TESTS_E2E_HTTP_CLIENT_H_
#define PITR_TESTS_E2E_HTTP_CLIENT_H_

#include <string>

namespace pitr::e2e {

struct HttpReply {
  long status = 0;  // 0: no answer (refused, timed out, TLS failed)
  std::string body;
  std::string content_type;
};

struct HttpRequest {
  std::string method = "GET";
  std::string url;
  std::string body;
  // Sent as "Authorization: Bearer <token>" unless empty.
  std::string token;
  // The CA certificate for https URLs.
  std::string ca_file;
};

HttpReply SendHttp(const HttpRequest& request);

// GET `url`.
HttpReply HttpGet(const std::string& url, const std::string& token = "");

}  // namespace pitr::e2e

#endif  // PITR_TESTS_E2E_HTTP_CLIENT_H_
