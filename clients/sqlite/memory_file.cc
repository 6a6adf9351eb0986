#include "clients/sqlite/memory_file.h"

#include <algorithm>
#include <cstring>
#include <string>

namespace pitr::sqlite {
namespace {

struct MemoryFile {
  sqlite3_file base;
  std::string* data;
};

std::string& DataOf(sqlite3_file* file) {
  return *reinterpret_cast<MemoryFile*>(file)->data;
}

int Close(sqlite3_file* file) {
  delete reinterpret_cast<MemoryFile*>(file)->data;
  return SQLITE_OK;
}

int Read(sqlite3_file* file, void* out, int n, sqlite3_int64 offset) {
  const std::string& data = DataOf(file);
  const size_t start = std::min<size_t>(offset, data.size());
  const size_t len = std::min<size_t>(n, data.size() - start);
  memcpy(out, data.data() + start, len);
  if (len == static_cast<size_t>(n)) return SQLITE_OK;
  memset(static_cast<char*>(out) + len, 0, n - len);
  return SQLITE_IOERR_SHORT_READ;
}

int Write(sqlite3_file* file, const void* in, int n, sqlite3_int64 offset) {
  std::string& data = DataOf(file);
  if (data.size() < static_cast<size_t>(offset) + n) data.resize(offset + n);
  memcpy(data.data() + offset, in, n);
  return SQLITE_OK;
}

int Truncate(sqlite3_file* file, sqlite3_int64 size) {
  std::string& data = DataOf(file);
  if (static_cast<size_t>(size) < data.size()) data.resize(size);
  return SQLITE_OK;
}

int Sync(sqlite3_file*, int) { return SQLITE_OK; }

int FileSize(sqlite3_file* file, sqlite3_int64* size) {
  *size = DataOf(file).size();
  return SQLITE_OK;
}

int Lock(sqlite3_file*, int) { return SQLITE_OK; }
int Unlock(sqlite3_file*, int) { return SQLITE_OK; }

int CheckReservedLock(sqlite3_file*, int* reserved) {
  *reserved = 0;
  return SQLITE_OK;
}

int FileControl(sqlite3_file*, int, void*) { return SQLITE_NOTFOUND; }
int SectorSize(sqlite3_file*) { return 4096; }
int DeviceCharacteristics(sqlite3_file*) {
  return SQLITE_IOCAP_ATOMIC | SQLITE_IOCAP_SAFE_APPEND |
         SQLITE_IOCAP_SEQUENTIAL | SQLITE_IOCAP_POWERSAFE_OVERWRITE;
}

sqlite3_io_methods MakeMethods() {
  sqlite3_io_methods methods = {};
  methods.iVersion = 1;
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

const sqlite3_io_methods kMemoryMethods = MakeMethods();

}  // namespace

size_t MemoryFileSize() { return sizeof(MemoryFile); }

int OpenMemoryFile(sqlite3_file* file) {
  MemoryFile* memory = reinterpret_cast<MemoryFile*>(file);
  memory->data = new std::string;
  memory->base.pMethods = &kMemoryMethods;
  return SQLITE_OK;
}

}  // namespace pitr::sqlite
