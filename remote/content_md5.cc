#include "remote/content_md5.h"

#include <openssl/evp.h>

#include "absl/strings/escaping.h"

namespace pitr::remote {

std::string ContentMd5(absl::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  EVP_Digest(data.data(), data.size(), digest, &size, EVP_md5(), nullptr);
  return absl::Base64Escape(
      absl::string_view(reinterpret_cast<const char*>(digest), size));
}

}  // namespace pitr::remote
