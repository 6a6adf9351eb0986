// The URLs of S3 requests: path-style against an endpoint
// (http://host:port/bucket/key), virtual-host style against AWS
// (https://bucket.s3.<region>.amazonaws.com/key), with keys and query
// parameters encoded as Signature V4 canonicalises them.
//
// libcurl 7.88 signs the query string as it is given (it neither sorts nor
// re-encodes it), so the query must already be canonical: every parameter
// as name=value (also when the value is empty: "delete="), sorted by name,
// RFC 3986 encoded. S3Query makes it so.
#ifndef PITR_REMOTE_S3_URL_H_
#define PITR_REMOTE_S3_URL_H_

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"

namespace pitr::remote {

// Percent-encodes everything but A-Z a-z 0-9 - _ . ~ (and '/' if keep_slash).
std::string UriEncode(absl::string_view text, bool keep_slash);

// "?a=1&b=" from {{"b", ""}, {"a", "1"}}: sorted and encoded; "" if empty.
std::string S3Query(std::vector<std::pair<std::string, std::string>> params);

class S3Url {
 public:
  // `endpoint` "" means AWS; a trailing '/' is ignored.
  S3Url(std::string endpoint, std::string region, std::string bucket);

  // The URL of `key` (a full key, prefix included) with `query` (S3Query's).
  std::string Object(absl::string_view key, absl::string_view query) const;
  // The URL of the bucket itself.
  std::string Bucket(absl::string_view query) const;

 private:
  std::string base_;  // up to and including the '/' before the key
};

}  // namespace pitr::remote

#endif  // PITR_REMOTE_S3_URL_H_
