// Small builders of pitr.v1 request pieces for the end-to-end tests: WAL
// records, points in time, durations, page contents, and an Append call.
#ifndef PITR_TESTS_E2E_REQUESTS_H_
#define PITR_TESTS_E2E_REQUESTS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "google/protobuf/duration.pb.h"
#include "grpcpp/support/status.h"
#include "proto/resources.pb.h"
#include "proto/page_service.pb.h"
#include "proto/wal_service.pb.h"
#include "tests/e2e/pitrd_process.h"

namespace pitr::e2e {

v1::PageKey Key(uint32_t space, uint32_t page);
// A full page image record.
v1::WalRecord Image(uint32_t space, uint32_t page, std::string data);
// A delta record: `data` at `offset` of the page.
v1::WalRecord Delta(uint32_t space, uint32_t page, uint32_t offset,
                    std::string data);

v1::PointInTime AtLsn(uint64_t lsn);
v1::PointInTime AtTime(absl::Time time);
v1::PointInTime AtSnapshot(const std::string& name);

// A google.protobuf.Duration of `seconds` (may be negative: bad input).
google::protobuf::Duration Seconds(int64_t seconds);

// A page of `size` bytes holding `marker` repeated (cut at the end).
std::string MarkedPage(size_t size, absl::string_view marker);

// Appends one batch of `records` to `branch` as the holder of `token`.
grpc::Status Append(PitrClient& client, const std::string& branch,
                    std::vector<v1::WalRecord> records,
                    v1::AppendResponse* response,
                    const std::string& token = "");

// Waits up to `timeout` until snapshot schedule `name` has taken its
// first snapshot (the engine takes it at once, not one interval after the
// schedule is made); false if it did not. `token`: for a server with
// --token_file.
bool WaitForScheduleRun(PitrClient& client, const std::string& name,
                        absl::Duration timeout = absl::Seconds(20),
                        const std::string& token = "");

// One unary call as the holder of `token`, response discarded:
//   Call(client.pages.get(), &v1::PageService::Stub::GetPage, request)
template <typename Stub, typename Request, typename Response>
grpc::Status Call(Stub* stub,
                  grpc::Status (Stub::*method)(grpc::ClientContext*,
                                               const Request&, Response*),
                  const Request& request, const std::string& token = "") {
  Response response;
  auto context = CallContext(token);
  return (stub->*method)(context.get(), request, &response);
}

// The calls with a stream of requests or responses: every request sent,
// every response collected (`responses` may be null), and the final status.
grpc::Status AppendStream(PitrClient& client,
                          const std::vector<v1::AppendRequest>& requests,
                          const std::string& token = "");
grpc::Status ReadWal(PitrClient& client, const v1::ReadWalRequest& request,
                     std::vector<v1::WalBatch>* batches,
                     const std::string& token = "");
grpc::Status StreamPages(PitrClient& client,
                         const std::vector<v1::GetPagesRequest>& requests,
                         const std::string& token = "");
grpc::Status DiffPages(PitrClient& client, const v1::DiffPagesRequest& request,
                       std::vector<v1::DiffPagesResponse>* messages,
                       const std::string& token = "");

}  // namespace pitr::e2e

#endif  // PITR_TESTS_E2E_REQUESTS_H_
