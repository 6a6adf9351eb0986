// batch_atomic_driver: drives the extension's batch-atomic write protocol
// (SQLITE_FCNTL_BEGIN/COMMIT/ROLLBACK_ATOMIC_WRITE) on a real database as a
// SQLite built with SQLITE_ENABLE_BATCH_ATOMIC_WRITE drives it: every page
// of a transaction written between BEGIN and COMMIT, nothing journalled.
// Debian's libsqlite3 is built without that option, so it never sends these
// controls itself; this program sends them to the VFS's file (through
// SQLITE_FCNTL_FILE_POINTER) while it holds the write lock of a transaction
// it began. A separate process, not part of sqlite_e2e_test: the extension
// links pitr's protos, which the test links too.
//
//   batch_atomic_driver EXTENSION SERVER DATABASE
//
// Creates DATABASE with one row and prints, one a line: the LSN after it;
// the LSN after a batch that was rolled back (page 1 with user_version 7
// and one page past the end, both written, then ROLLBACK_ATOMIC_WRITE); the
// LSN after the same batch committed (COMMIT_ATOMIC_WRITE); and the
// user_version and row count a new connection then reads.
#include <sqlite3.h>

#include <cstdio>
#include <cstring>
#include <string>

namespace {

int Fail(sqlite3* db, const char* what) {
  std::fprintf(stderr, "%s: %s\n", what,
               db != nullptr ? sqlite3_errmsg(db) : "no connection");
  return 1;
}

// The first column of the first row of `sql`, as text.
bool Query(sqlite3* db, const char* sql, std::string* out) {
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db, sql, -1, &stmt, nullptr) != SQLITE_OK) {
    return false;
  }
  const bool row = sqlite3_step(stmt) == SQLITE_ROW;
  if (row) {
    const unsigned char* text = sqlite3_column_text(stmt, 0);
    *out = text != nullptr ? reinterpret_cast<const char*>(text) : "";
  }
  sqlite3_finalize(stmt);
  return row;
}

// Begins a write transaction, writes page 1 with user_version 7 and a page
// past the end between BEGIN_ATOMIC_WRITE and `end` (COMMIT or ROLLBACK),
// and commits the SQL transaction (which then has nothing left to write).
int AtomicBatch(sqlite3* db, int end) {
  if (sqlite3_exec(db, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) !=
      SQLITE_OK) {
    return Fail(db, "BEGIN IMMEDIATE");
  }
  sqlite3_file* file = nullptr;
  if (sqlite3_file_control(db, "main", SQLITE_FCNTL_FILE_POINTER, &file) !=
          SQLITE_OK ||
      file == nullptr) {
    return Fail(db, "SQLITE_FCNTL_FILE_POINTER");
  }
  std::string size_text;
  std::string count_text;
  if (!Query(db, "PRAGMA page_size", &size_text) ||
      !Query(db, "PRAGMA page_count", &count_text)) {
    return Fail(db, "page size and count");
  }
  const int page_size = std::stoi(size_text);
  const sqlite3_int64 pages = std::stoll(count_text);
  std::string first(page_size, '\0');
  if (file->pMethods->xRead(file, first.data(), page_size, 0) != SQLITE_OK) {
    return Fail(db, "xRead page 1");
  }
  first[60] = first[61] = first[62] = 0;
  first[63] = 7;  // user_version, big-endian
  const std::string past_end(page_size, 'P');
  const sqlite3_io_methods* io = file->pMethods;
  if (io->xFileControl(file, SQLITE_FCNTL_BEGIN_ATOMIC_WRITE, nullptr) !=
          SQLITE_OK ||
      io->xWrite(file, first.data(), page_size, 0) != SQLITE_OK ||
      io->xWrite(file, past_end.data(), page_size, pages * page_size) !=
          SQLITE_OK ||
      io->xFileControl(file, end, nullptr) != SQLITE_OK) {
    return Fail(db, "the atomic batch");
  }
  if (sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr) != SQLITE_OK) {
    return Fail(db, "COMMIT");
  }
  return 0;
}

int PrintLsn(sqlite3* db) {
  std::string lsn;
  if (!Query(db, "SELECT pitr_lsn()", &lsn)) return Fail(db, "pitr_lsn()");
  std::printf("%s\n", lsn.c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: %s EXTENSION SERVER DATABASE\n", argv[0]);
    return 2;
  }
  sqlite3* loader = nullptr;
  char* error = nullptr;
  if (sqlite3_open(":memory:", &loader) != SQLITE_OK ||
      sqlite3_enable_load_extension(loader, 1) != SQLITE_OK ||
      sqlite3_load_extension(loader, argv[1], nullptr, &error) != SQLITE_OK) {
    std::fprintf(stderr, "loading %s: %s\n", argv[1],
                 error != nullptr ? error : "?");
    return 1;
  }
  const std::string uri =
      std::string("file:") + argv[3] + "?vfs=pitr&server=" + argv[2];
  const int flags =
      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_URI;
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(uri.c_str(), &db, flags, nullptr) != SQLITE_OK) {
    return Fail(db, "open");
  }
  if (sqlite3_exec(db, "CREATE TABLE t(x); INSERT INTO t VALUES ('a')", nullptr,
                   nullptr, nullptr) != SQLITE_OK) {
    return Fail(db, "create");
  }
  int failed = PrintLsn(db);
  failed = failed || AtomicBatch(db, SQLITE_FCNTL_ROLLBACK_ATOMIC_WRITE);
  failed = failed || PrintLsn(db);
  failed = failed || AtomicBatch(db, SQLITE_FCNTL_COMMIT_ATOMIC_WRITE);
  failed = failed || PrintLsn(db);
  if (failed) return 1;
  sqlite3_close(db);

  sqlite3* fresh = nullptr;
  std::string version;
  std::string rows;
  if (sqlite3_open_v2(uri.c_str(), &fresh, flags, nullptr) != SQLITE_OK ||
      !Query(fresh, "PRAGMA user_version", &version) ||
      !Query(fresh, "SELECT count(*) FROM t", &rows)) {
    return Fail(fresh, "a new connection");
  }
  std::printf("%s\n%s\n", version.c_str(), rows.c_str());
  sqlite3_close(fresh);
  sqlite3_close(loader);
  return 0;
}
