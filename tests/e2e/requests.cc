#include "tests/e2e/requests.h"

#include <utility>

#include "absl/time/clock.h"

namespace pitr::e2e {

v1::PageKey Key(uint32_t space, uint32_t page) {
  v1::PageKey key;
  key.set_space(space);
  key.set_page(page);
  return key;
}

v1::WalRecord Image(uint32_t space, uint32_t page, std::string data) {
  v1::WalRecord record;
  *record.mutable_image()->mutable_key() = Key(space, page);
  record.mutable_image()->set_data(std::move(data));
  return record;
}

v1::WalRecord Delta(uint32_t space, uint32_t page, uint32_t offset,
                    std::string data) {
  v1::WalRecord record;
  *record.mutable_delta()->mutable_key() = Key(space, page);
  record.mutable_delta()->set_offset(offset);
  record.mutable_delta()->set_data(std::move(data));
  return record;
}

v1::PointInTime AtLsn(uint64_t lsn) {
  v1::PointInTime point;
  point.set_lsn(lsn);
  return point;
}

v1::PointInTime AtTime(absl::Time time) {
  v1::PointInTime point;
  const int64_t micros = absl::ToUnixMicros(time);
  point.mutable_timestamp()->set_seconds(micros / 1000000);
  point.mutable_timestamp()->set_nanos(static_cast<int32_t>(micros % 1000000) *
                                       1000);
  return point;
}

v1::PointInTime AtSnapshot(const std::string& name) {
  v1::PointInTime point;
  point.set_snapshot(name);
  return point;
}

google::protobuf::Duration Seconds(int64_t seconds) {
  google::protobuf::Duration duration;
  duration.set_seconds(seconds);
  return duration;
}

std::string MarkedPage(size_t size, absl::string_view marker) {
  std::string page;
  page.reserve(size + marker.size());
  while (page.size() < size) page.append(marker.data(), marker.size());
  page.resize(size);
  return page;
}

grpc::Status Append(PitrClient& client, const std::string& branch,
                    std::vector<v1::WalRecord> records,
                    v1::AppendResponse* response, const std::string& token) {
  v1::AppendRequest request;
  request.set_branch(branch);
  for (v1::WalRecord& record : records) {
    *request.add_records() = std::move(record);
  }
  auto context = CallContext(token);
  return client.wal->Append(context.get(), request, response);
}

bool WaitForScheduleRun(PitrClient& client, const std::string& name,
                        absl::Duration timeout, const std::string& token) {
  const absl::Time deadline = absl::Now() + timeout;
  while (absl::Now() < deadline) {
    v1::ListSchedulesResponse schedules;
    auto context = CallContext(token);
    if (client.snapshots
            ->ListSchedules(context.get(), v1::ListSchedulesRequest(),
                            &schedules)
            .ok()) {
      for (const v1::SnapshotSchedule& schedule : schedules.schedules()) {
        if (schedule.name() == name && schedule.has_last_run_time()) {
          return true;
        }
      }
    }
    absl::SleepFor(absl::Milliseconds(20));
  }
  return false;
}

grpc::Status AppendStream(PitrClient& client,
                          const std::vector<v1::AppendRequest>& requests,
                          const std::string& token) {
  auto context = CallContext(token);
  v1::AppendStreamResponse response;
  auto stream = client.wal->AppendStream(context.get(), &response);
  for (const v1::AppendRequest& request : requests) {
    if (!stream->Write(request)) break;
  }
  stream->WritesDone();
  return stream->Finish();
}

grpc::Status ReadWal(PitrClient& client, const v1::ReadWalRequest& request,
                     std::vector<v1::WalBatch>* batches,
                     const std::string& token) {
  auto context = CallContext(token);
  auto stream = client.wal->ReadWal(context.get(), request);
  v1::WalBatch batch;
  while (stream->Read(&batch)) {
    if (batches != nullptr) batches->push_back(batch);
  }
  return stream->Finish();
}

grpc::Status DiffPages(PitrClient& client, const v1::DiffPagesRequest& request,
                       std::vector<v1::DiffPagesResponse>* messages,
                       const std::string& token) {
  auto context = CallContext(token);
  auto stream = client.pages->DiffPages(context.get(), request);
  v1::DiffPagesResponse message;
  while (stream->Read(&message)) {
    if (messages != nullptr) messages->push_back(message);
  }
  return stream->Finish();
}

grpc::Status StreamPages(PitrClient& client,
                         const std::vector<v1::GetPagesRequest>& requests,
                         const std::string& token) {
  auto context = CallContext(token);
  auto stream = client.pages->StreamPages(context.get());
  v1::GetPagesResponse response;
  for (const v1::GetPagesRequest& request : requests) {
    if (!stream->Write(request) || !stream->Read(&response)) break;
  }
  stream->WritesDone();
  while (stream->Read(&response)) {
  }
  return stream->Finish();
}

}  // namespace pitr::e2e
