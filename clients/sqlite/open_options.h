// OpenOptions: what a database opened through the pitr VFS connects to, read
// from its URI parameters with the environment as defaults:
//
//   file:orders.db?vfs=pitr&server=127.0.0.1:7400&branch=main
//       &at=POINT&token_file=PATH&tls_ca=PATH
//
//   server      host:port of pitrd; default $PITR_SERVER, else 127.0.0.1:7400
//   branch      default "main"
//   at          a point (clients/common/point.h): an LSN, an RFC 3339 time,
//               snapshot:NAME or a bare snapshot name. Opens read-only.
//   token_file  default $PITR_TOKEN_FILE; none if unset
//   tls_ca      PEM file of the server's CA: TLS; none: plain text
//   cache_pages pages the connection's cache keeps between transactions;
//               default 4096
//
// Parameters SQLite itself reads (vfs, mode, cache...) are left alone.
#ifndef PITR_CLIENTS_SQLITE_OPEN_OPTIONS_H_
#define PITR_CLIENTS_SQLITE_OPEN_OPTIONS_H_

#include <cstddef>
#include <optional>
#include <string>

#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "proto/resources.pb.h"

namespace pitr::sqlite {

struct OpenOptions {
  std::string server;
  std::string branch;
  std::string token_file;
  std::string tls_ca;
  // Set: a read-only open as of this point.
  std::optional<v1::PointInTime> at;
  size_t cache_pages = 4096;
};

// Looks a name up (a URI parameter or an environment variable); nullptr if
// it is not set.
using Lookup = absl::FunctionRef<const char*(const char*)>;

// A point as clients/common/point.h parses it, or else a bare snapshot
// name. INVALID_ARGUMENT naming the text otherwise.
absl::StatusOr<v1::PointInTime> ParsePointText(const std::string& text);

// The options of an open. INVALID_ARGUMENT, naming the parameter and its
// value, for an empty server or branch, a malformed `at` or a cache_pages
// that is not a positive number.
absl::StatusOr<OpenOptions> ParseOpenOptions(Lookup uri_parameter,
                                             Lookup environment);

}  // namespace pitr::sqlite

#endif  // PITR_CLIENTS_SQLITE_OPEN_OPTIONS_H_
