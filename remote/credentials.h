// The keys the S3 backend signs its requests with, and where they come from.
//
// LoadCredentials looks, in order, at:
//   1. the environment: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (both, or
//      neither), and AWS_SESSION_TOKEN if set;
//   2. a credentials file: `path` if given, else $AWS_SHARED_CREDENTIALS_FILE,
//      else $HOME/.aws/credentials. Its format is AWS's ini file:
//
//        # comment (or ; comment)
//        [default]
//        aws_access_key_id = AKIA...
//        aws_secret_access_key = ...
//        aws_session_token = ...        (optional)
//
//      The profile read is $AWS_PROFILE, else "default".
// NOT_FOUND if neither has keys (the message says where it looked);
// INVALID_ARGUMENT for a malformed file, naming the file and line.
#ifndef PITR_REMOTE_CREDENTIALS_H_
#define PITR_REMOTE_CREDENTIALS_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace pitr::remote {

struct Credentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;  // "" unless temporary credentials
};

absl::StatusOr<Credentials> LoadCredentials(const std::string& path = "");

// The profile `profile` of the ini text `text` (read from `source`, which
// messages name).
absl::StatusOr<Credentials> ParseCredentialsFile(absl::string_view text,
                                                 absl::string_view profile,
                                                 absl::string_view source);

}  // namespace pitr::remote

#endif  // PITR_REMOTE_CREDENTIALS_H_
