// Fixed-width little-endian encoding of integers, the byte order of every
// pitr on-disk format.
#ifndef PITR_BASE_CODING_H_
#define PITR_BASE_CODING_H_

#include <cstdint>
#include <cstring>
#include <string>

namespace pitr {

inline void PutFixed32(std::string* dst, uint32_t value) {
  char buf[4];
  for (int i = 0; i < 4; ++i) buf[i] = static_cast<char>(value >> (8 * i));
  dst->append(buf, 4);
}

inline void PutFixed64(std::string* dst, uint64_t value) {
  char buf[8];
  for (int i = 0; i < 8; ++i) buf[i] = static_cast<char>(value >> (8 * i));
  dst->append(buf, 8);
}

// REQUIRES: p points at 4 (DecodeFixed32) or 8 (DecodeFixed64) readable bytes.
inline uint32_t DecodeFixed32(const char* p) {
  const auto* u = reinterpret_cast<const unsigned char*>(p);
  uint32_t value = 0;
  for (int i = 0; i < 4; ++i) value |= static_cast<uint32_t>(u[i]) << (8 * i);
  return value;
}

inline uint64_t DecodeFixed64(const char* p) {
  const auto* u = reinterpret_cast<const unsigned char*>(p);
  uint64_t value = 0;
  for (int i = 0; i < 8; ++i) value |= static_cast<uint64_t>(u[i]) << (8 * i);
  return value;
}

// Overwrite 4 (EncodeFixed32) or 8 (EncodeFixed64) bytes at p.
inline void EncodeFixed32(char* p, uint32_t value) {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<char>(value >> (8 * i));
}

inline void EncodeFixed64(char* p, uint64_t value) {
  for (int i = 0; i < 8; ++i) p[i] = static_cast<char>(value >> (8 * i));
}

}  // namespace pitr

#endif  // PITR_BASE_CODING_H_
