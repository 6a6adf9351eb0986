// The directory backend's on-disk format, frozen: do not change these values,
// they are on disk.
//
//   DIR/LOCK            flock'ed around every change (put, delete)
//   DIR/tmp/            files being written, renamed or linked into objects/
//   DIR/objects/<key>   one file an object: its bytes, then a 16-byte footer
//
// The footer, little-endian:
//   crc32c   fixed32   CRC32C (unmasked) of the object's bytes
//   version  fixed64   random, new at every put: the object's ETag is these
//                      8 bytes as 16 hex digits in double quotes
//   magic    fixed32   kFooterMagic
#ifndef PITR_REMOTE_FILE_OBJECT_FORMAT_H_
#define PITR_REMOTE_FILE_OBJECT_FORMAT_H_

#include <cstdint>

namespace pitr::remote::file_format {

inline constexpr char kLockFile[] = "LOCK";
inline constexpr char kTempDir[] = "tmp";
inline constexpr char kObjectsDir[] = "objects";
inline constexpr uint32_t kFooterMagic = 0x314a4250;  // "PBJ1"
inline constexpr uint64_t kFooterSize = 16;

}  // namespace pitr::remote::file_format

#endif  // PITR_REMOTE_FILE_OBJECT_FORMAT_H_
