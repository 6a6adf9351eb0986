// pitrd's log lines: every spdlog line of the process (RocksDB's too,
// through engine/rocksdb_logger.h) goes to stderr through the default
// logger SetUpLogging makes, with the time in UTC as the API writes it
// ("2026-12-04T10:00:00.123456Z"), as text or as JSON:
//
//   text  2026-12-04T10:00:00.123456Z [info] pitrd: serving ...
//   json  {"time":"2026-12-04T10:00:00.123456Z","level":"info",
//          "message":"pitrd: serving ..."}
//
// A JSON line is one object with time, level, logger and source (when the
// line has them) and message, strings escaped, so each line parses alone.
#ifndef PITR_SERVER_LOGGING_H_
#define PITR_SERVER_LOGGING_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "spdlog/common.h"
#include "spdlog/formatter.h"

namespace pitr {

enum class LogFormat { kText, kJson };

// trace, debug, info, warn, error, critical or off; INVALID_ARGUMENT naming
// them otherwise.
absl::StatusOr<spdlog::level::level_enum> ParseLogLevel(absl::string_view text);
// text or json; INVALID_ARGUMENT naming them otherwise.
absl::StatusOr<LogFormat> ParseLogFormat(absl::string_view text);

// The formatter of each form.
std::unique_ptr<spdlog::formatter> NewLogFormatter(LogFormat format);

// Replaces spdlog's default logger by one writing to stderr in `format`,
// at `level` and above.
void SetUpLogging(spdlog::level::level_enum level, LogFormat format);

}  // namespace pitr

#endif  // PITR_SERVER_LOGGING_H_
