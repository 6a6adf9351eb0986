#include "server/http_server.h"

#include <sys/socket.h>

#include <algorithm>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "httplib.h"

namespace pitr {

HttpExchange::HttpExchange(const httplib::Request& request,
                           httplib::Response& response,
                           const httplib::ContentReader* reader)
    : request_(request), response_(response), reader_(reader) {
  for (const auto& [name, value] : request.params) query_[name] = value;
}

const std::string& HttpExchange::method() const { return request_.method; }

const std::string& HttpExchange::path() const { return request_.path; }

std::optional<std::string> HttpExchange::Header(const char* name) const {
  if (!request_.has_header(name)) return std::nullopt;
  return request_.get_header_value(name);
}

absl::StatusOr<std::string> HttpExchange::Body(size_t max_bytes) {
  std::string body;
  bool too_big = false;
  absl::Status read = ReadBody([&](absl::string_view piece) {
    if (body.size() + piece.size() > max_bytes) {
      too_big = true;
      return false;
    }
    body.append(piece.data(), piece.size());
    return true;
  });
  if (too_big) {
    return absl::ResourceExhaustedError(
        absl::StrCat("the request body is larger than ", max_bytes, " bytes"));
  }
  if (!read.ok()) return read;
  return body;
}

absl::Status HttpExchange::ReadBody(
    const std::function<bool(absl::string_view)>& sink) {
  if (body_read_) {
    return absl::FailedPreconditionError("the request body was read already");
  }
  body_read_ = true;
  if (reader_ == nullptr) {
    sink(request_.body);
    return absl::OkStatus();
  }
  bool stopped = false;
  const bool done = (*reader_)([&](const char* data, size_t n) {
    if (!sink(absl::string_view(data, n))) stopped = true;
    return !stopped;
  });
  if (!done && !stopped) {
    return absl::UnavailableError(
        "the request body ended early (the client went away)");
  }
  return absl::OkStatus();
}

void HttpExchange::Respond(int status, absl::string_view content_type,
                           absl::string_view body, const HttpHeaders& headers) {
  responded_ = true;
  response_.status = status;
  for (const auto& [name, value] : headers) response_.set_header(name, value);
  response_.set_header("X-Content-Type-Options", "nosniff");
  response_.set_content(std::string(body), std::string(content_type));
}

void HttpExchange::RespondStream(int status, absl::string_view content_type,
                                 BodyProducer produce,
                                 const HttpHeaders& headers) {
  responded_ = true;
  response_.status = status;
  for (const auto& [name, value] : headers) response_.set_header(name, value);
  response_.set_header("X-Content-Type-Options", "nosniff");
  response_.set_chunked_content_provider(
      std::string(content_type),
      [produce = std::move(produce)](size_t, httplib::DataSink& sink) {
        produce([&sink](absl::string_view chunk) {
          if (chunk.empty()) return true;  // an empty chunk ends the body
          return sink.is_writable() && sink.write(chunk.data(), chunk.size());
        });
        sink.done();
        return true;
      });
}

const HttpHandler* HttpServer::HandlerFor(const std::string& path) const {
  const HttpHandler* best = nullptr;
  size_t best_length = 0;
  for (const auto& [prefix, handler] : handlers_) {
    const bool matches =
        prefix == "/" || path == prefix ||
        (absl::StartsWith(path, prefix) && path[prefix.size()] == '/');
    if (matches && (best == nullptr || prefix.size() > best_length)) {
      best = &handler;
      best_length = prefix.size();
    }
  }
  return best;
}

absl::StatusOr<std::unique_ptr<HttpServer>> HttpServer::Start(
    const HttpServerOptions& options,
    std::map<std::string, HttpHandler> handlers) {
  const bool tls = !options.tls_cert_file.empty();
  if (tls != !options.tls_key_file.empty()) {
    return absl::InvalidArgumentError(
        "HTTPS needs both a certificate and its key");
  }
  if (options.threads < 1) {
    return absl::InvalidArgumentError(absl::StrCat(
        "the HTTP side needs at least one thread, not ", options.threads));
  }
  const size_t colon = options.address.rfind(':');
  int port = -1;
  if (colon == std::string::npos ||
      !absl::SimpleAtoi(options.address.substr(colon + 1), &port) || port < 0 ||
      port > 65535) {
    return absl::InvalidArgumentError(absl::StrCat(
        "HTTP address \"", options.address, "\" is not host:port"));
  }
  std::string host = options.address.substr(0, colon);
  if (host.empty()) host = "0.0.0.0";

  std::unique_ptr<HttpServer> server(new HttpServer());
  server->handlers_ = std::move(handlers);
  server->tls_ = tls;
  if (tls) {
    auto https = std::make_unique<httplib::SSLServer>(
        options.tls_cert_file.c_str(), options.tls_key_file.c_str());
    if (!https->is_valid()) {
      return absl::InvalidArgumentError(
          absl::StrCat("cannot serve HTTPS with certificate ",
                       options.tls_cert_file, " and key ", options.tls_key_file,
                       " (unreadable, not PEM, or not a pair)"));
    }
    server->server_ = std::move(https);
  } else {
    server->server_ = std::make_unique<httplib::Server>();
  }
  httplib::Server& http = *server->server_;
  const int threads = options.threads;
  http.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  const time_t io_seconds = std::max<time_t>(
      1, static_cast<time_t>(absl::ToInt64Seconds(options.io_timeout)));
  http.set_read_timeout(io_seconds);
  http.set_write_timeout(io_seconds);
  http.set_keep_alive_timeout(std::max<time_t>(
      1,
      static_cast<time_t>(absl::ToInt64Seconds(options.keep_alive_timeout))));
  http.set_keep_alive_max_count(kMaxKeepAliveRequests);
  http.set_payload_max_length(options.max_body_bytes);
  // A response's head and body go out in separate writes: with Nagle's
  // algorithm the body waited for the client's delayed ACK (40 ms a
  // request on loopback).
  http.set_tcp_nodelay(true);
  // SO_REUSEADDR only: cpp-httplib's default adds SO_REUSEPORT, with which
  // a second server on the same port would start and share the traffic.
  http.set_socket_options([](socket_t sock) {
    const int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
  });

  HttpServer* self = server.get();
  auto dispatch = [self](const httplib::Request& request,
                         httplib::Response& response,
                         const httplib::ContentReader* reader) {
    HttpExchange exchange(request, response, reader);
    const HttpHandler* handler = self->HandlerFor(request.path);
    if (handler == nullptr) {
      exchange.Respond(404, "text/plain; charset=utf-8",
                       absl::StrCat("no such path: ", request.path, "\n"));
      return;
    }
    (*handler)(exchange);
    if (!exchange.responded()) {
      exchange.Respond(500, "text/plain; charset=utf-8",
                       "the handler answered nothing\n");
    }
  };
  auto without_body = [dispatch](const httplib::Request& request,
                                 httplib::Response& response) {
    dispatch(request, response, nullptr);
  };
  auto with_body = [dispatch](const httplib::Request& request,
                              httplib::Response& response,
                              const httplib::ContentReader& reader) {
    dispatch(request, response, &reader);
  };
  const std::string any = ".*";
  http.Get(any, without_body);
  http.Options(any, without_body);
  http.Post(any, with_body);
  http.Put(any, with_body);
  http.Patch(any, with_body);
  http.Delete(any, with_body);

  if (port == 0) {
    server->port_ = http.bind_to_any_port(host);
  } else if (http.bind_to_port(host, port)) {
    server->port_ = port;
  }
  if (server->port_ <= 0) {
    return absl::UnavailableError(
        absl::StrCat("cannot listen on ", options.address,
                     " for HTTP (is the address valid and the port free?)"));
  }
  server->listener_ =
      std::thread([self] { self->server_->listen_after_bind(); });
  // stop() does nothing to a server not yet running: wait until it is, so
  // that Stop always ends the listener.
  const absl::Time deadline = absl::Now() + absl::Seconds(10);
  while (!http.is_running()) {
    if (absl::Now() > deadline) {
      return absl::InternalError("the HTTP listener did not start");
    }
    absl::SleepFor(absl::Milliseconds(1));
  }
  return server;
}

HttpServer::~HttpServer() { Stop(); }

void HttpServer::Stop() {
  if (!listener_.joinable()) return;
  server_->stop();
  listener_.join();
}

}  // namespace pitr
