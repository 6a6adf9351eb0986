#include "clients/common/client.h"

#include <cstdlib>
#include <fstream>

#include "gtest/gtest.h"

namespace pitr::clients {
namespace {

std::string WriteTemp(const std::string& name, const std::string& text) {
  std::string path = std::string(std::getenv("TEST_TMPDIR")) + "/" + name;
  std::ofstream(path) << text;
  return path;
}

TEST(ReadTokenFileTest, FirstLineThatIsNotACommentOrBlank) {
  auto token =
      ReadTokenFile(WriteTemp("a", "# comment\n\n  s3cret-token  \nx\n"));
  ASSERT_TRUE(token.ok()) << token.status();
  EXPECT_EQ(*token, "s3cret-token");
}

TEST(ReadTokenFileTest, AcceptsPitrdTokenFileLines) {
  auto token =
      ReadTokenFile(WriteTemp("b", "# pitrd tokens\nadmin tok1\nread tok2\n"));
  ASSERT_TRUE(token.ok()) << token.status();
  EXPECT_EQ(*token, "tok1");
}

TEST(ReadTokenFileTest, Errors) {
  auto empty = ReadTokenFile(WriteTemp("c", "# nothing\n\n"));
  EXPECT_EQ(empty.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ReadTokenFile("/no/such/token").status().code(),
            absl::StatusCode::kNotFound);
}

TEST(ClientTest, UnreachableServerIsUnavailableNamingIt) {
  ClientOptions options;
  options.server = "127.0.0.1:1";
  options.timeout = absl::Seconds(5);
  auto client = Client::Connect(options);
  ASSERT_TRUE(client.ok()) << client.status();
  v1::StoreInfo info;
  absl::Status status = (*client)->Call(&v1::PageService::Stub::GetStoreInfo,
                                        v1::GetStoreInfoRequest(), &info);
  EXPECT_EQ(status.code(), absl::StatusCode::kUnavailable);
  EXPECT_NE(status.message().find("(server 127.0.0.1:1)"),
            absl::string_view::npos)
      << status;
}

TEST(ClientTest, MissingCaFileFailsConnect) {
  ClientOptions options;
  options.ca_cert_path = "/no/such/ca.pem";
  EXPECT_FALSE(Client::Connect(options).ok());
}

}  // namespace
}  // namespace pitr::clients
