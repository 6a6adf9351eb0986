#include "clients/sqlite/status_codes.h"

#include <cstdio>
#include <string>

#include "clients/sqlite/sqlite_api.h"

namespace pitr::sqlite {

int ToSqliteCode(const absl::Status& status, int io_error) {
  int code = io_error;
  switch (status.code()) {
    case absl::StatusCode::kOk:
      return SQLITE_OK;
    case absl::StatusCode::kAborted:
      code = SQLITE_BUSY;
      break;
    case absl::StatusCode::kPermissionDenied:
      code = SQLITE_READONLY;
      break;
    default:
      break;
  }
  Report(status, code);
  return code;
}

void Report(const absl::Status& status, int code) {
  const std::string message(status.message());
  sqlite3_log(code, "pitr: %s", message.c_str());
  if (code != SQLITE_BUSY && code != SQLITE_READONLY) {
    fprintf(stderr, "pitr: %s\n", message.c_str());
  }
}

}  // namespace pitr::sqlite
