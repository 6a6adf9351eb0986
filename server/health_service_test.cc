// The grpc.health.v1 service of a running pitrd (Server::Start, in process).
#include "server/health_service.h"

#include <chrono>
#include <memory>
#include <thread>

#include "absl/time/time.h"
#include "base/testing/test_files.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "server/server.h"

namespace pitr {
namespace {

using grpc::health::v1::Health;
using grpc::health::v1::HealthCheckRequest;
using grpc::health::v1::HealthCheckResponse;

class HealthServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ServerOptions options;
    options.engine.dir = ::pitr::testing::NewTestDir("health_service");
    options.listen_address = "127.0.0.1:0";
    absl::StatusOr<std::unique_ptr<Server>> server = Server::Start(options);
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = std::move(*server);
    stub_ = Health::NewStub(
        grpc::CreateChannel("127.0.0.1:" + std::to_string(server_->port()),
                            grpc::InsecureChannelCredentials()));
  }

  grpc::Status Check(const std::string& service, HealthCheckResponse* out) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() +
                         std::chrono::seconds(10));
    HealthCheckRequest request;
    request.set_service(service);
    return stub_->Check(&context, request, out);
  }

  std::unique_ptr<Server> server_;
  std::unique_ptr<Health::Stub> stub_;
};

TEST_F(HealthServiceTest, CheckReportsTheServerAndItsServices) {
  for (const char* service :
       {"", "pitr.v1.PageService", "pitr.v1.WalService",
        "pitr.v1.BranchService", "pitr.v1.DumpService",
        "pitr.v1.SnapshotService", "pitr.v1.RetentionService"}) {
    HealthCheckResponse response;
    grpc::Status status = Check(service, &response);
    ASSERT_TRUE(status.ok()) << service << ": " << status.error_message();
    EXPECT_EQ(response.status(), HealthCheckResponse::SERVING) << service;
  }
}

TEST_F(HealthServiceTest, CheckOfAnUnknownServiceIsNotFound) {
  HealthCheckResponse response;
  EXPECT_EQ(Check("pitr.v1.NoSuchService", &response).error_code(),
            grpc::StatusCode::NOT_FOUND);
}

TEST_F(HealthServiceTest, WatchReportsServingThenNotServingOnShutdown) {
  grpc::ClientContext context;
  HealthCheckRequest request;
  auto reader = stub_->Watch(&context, request);
  HealthCheckResponse response;
  ASSERT_TRUE(reader->Read(&response));
  EXPECT_EQ(response.status(), HealthCheckResponse::SERVING);

  // The watch must not hold the shutdown for its grace period.
  const absl::Time start = absl::Now();
  std::thread stopper(
      [&] { EXPECT_TRUE(server_->Shutdown(absl::Seconds(30)).ok()); });
  const bool got_update = reader->Read(&response);
  const bool got_more = got_update && reader->Read(&response);
  const grpc::Status finished = reader->Finish();
  stopper.join();  // before any assertion can return
  ASSERT_TRUE(got_update) << "the watch ended without reporting NOT_SERVING";
  EXPECT_EQ(response.status(), HealthCheckResponse::NOT_SERVING);
  EXPECT_FALSE(got_more);
  EXPECT_TRUE(finished.ok()) << finished.error_message();
  EXPECT_LT(absl::Now() - start, absl::Seconds(10));
}

TEST_F(HealthServiceTest, WatchOfAnUnknownServiceSaysSoUntilCancelled) {
  grpc::ClientContext context;
  HealthCheckRequest request;
  request.set_service("pitr.v1.NoSuchService");
  auto reader = stub_->Watch(&context, request);
  HealthCheckResponse response;
  ASSERT_TRUE(reader->Read(&response));
  EXPECT_EQ(response.status(), HealthCheckResponse::SERVICE_UNKNOWN);
  context.TryCancel();
  EXPECT_FALSE(reader->Read(&response));
  EXPECT_EQ(reader->Finish().error_code(), grpc::StatusCode::CANCELLED);
}

}  // namespace
}  // namespace pitr
