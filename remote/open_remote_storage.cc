#include "remote/open_remote_storage.h"

#include "base/status_macros.h"
#include "remote/file_storage.h"
#include "remote/remote_url.h"
#include "remote/s3_storage.h"

namespace pitr::remote {

absl::StatusOr<std::unique_ptr<RemoteStorage>> OpenRemoteStorage(
    absl::string_view url, const RemoteOptions& options) {
  PITR_ASSIGN_OR_RETURN(RemoteUrl parsed, ParseRemoteUrl(url));
  if (parsed.scheme == RemoteUrl::Scheme::kFile) {
    PITR_ASSIGN_OR_RETURN(std::unique_ptr<FileStorage> storage,
                          FileStorage::Open(parsed.dir));
    return std::unique_ptr<RemoteStorage>(std::move(storage));
  }
  PITR_ASSIGN_OR_RETURN(std::unique_ptr<S3Storage> storage,
                        S3Storage::Open(parsed, options));
  return std::unique_ptr<RemoteStorage>(std::move(storage));
}

}  // namespace pitr::remote
