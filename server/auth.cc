#include "server/auth.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "base/status_macros.h"
#include "proto/read_file.h"

namespace pitr {
namespace {

constexpr absl::string_view kBearer = "Bearer ";

const char* RoleName(Role role) {
  return role == Role::kAdmin ? "admin" : "read";
}

// Equality whose running time depends only on `expected.size()`, not on
// where `presented` first differs, so timing does not reveal a token.
bool ConstantTimeEquals(absl::string_view presented,
                        absl::string_view expected) {
  unsigned char diff = presented.size() != expected.size();
  for (size_t i = 0; i < expected.size(); ++i) {
    const unsigned char p = i < presented.size() ? presented[i] : 0;
    diff |= p ^ static_cast<unsigned char>(expected[i]);
  }
  return diff == 0;
}

}  // namespace

absl::StatusOr<std::unique_ptr<Authorizer>> Authorizer::FromFile(
    const std::string& path) {
  PITR_ASSIGN_OR_RETURN(const std::string text,
                        ReadFileToString(path, "token file"));
  Tokens tokens;
  int line_number = 0;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    ++line_number;
    line = absl::StripAsciiWhitespace(line);
    if (line.empty() || line[0] == '#') continue;
    const std::vector<absl::string_view> fields =
        absl::StrSplit(line, absl::ByAnyChar(" \t"), absl::SkipEmpty());
    const std::string where =
        absl::StrCat("token file ", path, " line ", line_number);
    if (fields.size() != 2 || (fields[0] != "admin" && fields[0] != "read")) {
      return absl::InvalidArgumentError(
          absl::StrCat(where,
                       ": expected \"<admin|read> <token>\" (the line is not "
                       "quoted here, as it may hold a secret)"));
    }
    if (fields[1].size() < kMinTokenLength) {
      return absl::InvalidArgumentError(absl::StrCat(
          where, ": the token has ", fields[1].size(), " characters; at least ",
          kMinTokenLength, " are required so that it cannot be guessed"));
    }
    for (const auto& [role, token] : tokens) {
      if (token == fields[1]) {
        return absl::InvalidArgumentError(
            absl::StrCat(where, ": the token is given twice"));
      }
    }
    tokens.emplace_back(fields[0] == "admin" ? Role::kAdmin : Role::kRead,
                        std::string(fields[1]));
  }
  if (tokens.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("token file ", path,
                     " holds no tokens; without a token file every "
                     "call is allowed, with an empty one none would be"));
  }
  return std::unique_ptr<Authorizer>(
      new Authorizer(/*allow_all=*/false, std::move(tokens)));
}

std::unique_ptr<Authorizer> Authorizer::AllowAll() {
  return std::unique_ptr<Authorizer>(new Authorizer(/*allow_all=*/true, {}));
}

Authorizer::Authorizer(bool allow_all, Tokens tokens)
    : allow_all_(allow_all), tokens_(std::move(tokens)) {}

grpc::Status Authorizer::Check(const grpc::ServerContextBase& context,
                               Role required) const {
  return Authorize(context.client_metadata(), required);
}

grpc::Status Authorizer::Authorize(
    const std::multimap<grpc::string_ref, grpc::string_ref>& metadata,
    Role required) const {
  if (allow_all_) return grpc::Status::OK;
  const auto header = metadata.find("authorization");
  if (header == metadata.end()) {
    return grpc::Status(grpc::StatusCode::UNAUTHENTICATED,
                        "missing \"authorization: Bearer <token>\" metadata");
  }
  const absl::string_view value(header->second.data(), header->second.size());
  if (value.size() <= kBearer.size() ||
      !absl::EqualsIgnoreCase(value.substr(0, kBearer.size()), kBearer)) {
    return grpc::Status(grpc::StatusCode::UNAUTHENTICATED,
                        "malformed authorization metadata: expected "
                        "\"Bearer <token>\"");
  }
  const absl::string_view presented = value.substr(kBearer.size());
  // Compare with every token, without stopping at a match.
  bool found = false;
  Role role = Role::kRead;
  for (const auto& [token_role, token] : tokens_) {
    if (ConstantTimeEquals(presented, token)) {
      found = true;
      role = token_role;
    }
  }
  if (!found) {
    return grpc::Status(grpc::StatusCode::UNAUTHENTICATED,
                        "unknown bearer token");
  }
  if (required == Role::kAdmin && role != Role::kAdmin) {
    return grpc::Status(
        grpc::StatusCode::PERMISSION_DENIED,
        absl::StrCat("this call requires a token of role ", RoleName(required),
                     "; the token given has role ", RoleName(role)));
  }
  return grpc::Status::OK;
}

}  // namespace pitr
