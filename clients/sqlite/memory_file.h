// In-memory files for the pitr VFS: rollback journals, temporary databases
// and every file other than a main database. Each lives as long as its
// handle: nothing is shared between handles or kept after xClose.
#ifndef PITR_CLIENTS_SQLITE_MEMORY_FILE_H_
#define PITR_CLIENTS_SQLITE_MEMORY_FILE_H_

#include <cstddef>

#include "clients/sqlite/sqlite_api.h"

namespace pitr::sqlite {

// Bytes of the sqlite3_file subclass OpenMemoryFile fills in.
size_t MemoryFileSize();

// Makes `file` (MemoryFileSize() bytes from SQLite) an empty in-memory
// file. Always SQLITE_OK.
int OpenMemoryFile(sqlite3_file* file);

}  // namespace pitr::sqlite

#endif  // PITR_CLIENTS_SQLITE_MEMORY_FILE_H_
