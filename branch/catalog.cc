#include "branch/catalog.h"

#include <algorithm>
#include <random>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "base/status_macros.h"
#include "base/timestamp.h"
#include "branch/catalog_records.h"

namespace pitr {

namespace cr = catalog_records;

namespace {

StoreId RandomStoreId() {
  std::random_device random;
  StoreId id;
  for (size_t i = 0; i < id.bytes.size(); i += 4) {
    const uint32_t word = random();
    for (size_t j = 0; j < 4; ++j) id.bytes[i + j] = word >> (8 * j);
  }
  return id;
}

}  // namespace

absl::Status CheckBranchName(absl::string_view name) {
  bool ok =
      !name.empty() && name.size() <= 128 && name[0] != '-' && name[0] != '.';
  for (char c : name) {
    ok &= absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '_' ||
          c == '-' || c == '.';
  }
  if (ok) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat("invalid branch name \"", name,
                   "\": use 1 to 128 characters from "
                   "A-Z a-z 0-9 _ . - , not starting with - or ."));
}

absl::StatusOr<std::unique_ptr<Catalog>> Catalog::Open(CatalogStore* store) {
  auto catalog = std::unique_ptr<Catalog>(new Catalog(store));
  PITR_RETURN_IF_ERROR(catalog->Load());
  return catalog;
}

absl::Status Catalog::Reload() { return Load(); }

