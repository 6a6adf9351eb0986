// Bearer-token authorisation of gRPC calls.
//
// A token file holds one token a line, "<role> <token>", where role is
// "admin" (every call) or "read" (read-only calls); blank lines and lines
// starting with '#' are skipped:
//
//   # pitrd tokens
//   admin 9f2c61d0a4b7e3f85c1d2e3f4a5b6c7d
//   read  0123456789abcdef0123456789abcdef
//
// A client sends "authorization: Bearer <token>" metadata on each call.
// Without a token file pitrd allows every call: that is AllowAll(), so a
// service always holds an Authorizer and never a null pointer.
//
// Thread-safety: immutable after construction; Check and Authorize may be
// called from any thread.
#ifndef PITR_SERVER_AUTH_H_
#define PITR_SERVER_AUTH_H_

#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "grpcpp/server_context.h"
#include "grpcpp/support/status.h"
#include "grpcpp/support/string_ref.h"

namespace pitr {

enum class Role {
  kRead,   // Calls that only read.
  kAdmin,  // Every call, including those that write or delete.
};

class Authorizer {
 public:
  // Tokens shorter than this are refused, so that none can be guessed.
  static constexpr size_t kMinTokenLength = 16;

  // Reads the token file at `path`. INVALID_ARGUMENT naming the line for a
  // line that is not "<admin|read> <token>", a token shorter than
  // kMinTokenLength, or one given twice, and for a file without tokens;
  // NOT_FOUND / PERMISSION_DENIED (as the OS says) naming the path if it
  // cannot be read. Messages never contain a token.
  static absl::StatusOr<std::unique_ptr<Authorizer>> FromFile(
      const std::string& path);

  // An authorizer that allows every call, with or without a token: for a
  // server run without a token file.
  static std::unique_ptr<Authorizer> AllowAll();

  Authorizer(const Authorizer&) = delete;
  Authorizer& operator=(const Authorizer&) = delete;

  // Authorize() on the call's client metadata.
  grpc::Status Check(const grpc::ServerContextBase& context,
                     Role required) const;

  // OK if `metadata` (as ServerContext::client_metadata() gives it) carries
  // "authorization: Bearer <token>" with a token of role `required` or
  // higher. UNAUTHENTICATED if the header is missing or malformed or the
  // token unknown (the message says which); PERMISSION_DENIED, naming the
  // role required, for a read token on an admin call.
  grpc::Status Authorize(
      const std::multimap<grpc::string_ref, grpc::string_ref>& metadata,
      Role required) const;

 private:
  using Tokens = std::vector<std::pair<Role, std::string>>;

  Authorizer(bool allow_all, Tokens tokens);

  const bool allow_all_;
  const Tokens tokens_;
};

}  // namespace pitr

#endif  // PITR_SERVER_AUTH_H_
