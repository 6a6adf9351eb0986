#include "branch/schedule_catalog.h"

#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "branch/catalog_records.h"

namespace pitr {

namespace cr = catalog_records;

absl::StatusOr<std::unique_ptr<ScheduleCatalog>> ScheduleCatalog::Open(
    CatalogStore* store) {
  auto catalog = std::unique_ptr<ScheduleCatalog>(new ScheduleCatalog(store));
  PITR_RETURN_IF_ERROR(catalog->Reload());
  return catalog;
}

absl::Status ScheduleCatalog::Reload() {
  PITR_ASSIGN_OR_RETURN(auto rows, store_->Scan(cr::kSchedulePrefix));
  std::map<std::string, SnapshotSchedule> schedules;
  for (const auto& [key, value] : rows) {
    PITR_ASSIGN_OR_RETURN(SnapshotSchedule s, cr::DecodeSchedule(key, value));
    schedules[s.name] = s;
  }
  MutexLock l(&mu_);
  schedules_ = std::move(schedules);
  return absl::OkStatus();
}

absl::Status ScheduleCatalog::Check(const SnapshotSchedule& schedule) {
  PITR_RETURN_IF_ERROR(CheckBranchName(schedule.name));
  if (schedule.every < absl::Seconds(1)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "snapshot schedule \"", schedule.name, "\": every ",
        absl::FormatDuration(schedule.every), " is too often (at least 1s)"));
  }
  if (!schedule.keep_last && !schedule.keep_for) {
    return absl::InvalidArgumentError(absl::StrCat(
        "snapshot schedule \"", schedule.name,
        "\" keeps snapshots forever: give keep_last, keep_for or both"));
  }
  return absl::OkStatus();
}

absl::Status ScheduleCatalog::Create(const SnapshotSchedule& schedule) {
  PITR_RETURN_IF_ERROR(Check(schedule));
  MutexLock l(&mu_);
  if (schedules_.count(schedule.name) > 0) {
    return absl::AlreadyExistsError(absl::StrCat(
        "snapshot schedule \"", schedule.name, "\" already exists"));
  }
  PITR_RETURN_IF_ERROR(store_->Commit(
      {{cr::ScheduleKey(schedule.name), cr::EncodeSchedule(schedule)}}, {}));
  schedules_[schedule.name] = schedule;
  return absl::OkStatus();
}

std::vector<SnapshotSchedule> ScheduleCatalog::List() const {
  MutexLock l(&mu_);
  std::vector<SnapshotSchedule> out;
  for (const auto& [name, s] : schedules_) out.push_back(s);
  return out;
}

absl::Status ScheduleCatalog::Delete(absl::string_view name) {
  MutexLock l(&mu_);
  if (schedules_.count(std::string(name)) == 0) {
    return absl::NotFoundError(
        absl::StrCat("snapshot schedule \"", name, "\" does not exist"));
  }
  PITR_RETURN_IF_ERROR(store_->Commit({}, {cr::ScheduleKey(name)}));
  schedules_.erase(std::string(name));
  return absl::OkStatus();
}

absl::Status ScheduleCatalog::MarkRun(absl::string_view name, int64_t now_us) {
  MutexLock l(&mu_);
  auto it = schedules_.find(std::string(name));
  if (it == schedules_.end()) {
    return absl::NotFoundError(
        absl::StrCat("snapshot schedule \"", name, "\" does not exist"));
  }
  SnapshotSchedule updated = it->second;
  updated.last_taken_us = now_us;
  PITR_RETURN_IF_ERROR(store_->Commit(
      {{cr::ScheduleKey(name), cr::EncodeSchedule(updated)}}, {}));
  it->second = updated;
  return absl::OkStatus();
}

}  // namespace pitr