absl::Status Catalog::Load() {
  PITR_ASSIGN_OR_RETURN(auto timeline_rows, store_->Scan(cr::kTimelinePrefix));
  PITR_ASSIGN_OR_RETURN(auto branch_rows, store_->Scan(cr::kBranchPrefix));
  PITR_ASSIGN_OR_RETURN(auto snapshot_rows, store_->Scan(cr::kSnapshotPrefix));
  PITR_ASSIGN_OR_RETURN(auto default_rows,
                        store_->Scan(cr::kDefaultRetentionKey));
  PITR_ASSIGN_OR_RETURN(auto next_id_rows, store_->Scan(cr::kNextIdsKey));
  PITR_ASSIGN_OR_RETURN(auto store_id_rows, store_->Scan(cr::kStoreIdKey));
  PITR_ASSIGN_OR_RETURN(auto provenance_rows,
                        store_->Scan(cr::kProvenancePrefix));
  // Decoded aside first, so a damaged record leaves the catalog as it was.
  CatalogTree tree;
  std::map<std::string, Snapshot> snapshots;
  std::optional<Retention> default_retention;
  std::optional<StoreId> store_id;
  std::map<BranchId, ImportProvenance> provenance;
  uint64_t next_snapshot = 1;
  BranchId next_branch = kMainBranchId + 1;
  TimelineId next_timeline = kMainTimeline.Next();
  for (const auto& [key, value] : default_rows) {
    if (key != cr::kDefaultRetentionKey) continue;  // a longer key: not ours
    PITR_ASSIGN_OR_RETURN(default_retention, cr::DecodeDefaultRetention(value));
  }
  for (const auto& [key, value] : next_id_rows) {
    if (key != cr::kNextIdsKey) continue;  // a longer key: not ours
    PITR_ASSIGN_OR_RETURN(cr::NextIds ids, cr::DecodeNextIds(value));
    next_snapshot = std::max(next_snapshot, ids.snapshot);
    next_branch = std::max(next_branch, ids.branch);
    next_timeline = std::max(next_timeline, ids.timeline);
  }
  for (const auto& [key, value] : store_id_rows) {
    if (key != cr::kStoreIdKey) continue;  // a longer key: not ours
    PITR_ASSIGN_OR_RETURN(store_id, cr::DecodeStoreId(value));
  }
  for (const auto& [key, value] : provenance_rows) {
    PITR_ASSIGN_OR_RETURN(auto branch_provenance,
                          cr::DecodeProvenance(key, value));
    provenance.insert(branch_provenance);
  }
  for (const auto& [key, value] : snapshot_rows) {
    PITR_ASSIGN_OR_RETURN(Snapshot snap, cr::DecodeSnapshot(key, value));
    next_snapshot = std::max(next_snapshot, snap.id + 1);
    snapshots[snap.name] = snap;
  }
  for (const auto& [key, value] : timeline_rows) {
    PITR_ASSIGN_OR_RETURN(Timeline t, cr::DecodeTimeline(key, value));
    tree.timelines[t.id] = t;
    next_timeline = std::max(next_timeline, t.id.Next());
  }
  for (const auto& [key, value] : branch_rows) {
    PITR_ASSIGN_OR_RETURN(Branch b, cr::DecodeBranch(key, value));
    if (tree.timelines.count(b.timeline) == 0) {
      return absl::DataLossError(
          absl::StrCat("catalog: branch \"", b.name, "\" reads timeline ",
                       b.timeline.value(), ", which does not exist"));
    }
    tree.owners[b.timeline] = b.id;
    tree.branches[b.id] = b;
    tree.names[b.name] = b.id;
    next_branch = std::max(next_branch, b.id + 1);
  }
  MutexLock l(&mu_);
  if (tree.branches.count(kMainBranchId) == 0) {
    if (!tree.branches.empty() || !tree.timelines.empty()) {
      return absl::DataLossError("catalog: the branch \"main\" is missing");
    }
    // A new store: main is created now, and the store's id drawn.
    const int64_t now_us = NowMicros();
    Timeline main_timeline{kMainTimeline, kNoTimeline, 0, now_us, 0};
    Branch main{kMainBranchId, "main", kMainTimeline, now_us, {}, 0, 0,
                kNoTimeline};
    store_id = RandomStoreId();
    PITR_RETURN_IF_ERROR(store_->Commit(
        {{cr::TimelineKey(kMainTimeline), cr::EncodeTimeline(main_timeline)},
         {cr::BranchKey(kMainBranchId), cr::EncodeBranch(main)},
         {cr::kStoreIdKey, cr::EncodeStoreId(*store_id)}},
        {}));
    tree.timelines[kMainTimeline] = main_timeline;
    tree.branches[kMainBranchId] = main;
    tree.names[main.name] = kMainBranchId;
    tree.owners[kMainTimeline] = kMainBranchId;
  }
  if (!store_id) {
    // A store created before ids: named by main's creation time.
    store_id.emplace();
    const auto created =
        static_cast<uint64_t>(tree.branches.at(kMainBranchId).created_us);
    for (int i = 0; i < 8; ++i) store_id->bytes[i] = created >> (8 * i);
  }
  tree_ = std::move(tree);
  snapshots_ = std::move(snapshots);
  store_id_ = *store_id;
  provenance_ = std::move(provenance);
  default_retention_ = default_retention;
  // Ids only grow: a reload never hands out an id again.
  next_snapshot_ = std::max(next_snapshot_, next_snapshot);
  next_branch_ = std::max(next_branch_, next_branch);
  next_timeline_ = std::max(next_timeline_, next_timeline);
  return absl::OkStatus();
}

absl::StatusOr<Branch> Catalog::Get(BranchId id) const {
  MutexLock l(&mu_);
  PITR_ASSIGN_OR_RETURN(const Branch* branch, tree_.Find(id));
  return tree_.Describe(*branch);
}

absl::StatusOr<Branch> Catalog::GetByName(absl::string_view name) const {
  MutexLock l(&mu_);
  const Branch* branch = tree_.FindByName(name);
  if (branch == nullptr) {
    return absl::NotFoundError(
        absl::StrCat("branch \"", name, "\" does not exist"));
  }
  return tree_.Describe(*branch);
}

std::vector<Branch> Catalog::List() const {
  MutexLock l(&mu_);
  std::vector<Branch> out;
  for (const auto& [id, branch] : tree_.branches)
    out.push_back(tree_.Describe(branch));
  return out;
}

std::vector<Branch> Catalog::Children(BranchId id) const {
  std::vector<Branch> out;
  for (const Branch& b : List()) {
    if (b.parent == id && b.id != id) out.push_back(b);
  }
  return out;
}

