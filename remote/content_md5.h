// The Content-MD5 header value (base64 of the MD5 digest) that S3 requires
// on a multi-object delete. From OpenSSL's libcrypto.
#ifndef PITR_REMOTE_CONTENT_MD5_H_
#define PITR_REMOTE_CONTENT_MD5_H_

#include <string>

#include "absl/strings/string_view.h"

namespace pitr::remote {

std::string ContentMd5(absl::string_view data);

}  // namespace pitr::remote

#endif  // PITR_REMOTE_CONTENT_MD5_H_
