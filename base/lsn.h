// Log sequence numbers.
//
// An LSN is a 64-bit byte position in the store's write-ahead log. It is
// strictly increasing over the whole store and never reused. It is printed
// the way PostgreSQL prints one, "X/Y": the high and low 32 bits in upper-case
// hexadecimal without leading zeros (0x16B3748 prints as "0/16B3748"), and
// parsed from that form or from a plain decimal number.
#ifndef PITR_BASE_LSN_H_
#define PITR_BASE_LSN_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace pitr {

using Lsn = uint64_t;

// "X/Y" form, e.g. FormatLsn(0x100000010) == "1/10".
std::string FormatLsn(Lsn lsn);

// Accepts "X/Y" (each part 1 to 8 hex digits, either case) or a decimal
// number that fits in 64 bits. Surrounding white space is ignored.
// INVALID_ARGUMENT, naming the text and both accepted forms, otherwise.
absl::StatusOr<Lsn> ParseLsn(absl::string_view text);

}  // namespace pitr

#endif  // PITR_BASE_LSN_H_