absl::StatusOr<Timeline> Catalog::GetTimeline(TimelineId id) const {
  MutexLock l(&mu_);
  auto it = tree_.timelines.find(id);
  if (it == tree_.timelines.end()) {
    return absl::NotFoundError(
        absl::StrCat("timeline ", id.value(), " does not exist"));
  }
  return it->second;
}

absl::StatusOr<TimelineId> Catalog::StateTimeline(TimelineId timeline,
                                                  Lsn lsn) const {
  MutexLock l(&mu_);
  while (true) {
    auto it = tree_.timelines.find(timeline);
    if (it == tree_.timelines.end()) {
      return absl::NotFoundError(
          absl::StrCat("timeline ", timeline.value(), " does not exist"));
    }
    if (it->second.parent == kNoTimeline || lsn > it->second.branch_point) {
      return timeline;
    }
    timeline = it->second.parent;
  }
}

StoreId Catalog::store_id() const {
  MutexLock l(&mu_);
  return store_id_;
}

std::optional<ImportProvenance> Catalog::Provenance(BranchId branch) const {
  MutexLock l(&mu_);
  auto it = provenance_.find(branch);
  if (it == provenance_.end()) return std::nullopt;
  return it->second;
}

absl::StatusOr<std::vector<ReadStep>> Catalog::ReadPath(BranchId branch,
                                                        Lsn lsn) const {
  std::shared_ptr<const CatalogTree::Ancestry> ancestry;
  {
    MutexLock l(&mu_);
    PITR_ASSIGN_OR_RETURN(const Branch* b, tree_.Find(branch));
    ancestry = tree_.AncestryOf(b->timeline);
  }
  return CatalogTree::PathFrom(*ancestry, lsn);
}

absl::StatusOr<std::vector<ReadStep>> Catalog::TimelinePath(TimelineId timeline,
                                                            Lsn lsn) const {
  std::shared_ptr<const CatalogTree::Ancestry> ancestry;
  {
    MutexLock l(&mu_);
    if (tree_.timelines.count(timeline) == 0) {
      return absl::NotFoundError(
          absl::StrCat("timeline ", timeline.value(), " does not exist"));
    }
    ancestry = tree_.AncestryOf(timeline);
  }
  return CatalogTree::PathFrom(*ancestry, lsn);
}

std::optional<BranchId> Catalog::OwnerOf(TimelineId timeline) const {
  MutexLock l(&mu_);
  auto it = tree_.owners.find(timeline);
  if (it == tree_.owners.end()) return std::nullopt;
  return it->second;
}

absl::StatusOr<Branch> Catalog::Create(absl::string_view name, BranchId parent,
                                       Lsn point, int64_t now_us) {
  PITR_RETURN_IF_ERROR(CheckBranchName(name));
  MutexLock l(&mu_);
  PITR_ASSIGN_OR_RETURN(const Branch* source, tree_.Find(parent));
  return CreateOnTimeline(name, source->timeline, point, now_us);
}

absl::StatusOr<Branch> Catalog::CreateOnTimeline(absl::string_view name,
                                                 TimelineId parent, Lsn point,
                                                 int64_t now_us) {
  if (const Branch* existing = tree_.FindByName(name)) {
    const Timeline& t = tree_.timelines.at(existing->timeline);
    if (t.parent == parent && t.branch_point == point) {
      return tree_.Describe(*existing);  // the same request again
    }
    return absl::AlreadyExistsError(absl::StrCat(
        "branch \"", name, "\" already exists (branched from timeline ",
        t.parent.value(), " at lsn ", FormatLsn(t.branch_point), ")"));
  }
  const Timeline timeline{next_timeline_, parent, point, now_us, 0};
  const Branch branch{
      next_branch_, std::string(name), timeline.id, now_us, {}, 0, 0,
      kNoTimeline};
  PITR_RETURN_IF_ERROR(store_->Commit(
      {{cr::TimelineKey(timeline.id), cr::EncodeTimeline(timeline)},
       {cr::BranchKey(branch.id), cr::EncodeBranch(branch)}},
      {}));
  next_timeline_ = next_timeline_.Next();
  ++next_branch_;
  tree_.timelines[timeline.id] = timeline;
  tree_.branches[branch.id] = branch;
  tree_.names[branch.name] = branch.id;
  tree_.owners[timeline.id] = branch.id;
  return tree_.Describe(branch);
}

