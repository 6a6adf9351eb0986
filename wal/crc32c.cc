#include "wal/crc32c.h"

#include <array>
#include <cstring>

#if defined(__x86_64__)
#include <nmmintrin.h>
#endif

namespace pitr::crc32c {
namespace {

constexpr uint32_t kPolynomial = 0x82f63b78u;  // reflected Castagnoli

std::array<uint32_t, 256> MakeTable() {
  std::array<uint32_t, 256> table{};
  for (uint32_t i = 0; i < 256; ++i) {
    uint32_t crc = i;
    for (int bit = 0; bit < 8; ++bit) {
      crc = (crc >> 1) ^ ((crc & 1) ? kPolynomial : 0);
    }
    table[i] = crc;
  }
  return table;
}

uint32_t ExtendPortable(uint32_t crc, const char* data, size_t n) {
  static const std::array<uint32_t, 256> table = MakeTable();
  const auto* p = reinterpret_cast<const unsigned char*>(data);
  uint32_t state = ~crc;
  for (size_t i = 0; i < n; ++i) {
    state = table[(state ^ p[i]) & 0xff] ^ (state >> 8);
  }
  return ~state;
}

#if defined(__x86_64__)
// The crc32 instruction has a latency of three cycles but can start one per
// cycle, so three independent streams run about three times as fast as one.
// The streams' CRCs are then joined: by linearity, the CRC register after
// A || B equals the register after A, advanced over |B| zero bytes, XORed
// with the register after B started from zero. Advancing over a fixed number
// of zero bytes is a linear map of the 32-bit register, applied with four
// table lookups (one per byte of the register).
class ZeroShift {
 public:
  explicit ZeroShift(size_t zero_bytes) {
    static const std::array<uint32_t, 256> table = MakeTable();
    uint32_t basis[32];
    for (int bit = 0; bit < 32; ++bit) {
      uint32_t state = 1u << bit;
      for (size_t i = 0; i < zero_bytes; ++i) {
        state = table[state & 0xff] ^ (state >> 8);
      }
      basis[bit] = state;
    }
    for (int k = 0; k < 4; ++k) {
      for (uint32_t b = 0; b < 256; ++b) {
        uint32_t out = 0;
        for (int bit = 0; bit < 8; ++bit) {
          if (b & (1u << bit)) out ^= basis[8 * k + bit];
        }
        table_[k][b] = out;
      }
    }
  }

  uint32_t operator()(uint32_t state) const {
    return table_[0][state & 0xff] ^ table_[1][(state >> 8) & 0xff] ^
           table_[2][(state >> 16) & 0xff] ^ table_[3][state >> 24];
  }

 private:
  uint32_t table_[4][256];
};

// Runs three streams of `block` bytes each while at least 3 * block remain.
__attribute__((target("sse4.2"))) uint64_t ThreeStreams(
    uint64_t state, const char** data, size_t* n, size_t block,
    const ZeroShift& shift) {
  while (*n >= 3 * block) {
    const char* p = *data;
    uint64_t a = state, b = 0, c = 0;
    for (size_t i = 0; i < block; i += 8) {
      uint64_t wa, wb, wc;
      std::memcpy(&wa, p + i, 8);
      std::memcpy(&wb, p + block + i, 8);
      std::memcpy(&wc, p + 2 * block + i, 8);
      a = _mm_crc32_u64(a, wa);
      b = _mm_crc32_u64(b, wb);
      c = _mm_crc32_u64(c, wc);
    }
    state = shift(shift(static_cast<uint32_t>(a)) ^ static_cast<uint32_t>(b)) ^
            static_cast<uint32_t>(c);
    *data += 3 * block;
    *n -= 3 * block;
  }
  return state;
}

__attribute__((target("sse4.2"))) uint32_t ExtendSse42(uint32_t crc,
                                                       const char* data,
                                                       size_t n) {
  constexpr size_t kLong = 1024, kShort = 128;
  static const ZeroShift* const long_shift = new ZeroShift(kLong);
  static const ZeroShift* const short_shift = new ZeroShift(kShort);
  uint64_t state = ~crc & 0xffffffffu;
  state = ThreeStreams(state, &data, &n, kLong, *long_shift);
  state = ThreeStreams(state, &data, &n, kShort, *short_shift);
  while (n >= 8) {
    uint64_t word;
    std::memcpy(&word, data, 8);
    state = _mm_crc32_u64(state, word);
    data += 8;
    n -= 8;
  }
  auto state32 = static_cast<uint32_t>(state);
  while (n > 0) {
    state32 = _mm_crc32_u8(state32, static_cast<unsigned char>(*data));
    ++data;
    --n;
  }
  return ~state32;
}

bool HaveSse42() { return __builtin_cpu_supports("sse4.2"); }
#endif

}  // namespace

uint32_t Extend(uint32_t crc, const char* data, size_t n) {
#if defined(__x86_64__)
  static const bool have_sse42 = HaveSse42();
  if (have_sse42) return ExtendSse42(crc, data, n);
#endif
  return ExtendPortable(crc, data, n);
}

namespace internal {
uint32_t ExtendPortableForTesting(uint32_t crc, const char* data, size_t n) {
  return ExtendPortable(crc, data, n);
}
}  // namespace internal

}  // namespace pitr::crc32c
