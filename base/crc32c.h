// CRC32C (Castagnoli), the checksum of every pitr on-disk format.
//
// Uses the fastest code the CPU runs: carry-less multiplication folding with
// AVX-512 VPCLMULQDQ, else the SSE4.2 crc32 instruction, else a table. All
// give the same values. Thread-safe.
#ifndef PITR_BASE_CRC32C_H_
#define PITR_BASE_CRC32C_H_

#include <cstddef>
#include <cstdint>

#include "absl/strings/string_view.h"

namespace pitr::crc32c {

// Returns the CRC32C of concat(A, data) where crc is the CRC32C of A.
uint32_t Extend(uint32_t crc, const char* data, size_t n);

inline uint32_t Value(absl::string_view data) {
  return Extend(0, data.data(), data.size());
}

// A stored CRC is "masked" so that a CRC of bytes that themselves contain
// CRCs stays well distributed (the same trick as LevelDB's log format).
inline uint32_t Mask(uint32_t crc) {
  constexpr uint32_t kMaskDelta = 0xa282ead8u;
  return ((crc >> 15) | (crc << 17)) + kMaskDelta;
}

inline uint32_t Unmask(uint32_t masked) {
  constexpr uint32_t kMaskDelta = 0xa282ead8u;
  uint32_t rot = masked - kMaskDelta;
  return (rot >> 17) | (rot << 15);
}

namespace internal {
// The implementations Extend chooses from (the fastest the CPU runs), so
// that tests can check each against the table.
enum class Crc32cImplementation {
  kPortable,    // a table, one byte at a time
  kSse42,       // the crc32 instruction on three streams
  kAvx512Fold,  // VPCLMULQDQ folding of 256-byte strides, then kSse42
};
inline constexpr Crc32cImplementation kAllCrc32cImplementations[] = {
    Crc32cImplementation::kPortable, Crc32cImplementation::kSse42,
    Crc32cImplementation::kAvx512Fold};
// "portable", "sse42", "avx512fold".
const char* Crc32cImplementationName(Crc32cImplementation which);
bool Supported(Crc32cImplementation which);
// REQUIRES: Supported(which).
uint32_t ExtendWith(Crc32cImplementation which, uint32_t crc, const char* data,
                    size_t n);
}  // namespace internal

}  // namespace pitr::crc32c

#endif  // PITR_BASE_CRC32C_H_
