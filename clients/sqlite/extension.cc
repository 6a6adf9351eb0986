// The entry point of libpitr_sqlite.so: `.load libpitr_sqlite.so` in the
// sqlite3 shell, conn.load_extension(path) in Python. It registers the
// "pitr" VFS and the pitr_* SQL functions, on this connection and (as an
// automatic extension) on every connection the process opens later, and
// stays loaded when the connection that loaded it closes.
#include "clients/sqlite/sql_functions.h"
#include "clients/sqlite/vfs.h"

SQLITE_EXTENSION_INIT1

namespace {

int RegisterFunctionsOn(sqlite3* db, char**, const sqlite3_api_routines*) {
  return pitr::sqlite::RegisterSqlFunctions(db);
}

}  // namespace

extern "C" int sqlite3_extension_init(sqlite3* db, char** error,
                                      const sqlite3_api_routines* api) {
  SQLITE_EXTENSION_INIT2(api);
  int rc = pitr::sqlite::RegisterVfs();
  if (rc != SQLITE_OK) {
    *error = sqlite3_mprintf("pitr: cannot register the pitr VFS (%d)", rc);
    return rc;
  }
  rc = RegisterFunctionsOn(db, error, api);
  if (rc != SQLITE_OK) return rc;
  rc = sqlite3_auto_extension(reinterpret_cast<void (*)(void)>(
      reinterpret_cast<void*>(&RegisterFunctionsOn)));
  if (rc != SQLITE_OK) return rc;
  return SQLITE_OK_LOAD_PERMANENTLY;
}