absl::StatusOr<Snapshot> Catalog::CreateSnapshot(
    absl::string_view name, BranchId branch, Lsn lsn, Snapshot::Kind kind,
    std::optional<int64_t> expires_us, int64_t now_us,
    absl::string_view schedule) {
  PITR_RETURN_IF_ERROR(CheckBranchName(name));
  MutexLock l(&mu_);
  PITR_ASSIGN_OR_RETURN(const Branch* b, tree_.Find(branch));
  if (snapshots_.count(std::string(name)) > 0) {
    return absl::AlreadyExistsError(
        absl::StrCat("snapshot \"", name, "\" already exists"));
  }
  const Snapshot snap{next_snapshot_,
                      std::string(name),
                      branch,
                      b->timeline,
                      lsn,
                      now_us,
                      kind,
                      expires_us,
                      std::string(schedule)};
  PITR_RETURN_IF_ERROR(store_->Commit(
      {{cr::SnapshotKey(snap.id), cr::EncodeSnapshot(snap)}}, {}));
  ++next_snapshot_;
  snapshots_[snap.name] = snap;
  return snap;
}

absl::StatusOr<Snapshot> Catalog::GetSnapshot(absl::string_view name) const {
  MutexLock l(&mu_);
  auto it = snapshots_.find(std::string(name));
  if (it == snapshots_.end()) {
    return absl::NotFoundError(
        absl::StrCat("snapshot \"", name, "\" does not exist"));
  }
  return it->second;
}

std::vector<Snapshot> Catalog::ListSnapshots() const {
  MutexLock l(&mu_);
  std::vector<Snapshot> out;
  for (const auto& [name, snap] : snapshots_) out.push_back(snap);
  return out;
}

absl::Status Catalog::DeleteSnapshot(absl::string_view name) {
  MutexLock l(&mu_);
  auto it = snapshots_.find(std::string(name));
  if (it == snapshots_.end()) {
    return absl::NotFoundError(
        absl::StrCat("snapshot \"", name, "\" does not exist"));
  }
  PITR_RETURN_IF_ERROR(
      store_->Commit({NextIdsRecord()}, {cr::SnapshotKey(it->second.id)}));
  snapshots_.erase(it);
  return absl::OkStatus();
}

absl::StatusOr<Branch> Catalog::CreateFromSnapshot(absl::string_view name,
                                                   absl::string_view snapshot,
                                                   int64_t now_us) {
  PITR_RETURN_IF_ERROR(CheckBranchName(name));
  MutexLock l(&mu_);
  auto it = snapshots_.find(std::string(snapshot));
  if (it == snapshots_.end()) {
    return absl::NotFoundError(
        absl::StrCat("snapshot \"", snapshot, "\" does not exist"));
  }
  return CreateOnTimeline(name, it->second.timeline, it->second.lsn, now_us);
}

absl::StatusOr<Catalog::Restored> Catalog::Restore(BranchId branch,
                                                   BranchId source, Lsn point,
                                                   int64_t now_us) {
  MutexLock l(&mu_);
  PITR_ASSIGN_OR_RETURN(const Branch* from, tree_.Find(source));
  return RestoreOnTimeline(branch, from->timeline, point, now_us);
}

absl::StatusOr<Catalog::Restored> Catalog::RestoreFromSnapshot(
    BranchId branch, absl::string_view snapshot, int64_t now_us) {
  MutexLock l(&mu_);
  auto it = snapshots_.find(std::string(snapshot));
  if (it == snapshots_.end()) {
    return absl::NotFoundError(
        absl::StrCat("snapshot \"", snapshot, "\" does not exist"));
  }
  return RestoreOnTimeline(branch, it->second.timeline, it->second.lsn, now_us);
}

