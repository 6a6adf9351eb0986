#include "base/crc32c.h"

#include <array>
#include <cstring>

#if defined(__x86_64__)
#include <immintrin.h>
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

// Carry-less multiplication folding (Intel, "Fast CRC Computation for
// Generic Polynomials Using PCLMULQDQ", bit-reflected variant), 512 bits at
// a time with VPCLMULQDQ. The CRC of a message only depends on the message
// modulo P, so a 128-bit lane can be replaced by a shorter value congruent
// to it shifted D bits further on, and XORed into the data there:
//   fold(X) = clmul(X.lo64, K(D + 32)) ^ clmul(X.hi64, K(D - 32))
// where K(n) is x^n mod P, bit-reflected over 33 bits. Four accumulators of
// 512 bits (16 lanes) fold forward by 2048 bits per 256 bytes read; they are
// then folded into one lane, whose 16 bytes have the same CRC (from a zero
// register) as everything read so far. The crc32 instruction reduces that
// lane, and ExtendSse42 does the last bytes.

// x^n mod P in the reflected form the folding constants take.
uint64_t FoldConstant(size_t n) {
  constexpr uint32_t kNormalPolynomial = 0x1edc6f41u;  // x^32 implied
  uint32_t remainder = 1;                              // x^0
  for (size_t i = 0; i < n; ++i) {
    const bool carry = (remainder & 0x80000000u) != 0;
    remainder <<= 1;
    if (carry) remainder ^= kNormalPolynomial;
  }
  uint32_t reflected = 0;
  for (int bit = 0; bit < 32; ++bit) {
    if (remainder & (1u << bit)) reflected |= 1u << (31 - bit);
  }
  return static_cast<uint64_t>(reflected) << 1;
}

// The low and high constants for folding D bits forward.
struct FoldConstants {
  explicit FoldConstants(size_t distance_bits)
      : low(FoldConstant(distance_bits + 32)),
        high(FoldConstant(distance_bits - 32)) {}
  uint64_t low, high;
};

#define PITR_CRC32C_FOLD_TARGET \
  __attribute__((target("avx512f,vpclmulqdq,pclmul,sse4.2")))

PITR_CRC32C_FOLD_TARGET inline __m512i Fold512(__m512i x, __m512i constants,
                                               __m512i next) {
  const __m512i low = _mm512_clmulepi64_epi128(x, constants, 0x00);
  const __m512i high = _mm512_clmulepi64_epi128(x, constants, 0x11);
  return _mm512_ternarylogic_epi64(low, high, next, 0x96);  // a ^ b ^ c
}

PITR_CRC32C_FOLD_TARGET inline __m128i Fold128(__m128i x, __m128i constants,
                                               __m128i next) {
  const __m128i low = _mm_clmulepi64_si128(x, constants, 0x00);
  const __m128i high = _mm_clmulepi64_si128(x, constants, 0x11);
  return _mm_xor_si128(_mm_xor_si128(low, high), next);
}

PITR_CRC32C_FOLD_TARGET __m512i Broadcast(const FoldConstants& k) {
  return _mm512_set_epi64(k.high, k.low, k.high, k.low, k.high, k.low, k.high,
                          k.low);
}

