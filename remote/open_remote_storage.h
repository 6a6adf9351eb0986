// The one way callers make a RemoteStorage: from a URL.
//
//   auto storage = pitr::remote::OpenRemoteStorage("s3://bucket/pitr", options);
//
// file:///dir opens a FileStorage in dir (created if missing);
// s3://bucket/prefix an S3Storage (see RemoteOptions for the endpoint,
// region, credentials, timeouts and retries). Any other URL is
// INVALID_ARGUMENT naming it and the valid forms.
#ifndef PITR_REMOTE_OPEN_REMOTE_STORAGE_H_
#define PITR_REMOTE_OPEN_REMOTE_STORAGE_H_

#include <memory>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "remote/remote_options.h"
#include "remote/remote_storage.h"

namespace pitr::remote {

absl::StatusOr<std::unique_ptr<RemoteStorage>> OpenRemoteStorage(
    absl::string_view url, const RemoteOptions& options = RemoteOptions());

}  // namespace pitr::remote

#endif  // PITR_REMOTE_OPEN_REMOTE_STORAGE_H_
