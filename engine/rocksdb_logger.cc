#include "engine/rocksdb_logger.h"

#include <cstdio>

#include "spdlog/spdlog.h"

namespace pitr {
namespace {

spdlog::level::level_enum LevelOf(rocksdb::InfoLogLevel level) {
  switch (level) {
    case rocksdb::InfoLogLevel::WARN_LEVEL:
      return spdlog::level::warn;
    case rocksdb::InfoLogLevel::ERROR_LEVEL:
      return spdlog::level::err;
    case rocksdb::InfoLogLevel::FATAL_LEVEL:
      return spdlog::level::critical;
    default:  // DEBUG, INFO, HEADER
      return spdlog::level::debug;
  }
}

}  // namespace

const std::shared_ptr<rocksdb::Logger>& RocksDbLogger::Get() {
  static const auto* const logger =
      new std::shared_ptr<rocksdb::Logger>(new RocksDbLogger());
  return *logger;
}

void RocksDbLogger::Logv(const char* format, va_list ap) {
  Logv(rocksdb::InfoLogLevel::INFO_LEVEL, format, ap);
}

void RocksDbLogger::Logv(const rocksdb::InfoLogLevel level, const char* format,
                         va_list ap) {
  const spdlog::level::level_enum to = LevelOf(level);
  if (!spdlog::should_log(to)) return;
  char message[1024];
  std::vsnprintf(message, sizeof(message), format, ap);
  spdlog::log(to, "rocksdb: {}", message);
}

}  // namespace pitr
