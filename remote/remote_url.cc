#include "remote/remote_url.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "remote/object_key.h"

namespace pitr::remote {

namespace {

absl::Status Refuse(absl::string_view url, absl::string_view why) {
  return absl::InvalidArgumentError(absl::StrCat(
      "invalid remote storage URL \"", url, "\": ", why,
      "; valid forms are file:///absolute/dir and s3://bucket[/prefix]"));
}

// S3's bucket naming rules: 3 to 63 characters, lower-case letters, digits,
// '.' and '-', starting and ending with a letter or digit.
bool ValidBucket(absl::string_view bucket) {
  if (bucket.size() < 3 || bucket.size() > 63) return false;
  for (char c : bucket) {
    if (!absl::ascii_islower(c) && !absl::ascii_isdigit(c) && c != '.' &&
        c != '-') {
      return false;
    }
  }
  auto alnum = [](char c) {
    return absl::ascii_islower(c) || absl::ascii_isdigit(c);
  };
  return alnum(bucket.front()) && alnum(bucket.back());
}

}  // namespace

absl::StatusOr<RemoteUrl> ParseRemoteUrl(absl::string_view url) {
  if (url.find_first_of("?#") != absl::string_view::npos) {
    return Refuse(url, "a query or fragment is not allowed");
  }
  RemoteUrl parsed;
  absl::string_view rest = url;
  if (absl::ConsumePrefix(&rest, "file://")) {
    if (!absl::StartsWith(rest, "/")) {
      return Refuse(url, "the directory must be absolute (file:///dir)");
    }
    while (rest.size() > 1 && absl::EndsWith(rest, "/")) rest.remove_suffix(1);
    if (rest == "/") return Refuse(url, "the directory cannot be /");
    parsed.scheme = RemoteUrl::Scheme::kFile;
    parsed.dir = std::string(rest);
    return parsed;
  }
  if (absl::ConsumePrefix(&rest, "s3://")) {
    size_t slash = rest.find('/');
    absl::string_view bucket = rest.substr(0, slash);
    if (!ValidBucket(bucket)) {
      return Refuse(url, absl::StrCat("\"", bucket,
                                      "\" is not a valid bucket name (3 to 63 "
                                      "lower-case letters, digits, '.', '-')"));
    }
    parsed.scheme = RemoteUrl::Scheme::kS3;
    parsed.bucket = std::string(bucket);
    if (slash != absl::string_view::npos) {
      absl::string_view prefix = rest.substr(slash + 1);
      while (absl::EndsWith(prefix, "/")) prefix.remove_suffix(1);
      if (!prefix.empty()) {
        absl::Status valid = ValidateKey(prefix, url);
        if (!valid.ok()) return Refuse(url, valid.message());
        parsed.prefix = absl::StrCat(prefix, "/");
      }
    }
    return parsed;
  }
  return Refuse(url, "unknown scheme");
}

}  // namespace pitr::remote
