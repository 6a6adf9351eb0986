#include "server/tls.h"

#include <cstdlib>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "base/mutex.h"  // PITR_TSAN
#include "base/testing/test_files.h"
#include "clients/common/channel_credentials.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/server.h"
#include "grpcpp/server_builder.h"
#include "gtest/gtest.h"

namespace pitr {
namespace {

using ::pitr::testing::MakeSelfSignedCertificate;
using ::pitr::testing::TestPath;

// name_cert.pem and name_key.pem in the scratch space.
bool MakeCertificate(const std::string& name) {
  return MakeSelfSignedCertificate(TestPath(name + "_cert.pem"),
                                   TestPath(name + "_key.pem"));
}

TEST(TlsTest, NoPathsMeanInsecure) {
  EXPECT_TRUE(ServerCredentialsFor("", "").ok());
}

TEST(TlsTest, OnlyOneOfCertAndKeyIsAnError) {
  for (const auto& [cert, key] :
       {std::make_pair("cert.pem", ""), std::make_pair("", "key.pem")}) {
    const absl::Status status = ServerCredentialsFor(cert, key).status();
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
    EXPECT_TRUE(absl::StrContains(status.message(), "both")) << status;
  }
}

TEST(TlsTest, UnreadableFileNamesThePath) {
  const absl::Status server =
      ServerCredentialsFor("/nonexistent/cert.pem", "/nonexistent/key.pem")
          .status();
  EXPECT_EQ(server.code(), absl::StatusCode::kNotFound);
  EXPECT_TRUE(absl::StrContains(server.message(), "/nonexistent/cert.pem"));
}

// Whether a channel with `credentials` completes a TLS handshake with a
// server on `port` within a few seconds. Addresses are literal: name
// resolution would go through c-ares, which leaks a little under ASan.
bool Connects(int port, std::shared_ptr<grpc::ChannelCredentials> credentials) {
  std::shared_ptr<grpc::Channel> channel = grpc::CreateChannel(
      absl::StrCat("ipv4:127.0.0.1:", port), std::move(credentials));
  return channel->WaitForConnected(std::chrono::system_clock::now() +
                                   std::chrono::seconds(3));
}

TEST(TlsTest, HandshakeWithSelfSignedCertificate) {
#ifdef PITR_TSAN
  // Debian's gRPC is not built for TSan, which cannot see its locks and
  // reports races inside it; this test runs nothing of ours on threads.
  GTEST_SKIP() << "gRPC is uninstrumented; run without --config=tsan";
#endif
  if (!MakeCertificate("server") || !MakeCertificate("other")) {
    GTEST_SKIP() << "openssl could not make a certificate";
  }
  absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> server_credentials =
      ServerCredentialsFor(TestPath("server_cert.pem"),
                           TestPath("server_key.pem"));
  ASSERT_TRUE(server_credentials.ok()) << server_credentials.status();
  int port = 0;
  grpc::ServerBuilder builder;
  builder.AddListeningPort("127.0.0.1:0", *server_credentials, &port);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  ASSERT_NE(server, nullptr);

  absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> trusting =
      clients::ChannelCredentialsFor(TestPath("server_cert.pem"));
  ASSERT_TRUE(trusting.ok()) << trusting.status();
  EXPECT_TRUE(Connects(port, *trusting));

  absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> distrusting =
      clients::ChannelCredentialsFor(TestPath("other_cert.pem"));
  ASSERT_TRUE(distrusting.ok()) << distrusting.status();
  EXPECT_FALSE(Connects(port, *distrusting));

  server->Shutdown();
}

}  // namespace
}  // namespace pitr
