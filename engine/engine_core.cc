#include "engine/engine_core.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "base/timestamp.h"
#include "engine/gc_policy.h"
#include "remote/remote_storage.h"
#include "spdlog/spdlog.h"

namespace pitr {

EngineCore::EngineCore(EngineOptions options_in,
                       std::unique_ptr<PageStore> store_in,
                       uint32_t page_size_in)
    : options(std::move(options_in)),
      store(std::move(store_in)),
      page_size(page_size_in),
      catalog_store(store.get(), [this] { return latest_lsn.load(); }),
      hot_pages(options.hot_page_bytes, page_size),
      applier(std::make_unique<Applier>(
          store.get(), &hot_pages,
          [this](TimelineId timeline, Lsn lsn) {
            return catalog->TimelinePath(timeline, lsn);
          },
          options.image_after_deltas,
          [this](const ImageTask& task) { maintenance->EnqueueImage(task); })),
      reader(store.get(), applier.get(), &hot_pages, page_size),
      snapshots(this),
      gc(this),
      backups(this),
      cold(this) {}

absl::Status EngineCore::StartArchive(uint64_t generation) {
  remote::WalArchiverOptions archive;
  archive.generation = generation;
  archive.delay = options.archive_delay;
  PITR_ASSIGN_OR_RETURN(
      std::unique_ptr<remote::WalArchiver> started,
      remote::WalArchiver::Start(options.remote, wal.get(), archive));
  generation_ = generation;
  archiver_ = started.get();
  owned_archiver_ = std::move(started);
  PITR_RETURN_IF_ERROR(catalog_store.PublishTo(
      [archiver = archiver_.load()](remote::CatalogImage image) {
        archiver->PublishCatalog(std::move(image));
      }));
  spdlog::info("pitr: archiving to {} as generation {}",
               options.remote->Describe(), generation);
  return absl::OkStatus();
}

std::string EngineCore::primary() const {
  MutexLock l(&role_mu_);
  return primary_;
}

std::shared_ptr<Mutex> BranchAppendLocks::For(BranchId branch) {
  MutexLock l(&mu_);
  std::shared_ptr<Mutex>& lock = locks_[branch];
  if (!lock) lock = std::make_shared<Mutex>();
  return lock;
}

absl::Status EngineCore::CheckWritable() const {
  if (!replica()) return absl::OkStatus();
  return absl::FailedPreconditionError(
      absl::StrCat("this store is a read replica of ", primary(),
                   ": write to the primary there (or promote this replica)"));
}

void EngineCore::SetReplicaOf(std::optional<std::string> primary) {
  {
    MutexLock l(&role_mu_);
    primary_ = primary.value_or("");
  }
  replica_ = primary.has_value();
  catalog_store.SetReadOnly(
      primary ? std::optional<std::string>(CheckWritable().message())
              : std::nullopt);
}

Retention EngineCore::default_retention() const {
  return catalog->default_retention().value_or(options.default_retention);
}

absl::StatusOr<Lsn> EngineCore::ResolveLsn(BranchId branch,
                                           std::optional<Lsn> lsn) const {
  if (closed) return absl::FailedPreconditionError("the store is closed");
  PITR_ASSIGN_OR_RETURN(Branch b, catalog->Get(branch));
  const Lsn latest = latest_lsn;
  if (!lsn) return latest;
  if (*lsn > latest) {
    return absl::OutOfRangeError(
        absl::StrCat("lsn ", FormatLsn(*lsn), " is past the latest lsn ",
                     FormatLsn(latest), " of branch \"", b.name, "\""));
  }
  if (const Lsn floor = history.FloorOf(branch); *lsn < floor) {
    return absl::OutOfRangeError(absl::StrCat(
        "lsn ", FormatLsn(*lsn), " is below the GC horizon ", FormatLsn(floor),
        " of branch \"", b.name, "\" (retention ",
        gc_policy::DescribeRetention(
            gc_policy::EffectiveRetention(b, default_retention())),
        "); readable: ", FormatLsn(floor), " to ", FormatLsn(latest)));
  }
  return *lsn;
}

absl::StatusOr<Lsn> EngineCore::ResolvePoint(BranchId branch,
                                             const PointInTime& at) const {
  if (at.lsn && at.timestamp_us) {
    return absl::InvalidArgumentError(
        "give a point in history as an lsn or a timestamp, not both");
  }
  if (!at.timestamp_us) return ResolveLsn(branch, at.lsn);
  PITR_ASSIGN_OR_RETURN(Lsn lsn, wal->LsnAtTimestamp(*at.timestamp_us));
  return ResolveLsn(branch, lsn);  // inside the branch's history?
}

uint64_t EngineCore::PinPoint(TimelineId timeline, Lsn lsn) {
  const uint64_t pin = history.AddPin(timeline, lsn, absl::InfiniteFuture());
  catalog->Hold(timeline);
  return pin;
}

void EngineCore::Unpin(uint64_t pin) {
  MutexLock l(&branch_mu);
  if (std::optional<TimelineId> timeline = history.RemovePin(pin)) {
    catalog->Release(*timeline);
  }
}

Lsn EngineCore::BranchLatest(const Branch& branch) const {
  return applier->HeadOf(branch.timeline).value_or(branch.branch_point);
}

absl::StatusOr<int64_t> EngineCore::TimeOfState(Lsn lsn) const {
  PITR_ASSIGN_OR_RETURN(std::optional<int64_t> commit_us,
                        wal->TimestampAtLsn(lsn));
  if (commit_us) return *commit_us;
  PITR_ASSIGN_OR_RETURN(Branch main, catalog->Get(kMainBranchId));
  return main.created_us;
}

absl::Status EngineCore::CheckCommitTime(const WalBatch& batch) const {
  const std::optional<int64_t> commit_us = batch.timestamp_us();
  if (!commit_us || options.max_clock_skew == absl::InfiniteDuration()) {
    return absl::OkStatus();
  }
  const int64_t now_us = NowMicros();
  const int64_t skew_us = absl::ToInt64Microseconds(options.max_clock_skew);
  if (*commit_us <= now_us || *commit_us - now_us <= skew_us) {
    return absl::OkStatus();
  }
  return absl::OutOfRangeError(absl::StrCat(
      "commit time ", FormatTimestampUs(*commit_us), " is ",
      absl::FormatDuration(absl::Microseconds(*commit_us - now_us)),
      " ahead of the server's clock (", FormatTimestampUs(now_us),
      "); at most ", absl::FormatDuration(options.max_clock_skew),
      " ahead is accepted (--max_clock_skew)"));
}

absl::Status EngineCore::ValidateBatch(const WalBatch& batch) const {
  if (batch.empty()) {
    return absl::InvalidArgumentError(
        "empty batch: a batch needs at least one record");
  }
  std::vector<WalRecordView> records = batch.RecordViews();
  for (size_t i = 0; i < records.size(); ++i) {
    const WalRecordView& r = records[i];
    auto bad = [&](absl::string_view why) {
      return absl::InvalidArgumentError(
          absl::StrCat("record ", i, " of the batch (", RecordKindName(r.kind),
                       " of page ", FormatPageKey(r.key), "): ", why));
    };
    if (r.kind != RecordKind::kSpaceTruncate &&
        r.key.page == kInvalidPageNumber) {
      return bad(
          "page number 4294967295 is reserved; pages are 0 to 4294967294");
    }
    if (r.kind == RecordKind::kPageImage && r.data.size() != page_size) {
      return bad(absl::StrCat("the image has ", r.data.size(),
                              " bytes but pages have ", page_size));
    }
    if (r.kind == RecordKind::kPageDelta &&
        uint64_t{r.offset} + r.data.size() > page_size) {
      return bad(absl::StrCat("the delta covers bytes ", r.offset, " to ",
                              uint64_t{r.offset} + r.data.size(),
                              ", past the end of the ", page_size,
                              "-byte page"));
    }
  }
  return absl::OkStatus();
}

}  // namespace pitr
