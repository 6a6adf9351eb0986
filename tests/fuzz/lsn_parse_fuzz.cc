// Fuzz target: the text forms of LSNs and commit timestamps.
//
// - ParseLsn on arbitrary text: accepts or refuses, never crashes; an
//   accepted LSN formats (FormatLsn) to text that parses back to it, and its
//   decimal form parses to it too.
// - FormatLsn of any 64-bit value parses back to that value.
// - An RFC 3339 time the text holds (as absl parses it, the way pitrctl
//   does) prints with FormatTimestampUs, the form pitr uses in logs and
//   messages, to a string that parses back to the same microsecond.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "base/lsn.h"
#include "base/timestamp.h"
#include "tests/fuzz/fuzz_check.h"

namespace pitr {
namespace {

void CheckFormatted(Lsn lsn) {
  const std::string text = FormatLsn(lsn);
  absl::StatusOr<Lsn> back = ParseLsn(text);
  FUZZ_CHECK(back.ok(), "FormatLsn(%llu) = \"%s\" does not parse: %s",
             static_cast<unsigned long long>(lsn), text.c_str(),
             std::string(back.status().message()).c_str());
  FUZZ_CHECK(*back == lsn, "\"%s\" parses to %llu, not %llu", text.c_str(),
             static_cast<unsigned long long>(*back),
             static_cast<unsigned long long>(lsn));
  // The canonical form: "X/Y", upper-case hex, no leading zeros.
  const size_t slash = text.find('/');
  FUZZ_CHECK(slash != std::string::npos && slash > 0 && slash + 1 < text.size(),
             "FormatLsn gave \"%s\"", text.c_str());
  for (size_t i = 0; i < text.size(); ++i) {
    if (i == slash) continue;
    const char c = text[i];
    FUZZ_CHECK((c >= '0' && c <= '9') || (c >= 'A' && c <= 'F'),
               "FormatLsn gave \"%s\"", text.c_str());
  }
  FUZZ_CHECK(!(text[0] == '0' && slash > 1) &&
                 !(text[slash + 1] == '0' && text.size() - slash - 1 > 1),
             "FormatLsn gave leading zeros: \"%s\"", text.c_str());
}

void FuzzLsnText(absl::string_view text) {
  absl::StatusOr<Lsn> lsn = ParseLsn(text);
  if (!lsn.ok()) {
    FUZZ_CHECK(lsn.status().code() == absl::StatusCode::kInvalidArgument,
               "ParseLsn refused with %s", lsn.status().ToString().c_str());
    return;
  }
  CheckFormatted(*lsn);
  absl::StatusOr<Lsn> decimal = ParseLsn(std::to_string(*lsn));
  FUZZ_CHECK(decimal.ok() && *decimal == *lsn,
             "the decimal form of %llu does not parse back",
             static_cast<unsigned long long>(*lsn));
  // Only digits, hex digits, one slash and white space can be accepted.
  for (char c : text) {
    FUZZ_CHECK(absl::ascii_isxdigit(static_cast<unsigned char>(c)) ||
                   c == '/' ||
                   absl::ascii_isspace(static_cast<unsigned char>(c)),
               "ParseLsn accepted a text holding 0x%02x",
               static_cast<unsigned char>(c));
  }
}

void FuzzTimestampText(const std::string& text) {
  absl::Time t;
  std::string error;
  if (!absl::ParseTime(absl::RFC3339_full, text, &t, &error)) return;
  // FormatTimestampUs prints four-digit years only.
  const absl::Time lo =
      absl::FromCivil(absl::CivilSecond(1, 1, 1, 0, 0, 0), absl::UTCTimeZone());
  const absl::Time hi = absl::FromCivil(
      absl::CivilSecond(9999, 12, 31, 23, 59, 59), absl::UTCTimeZone());
  if (t < lo || t > hi) return;
  const int64_t us = absl::ToUnixMicros(t);
  const std::string printed = FormatTimestampUs(us);
  absl::Time back;
  FUZZ_CHECK(absl::ParseTime(absl::RFC3339_full, printed, &back, &error),
             "FormatTimestampUs(%lld) = \"%s\" is not RFC 3339: %s",
             static_cast<long long>(us), printed.c_str(), error.c_str());
  FUZZ_CHECK(absl::ToUnixMicros(back) == us,
             "\"%s\" parses to %lld us, not %lld", printed.c_str(),
             static_cast<long long>(absl::ToUnixMicros(back)),
             static_cast<long long>(us));
}

}  // namespace
}  // namespace pitr

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  pitr::FuzzLsnText(text);
  pitr::FuzzTimestampText(text);
  uint64_t raw = 0;
  if (size > 0)
    std::memcpy(&raw, data, size < sizeof(raw) ? size : sizeof(raw));
  pitr::CheckFormatted(raw);
  return 0;
}
