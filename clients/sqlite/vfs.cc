#include "clients/sqlite/vfs.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>

#include "absl/base/call_once.h"
#include "absl/strings/str_cat.h"
#include "clients/sqlite/memory_file.h"
#include "clients/sqlite/open_options.h"
#include "clients/sqlite/remote_db.h"
#include "clients/sqlite/status_codes.h"

namespace pitr::sqlite {
namespace {

// A main database file: SQLite's handle and our DbFile.
struct PitrFile {
  sqlite3_file base;
  DbFile* db;
};

DbFile& Db(sqlite3_file* file) {
  return *reinterpret_cast<PitrFile*>(file)->db;
}

int Close(sqlite3_file* file) {
  delete reinterpret_cast<PitrFile*>(file)->db;
  return SQLITE_OK;
}

int Read(sqlite3_file* file, void* out, int n, sqlite3_int64 offset) {
  bool short_read = false;
  absl::Status status =
      Db(file).Read(offset, static_cast<char*>(out), n, &short_read);
  if (!status.ok()) return ToSqliteCode(status, SQLITE_IOERR_READ);
  return short_read ? SQLITE_IOERR_SHORT_READ : SQLITE_OK;
}

int Write(sqlite3_file* file, const void* in, int n, sqlite3_int64 offset) {
  return ToSqliteCode(Db(file).Write(offset, static_cast<const char*>(in), n),
                      SQLITE_IOERR_WRITE);
}

int Truncate(sqlite3_file* file, sqlite3_int64 size) {
  return ToSqliteCode(Db(file).Truncate(size), SQLITE_IOERR_TRUNCATE);
}

int Sync(sqlite3_file* file, int) {
  return ToSqliteCode(Db(file).Commit(), SQLITE_IOERR_FSYNC);
}

int FileSize(sqlite3_file* file, sqlite3_int64* size) {
  absl::StatusOr<uint64_t> bytes = Db(file).Size();
  if (!bytes.ok()) return ToSqliteCode(bytes.status(), SQLITE_IOERR_FSTAT);
  *size = *bytes;
  return SQLITE_OK;
}

int Lock(sqlite3_file* file, int level) {
  return ToSqliteCode(Db(file).Lock(static_cast<LockLevel>(level)),
                      SQLITE_IOERR_LOCK);
}

int Unlock(sqlite3_file* file, int level) {
  return ToSqliteCode(Db(file).Unlock(static_cast<LockLevel>(level)),
                      SQLITE_IOERR_UNLOCK);
}

// Other processes' locks are invisible: conflicts show at RESERVED and at
// the commit instead.
int CheckReservedLock(sqlite3_file*, int* reserved) {
  *reserved = 0;
  return SQLITE_OK;
}

// PRAGMA journal_mode=WAL fails with this message (SQLite would otherwise
// answer "delete" silently, having no xShmMap).
bool RefuseWalPragma(char** args) {
  if (args[1] == nullptr || args[2] == nullptr ||
      sqlite3_stricmp(args[1], "journal_mode") != 0 ||
      sqlite3_stricmp(args[2], "wal") != 0) {
    return false;
  }
  args[0] = sqlite3_mprintf(
      "pitr: journal_mode=WAL is not supported (it needs memory shared "
      "between processes); each transaction is one atomic append to pitr, "
      "with its rollback journal in memory");
  return true;
}

int FileControl(sqlite3_file* file, int op, void* arg) {
  switch (op) {
    case SQLITE_FCNTL_PRAGMA:
      return RefuseWalPragma(static_cast<char**>(arg)) ? SQLITE_ERROR
                                                       : SQLITE_NOTFOUND;
    case SQLITE_FCNTL_SYNC:
      // Sent before xSync, and in its place with PRAGMA synchronous=OFF:
      // the commit point either way.
      return ToSqliteCode(Db(file).Commit(), SQLITE_IOERR_FSYNC);
    case SQLITE_FCNTL_BEGIN_ATOMIC_WRITE:
      return SQLITE_OK;  // writes are always buffered
    case SQLITE_FCNTL_COMMIT_ATOMIC_WRITE:
      return ToSqliteCode(Db(file).Commit(), SQLITE_IOERR_COMMIT_ATOMIC);
    case SQLITE_FCNTL_ROLLBACK_ATOMIC_WRITE:
      Db(file).Rollback();
      return SQLITE_OK;
    default:
      return SQLITE_NOTFOUND;
  }
}

// The store's page size, so that a new database gets it as its default.
int SectorSize(sqlite3_file* file) { return Db(file).page_size(); }

// Not SQLITE_IOCAP_POWERSAFE_OVERWRITE: SQLite then takes the sector size
// as 512 and would not default to the store's page size.
int DeviceCharacteristics(sqlite3_file*) {
  return SQLITE_IOCAP_BATCH_ATOMIC | SQLITE_IOCAP_SEQUENTIAL;
}

sqlite3_io_methods MakeMethods() {
  sqlite3_io_methods methods = {};
  methods.iVersion = 1;  // no xShmMap: SQLite cannot use WAL mode
  methods.xClose = Close;
  methods.xRead = Read;
  methods.xWrite = Write;
  methods.xTruncate = Truncate;
  methods.xSync = Sync;
  methods.xFileSize = FileSize;
  methods.xLock = Lock;
  methods.xUnlock = Unlock;
  methods.xCheckReservedLock = CheckReservedLock;
  methods.xFileControl = FileControl;
  methods.xSectorSize = SectorSize;
  methods.xDeviceCharacteristics = DeviceCharacteristics;
  return methods;
}

const sqlite3_io_methods kDbMethods = MakeMethods();

// The VFS SQLite uses by default: randomness, time and sleep come from it.
sqlite3_vfs* DefaultVfs() { return sqlite3_vfs_find(nullptr); }

int OpenDb(const char* name, sqlite3_file* file, int flags, int* out_flags) {
  auto options = ParseOpenOptions(
      [name](const char* key) { return sqlite3_uri_parameter(name, key); },
      [](const char* key) -> const char* { return getenv(key); });
  if (!options.ok()) return ToSqliteCode(options.status(), SQLITE_CANTOPEN);
  bool read_only =
      options->at.has_value() || (flags & SQLITE_OPEN_READONLY) != 0;
  auto db = RemoteDb::Open(*options, name,
                           !read_only && (flags & SQLITE_OPEN_CREATE) != 0);
  if (absl::IsPermissionDenied(db.status())) {
    // A token that may only read: the database opens read-only.
    read_only = true;
    db = RemoteDb::Open(*options, name, /*create=*/false);
  }
  if (!db.ok()) return ToSqliteCode(db.status(), SQLITE_CANTOPEN);
  DbFileOptions file_options;
  file_options.at = options->at;
  file_options.cache_pages = options->cache_pages;
  auto db_file = DbFile::Open(*std::move(db), file_options);
  if (!db_file.ok()) return ToSqliteCode(db_file.status(), SQLITE_CANTOPEN);
  reinterpret_cast<PitrFile*>(file)->db = db_file->release();
  file->pMethods = &kDbMethods;
  if (out_flags != nullptr) {
    *out_flags = read_only
                     ? (flags & ~(SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE)) |
                           SQLITE_OPEN_READONLY
                     : flags;
  }
  return SQLITE_OK;
}

int Open(sqlite3_vfs*, const char* name, sqlite3_file* file, int flags,
         int* out_flags) {
  file->pMethods = nullptr;
  if ((flags & SQLITE_OPEN_MAIN_DB) != 0 && name != nullptr) {
    return OpenDb(name, file, flags, out_flags);
  }
  if ((flags & SQLITE_OPEN_WAL) != 0) {
    Report(absl::FailedPreconditionError(
               absl::StrCat("cannot open ", name,
                            ": journal_mode=WAL is not supported on pitr")),
           SQLITE_CANTOPEN);
    return SQLITE_CANTOPEN;
  }
  if (out_flags != nullptr) *out_flags = flags;
  return OpenMemoryFile(file);
}

// Memory files are gone once closed, and databases are not deleted here.
int Delete(sqlite3_vfs*, const char*, int) { return SQLITE_OK; }

// No file outlives its handle, so none is found (no hot journal ever).
int Access(sqlite3_vfs*, const char*, int, int* result) {
  *result = 0;
  return SQLITE_OK;
}

// A database name is a space name, not a path: kept as it is.
int FullPathname(sqlite3_vfs*, const char* name, int n, char* out) {
  if (static_cast<int>(strlen(name)) >= n) return SQLITE_CANTOPEN;
  strcpy(out, name);
  return SQLITE_OK;
}

void* DlOpen(sqlite3_vfs*, const char* path) {
  return DefaultVfs()->xDlOpen(DefaultVfs(), path);
}

void DlError(sqlite3_vfs*, int n, char* out) {
  DefaultVfs()->xDlError(DefaultVfs(), n, out);
}

void (*DlSym(sqlite3_vfs*, void* handle, const char* symbol))(void) {
  return DefaultVfs()->xDlSym(DefaultVfs(), handle, symbol);
}

void DlClose(sqlite3_vfs*, void* handle) {
  DefaultVfs()->xDlClose(DefaultVfs(), handle);
}

int Randomness(sqlite3_vfs*, int n, char* out) {
  return DefaultVfs()->xRandomness(DefaultVfs(), n, out);
}

int Sleep(sqlite3_vfs*, int microseconds) {
  return DefaultVfs()->xSleep(DefaultVfs(), microseconds);
}

int CurrentTime(sqlite3_vfs*, double* now) {
  return DefaultVfs()->xCurrentTime(DefaultVfs(), now);
}

int CurrentTimeInt64(sqlite3_vfs*, sqlite3_int64* now) {
  return DefaultVfs()->xCurrentTimeInt64(DefaultVfs(), now);
}

int GetLastError(sqlite3_vfs*, int, char*) { return 0; }

sqlite3_vfs MakeVfs() {
  sqlite3_vfs vfs = {};
  vfs.iVersion = 2;
  vfs.szOsFile = static_cast<int>(std::max(sizeof(PitrFile), MemoryFileSize()));
  vfs.mxPathname = 512;
  vfs.zName = kVfsName;
  vfs.xOpen = Open;
  vfs.xDelete = Delete;
  vfs.xAccess = Access;
  vfs.xFullPathname = FullPathname;
  vfs.xDlOpen = DlOpen;
  vfs.xDlError = DlError;
  vfs.xDlSym = DlSym;
  vfs.xDlClose = DlClose;
  vfs.xRandomness = Randomness;
  vfs.xSleep = Sleep;
  vfs.xCurrentTime = CurrentTime;
  vfs.xGetLastError = GetLastError;
  vfs.xCurrentTimeInt64 = CurrentTimeInt64;
  return vfs;
}

}  // namespace

int RegisterVfs() {
  static absl::once_flag once;
  static int result = SQLITE_OK;
  absl::call_once(once, [] {
    static sqlite3_vfs vfs = MakeVfs();
    result = sqlite3_vfs_register(&vfs, /*makeDflt=*/0);
  });
  return result;
}

DbFile* DbFileOf(sqlite3_file* file) {
  if (file == nullptr || file->pMethods != &kDbMethods) return nullptr;
  return reinterpret_cast<PitrFile*>(file)->db;
}

}  // namespace pitr::sqlite
