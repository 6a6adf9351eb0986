// SharedClient: one pitrd client (channel and stubs) per server, token and
// CA in the process, shared by every database the extension opens on it,
// so connections share one channel and its reconnection.
//
// Thread-safe.
#ifndef PITR_CLIENTS_SQLITE_CLIENT_POOL_H_
#define PITR_CLIENTS_SQLITE_CLIENT_POOL_H_

#include <memory>

#include "absl/status/statusor.h"
#include "clients/common/client.h"
#include "clients/sqlite/open_options.h"

namespace pitr::sqlite {

// The client for `options` (server, token_file, tls_ca), made on first
// use. Errors: the token file or CA file cannot be read.
absl::StatusOr<std::shared_ptr<clients::Client>> SharedClient(
    const OpenOptions& options);

}  // namespace pitr::sqlite

#endif  // PITR_CLIENTS_SQLITE_CLIENT_POOL_H_
