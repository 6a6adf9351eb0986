#include "server/tls.h"

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "proto/read_file.h"

namespace pitr {

absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> ServerCredentialsFor(
    const std::string& cert_path, const std::string& key_path) {
  if (cert_path.empty() && key_path.empty()) {
    return grpc::InsecureServerCredentials();
  }
  if (cert_path.empty() || key_path.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "TLS needs both a certificate and a key; got certificate \"", cert_path,
        "\" and key \"", key_path, "\""));
  }
  grpc::SslServerCredentialsOptions::PemKeyCertPair pair;
  PITR_ASSIGN_OR_RETURN(pair.cert_chain,
                        ReadPemFile(cert_path, "TLS certificate"));
  PITR_ASSIGN_OR_RETURN(pair.private_key, ReadPemFile(key_path, "TLS key"));
  grpc::SslServerCredentialsOptions options;
  options.pem_key_cert_pairs.push_back(std::move(pair));
  return grpc::SslServerCredentials(options);
}

}  // namespace pitr
