// Reads that wait for their minimum LSN ("pitr-min-lsn", read-your-writes)
// on pitrd's callback methods (GetPage, GetPages): the waiting call is
// answered once the store holds the LSN, with the page as of it; it holds
// up no other call meanwhile (it waits on a thread of its own, not on the
// thread gRPC gave it); one whose LSN never comes ends UNAVAILABLE at its
// deadline; a malformed value is refused at once.
#include <future>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "clients/common/client.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/e2e/pitrd_fixture.h"
#include "tests/e2e/requests.h"

namespace pitr::e2e {
namespace {

using ::testing::HasSubstr;

constexpr uint32_t kSpace = 3;
constexpr uint32_t kPageSize = 8192;

class MinLsnReadTest : public PitrdFixture {
 protected:
  void SetUp() override { StartPitrd({"--gc_period=inf"}); }

  // Writes page `page` filled with `marker`; the batch's LSN.
  uint64_t Write(uint32_t page, const std::string& marker) {
    v1::AppendResponse response;
    const grpc::Status status =
        Append(*client_, "main",
               {Image(kSpace, page, MarkedPage(kPageSize, marker))}, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response.commit_lsn();
  }

  // GetPage of `page` at the latest LSN, carrying min_lsn if not 0.
  grpc::Status Read(PitrClient& client, uint32_t page,
                    const std::string& min_lsn, absl::Duration timeout,
                    v1::Page* out) {
    v1::GetPageRequest request;
    *request.mutable_key() = Key(kSpace, page);
    auto context = CallContext("", timeout);
    if (!min_lsn.empty()) {
      context->AddMetadata(clients::kMinLsnMetadata, min_lsn);
    }
    return client.pages->GetPage(context.get(), request, out);
  }
};

TEST_F(MinLsnReadTest, AWaitingReadHoldsUpNoOtherCallAndSeesItsLsn) {
  const uint64_t first = Write(0, "first ");
  // Several reads wait for an LSN past the end, each on its own channel.
  constexpr int kWaiting = 4;
  const std::string ahead = absl::StrCat(first + 1);
  std::vector<std::future<std::pair<grpc::Status, std::string>>> waiting;
  std::vector<std::unique_ptr<PitrClient>> clients;
  for (int i = 0; i < kWaiting; ++i) {
    clients.push_back(std::make_unique<PitrClient>(pitrd_->NewChannel()));
    PitrClient* client = clients.back().get();
    waiting.push_back(std::async(std::launch::async, [this, client, ahead] {
      v1::Page page;
      grpc::Status status = Read(*client, 0, ahead, absl::Seconds(20), &page);
      return std::make_pair(status, page.data());
    }));
  }
  // Meanwhile every other read is answered, many times over.
  absl::SleepFor(absl::Milliseconds(200));
  const absl::Time start = absl::Now();
  for (int i = 0; i < 200; ++i) {
    v1::Page page;
    ASSERT_TRUE(Read(*client_, 0, "", absl::Seconds(5), &page).ok());
    ASSERT_EQ(page.data(), MarkedPage(kPageSize, "first "));
  }
  EXPECT_LT(absl::Now() - start, absl::Seconds(5));
  for (auto& call : waiting) {
    EXPECT_EQ(call.wait_for(std::chrono::seconds(0)),
              std::future_status::timeout)
        << "a read answered before its LSN was there";
  }
  // The LSN comes: each waiting read answers with the page as of it.
  Write(0, "second ");
  for (auto& call : waiting) {
    auto [status, data] = call.get();
    EXPECT_TRUE(status.ok()) << status.error_message();
    EXPECT_EQ(data, MarkedPage(kPageSize, "second "));
  }
}

TEST_F(MinLsnReadTest, GetPagesWaitsToo) {
  const uint64_t first = Write(1, "one ");
  v1::GetPagesRequest request;
  *request.add_keys() = Key(kSpace, 1);
  auto context = CallContext("", absl::Seconds(20));
  context->AddMetadata(clients::kMinLsnMetadata, absl::StrCat(first + 1));
  v1::GetPagesResponse response;
  auto call = std::async(std::launch::async, [&] {
    return client_->pages->GetPages(context.get(), request, &response);
  });
  absl::SleepFor(absl::Milliseconds(200));
  const uint64_t second = Write(1, "two ");
  const grpc::Status status = call.get();
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_GE(response.lsn(), second);
  ASSERT_EQ(response.results_size(), 1);
  EXPECT_EQ(response.results(0).data(), MarkedPage(kPageSize, "two "));
}

TEST_F(MinLsnReadTest, AnLsnThatNeverComesEndsAtTheDeadline) {
  const uint64_t lsn = Write(0, "only ");
  v1::Page page;
  const absl::Time start = absl::Now();
  // pitrd answers a little before the deadline, with the reason.
  const grpc::Status status =
      Read(*client_, 0, absl::StrCat(lsn + 100), absl::Seconds(3), &page);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE)
      << status.error_message();
  EXPECT_THAT(status.error_message(), HasSubstr("100 bytes behind"));
  EXPECT_LT(absl::Now() - start, absl::Seconds(3));
}

TEST_F(MinLsnReadTest, AMalformedLsnIsRefusedAtOnce) {
  Write(0, "only ");
  v1::Page page;
  const grpc::Status status =
      Read(*client_, 0, "not-an-lsn", absl::Seconds(5), &page);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), HasSubstr("not-an-lsn"));
}

}  // namespace
}  // namespace pitr::e2e