absl::StatusOr<Catalog::Restored> Catalog::RestoreOnTimeline(BranchId branch,
                                                             TimelineId source,
                                                             Lsn point,
                                                             int64_t now_us) {
  PITR_ASSIGN_OR_RETURN(const Branch* target, tree_.Find(branch));
  const Timeline timeline{next_timeline_, source, point, now_us, 0};
  Branch restored = *target;
  restored.timeline = timeline.id;
  Branch backup{next_branch_,
                tree_.UniqueBackupName(target->name, now_us),
                target->timeline,
                now_us,
                target->retention,
                0,
                0,
                kNoTimeline};
  PITR_RETURN_IF_ERROR(store_->Commit(
      {{cr::TimelineKey(timeline.id), cr::EncodeTimeline(timeline)},
       {cr::BranchKey(restored.id), cr::EncodeBranch(restored)},
       {cr::BranchKey(backup.id), cr::EncodeBranch(backup)}},
      {}));
  next_timeline_ = next_timeline_.Next();
  ++next_branch_;
  tree_.timelines[timeline.id] = timeline;
  tree_.owners[backup.timeline] = backup.id;
  tree_.owners[restored.timeline] = restored.id;
  tree_.branches[restored.id] = restored;
  tree_.branches[backup.id] = backup;
  tree_.names[backup.name] = backup.id;
  return Restored{tree_.Describe(restored), tree_.Describe(backup)};
}

absl::StatusOr<std::vector<BranchId>> Catalog::Delete(BranchId id,
                                                      bool cascade) {
  MutexLock l(&mu_);
  PITR_ASSIGN_OR_RETURN(const Branch* branch, tree_.Find(id));
  if (id == kMainBranchId) {
    return absl::FailedPreconditionError(
        "the branch \"main\" cannot be deleted");
  }
  // The branch, or with cascade, depth first, every branch below it too;
  // but never main nor what descends from it (main descends from the branch
  // it was restored from).
  std::vector<BranchId> doomed = {id};
  if (cascade) {
    doomed = tree_.Subtree(id);
    if (std::find(doomed.begin(), doomed.end(), kMainBranchId) !=
        doomed.end()) {
      const std::vector<BranchId> below_main = tree_.Subtree(kMainBranchId);
      const std::set<BranchId> kept(below_main.begin(), below_main.end());
      doomed.erase(
          std::remove_if(doomed.begin(), doomed.end(),
                         [&kept](BranchId d) { return kept.count(d); }),
          doomed.end());
    }
  }
  std::vector<std::string> doomed_snapshots;
  for (BranchId d : doomed) {
    for (const auto& [name, snap] : snapshots_) {
      if (snap.timeline == tree_.branches.at(d).timeline)
        doomed_snapshots.push_back(name);
    }
  }
  if (!doomed_snapshots.empty() && !cascade) {
    return absl::FailedPreconditionError(absl::StrCat(
        "branch \"", branch->name, "\" has ", doomed_snapshots.size(),
        " snapshots (\"", doomed_snapshots.front(),
        "\"...); delete them first or ask for a cascading delete"));
  }
  std::vector<std::string> deletes;
  for (BranchId d : doomed) {
    deletes.push_back(cr::BranchKey(d));
    if (provenance_.count(d) > 0) deletes.push_back(cr::ProvenanceKey(d));
  }
  for (const std::string& name : doomed_snapshots) {
    deletes.push_back(cr::SnapshotKey(snapshots_.at(name).id));
  }
  PITR_RETURN_IF_ERROR(store_->Commit({NextIdsRecord()}, deletes));
  for (const std::string& name : doomed_snapshots) snapshots_.erase(name);
  for (BranchId d : doomed) {
    provenance_.erase(d);
    tree_.owners.erase(tree_.branches.at(d).timeline);
    tree_.names.erase(tree_.branches.at(d).name);
    tree_.branches.erase(d);
  }
  return doomed;
}

absl::Status Catalog::SetRetention(BranchId id, const Retention& retention) {
  MutexLock l(&mu_);
  PITR_ASSIGN_OR_RETURN(const Branch* branch, tree_.Find(id));
  Branch updated = *branch;
  updated.retention = retention;
  PITR_RETURN_IF_ERROR(
      store_->Commit({{cr::BranchKey(id), cr::EncodeBranch(updated)}}, {}));
  tree_.branches[id] = updated;
  return absl::OkStatus();
}

