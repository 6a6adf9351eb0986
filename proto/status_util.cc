#include "proto/status_util.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace pitr {
namespace {

// The highest code both enums define (UNAUTHENTICATED = 16).
constexpr int kMaxCode = 16;

bool IsKnownCode(int code) { return code >= 0 && code <= kMaxCode; }

// A UTF-8 continuation byte (10xxxxxx) never starts a character.
bool IsContinuationByte(char c) {
  return (static_cast<unsigned char>(c) & 0xC0) == 0x80;
}

std::string TruncatedMessage(absl::string_view message) {
  if (message.size() <= kMaxGrpcMessageBytes) return std::string(message);
  size_t cut = kMaxGrpcMessageBytes;
  while (cut > 0 && IsContinuationByte(message[cut])) --cut;
  return absl::StrCat(message.substr(0, cut), "...[truncated ",
                      message.size() - cut, " bytes]");
}

}  // namespace

grpc::Status ToGrpcStatus(const absl::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  const int code = static_cast<int>(status.code());
  return grpc::Status(IsKnownCode(code) ? static_cast<grpc::StatusCode>(code)
                                        : grpc::StatusCode::UNKNOWN,
                      TruncatedMessage(status.message()));
}

absl::Status FromGrpcStatus(const grpc::Status& status) {
  if (status.ok()) return absl::OkStatus();
  const int code = static_cast<int>(status.error_code());
  return absl::Status(IsKnownCode(code) ? static_cast<absl::StatusCode>(code)
                                        : absl::StatusCode::kUnknown,
                      status.error_message());
}

}  // namespace pitr
