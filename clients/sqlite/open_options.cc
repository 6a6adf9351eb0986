#include "clients/sqlite/open_options.h"

#include <cctype>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "clients/common/point.h"

namespace pitr::sqlite {
namespace {

constexpr char kDefaultServer[] = "127.0.0.1:7400";
constexpr char kDefaultBranch[] = "main";

// The parameter `name`, else the environment variable `env_name` (if not
// empty), else `fallback`.
std::string ValueOf(Lookup uri_parameter, Lookup environment, const char* name,
                    const char* env_name, const char* fallback) {
  if (const char* value = uri_parameter(name)) return value;
  if (env_name != nullptr) {
    if (const char* value = environment(env_name)) return value;
  }
  return fallback;
}

}  // namespace

absl::StatusOr<v1::PointInTime> ParsePointText(const std::string& text) {
  absl::StatusOr<v1::PointInTime> point = clients::ParsePoint(text);
  if (point.ok()) return point;
  const bool name_like = !text.empty() &&
                         text.find_first_of(":/ ") == std::string::npos &&
                         text[0] != '-' && text[0] != '.' && !isdigit(text[0]);
  if (!name_like) {
    return absl::InvalidArgumentError(
        absl::StrCat(point.status().message(), ", or a snapshot name"));
  }
  v1::PointInTime snapshot;
  snapshot.set_snapshot(text);
  return snapshot;
}

absl::StatusOr<OpenOptions> ParseOpenOptions(Lookup uri_parameter,
                                             Lookup environment) {
  OpenOptions options;
  options.server = ValueOf(uri_parameter, environment, "server", "PITR_SERVER",
                           kDefaultServer);
  options.branch =
      ValueOf(uri_parameter, environment, "branch", nullptr, kDefaultBranch);
  options.token_file =
      ValueOf(uri_parameter, environment, "token_file", "PITR_TOKEN_FILE", "");
  options.tls_ca = ValueOf(uri_parameter, environment, "tls_ca", nullptr, "");
  if (options.server.empty()) {
    return absl::InvalidArgumentError("URI parameter server= is empty");
  }
  if (options.branch.empty()) {
    return absl::InvalidArgumentError("URI parameter branch= is empty");
  }
  if (const char* pages = uri_parameter("cache_pages")) {
    if (!absl::SimpleAtoi(pages, &options.cache_pages) ||
        options.cache_pages == 0) {
      return absl::InvalidArgumentError(absl::StrCat(
          "URI parameter cache_pages=", pages, " is not a positive number"));
    }
  }
  if (const char* at = uri_parameter("at")) {
    auto point = ParsePointText(at);
    if (!point.ok()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "URI parameter at=", at, ": ", point.status().message()));
    }
    options.at = *std::move(point);
  }
  return options;
}

}  // namespace pitr::sqlite
