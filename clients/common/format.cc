#include "clients/common/format.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "base/timestamp.h"

namespace pitr::clients {

std::string FormatTime(const google::protobuf::Timestamp& t) {
  return FormatTimestampUs(t.seconds() * 1000000 + t.nanos() / 1000);
}

std::string DurationString(const google::protobuf::Duration& d) {
  return DurationString(absl::Seconds(d.seconds()) +
                        absl::Nanoseconds(d.nanos()));
}

std::string FormatBytes(uint64_t bytes) {
  static const char* const kUnits[] = {"KiB", "MiB", "GiB", "TiB", "PiB"};
  if (bytes < 1024) return absl::StrCat(bytes, " B");
  double value = static_cast<double>(bytes) / 1024;
  size_t unit = 0;
  while (value >= 1024 && unit + 1 < sizeof(kUnits) / sizeof(kUnits[0])) {
    value /= 1024;
    ++unit;
  }
  return absl::StrFormat("%.1f %s", value, kUnits[unit]);
}

}  // namespace pitr::clients
