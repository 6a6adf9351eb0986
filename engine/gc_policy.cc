#include "engine/gc_policy.h"

#include <algorithm>

#include "absl/strings/str_cat.h"

namespace pitr::gc_policy {

Retention EffectiveRetention(const Branch& branch,
                             const Retention& default_retention) {
  if (branch.retention.window || branch.retention.lsn_distance) {
    return branch.retention;
  }
  return default_retention;
}

std::string DescribeRetention(const Retention& retention) {
  std::string out;
  if (retention.window) {
    absl::StrAppend(&out, absl::FormatDuration(*retention.window));
  }
  if (retention.lsn_distance) {
    absl::StrAppend(&out, out.empty() ? "" : " or ", *retention.lsn_distance,
                    " bytes of WAL");
  }
  return out.empty() ? "keep everything" : out;
}

Lsn RetentionCutoff(
    const Retention& retention, Lsn latest, absl::Time now,
    const std::function<std::optional<Lsn>(absl::Time)>& lsn_at_time) {
  std::optional<Lsn> cutoff;
  if (retention.window) {
    cutoff = lsn_at_time(now - *retention.window).value_or(0);
  }
  if (retention.lsn_distance) {
    const Lsn by_distance =
        latest - std::min<Lsn>(latest, *retention.lsn_distance);
    cutoff = cutoff ? std::min(*cutoff, by_distance) : by_distance;
  }
  return cutoff.value_or(0);
}

std::map<BranchId, Lsn> Floors(const std::vector<Branch>& branches,
                               const std::map<BranchId, Lsn>& cutoffs) {
  std::map<BranchId, Lsn> floors = cutoffs;
  for (const Branch& b : branches) {
    if (b.parent == 0) continue;
    auto parent = floors.find(b.parent);
    if (parent != floors.end()) {
      parent->second = std::min(parent->second, b.branch_point);
    }
  }
  return floors;
}

std::map<TimelineId, Lsn> Horizons(const std::vector<Reader>& readers) {
  std::map<TimelineId, Lsn> horizons;
  for (const Reader& r : readers) {
    for (const ReadStep& step : r.path) {
      const Lsn low = std::min(r.floor, step.up_to);
      auto [it, inserted] = horizons.emplace(step.timeline, low);
      if (!inserted) it->second = std::min(it->second, low);
    }
  }
  return horizons;
}

std::map<TimelineId, Lsn> Ceilings(const std::vector<Reader>& readers) {
  std::map<TimelineId, Lsn> ceilings;
  for (const Reader& r : readers) {
    for (const ReadStep& step : r.path) {
      Lsn& ceiling = ceilings[step.timeline];
      ceiling = std::max(ceiling, step.up_to);
    }
  }
  return ceilings;
}

std::vector<size_t> VersionsToDrop(const std::vector<Version>& versions,
                                   Lsn horizon, std::optional<Lsn> ceiling) {
  const store_keys::Position h = store_keys::AsOf(horizon);
  // The newest image at or before the horizon: the chain starts there.
  // Without one, every delta up to the ceiling may be needed.
  size_t chain_start = 0;
  for (size_t i = 0; i < versions.size() && versions[i].at <= h; ++i) {
    if (versions[i].image) chain_start = i;
  }
  std::vector<size_t> drop;
  for (size_t i = 0; i < chain_start; ++i) drop.push_back(i);
  if (ceiling) {
    const store_keys::Position c = store_keys::AsOf(*ceiling);
    for (size_t i = chain_start; i < versions.size(); ++i) {
      if (c < versions[i].at) drop.push_back(i);
    }
  }
  return drop;
}

}  // namespace pitr::gc_policy
