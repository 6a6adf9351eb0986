#include "base/lsn.h"

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace pitr {
namespace {

bool ParseHexPart(absl::string_view part, uint32_t* value) {
  if (part.empty() || part.size() > 8) return false;
  uint32_t v = 0;
  for (char c : part) {
    if (!absl::ascii_isxdigit(static_cast<unsigned char>(c))) return false;
    int digit =
        absl::ascii_isdigit(static_cast<unsigned char>(c))
            ? c - '0'
            : absl::ascii_tolower(static_cast<unsigned char>(c)) - 'a' + 10;
    v = (v << 4) | static_cast<uint32_t>(digit);
  }
  *value = v;
  return true;
}

}  // namespace

std::string FormatLsn(Lsn lsn) {
  return absl::StrFormat("%X/%X", static_cast<uint32_t>(lsn >> 32),
                         static_cast<uint32_t>(lsn));
}

absl::StatusOr<Lsn> ParseLsn(absl::string_view text) {
  absl::string_view s = absl::StripAsciiWhitespace(text);
  size_t slash = s.find('/');
  if (slash != absl::string_view::npos) {
    uint32_t hi, lo;
    if (ParseHexPart(s.substr(0, slash), &hi) &&
        ParseHexPart(s.substr(slash + 1), &lo)) {
      return (static_cast<Lsn>(hi) << 32) | lo;
    }
  } else {
    bool all_digits = !s.empty();
    for (char c : s)
      all_digits &= absl::ascii_isdigit(static_cast<unsigned char>(c));
    Lsn value;
    if (all_digits && absl::SimpleAtoi(s, &value)) return value;
  }
  return absl::InvalidArgumentError(absl::StrCat(
      "invalid LSN \"", text,
      "\": expected X/Y with 1 to 8 hex digits in each part (e.g. 0/16B3748) "
      "or a decimal number from 0 to 18446744073709551615"));
}

}  // namespace pitr
