#include "engine/history_guard.h"

#include <algorithm>

#include "absl/strings/str_cat.h"

namespace pitr {

Lsn HistoryGuard::FloorOf(BranchId branch) const {
  auto it = floors_.find(branch);
  return it == floors_.end() ? 0 : it->second;
}

bool HistoryGuard::MayBeCollected(TimelineId timeline, Lsn commit_lsn) const {
  ReaderMutexLock l(&mu_);
  auto it = horizons_.find(timeline);
  auto local = local_horizons_.find(timeline);
  return (it != horizons_.end() && commit_lsn <= it->second) ||
         (local != local_horizons_.end() && commit_lsn <= local->second);
}

bool HistoryGuard::IsLocal(const std::vector<ReadStep>& path, Lsn lsn) const {
  for (const ReadStep& step : path) {
    auto local = local_horizons_.find(step.timeline);
    if (local != local_horizons_.end() &&
        std::min(lsn, step.up_to) < local->second) {
      return false;
    }
  }
  return true;
}

std::optional<Lsn> HistoryGuard::LocalFrom(const std::vector<ReadStep>& path,
                                           Lsn floor, Lsn latest) const {
  // A read at X reads the branch's own timeline at X and each ancestor at
  // its branch point (below those, X itself).
  Lsn from = floor;
  for (const ReadStep& step : path) {
    auto local = local_horizons_.find(step.timeline);
    if (local == local_horizons_.end()) continue;
    if (step.up_to < local->second && step.up_to < latest) return std::nullopt;
    from = std::max(from, local->second);
  }
  if (from > latest) return std::nullopt;
  return from;
}

std::map<TimelineId, Lsn> HistoryGuard::LocalHorizons() const {
  ReaderMutexLock l(&mu_);
  return local_horizons_;
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
                           std::map<TimelineId, Lsn> horizons,
                           const std::map<TimelineId, Lsn>& local_horizons) {
  MutexLock l(&mu_);
  floors_ = std::move(floors);
  horizons_ = std::move(horizons);
  for (const auto& [timeline, horizon] : local_horizons) {
    Lsn& mine = local_horizons_[timeline];
    mine = std::max(mine, horizon);
  }
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
