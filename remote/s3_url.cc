#include "remote/s3_url.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace pitr::remote {

std::string UriEncode(absl::string_view text, bool keep_slash) {
  std::string out;
  for (char c : text) {
    if (absl::ascii_isalnum(c) || c == '-' || c == '_' || c == '.' ||
        c == '~' || (keep_slash && c == '/')) {
      out.push_back(c);
    } else {
      absl::StrAppendFormat(&out, "%%%02X", static_cast<unsigned char>(c));
    }
  }
  return out;
}

std::string S3Query(std::vector<std::pair<std::string, std::string>> params) {
  if (params.empty()) return "";
  std::sort(params.begin(), params.end());
  std::string query;
  for (const auto& [name, value] : params) {
    absl::StrAppend(&query, query.empty() ? "?" : "&", UriEncode(name, false),
                    "=", UriEncode(value, false));
  }
  return query;
}

S3Url::S3Url(std::string endpoint, std::string region, std::string bucket) {
  while (absl::EndsWith(endpoint, "/")) endpoint.pop_back();
  base_ = endpoint.empty()
              ? absl::StrCat("https://", bucket, ".s3.", region,
                             ".amazonaws.com/")
              : absl::StrCat(endpoint, "/", bucket, "/");
}

std::string S3Url::Object(absl::string_view key,
                          absl::string_view query) const {
  return absl::StrCat(base_, UriEncode(key, true), query);
}

std::string S3Url::Bucket(absl::string_view query) const {
  return absl::StrCat(base_, query);
}

}  // namespace pitr::remote
