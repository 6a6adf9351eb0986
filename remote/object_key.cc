#include "remote/object_key.h"

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "base/status_macros.h"

namespace pitr::remote {

namespace {

absl::Status Invalid(absl::string_view key, absl::string_view where,
                     absl::string_view rule) {
  return absl::InvalidArgumentError(absl::StrCat(
      "invalid object key \"", absl::CHexEscape(key), "\" for ", where, ": ",
      rule,
      " (keys are 1 to 1024 bytes, no NUL, no leading or trailing '/', and no "
      "empty, \".\" or \"..\" segment)"));
}

}  // namespace

absl::Status ValidateKey(absl::string_view key, absl::string_view where) {
  if (key.empty()) return Invalid(key, where, "the key is empty");
  if (key.size() > kMaxKeyBytes) {
    return Invalid(key.substr(0, 64), where,
                   absl::StrCat("the key is ", key.size(), " bytes long"));
  }
  if (key.find('\0') != absl::string_view::npos) {
    return Invalid(key, where, "the key contains a NUL byte");
  }
  for (absl::string_view segment : absl::StrSplit(key, '/')) {
    if (segment.empty()) {
      return Invalid(key, where, "the key has an empty segment");
    }
    if (segment == "." || segment == "..") {
      return Invalid(key, where,
                     absl::StrCat("the key has a \"", segment, "\" segment"));
    }
  }
  return absl::OkStatus();
}

absl::Status ValidateKeys(const std::vector<std::string>& keys,
                          absl::string_view where) {
  for (const std::string& key : keys) {
    PITR_RETURN_IF_ERROR(ValidateKey(key, where));
  }
  return absl::OkStatus();
}

}  // namespace pitr::remote