std::optional<Retention> Catalog::default_retention() const {
  MutexLock l(&mu_);
  return default_retention_;
}

absl::Status Catalog::SetDefaultRetention(const Retention& retention) {
  MutexLock l(&mu_);
  PITR_RETURN_IF_ERROR(store_->Commit(
      {{cr::kDefaultRetentionKey, cr::EncodeDefaultRetention(retention)}}, {}));
  default_retention_ = retention;
  return absl::OkStatus();
}

std::pair<std::string, std::string> Catalog::NextIdsRecord() const {
  return {cr::kNextIdsKey,
          cr::EncodeNextIds({next_branch_, next_timeline_, next_snapshot_})};
}

std::set<TimelineId> Catalog::TimelinesRead(bool with_holds) const {
  std::set<TimelineId> read;
  auto add = [&](TimelineId from) ABSL_NO_THREAD_SAFETY_ANALYSIS {
    for (TimelineId t = from; t != kNoTimeline && read.insert(t).second;
         t = tree_.timelines.at(t).parent) {
    }
  };
  for (const auto& [id, branch] : tree_.branches) add(branch.timeline);
  for (const auto& [name, snap] : snapshots_) add(snap.timeline);
  if (with_holds) {
    for (const auto& [timeline, count] : holds_) add(timeline);
  }
  return read;
}

std::vector<TimelineId> Catalog::UnusedTimelines() const {
  MutexLock l(&mu_);
  const std::set<TimelineId> used = TimelinesRead(/*with_holds=*/true);
  std::vector<TimelineId> unused;
  for (const auto& [id, timeline] : tree_.timelines) {
    if (used.count(id) == 0) unused.push_back(id);
  }
  return unused;
}

std::vector<Timeline> Catalog::UnnamedAncestors() const {
  MutexLock l(&mu_);
  std::vector<Timeline> unnamed;
  for (TimelineId id : TimelinesRead(/*with_holds=*/false)) {
    if (tree_.owners.count(id) == 0) unnamed.push_back(tree_.timelines.at(id));
  }
  return unnamed;
}

std::vector<TimelineId> Catalog::UnwrittenTimelines() const {
  MutexLock l(&mu_);
  std::vector<TimelineId> unwritten;
  for (const auto& [id, timeline] : tree_.timelines) {
    if (tree_.owners.count(id) == 0 && holds_.count(id) == 0) {
      unwritten.push_back(id);
    }
  }
  return unwritten;
}

}  // namespace pitr

namespace pitr {

absl::Status Catalog::RaiseGcHorizons(
    const std::map<TimelineId, Lsn>& horizons) {
  MutexLock l(&mu_);
  std::vector<std::pair<std::string, std::string>> puts;
  std::vector<Timeline> raised;
  for (const auto& [id, horizon] : horizons) {
    auto it = tree_.timelines.find(id);
    if (it == tree_.timelines.end() || horizon <= it->second.gc_horizon)
      continue;
    Timeline t = it->second;
    t.gc_horizon = horizon;
    puts.emplace_back(cr::TimelineKey(id), cr::EncodeTimeline(t));
    raised.push_back(t);
  }
  if (puts.empty()) return absl::OkStatus();
  PITR_RETURN_IF_ERROR(store_->Commit(puts, {}));
  for (const Timeline& t : raised) tree_.timelines[t.id] = t;
  return absl::OkStatus();
}

absl::Status Catalog::ForgetTimelines(
    const std::vector<TimelineId>& timelines) {
  MutexLock l(&mu_);
  std::vector<std::string> deletes;
  for (TimelineId id : timelines) {
    if (tree_.owners.count(id) > 0 || holds_.count(id) > 0) {
      return absl::FailedPreconditionError(absl::StrCat(
          "timeline ", id.value(), " is still read by a branch or held"));
    }
    deletes.push_back(cr::TimelineKey(id));
  }
  if (deletes.empty()) return absl::OkStatus();
  PITR_RETURN_IF_ERROR(store_->Commit({NextIdsRecord()}, deletes));
  for (TimelineId id : timelines) tree_.timelines.erase(id);
  return absl::OkStatus();
}

}  // namespace pitr
