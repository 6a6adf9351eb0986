// Parses the URL that names a remote store: file:///dir or
// s3://bucket[/prefix]. Nothing else is accepted.
#ifndef PITR_REMOTE_REMOTE_URL_H_
#define PITR_REMOTE_REMOTE_URL_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace pitr::remote {

struct RemoteUrl {
  enum class Scheme { kFile, kS3 };
  Scheme scheme = Scheme::kFile;
  std::string dir;     // kFile: the absolute directory, no trailing '/'
  std::string bucket;  // kS3
  std::string prefix;  // kS3: "" or a key prefix ending in '/'
};

// "file:///var/pitr" → dir "/var/pitr"; "s3://b/x/y" → bucket "b", prefix
// "x/y/". INVALID_ARGUMENT naming the URL and the valid forms otherwise (a
// relative or empty directory, an empty or malformed bucket name, another
// scheme, a query or fragment).
absl::StatusOr<RemoteUrl> ParseRemoteUrl(absl::string_view url);

}  // namespace pitr::remote

#endif  // PITR_REMOTE_REMOTE_URL_H_
