#include "server/logging.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "clients/common/json.h"
#include "spdlog/sinks/stdout_sinks.h"
#include "spdlog/spdlog.h"

namespace pitr {
namespace {

constexpr std::pair<const char*, spdlog::level::level_enum> kLevels[] = {
    {"trace", spdlog::level::trace}, {"debug", spdlog::level::debug},
    {"info", spdlog::level::info},   {"warn", spdlog::level::warn},
    {"error", spdlog::level::err},   {"critical", spdlog::level::critical},
    {"off", spdlog::level::off},
};

const char* LevelName(spdlog::level::level_enum level) {
  for (const auto& [name, value] : kLevels) {
    if (value == level) return name;
  }
  return "?";
}

std::string UtcTime(spdlog::log_clock::time_point time) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%E6SZ", absl::FromChrono(time),
                          absl::UTCTimeZone());
}

// "TIME [LEVEL] message".
class TextFormatter final : public spdlog::formatter {
 public:
  void format(const spdlog::details::log_msg& msg,
              spdlog::memory_buf_t& dest) override {
    const std::string line = absl::StrCat(
        UtcTime(msg.time), " [", LevelName(msg.level), "] ",
        absl::string_view(msg.payload.data(), msg.payload.size()), "\n");
    dest.append(line.data(), line.data() + line.size());
  }

  std::unique_ptr<spdlog::formatter> clone() const override {
    return std::make_unique<TextFormatter>();
  }
};

class JsonFormatter final : public spdlog::formatter {
 public:
  void format(const spdlog::details::log_msg& msg,
              spdlog::memory_buf_t& dest) override {
    std::string line =
        absl::StrCat("{\"time\":\"", UtcTime(msg.time), "\",\"level\":\"",
                     LevelName(msg.level), "\"");
    if (msg.logger_name.size() > 0) {
      absl::StrAppend(&line, ",\"logger\":",
                      clients::JsonQuote(std::string(msg.logger_name.data(),
                                                     msg.logger_name.size())));
    }
    if (!msg.source.empty()) {
      absl::StrAppend(&line, ",\"source\":",
                      clients::JsonQuote(absl::StrCat(msg.source.filename, ":",
                                                      msg.source.line)));
    }
    absl::StrAppend(
        &line, ",\"message\":",
        clients::JsonQuote(std::string(msg.payload.data(), msg.payload.size())),
        "}\n");
    dest.append(line.data(), line.data() + line.size());
  }

  std::unique_ptr<spdlog::formatter> clone() const override {
    return std::make_unique<JsonFormatter>();
  }
};

}  // namespace

absl::StatusOr<spdlog::level::level_enum> ParseLogLevel(
    absl::string_view text) {
  for (const auto& [name, value] : kLevels) {
    if (text == name) return value;
  }
  return absl::InvalidArgumentError(absl::StrCat(
      "invalid log level \"", text,
      "\": expected trace, debug, info, warn, error, critical or off"));
}

absl::StatusOr<LogFormat> ParseLogFormat(absl::string_view text) {
  if (text == "text") return LogFormat::kText;
  if (text == "json") return LogFormat::kJson;
  return absl::InvalidArgumentError(
      absl::StrCat("invalid log format \"", text, "\": expected text or json"));
}

std::unique_ptr<spdlog::formatter> NewLogFormatter(LogFormat format) {
  if (format == LogFormat::kJson) return std::make_unique<JsonFormatter>();
  return std::make_unique<TextFormatter>();
}

void SetUpLogging(spdlog::level::level_enum level, LogFormat format) {
  auto logger = spdlog::stderr_logger_mt("pitrd");
  logger->set_formatter(NewLogFormatter(format));
  logger->set_level(level);
  spdlog::set_default_logger(std::move(logger));
}

}  // namespace pitr
