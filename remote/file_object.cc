#include "remote/file_object.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "absl/random/random.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "base/coding.h"
#include "remote/file_object_format.h"
#include "remote/local_file.h"

namespace pitr::remote {

std::string FileObjectFooter::ETag() const {
  return absl::StrFormat("\"%016x\"", version);
}

std::string EncodeFooter(uint32_t crc, uint64_t version) {
  std::string footer;
  PutFixed32(&footer, crc);
  PutFixed64(&footer, version);
  PutFixed32(&footer, file_format::kFooterMagic);
  return footer;
}

uint64_t NewVersion() {
  thread_local absl::BitGen gen;
  return absl::Uniform<uint64_t>(gen);
}

absl::StatusOr<FileObjectReader> FileObjectReader::Open(
    const std::string& path, absl::string_view key, absl::string_view where) {
  auto not_found = [&](absl::string_view why) {
    return absl::NotFoundError(absl::StrCat("object \"", key,
                                            "\" not found in ", where, " (",
                                            path, why, ")"));
  };
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT || errno == ENOTDIR) return not_found(": no file");
    return PosixError("open", path, errno);
  }
  struct stat st;
  char buf[file_format::kFooterSize];
  absl::Status status;
  if (fstat(fd, &st) != 0) {
    status = PosixError("stat", path, errno);
  } else if (S_ISDIR(st.st_mode)) {
    status = not_found(" is a directory");
  } else if (static_cast<uint64_t>(st.st_size) < file_format::kFooterSize ||
             pread(fd, buf, sizeof(buf),
                   st.st_size - static_cast<off_t>(sizeof(buf))) !=
                 static_cast<ssize_t>(sizeof(buf)) ||
             DecodeFixed32(buf + 12) != file_format::kFooterMagic) {
    status = absl::DataLossError(absl::StrCat(
        "object \"", key, "\" in ", where, " is corrupt: ", path,
        " has no valid footer (", st.st_size, " bytes)"));
  }
  if (!status.ok()) {
    close(fd);
    return status;
  }
  FileObjectFooter footer;
  footer.size = static_cast<uint64_t>(st.st_size) - file_format::kFooterSize;
  footer.crc = DecodeFixed32(buf);
  footer.version = DecodeFixed64(buf + 4);
  return FileObjectReader(fd, path, footer);
}

FileObjectReader::FileObjectReader(FileObjectReader&& other) noexcept
    : fd_(other.fd_), path_(std::move(other.path_)), footer_(other.footer_) {
  other.fd_ = -1;
}

FileObjectReader::~FileObjectReader() {
  if (fd_ >= 0) close(fd_);
}

absl::Status FileObjectReader::Read(
    uint64_t offset, uint64_t length,
    const std::function<absl::Status(absl::string_view)>& chunk) const {
  return ReadFdChunks(fd_, path_, offset, length, chunk);
}

}  // namespace pitr::remote
