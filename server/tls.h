// pitrd's gRPC server credentials from PEM files: TLS when given a
// certificate and key, plaintext otherwise. The clients' side is
// clients/common/channel_credentials.h.
#ifndef PITR_SERVER_TLS_H_
#define PITR_SERVER_TLS_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "grpcpp/security/server_credentials.h"

namespace pitr {

// TLS credentials serving the certificate chain at `cert_path` with the
// private key at `key_path` (both PEM); insecure (plaintext) credentials if
// both paths are empty. INVALID_ARGUMENT if only one is given or a file
// holds no PEM block; NOT_FOUND / PERMISSION_DENIED naming the path if a
// file cannot be read.
absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> ServerCredentialsFor(
    const std::string& cert_path, const std::string& key_path);

}  // namespace pitr

#endif  // PITR_SERVER_TLS_H_
