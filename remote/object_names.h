// The numbers in the names of pitr's objects (docs/bucket-format.md): LSNs
// as 16 upper-case hexadecimal digits, generations and sequence numbers as
// a fixed count of decimal digits, so that byte order is numeric order.
#ifndef PITR_REMOTE_OBJECT_NAMES_H_
#define PITR_REMOTE_OBJECT_NAMES_H_

#include <cstddef>
#include <cstdint>
#include <optional>

#include "absl/strings/string_view.h"

namespace pitr::remote {

// Exactly 16 upper-case hexadecimal digits.
std::optional<uint64_t> ParseHex16(absl::string_view text);
// Exactly `digits` decimal digits.
std::optional<uint64_t> ParseDecimal(absl::string_view text, size_t digits);

}  // namespace pitr::remote

#endif  // PITR_REMOTE_OBJECT_NAMES_H_
