#include "remote/http_client.h"

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <mutex>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "remote/local_file.h"

namespace pitr::remote {

namespace {

// curl_global_init is not thread-safe: once per process, before any handle.
void InitCurlOnce() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

// The state of one transfer, seen by curl's callbacks.
struct Transfer {
  CURL* curl = nullptr;
  const HttpRequest* request = nullptr;
  HttpResponse* response = nullptr;
  // The request body: the remaining in-memory bytes, or the file.
  absl::string_view body;
  int body_fd = -1;
  uint64_t body_offset = 0;
  uint64_t body_left = 0;
  absl::Status error;  // a sink's or the body file's, which stops curl
};

size_t OnHeader(char* data, size_t size, size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  absl::string_view line(data, size * n);
  if (absl::StartsWith(line, "HTTP/")) {
    t->response->headers.clear();  // a new response (after 100 Continue)
    return size * n;
  }
  size_t colon = line.find(':');
  if (colon != absl::string_view::npos) {
    t->response->headers[absl::AsciiStrToLower(line.substr(0, colon))] =
        std::string(absl::StripAsciiWhitespace(line.substr(colon + 1)));
  }
  return size * n;
}

size_t OnWrite(char* data, size_t size, size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  long status = 0;
  curl_easy_getinfo(t->curl, CURLINFO_RESPONSE_CODE, &status);
  absl::string_view chunk(data, size * n);
  if (status / 100 == 2 && t->request->sink) {
    t->error = t->request->sink(chunk);
    if (!t->error.ok()) return 0;  // stops the transfer
  } else {
    t->response->body.append(chunk.data(), chunk.size());
  }
  return size * n;
}

size_t OnRead(char* buffer, size_t size, size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  size_t want = size * n;
  if (t->body_fd < 0) {
    size_t take = std::min(want, t->body.size());
    std::memcpy(buffer, t->body.data(), take);
    t->body.remove_prefix(take);
    return take;
  }
  want = static_cast<size_t>(std::min<uint64_t>(want, t->body_left));
  if (want == 0) return 0;
  ssize_t got;
  do {
    got = pread(t->body_fd, buffer, want, static_cast<off_t>(t->body_offset));
  } while (got < 0 && errno == EINTR);
  if (got <= 0) {
    t->error = got < 0 ? PosixError("read", t->request->file_body->path, errno)
                       : absl::InternalError(absl::StrCat(
                             "read \"", t->request->file_body->path,
                             "\": the file ends at ", t->body_offset,
                             ", it shrank while it was being sent"));
    return CURL_READFUNC_ABORT;
  }
  t->body_offset += static_cast<uint64_t>(got);
  t->body_left -= static_cast<uint64_t>(got);
  return static_cast<size_t>(got);
}

absl::Status TransferError(CURLcode code, const char* detail,
                           const HttpRequest& request) {
  std::string message =
      absl::StrCat(request.method, " ", request.url, " failed: ",
                   curl_easy_strerror(code), detail[0] ? ": " : "", detail);
  switch (code) {
    case CURLE_OPERATION_TIMEDOUT:
      return absl::DeadlineExceededError(message);
    case CURLE_URL_MALFORMAT:
    case CURLE_UNSUPPORTED_PROTOCOL:
      return absl::InvalidArgumentError(message);
    default:
      return absl::UnavailableError(message);
  }
}

}  // namespace

std::string HttpResponse::Header(const std::string& lower_case_name) const {
  auto it = headers.find(lower_case_name);
  return it == headers.end() ? "" : it->second;
}

HttpClient::HttpClient(HttpClientOptions options)
    : options_(std::move(options)),
      sigv4_(absl::StrCat("aws:amz:", options_.region, ":s3")),
      userpwd_(absl::StrCat(options_.access_key_id, ":",
                            options_.secret_access_key)) {
  InitCurlOnce();
}

HttpClient::~HttpClient() {
  MutexLock lock(&mu_);
  for (void* handle : idle_) curl_easy_cleanup(static_cast<CURL*>(handle));
}

void* HttpClient::TakeHandle() {
  {
    MutexLock lock(&mu_);
    if (!idle_.empty()) {
      void* handle = idle_.back();
      idle_.pop_back();
      return handle;
    }
  }
  return curl_easy_init();
}

void HttpClient::ReturnHandle(void* handle) {
  curl_easy_reset(static_cast<CURL*>(handle));  // keeps its connections
  MutexLock lock(&mu_);
  idle_.push_back(handle);
}

absl::StatusOr<HttpResponse> HttpClient::Send(const HttpRequest& request) {
  HttpResponse response;
  Transfer t;
  t.request = &request;
  t.response = &response;
  t.body = request.body;
  if (request.file_body != nullptr) {
    t.body_fd = open(request.file_body->path.c_str(), O_RDONLY | O_CLOEXEC);
    if (t.body_fd < 0) {
      return PosixError("open", request.file_body->path, errno);
    }
    t.body_offset = request.file_body->offset;
    t.body_left = request.file_body->length;
  }
  t.curl = static_cast<CURL*>(TakeHandle());
  if (t.curl == nullptr) {
    if (t.body_fd >= 0) close(t.body_fd);
    return absl::ResourceExhaustedError("curl_easy_init failed");
  }
  CURL* curl = t.curl;
  curl_slist* headers = nullptr;
  for (const std::string& h : request.headers) {
    headers = curl_slist_append(headers, h.c_str());
  }
  // No "Expect:" header to turn off curl's 100-continue for big bodies:
  // curl 7.88 signs that empty header but does not send it, and the
  // signature then does not match (RGW answers it at once anyway).
  char error[CURL_ERROR_SIZE] = "";

  curl_easy_setopt(curl, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error);
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_AWS_SIGV4, sigv4_.c_str());
  curl_easy_setopt(curl, CURLOPT_USERPWD, userpwd_.c_str());
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(
                       absl::ToInt64Milliseconds(options_.connect_timeout)));
  curl_easy_setopt(curl, CURLOPT_LOW_SPEED_LIMIT, 1L);
  curl_easy_setopt(curl, CURLOPT_LOW_SPEED_TIME,
                   static_cast<long>(std::max<int64_t>(
                       1, absl::ToInt64Seconds(options_.stall_timeout))));
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, OnHeader);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &t);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, OnWrite);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &t);
  if (request.method == "HEAD") {
    curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
  } else if (request.method == "POST" && request.file_body == nullptr) {
    // A small in-memory body, sent with the headers: as an upload, curl
    // would ask for a 100 Continue, which RGW does not send for POSTs, and
    // wait a second for it.
    curl_easy_setopt(curl, CURLOPT_POST, 1L);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, request.body.data());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE,
                     static_cast<curl_off_t>(request.body.size()));
  } else if (request.method == "PUT" || request.method == "POST") {
    // Streamed through the read callback, sized up front.
    curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(curl, CURLOPT_READFUNCTION, OnRead);
    curl_easy_setopt(curl, CURLOPT_READDATA, &t);
    curl_easy_setopt(curl, CURLOPT_INFILESIZE_LARGE,
                     static_cast<curl_off_t>(request.file_body != nullptr
                                                 ? t.body_left
                                                 : request.body.size()));
    if (request.method == "POST") {
      curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, "POST");
    }
  } else if (request.method != "GET") {
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, request.method.c_str());
  }

  CURLcode code = curl_easy_perform(curl);
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &response.status);
  curl_slist_free_all(headers);
  if (t.body_fd >= 0) close(t.body_fd);
  ReturnHandle(curl);
  if (!t.error.ok()) return t.error;
  if (code != CURLE_OK) return TransferError(code, error, request);
  return response;
}

}  // namespace pitr::remote
