#include "remote/s3_status.h"

#include "absl/strings/str_cat.h"
#include "remote/s3_xml.h"

namespace pitr::remote {

absl::Status S3Status(const S3Operation& operation,
                      const HttpResponse& response) {
  S3Error error = ParseError(response.body);
  std::string message = absl::StrCat(operation.what);
  if (!operation.key.empty()) {
    absl::StrAppend(&message, " of object \"", operation.key, "\"");
  }
  absl::StrAppend(&message, " in ", operation.where, " failed: HTTP ",
                  response.status);
  if (!error.code.empty()) absl::StrAppend(&message, " ", error.code);
  if (!error.message.empty()) absl::StrAppend(&message, ": ", error.message);
  std::string request_id = response.Header("x-amz-request-id");
  if (!request_id.empty()) {
    absl::StrAppend(&message, " (request ", request_id, ")");
  }
  const long status = response.status;
  if (status == 404) return absl::NotFoundError(message);
  if (status == 401 || (status == 403 && (error.code == "InvalidAccessKeyId" ||
                                          error.code == "SignatureDoesNotMatch" ||
                                          error.code == "ExpiredToken" ||
                                          error.code == "InvalidToken"))) {
    return absl::UnauthenticatedError(message);
  }
  if (status == 403) return absl::PermissionDeniedError(message);
  if (status == 412) return absl::FailedPreconditionError(message);
  if (status == 416) return absl::OutOfRangeError(message);
  if (status == 409) return absl::AbortedError(message);
  if (status == 429 || status / 100 == 5) {
    return absl::UnavailableError(message);
  }
  if (status / 100 == 4) return absl::InvalidArgumentError(message);
  return absl::UnknownError(message);
}

}  // namespace pitr::remote
