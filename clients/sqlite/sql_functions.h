// The SQL functions of the time machine, on the branch of the connection's
// main database (which must be open with vfs=pitr):
//
//   pitr_lsn()                      the read point's LSN, "X/Y"
//   pitr_branch(name [, at])        creates branch `name` from this branch
//                                   at point `at` (default: latest);
//                                   returns name
//   pitr_restore(at [, from])       restores this branch to point `at` of
//                                   branch `from` (default: this branch);
//                                   returns the backup branch's name
//   pitr_snapshot(name)             a snapshot of the latest state; returns
//                                   its LSN
//   pitr_stats()                    what the connection's database file
//                                   did: "transactions=N page_reads=N
//                                   cache_hits=N fetches=N ..." (DbFileStats)
//
// Points are written as for the at= URI parameter (open_options.h).
#ifndef PITR_CLIENTS_SQLITE_SQL_FUNCTIONS_H_
#define PITR_CLIENTS_SQLITE_SQL_FUNCTIONS_H_

#include "clients/sqlite/sqlite_api.h"

namespace pitr::sqlite {

// Registers the functions on `db`; a SQLite result code.
int RegisterSqlFunctions(sqlite3* db);

}  // namespace pitr::sqlite

#endif  // PITR_CLIENTS_SQLITE_SQL_FUNCTIONS_H_
