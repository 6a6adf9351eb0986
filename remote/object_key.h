// The rules every object key follows, whichever the backend (so that a key
// valid on S3 is valid in a directory): see remote_storage.h.
#ifndef PITR_REMOTE_OBJECT_KEY_H_
#define PITR_REMOTE_OBJECT_KEY_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace pitr::remote {

inline constexpr size_t kMaxKeyBytes = 1024;

// OK, or INVALID_ARGUMENT naming the key, `where` (the store) and the rule
// it breaks.
absl::Status ValidateKey(absl::string_view key, absl::string_view where);
// Every key's ValidateKey; the first failure.
absl::Status ValidateKeys(const std::vector<std::string>& keys,
                          absl::string_view where);

}  // namespace pitr::remote

#endif  // PITR_REMOTE_OBJECT_KEY_H_
