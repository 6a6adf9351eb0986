#include "clients/common/channel_credentials.h"

#include <cstdlib>
#include <fstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace pitr::clients {
namespace {

// server/tls_test.cc checks the handshake with pitrd's credentials.

TEST(ChannelCredentialsTest, NoPathMeansInsecure) {
  EXPECT_TRUE(ChannelCredentialsFor("").ok());
}

TEST(ChannelCredentialsTest, UnreadableFileNamesThePath) {
  const absl::Status client =
      ChannelCredentialsFor("/nonexistent/ca.pem").status();
  EXPECT_EQ(client.code(), absl::StatusCode::kNotFound);
  EXPECT_TRUE(absl::StrContains(client.message(), "/nonexistent/ca.pem"));
}

TEST(ChannelCredentialsTest, FileWithoutPemIsAnError) {
  const std::string path = absl::StrCat(std::getenv("TEST_TMPDIR"), "/not_pem");
  std::ofstream(path) << "hello\n";
  const absl::Status status = ChannelCredentialsFor(path).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StrContains(status.message(), path)) << status;
}

}  // namespace
}  // namespace pitr::clients
