// RocksDbLogger: RocksDB's info log, written to spdlog instead of a LOG file
// in the page store's directory. pitr's log then holds RocksDB's warnings
// and errors, and a full disk cannot fail a LOG write: Debian's librocksdb
// is built with assertions, and a failed LOG write aborts the process.
// RocksDB's info-level chatter (flush and compaction details) goes to
// spdlog's debug level.
#ifndef PITR_ENGINE_ROCKSDB_LOGGER_H_
#define PITR_ENGINE_ROCKSDB_LOGGER_H_

#include <cstdarg>
#include <memory>

#include "rocksdb/env.h"

namespace pitr {

//
// One logger serves every store of the process and is never destroyed:
// RocksDB's background threads may still look at it while a DB closes.
class RocksDbLogger : public rocksdb::Logger {
 public:
  static const std::shared_ptr<rocksdb::Logger>& Get();

  void Logv(const char* format, va_list ap) override;
  void Logv(const rocksdb::InfoLogLevel level, const char* format,
            va_list ap) override;

 private:
  RocksDbLogger() : rocksdb::Logger(rocksdb::InfoLogLevel::INFO_LEVEL) {}
};

}  // namespace pitr

#endif  // PITR_ENGINE_ROCKSDB_LOGGER_H_
