// How the extension's absl::Status errors reach SQLite: a result code, and
// the message in SQLite's error log (sqlite3_log) and, for the errors an
// application cannot handle by retrying, on stderr, since a VFS cannot set
// the message sqlite3_errmsg returns.
#ifndef PITR_CLIENTS_SQLITE_STATUS_CODES_H_
#define PITR_CLIENTS_SQLITE_STATUS_CODES_H_

#include "absl/status/status.h"

namespace pitr::sqlite {

// SQLITE_OK for OK; SQLITE_BUSY for ABORTED (another writer committed
// first: retry); SQLITE_READONLY for PERMISSION_DENIED; `io_error` (an
// SQLITE_IOERR_* code) for the rest. Reports every error.
int ToSqliteCode(const absl::Status& status, int io_error);

// Reports `status` as ToSqliteCode does, with result code `code`.
void Report(const absl::Status& status, int code);

}  // namespace pitr::sqlite

#endif  // PITR_CLIENTS_SQLITE_STATUS_CODES_H_
