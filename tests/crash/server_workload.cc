#include "tests/crash/server_workload.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "proto/page_service.grpc.pb.h"
#include "proto/wal_service.grpc.pb.h"

namespace pitr::crash {
namespace {

v1::PageKey Key(uint32_t space, uint32_t page) {
  v1::PageKey key;
  key.set_space(space);
  key.set_page(page);
  return key;
}

// A short description of page content for failure messages: its first
// marker and its length.
std::string Show(const std::optional<std::string>& page) {
  if (!page) return "NOT_FOUND";
  const size_t end = page->find(';');
  std::string head = page->substr(0, end == std::string::npos ? 24 : end + 1);
  for (char& c : head) {
    if (c == '\0') c = '.';
  }
  return absl::StrCat("\"", head, "...\" (", page->size(), " bytes)");
}

std::string Show(const std::string* page) {
  return page == nullptr ? Show(std::optional<std::string>())
                         : Show(std::optional<std::string>(*page));
}

bool Same(const std::optional<std::string>& read, const std::string* model) {
  if (!read) return model == nullptr;
  return model != nullptr && *read == *model;
}

}  // namespace

v1::PointInTime AtLsn(uint64_t lsn) {
  v1::PointInTime point;
  point.set_lsn(lsn);
  return point;
}

std::string MarkedPage(const std::string& marker) {
  std::string page;
  page.reserve(kServerPageSize);
  while (page.size() < kServerPageSize) page += marker;
  page.resize(kServerPageSize);
  return page;
}

ServerWriter::ServerWriter(std::string branch, uint32_t space, uint64_t seed)
    : branch_(std::move(branch)), space_(space), rng_(seed) {}

uint64_t ServerWriter::last_commit_lsn() const {
  return acked_.empty() ? 0 : acked_.back().commit_lsn;
}

const std::string* ServerWriter::PageAt(uint32_t page, uint64_t lsn) const {
  auto it = pages_.find(page);
  if (it == pages_.end()) return nullptr;
  const std::string* found = nullptr;
  for (const Version& version : it->second) {
    if (version.lsn > lsn) break;
    found = version.data.get();
  }
  return found;
}

PendingBatch ServerWriter::Next() {
  PendingBatch batch;
  batch.seq = next_seq_++;
  const std::string marker =
      absl::StrCat(branch_, "/", space_, "/s", batch.seq, ";");
  std::vector<uint32_t> all(kPagesPerWriter);
  for (uint32_t i = 0; i < kPagesPerWriter; ++i) all[i] = i;
  std::shuffle(all.begin(), all.end(), rng_);
  const size_t count = 2 + rng_() % 4;
  batch.request.set_branch(branch_);
  for (size_t i = 0; i < count; ++i) {
    const uint32_t page = all[i];
    const std::string* now = PageAt(page, UINT64_MAX);
    v1::WalRecord* record = batch.request.add_records();
    if (now != nullptr && rng_() % 2 == 0) {
      // The marker at the start and somewhere else, as one delta.
      const uint32_t offset = static_cast<uint32_t>(
          rng_() % (kServerPageSize - 2 * marker.size()));
      std::string bytes = *now;
      bytes.replace(offset, marker.size(), marker);
      auto* delta = record->mutable_delta();
      *delta->mutable_key() = Key(space_, page);
      delta->set_offset(offset);
      delta->set_data(marker);
      // A second delta puts the marker at the page's start as well, so the
      // first bytes of every page name the batch that last wrote it.
      v1::WalRecord* head = batch.request.add_records();
      bytes.replace(0, marker.size(), marker);
      *head->mutable_delta()->mutable_key() = Key(space_, page);
      head->mutable_delta()->set_offset(0);
      head->mutable_delta()->set_data(marker);
      batch.after[page] = std::move(bytes);
    } else {
      std::string bytes = MarkedPage(marker);
      auto* image = record->mutable_image();
      *image->mutable_key() = Key(space_, page);
      image->set_data(bytes);
      batch.after[page] = std::move(bytes);
    }
  }
  return batch;
}

grpc::Status ServerWriter::Send(e2e::PitrClient& client,
                                const PendingBatch& batch,
                                v1::AppendResponse* response,
                                absl::Duration timeout) const {
  auto context = e2e::CallContext("", timeout);
  return client.wal->Append(context.get(), batch.request, response);
}

void ServerWriter::Acknowledged(const PendingBatch& batch,
                                uint64_t commit_lsn) {
  Acked acked{batch.seq, commit_lsn, {}};
  for (const auto& [page, data] : batch.after) {
    pages_[page].push_back(
        Version{commit_lsn, std::make_shared<const std::string>(data)});
    acked.pages.push_back(page);
  }
  acked_.push_back(std::move(acked));
}

absl::StatusOr<std::vector<std::optional<std::string>>> ServerWriter::Read(
    e2e::PitrClient& client, const std::string& branch,
    const std::vector<uint32_t>& pages, const v1::PointInTime& point) const {
  v1::GetPagesRequest request;
  request.set_branch(branch);
  for (uint32_t page : pages) *request.add_keys() = Key(space_, page);
  *request.mutable_point() = point;
  v1::GetPagesResponse response;
  auto context = e2e::CallContext();
  const grpc::Status status =
      client.pages->GetPages(context.get(), request, &response);
  if (!status.ok()) {
    return absl::Status(static_cast<absl::StatusCode>(status.error_code()),
                        absl::StrCat("GetPages on ", branch, " space ", space_,
                                     ": ", status.error_message()));
  }
  if (response.results_size() != static_cast<int>(pages.size())) {
    return absl::InternalError(absl::StrCat("GetPages returned ",
                                            response.results_size(),
                                            " results for ", pages.size()));
  }
  std::vector<std::optional<std::string>> result;
  for (const v1::PageResult& page : response.results()) {
    if (page.code() == 5) {
      result.push_back(std::nullopt);
    } else if (page.code() != 0) {
      return absl::InternalError(absl::StrCat(
          "GetPages: page ", page.key().page(), " code ", page.code(), ": ",
          page.message()));
    } else {
      result.push_back(page.data());
    }
  }
  return result;
}

absl::Status ServerWriter::Recover(e2e::PitrClient& client,
                                   const PendingBatch& in_flight,
                                   VerifyCounters* counters) {
  std::vector<uint32_t> pages;
  for (const auto& entry : in_flight.after) pages.push_back(entry.first);
  const uint64_t before_lsn = last_commit_lsn();
  // 0: as the model has it; 1: as the batch left it; -1: neither.
  auto classify = [&](const std::vector<std::optional<std::string>>& read,
                      int* state) -> absl::Status {
    int old_count = 0, new_count = 0;
    std::string detail;
    for (size_t i = 0; i < pages.size(); ++i) {
      const bool is_old = Same(read[i], PageAt(pages[i], UINT64_MAX));
      const bool is_new = read[i] && *read[i] == in_flight.after.at(pages[i]);
      old_count += is_old;
      new_count += is_new;
      absl::StrAppend(&detail, " page ", pages[i], "=", Show(read[i]));
    }
    counters->pages_compared += pages.size();
    if (old_count == static_cast<int>(pages.size())) {
      *state = 0;
    } else if (new_count == static_cast<int>(pages.size())) {
      *state = 1;
    } else {
      return absl::DataLossError(absl::StrCat(
          "half batch: branch ", branch_, " space ", space_,
          " unacknowledged batch s", in_flight.seq, " (", old_count,
          " pages as before it, ", new_count, " as it wrote them):", detail));
    }
    return absl::OkStatus();
  };

  absl::StatusOr<std::vector<std::optional<std::string>>> latest =
      Read(client, branch_, pages, v1::PointInTime());
  if (!latest.ok()) return latest.status();
  int state = 0;
  if (absl::Status s = classify(*latest, &state); !s.ok()) return s;
  if (state == 0) {
    ++counters->in_flight_absent;
    return absl::OkStatus();
  }
  // Committed without an acknowledgement: find the first LSN that shows
  // it, checking every probe for a half batch.
  v1::GetStoreInfoRequest info_request;
  v1::StoreInfo info;
  auto context = e2e::CallContext();
  const grpc::Status got =
      client.pages->GetStoreInfo(context.get(), info_request, &info);
  if (!got.ok()) return absl::InternalError(got.error_message());
  uint64_t low = before_lsn;            // shows the old state
  uint64_t high = info.latest_lsn();    // shows the batch
  while (high - low > 1) {
    const uint64_t mid = low + (high - low) / 2;
    absl::StatusOr<std::vector<std::optional<std::string>>> read =
        Read(client, branch_, pages, AtLsn(mid));
    if (!read.ok()) return read.status();
    if (absl::Status s = classify(*read, &state); !s.ok()) {
      return absl::Status(s.code(), absl::StrCat(s.message(), " at lsn ", mid));
    }
    (state == 1 ? high : low) = mid;
  }
  ++counters->in_flight_visible;
  Acknowledged(in_flight, high);
  return absl::OkStatus();
}

absl::Status ServerWriter::VerifyLatest(e2e::PitrClient& client,
                                        VerifyCounters* counters,
                                        const std::string& branch) const {
  return VerifyAt(client, branch.empty() ? branch_ : branch, v1::PointInTime(),
                  UINT64_MAX, counters);
}

absl::Status ServerWriter::VerifyAt(e2e::PitrClient& client,
                                    const std::string& branch,
                                    const v1::PointInTime& point,
                                    uint64_t model_lsn,
                                    VerifyCounters* counters) const {
  std::vector<uint32_t> pages(kPagesPerWriter);
  for (uint32_t i = 0; i < kPagesPerWriter; ++i) pages[i] = i;
  absl::StatusOr<std::vector<std::optional<std::string>>> read =
      Read(client, branch, pages, point);
  if (!read.ok()) return read.status();
  counters->pages_compared += pages.size();
  for (uint32_t page : pages) {
    const std::string* model = PageAt(page, model_lsn);
    if (!Same((*read)[page], model)) {
      return absl::DataLossError(absl::StrCat(
          "branch ", branch, " space ", space_, " page ", page, " as of ",
          point.DebugString(), " reads ", Show((*read)[page]),
          "; the model (lsn ", model_lsn, ") has ", Show(model)));
    }
  }
  return absl::OkStatus();
}

absl::Status ServerWriter::CheckBatch(e2e::PitrClient& client,
                                      const Acked& batch,
                                      VerifyCounters* counters) const {
  for (const uint64_t lsn : {batch.commit_lsn, batch.commit_lsn - 1}) {
    absl::StatusOr<std::vector<std::optional<std::string>>> read =
        Read(client, branch_, batch.pages, AtLsn(lsn));
    if (!read.ok()) return read.status();
    counters->pages_compared += batch.pages.size();
    for (size_t i = 0; i < batch.pages.size(); ++i) {
      const std::string* model = PageAt(batch.pages[i], lsn);
      if (!Same((*read)[i], model)) {
        return absl::DataLossError(absl::StrCat(
            "branch ", branch_, " space ", space_, " batch s", batch.seq,
            " (commit lsn ", batch.commit_lsn, "): page ", batch.pages[i],
            " at lsn ", lsn, " reads ", Show((*read)[i]), "; expected ",
            Show(model)));
      }
    }
  }
  ++counters->batches_checked;
  return absl::OkStatus();
}

absl::Status ServerWriter::VerifyBatches(e2e::PitrClient& client,
                                         size_t first,
                                         VerifyCounters* counters) const {
  for (size_t i = first; i < acked_.size(); ++i) {
    if (absl::Status s = CheckBatch(client, acked_[i], counters); !s.ok()) {
      return s;
    }
  }
  return absl::OkStatus();
}

absl::Status ServerWriter::VerifySample(e2e::PitrClient& client, size_t count,
                                        VerifyCounters* counters) {
  for (size_t i = 0; i < count && !acked_.empty(); ++i) {
    const Acked& batch = acked_[rng_() % acked_.size()];
    if (absl::Status s = CheckBatch(client, batch, counters); !s.ok()) {
      return s;
    }
  }
  return absl::OkStatus();
}

}  // namespace pitr::crash
