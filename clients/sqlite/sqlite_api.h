// The SQLite API as a loadable extension sees it: every sqlite3_* call goes
// through the routines SQLite passed to sqlite3_extension_init (extension.cc
// holds the pointer). Include this, never sqlite3.h, in the extension.
#ifndef PITR_CLIENTS_SQLITE_SQLITE_API_H_
#define PITR_CLIENTS_SQLITE_SQLITE_API_H_

#include <sqlite3ext.h>

SQLITE_EXTENSION_INIT3

#endif  // PITR_CLIENTS_SQLITE_SQLITE_API_H_
