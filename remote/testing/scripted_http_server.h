// A tiny HTTP/1.1 server on 127.0.0.1 that answers each request with the
// next answer of a script (the last one repeats), closing the connection
// after each: enough to test the S3 backend's retry policy (503s, 500s,
// dropped and stalled connections) without a real S3. The real semantics are tested
// against radosgw. For tests only.
#ifndef PITR_REMOTE_TESTING_SCRIPTED_HTTP_SERVER_H_
#define PITR_REMOTE_TESTING_SCRIPTED_HTTP_SERVER_H_

#include <string>
#include <thread>
#include <vector>

#include "base/mutex.h"

namespace pitr::remote::testing {

class ScriptedHttpServer {
 public:
  // One answer: an HTTP status with its headers and body, or a connection
  // closed without an answer (Drop), or after a silence (Stall).
  struct Answer {
    int status = 200;
    std::vector<std::string> headers;  // "Name: value"
    std::string body;
    bool drop = false;
    int silence_ms = 0;  // before the drop
  };
  static Answer Drop() { return {0, {}, "", true, 0}; }
  static Answer Stall(int silence_ms) { return {0, {}, "", true, silence_ms}; }

  // Listens on an ephemeral port at once; serves until destroyed.
  explicit ScriptedHttpServer(std::vector<Answer> script);
  ~ScriptedHttpServer();
  ScriptedHttpServer(const ScriptedHttpServer&) = delete;
  ScriptedHttpServer& operator=(const ScriptedHttpServer&) = delete;

  std::string endpoint() const;  // "http://127.0.0.1:<port>"
  // The request lines ("PUT /bucket/key HTTP/1.1") received so far.
  std::vector<std::string> requests();

 private:
  void Serve();
  void Answer1(int fd);

  const std::vector<Answer> script_;
  int listen_fd_ = -1;
  int port_ = 0;
  Mutex mu_;
  std::vector<std::string> requests_ ABSL_GUARDED_BY(mu_);
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace pitr::remote::testing

#endif  // PITR_REMOTE_TESTING_SCRIPTED_HTTP_SERVER_H_
