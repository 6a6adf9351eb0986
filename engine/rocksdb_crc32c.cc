// Hardware CRC32C for RocksDB.
//
// Debian's librocksdb 7.8 is built portable, without the SSE4.2 crc32
// instruction: its crc32c::Extend is a table-driven loop of about 1 GB/s.
// RocksDB checks every blob record (every page image) with it on each read
// from a blob file, and computes it for every blob a flush or compaction
// writes. It was 39% of GetPage's time and about half of the flush and
// compaction threads' CPU (docs/performance.md, "Page store").
//
// The library calls crc32c::Extend through its PLT, so a definition in the
// executable interposes on it, as the dynamic linker does for any exported
// symbol. This one computes the same function (CRC32C, unmasked, the
// LevelDB/RocksDB convention: Extend(Value(A), B) = Value(A || B)) with
// pitr's own hardware implementation, so files written before and after
// read alike, and RocksDB keeps checking every blob.
// rocksdb_crc32c_test checks that the definition is the one in use and that
// a corrupt blob is still caught.
#include <cstddef>
#include <cstdint>

#include "base/crc32c.h"

namespace rocksdb::crc32c {

uint32_t Extend(uint32_t crc, const char* data, size_t n) {
  return pitr::crc32c::Extend(crc, data, n);
}

}  // namespace rocksdb::crc32c
