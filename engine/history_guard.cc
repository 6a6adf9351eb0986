#include "engine/history_guard.h"

#include "absl/strings/str_cat.h"

namespace pitr {

Lsn HistoryGuard::FloorOf(BranchId branch) const {
  auto it = floors_.find(branch);
  return it == floors_.end() ? 0 : it->second;
}

bool HistoryGuard::MayBeCollected(TimelineId timeline, Lsn commit_lsn) const {
  ReaderMutexLock l(&mu_);
  auto it = horizons_.find(timeline);
  return it != horizons_.end() && commit_lsn <= it->second;
}

void HistoryGuard::SetFloors(const std::map<BranchId, Lsn>& floors) {
  MutexLock l(&mu_);
  for (const auto& [branch, floor] : floors) floors_[branch] = floor;
}

void HistoryGuard::ForgetFloors(const std::vector<BranchId>& branches) {
  MutexLock l(&mu_);
  for (BranchId branch : branches) floors_.erase(branch);
}

void HistoryGuard::Publish(std::map<BranchId, Lsn> floors,
                           std::map<TimelineId, Lsn> horizons) {
  MutexLock l(&mu_);
  floors_ = std::move(floors);
  horizons_ = std::move(horizons);
}

uint64_t HistoryGuard::AddPin(TimelineId timeline, Lsn lsn,
                              absl::Time expires) {
  MutexLock l(&pins_mu_);
  const uint64_t id = next_pin_++;
  pins_[id] = Pin{timeline, lsn, expires};
  return id;
}

absl::Status HistoryGuard::RenewPin(uint64_t pin, absl::Time now,
                                    absl::Time expires) {
  MutexLock l(&pins_mu_);
  auto it = pins_.find(pin);
  if (it == pins_.end() || it->second.expires <= now) {
    return absl::NotFoundError(
        absl::StrCat("lease ", pin, " does not exist or has expired"));
  }
  it->second.expires = expires;
  return absl::OkStatus();
}

std::optional<TimelineId> HistoryGuard::RemovePin(uint64_t pin) {
  MutexLock l(&pins_mu_);
  auto it = pins_.find(pin);
  if (it == pins_.end()) return std::nullopt;
  const TimelineId timeline = it->second.timeline;
  pins_.erase(it);
  return timeline;
}

std::vector<std::pair<TimelineId, Lsn>> HistoryGuard::LivePins(absl::Time now) {
  MutexLock l(&pins_mu_);
  std::vector<std::pair<TimelineId, Lsn>> live;
  for (auto it = pins_.begin(); it != pins_.end();) {
    if (it->second.expires <= now) {
      it = pins_.erase(it);
    } else {
      live.emplace_back(it->second.timeline, it->second.lsn);
      ++it;
    }
  }
  return live;
}

}  // namespace pitr
