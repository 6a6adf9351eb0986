// OutageStorage: a RemoteStorage that passes every call to a real one, or,
// while `down` is set, fails it with UNAVAILABLE as a store that cannot be
// reached does after its retries. For tests of what an outage does to
// whatever writes to the store; the store's own behaviour is tested against
// the real backends.
#ifndef PITR_REMOTE_TESTING_OUTAGE_STORAGE_H_
#define PITR_REMOTE_TESTING_OUTAGE_STORAGE_H_

#include <atomic>
#include <string>
#include <vector>

#include "remote/remote_storage.h"

namespace pitr::remote::testing {

class OutageStorage : public RemoteStorage {
 public:
  explicit OutageStorage(RemoteStorage* real) : real_(real) {}
  std::atomic<bool> down{false};

  absl::StatusOr<std::vector<ObjectInfo>> List(
      absl::string_view prefix) override {
    if (down) return Outage();
    return real_->List(prefix);
  }
  absl::StatusOr<ObjectInfo> Put(absl::string_view key,
                                 absl::string_view data,
                                 const WriteCondition& condition) override {
    if (down) return Outage();
    return real_->Put(key, data, condition);
  }
  absl::StatusOr<ObjectInfo> PutFile(absl::string_view key,
                                     const std::string& path,
                                     const WriteCondition& condition) override {
    if (down) return Outage();
    return real_->PutFile(key, path, condition);
  }
  absl::StatusOr<Object> Get(absl::string_view key) override {
    if (down) return Outage();
    return real_->Get(key);
  }
  absl::StatusOr<ObjectInfo> GetToFile(absl::string_view key,
                                       const std::string& path) override {
    if (down) return Outage();
    return real_->GetToFile(key, path);
  }
  absl::StatusOr<std::string> GetRange(absl::string_view key, uint64_t offset,
                                       uint64_t length) override {
    if (down) return Outage();
    return real_->GetRange(key, offset, length);
  }
  absl::Status Delete(absl::string_view key) override {
    if (down) return Outage();
    return real_->Delete(key);
  }
  absl::Status DeleteBatch(const std::vector<std::string>& keys) override {
    if (down) return Outage();
    return real_->DeleteBatch(keys);
  }
  std::string Describe() const override { return real_->Describe(); }

 private:
  static absl::Status Outage() {
    return absl::UnavailableError("the store is down (test)");
  }
  RemoteStorage* const real_;
};

}  // namespace pitr::remote::testing

#endif  // PITR_REMOTE_TESTING_OUTAGE_STORAGE_H_
