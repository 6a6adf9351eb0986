// The channel side of TLS: gRPC channel credentials for a client of pitrd,
// trusting a CA certificate from a PEM file, or plaintext. pitrd's side is
// server/tls.h.
#ifndef PITR_CLIENTS_COMMON_CHANNEL_CREDENTIALS_H_
#define PITR_CLIENTS_COMMON_CHANNEL_CREDENTIALS_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "grpcpp/security/credentials.h"

namespace pitr::clients {

// TLS credentials trusting the CA certificates at `ca_cert_path` (PEM);
// insecure credentials if it is empty. INVALID_ARGUMENT if the file holds
// no PEM block; NOT_FOUND / PERMISSION_DENIED naming the path if it cannot
// be read.
absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> ChannelCredentialsFor(
    const std::string& ca_cert_path);

}  // namespace pitr::clients

#endif  // PITR_CLIENTS_COMMON_CHANNEL_CREDENTIALS_H_