PITR_CRC32C_FOLD_TARGET uint32_t ExtendAvx512Fold(uint32_t crc,
                                                  const char* data, size_t n) {
  constexpr size_t kStride = 256;  // four 512-bit accumulators
  // Below two strides the setup and the final reduction cost more than the
  // folding saves.
  if (n < 2 * kStride) return ExtendSse42(crc, data, n);
  static const FoldConstants by_stride(8 * kStride), by_512(512), by_128(128);
  const __m512i stride_constants = Broadcast(by_stride);
  __m512i x0 = _mm512_loadu_si512(data);
  __m512i x1 = _mm512_loadu_si512(data + 64);
  __m512i x2 = _mm512_loadu_si512(data + 128);
  __m512i x3 = _mm512_loadu_si512(data + 192);
  // Starting from register r is starting from zero with r XORed into the
  // first four bytes.
  x0 = _mm512_xor_si512(
      x0, _mm512_zextsi128_si512(_mm_cvtsi32_si128(static_cast<int>(~crc))));
  data += kStride;
  n -= kStride;
  for (; n >= kStride; data += kStride, n -= kStride) {
    x0 = Fold512(x0, stride_constants, _mm512_loadu_si512(data));
    x1 = Fold512(x1, stride_constants, _mm512_loadu_si512(data + 64));
    x2 = Fold512(x2, stride_constants, _mm512_loadu_si512(data + 128));
    x3 = Fold512(x3, stride_constants, _mm512_loadu_si512(data + 192));
  }
  const __m512i by_512_constants = Broadcast(by_512);
  x0 = Fold512(x0, by_512_constants, x1);
  x0 = Fold512(x0, by_512_constants, x2);
  x0 = Fold512(x0, by_512_constants, x3);
  // The four lanes through memory: GCC 12 warns about its own
  // _mm512_extracti32x4_epi32 (an undefined pass-through operand).
  alignas(64) __m128i lanes[4];
  _mm512_store_si512(lanes, x0);
  const __m128i by_128_constants = _mm_set_epi64x(by_128.high, by_128.low);
  __m128i lane = lanes[0];
  for (int i = 1; i < 4; ++i) lane = Fold128(lane, by_128_constants, lanes[i]);
  uint64_t state = _mm_crc32_u64(0, _mm_extract_epi64(lane, 0));
  state = _mm_crc32_u64(state, _mm_extract_epi64(lane, 1));
  return ExtendSse42(~static_cast<uint32_t>(state), data, n);
}
#undef PITR_CRC32C_FOLD_TARGET

bool HaveSse42() { return __builtin_cpu_supports("sse4.2"); }
// __builtin_cpu_supports also checks that the OS saves the AVX-512 state.
bool HaveAvx512Fold() {
  return HaveSse42() && __builtin_cpu_supports("pclmul") &&
         __builtin_cpu_supports("avx512f") &&
         __builtin_cpu_supports("vpclmulqdq");
}
#endif

using ExtendFunction = uint32_t (*)(uint32_t, const char*, size_t);

ExtendFunction Implementation(internal::Crc32cImplementation which) {
  switch (which) {
    case internal::Crc32cImplementation::kPortable:
      return ExtendPortable;
#if defined(__x86_64__)
    case internal::Crc32cImplementation::kSse42:
      return HaveSse42() ? ExtendSse42 : nullptr;
    case internal::Crc32cImplementation::kAvx512Fold:
      return HaveAvx512Fold() ? ExtendAvx512Fold : nullptr;
#else
    default:
      return nullptr;
#endif
  }
  return nullptr;
}

// The fastest implementation this CPU runs.
ExtendFunction Fastest() {
  for (internal::Crc32cImplementation which :
       {internal::Crc32cImplementation::kAvx512Fold,
        internal::Crc32cImplementation::kSse42}) {
    if (ExtendFunction f = Implementation(which)) return f;
  }
  return ExtendPortable;
}

}  // namespace

uint32_t Extend(uint32_t crc, const char* data, size_t n) {
  static const ExtendFunction fastest = Fastest();
  return fastest(crc, data, n);
}

namespace internal {

const char* Crc32cImplementationName(Crc32cImplementation which) {
  switch (which) {
    case Crc32cImplementation::kPortable:
      return "portable";
    case Crc32cImplementation::kSse42:
      return "sse42";
    case Crc32cImplementation::kAvx512Fold:
      return "avx512fold";
  }
  return "unknown";
}

bool Supported(Crc32cImplementation which) {
  return Implementation(which) != nullptr;
}

uint32_t ExtendWith(Crc32cImplementation which, uint32_t crc, const char* data,
                    size_t n) {
  return Implementation(which)(crc, data, n);
}

}  // namespace internal

}  // namespace pitr::crc32c
