#include "clients/common/channel_credentials.h"

#include "base/status_macros.h"
#include "proto/read_file.h"

namespace pitr::clients {

absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> ChannelCredentialsFor(
    const std::string& ca_cert_path) {
  if (ca_cert_path.empty()) return grpc::InsecureChannelCredentials();
  grpc::SslCredentialsOptions options;
  PITR_ASSIGN_OR_RETURN(options.pem_root_certs,
                        ReadPemFile(ca_cert_path, "TLS CA certificate"));
  return grpc::SslCredentials(options);
}

}  // namespace pitr::clients
