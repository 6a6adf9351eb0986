// The "pitr" VFS: SQLite databases whose pages live in pitr. The main
// database file of each connection is a DbFile; journals, temporary files
// and every other file live in memory and die with their handle (pitr never
// holds half a transaction, so nothing needs them after a crash). WAL files
// are refused: journal_mode=WAL needs shared memory across processes, which
// the VFS does not offer (its io_methods are version 1, without xShmMap).
//
// Thread-safe: registration happens once; each file is used by one
// connection at a time.
#ifndef PITR_CLIENTS_SQLITE_VFS_H_
#define PITR_CLIENTS_SQLITE_VFS_H_

#include "clients/sqlite/db_file.h"
#include "clients/sqlite/sqlite_api.h"

namespace pitr::sqlite {

inline constexpr char kVfsName[] = "pitr";

// Registers the VFS (not as the default) on the first call; a SQLite result
// code.
int RegisterVfs();

// The DbFile of `file` if it is a database file of the pitr VFS, else
// nullptr.
DbFile* DbFileOf(sqlite3_file* file);

}  // namespace pitr::sqlite

#endif  // PITR_CLIENTS_SQLITE_VFS_H_
