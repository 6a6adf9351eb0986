// One object file of the directory backend (file_object_format.h): its
// footer, made and read back.
#ifndef PITR_REMOTE_FILE_OBJECT_H_
#define PITR_REMOTE_FILE_OBJECT_H_

#include <cstdint>
#include <functional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace pitr::remote {

struct FileObjectFooter {
  uint64_t size = 0;  // of the object's bytes, footer excluded
  uint32_t crc = 0;
  uint64_t version = 0;

  std::string ETag() const;
};

// The 16 footer bytes of an object with this checksum and version.
std::string EncodeFooter(uint32_t crc, uint64_t version);
// A new random version.
uint64_t NewVersion();

// An object file open for reading: one open file, so that every read of it
// sees the same version even if a put renames another over it meanwhile.
class FileObjectReader {
 public:
  // NOT_FOUND if there is no object file at `path` (`key` and `where` are
  // for messages); DATA_LOSS if it is too short or its footer has no magic.
  static absl::StatusOr<FileObjectReader> Open(const std::string& path,
                                               absl::string_view key,
                                               absl::string_view where);
  FileObjectReader(FileObjectReader&& other) noexcept;
  FileObjectReader& operator=(FileObjectReader&&) = delete;
  ~FileObjectReader();

  const FileObjectFooter& footer() const { return footer_; }
  // Bytes [offset, offset + length) of the object, in chunks.
  // REQUIRES: offset + length <= footer().size.
  absl::Status Read(uint64_t offset, uint64_t length,
                    const std::function<absl::Status(absl::string_view)>&
                        chunk) const;

 private:
  FileObjectReader(int fd, std::string path, FileObjectFooter footer)
      : fd_(fd), path_(std::move(path)), footer_(footer) {}

  int fd_;
  std::string path_;
  FileObjectFooter footer_;
};

}  // namespace pitr::remote

#endif  // PITR_REMOTE_FILE_OBJECT_H_
