#include "server/auth.h"

#include <cstdlib>
#include <fstream>

#include "absl/strings/match.h"
#include "gtest/gtest.h"

namespace pitr {
namespace {

constexpr char kAdminToken[] = "admin-token-0123456789";
constexpr char kReadToken[] = "read-token-0123456789";

// Writes `text` to a file in the test's temporary directory.
std::string WriteTokenFile(const std::string& name, const std::string& text) {
  const std::string path = std::string(std::getenv("TEST_TMPDIR")) + "/" + name;
  std::ofstream(path) << text;
  return path;
}

std::unique_ptr<Authorizer> GoodAuthorizer() {
  absl::StatusOr<std::unique_ptr<Authorizer>> authorizer =
      Authorizer::FromFile(WriteTokenFile(
          "good", absl::StrCat("# pitrd tokens\n\n  admin ", kAdminToken,
                               "\r\nread\t", kReadToken, "  \n   # end\n")));
  EXPECT_TRUE(authorizer.ok()) << authorizer.status();
  return authorizer.ok() ? std::move(*authorizer) : nullptr;
}

grpc::Status AuthorizeWith(const Authorizer& authorizer,
                           const std::string& header, Role required) {
  std::multimap<grpc::string_ref, grpc::string_ref> metadata;
  metadata.emplace("user-agent", "test");
  metadata.emplace("authorization", header);
  return authorizer.Authorize(metadata, required);
}

TEST(AuthorizerTest, AdminTokenMayDoAll) {
  const std::unique_ptr<Authorizer> authorizer = GoodAuthorizer();
  ASSERT_NE(authorizer, nullptr);
  for (Role role : {Role::kRead, Role::kAdmin}) {
    EXPECT_TRUE(AuthorizeWith(*authorizer,
                              absl::StrCat("Bearer ", kAdminToken), role)
                    .ok());
  }
}

TEST(AuthorizerTest, ReadTokenMayOnlyRead) {
  const std::unique_ptr<Authorizer> authorizer = GoodAuthorizer();
  ASSERT_NE(authorizer, nullptr);
  const std::string header = absl::StrCat("bearer ", kReadToken);
  EXPECT_TRUE(AuthorizeWith(*authorizer, header, Role::kRead).ok());
  const grpc::Status denied = AuthorizeWith(*authorizer, header, Role::kAdmin);
  EXPECT_EQ(denied.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_TRUE(absl::StrContains(denied.error_message(), "requires a token of role admin"))
      << denied.error_message();
}

TEST(AuthorizerTest, MissingHeaderIsUnauthenticated) {
  const std::unique_ptr<Authorizer> authorizer = GoodAuthorizer();
  ASSERT_NE(authorizer, nullptr);
  const grpc::Status status = authorizer->Authorize({}, Role::kRead);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_TRUE(absl::StartsWith(status.error_message(), "missing"));
}

TEST(AuthorizerTest, CheckReadsTheContextMetadata) {
  const std::unique_ptr<Authorizer> authorizer = GoodAuthorizer();
  ASSERT_NE(authorizer, nullptr);
  grpc::ServerContext context;  // No metadata.
  EXPECT_EQ(authorizer->Check(context, Role::kRead).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
}

TEST(AuthorizerTest, MalformedHeaderIsUnauthenticated) {
  const std::unique_ptr<Authorizer> authorizer = GoodAuthorizer();
  ASSERT_NE(authorizer, nullptr);
  for (const std::string& header :
       {std::string(kAdminToken), std::string("Basic ") + kAdminToken,
        std::string("Bearer ")}) {
    const grpc::Status status =
        AuthorizeWith(*authorizer, header, Role::kRead);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAUTHENTICATED);
    EXPECT_TRUE(absl::StartsWith(status.error_message(), "malformed"))
        << header;
  }
}

TEST(AuthorizerTest, UnknownTokenIsUnauthenticatedAndNotEchoed) {
  const std::unique_ptr<Authorizer> authorizer = GoodAuthorizer();
  ASSERT_NE(authorizer, nullptr);
  // A prefix, an extension and a stranger.
  for (const std::string& token :
       {std::string(kAdminToken).substr(0, 18), std::string(kAdminToken) + "x",
        std::string("guess-guess-guess-guess")}) {
    const grpc::Status status =
        AuthorizeWith(*authorizer, "Bearer " + token, Role::kRead);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAUTHENTICATED);
    EXPECT_EQ(status.error_message(), "unknown bearer token");
  }
}

TEST(AuthorizerTest, AllowAllAllowsAnything) {
  const std::unique_ptr<Authorizer> authorizer = Authorizer::AllowAll();
  EXPECT_TRUE(authorizer->Authorize({}, Role::kAdmin).ok());
  EXPECT_TRUE(AuthorizeWith(*authorizer, "junk", Role::kAdmin).ok());
}

absl::Status LoadError(const std::string& text) {
  return Authorizer::FromFile(WriteTokenFile("bad", text)).status();
}

TEST(AuthorizerFileTest, BadLineNamesItsNumberButNotItsText) {
  const absl::Status status =
      LoadError(absl::StrCat("admin ", kAdminToken, "\n\nwrite ", kReadToken));
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StrContains(status.message(), "line 3:")) << status;
  EXPECT_FALSE(absl::StrContains(status.message(), kReadToken)) << status;
}

TEST(AuthorizerFileTest, ThreeFieldsIsAnError) {
  const absl::Status status =
      LoadError(absl::StrCat("admin ", kAdminToken, " extra\n"));
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StrContains(status.message(), "line 1:")) << status;
}

TEST(AuthorizerFileTest, ShortTokenSaysWhy) {
  const absl::Status status = LoadError("read short-token\n");
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StrContains(status.message(), "at least 16"));
  EXPECT_TRUE(absl::StrContains(status.message(), "cannot be guessed"));
  EXPECT_FALSE(absl::StrContains(status.message(), "short-token"));
}

TEST(AuthorizerFileTest, RepeatedTokenIsAnError) {
  const absl::Status status = LoadError(
      absl::StrCat("admin ", kAdminToken, "\nread ", kAdminToken, "\n"));
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StrContains(status.message(), "line 2:"));
}

TEST(AuthorizerFileTest, NoTokensIsAnError) {
  EXPECT_EQ(LoadError("").code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(LoadError("# only a comment\n\n").code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(AuthorizerFileTest, MissingFileNamesThePath) {
  const absl::Status status =
      Authorizer::FromFile("/nonexistent/tokens").status();
  EXPECT_EQ(status.code(), absl::StatusCode::kNotFound);
  EXPECT_TRUE(absl::StrContains(status.message(), "/nonexistent/tokens"));
}

}  // namespace
}  // namespace pitr
