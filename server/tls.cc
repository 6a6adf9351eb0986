#include "server/tls.h"

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "server/read_file.h"

namespace pitr {
namespace {

// The file at `path`, which must hold a PEM block.
absl::StatusOr<std::string> ReadPem(const std::string& path,
                                    absl::string_view what) {
  PITR_ASSIGN_OR_RETURN(std::string pem, ReadFileToString(path, what));
  if (!absl::StrContains(pem, "-----BEGIN ")) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, " ", path, " holds no PEM block (-----BEGIN ...)"));
  }
  return pem;
}

}  // namespace

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
  PITR_ASSIGN_OR_RETURN(pair.cert_chain, ReadPem(cert_path, "TLS certificate"));
  PITR_ASSIGN_OR_RETURN(pair.private_key, ReadPem(key_path, "TLS key"));
  grpc::SslServerCredentialsOptions options;
  options.pem_key_cert_pairs.push_back(std::move(pair));
  return grpc::SslServerCredentials(options);
}

absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> ChannelCredentialsFor(
    const std::string& ca_cert_path) {
  if (ca_cert_path.empty()) return grpc::InsecureChannelCredentials();
  grpc::SslCredentialsOptions options;
  PITR_ASSIGN_OR_RETURN(options.pem_root_certs,
                        ReadPem(ca_cert_path, "TLS CA certificate"));
  return grpc::SslCredentials(options);
}

}  // namespace pitr
