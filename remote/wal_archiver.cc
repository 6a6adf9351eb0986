#include "remote/wal_archiver.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "base/file_system.h"
#include "base/status_macros.h"
#include "remote/generation.h"
#include "remote/lineage.h"
#include "remote/wal_lineage.h"
#include "spdlog/spdlog.h"

namespace pitr::remote {

namespace {

// Bytes [offset, end) of the file at `path`.
absl::StatusOr<std::string> ReadFileRange(const std::string& path,
                                          uint64_t offset, uint64_t end) {
  PITR_ASSIGN_OR_RETURN(std::unique_ptr<RandomAccessFile> file,
                        FileSystem::Default()->NewRandomAccessFile(path));
  std::string bytes(end - offset, '\0');
  PITR_ASSIGN_OR_RETURN(size_t read,
                        file->Read(offset, bytes.size(), bytes.data()));
  if (read != bytes.size()) {
    return absl::DataLossError(absl::StrCat(
        "WAL segment ", path, " ends at byte ", offset + read,
        " but the log says it holds bytes up to ", end));
  }
  return bytes;
}

}  // namespace

absl::StatusOr<std::unique_ptr<WalArchiver>> WalArchiver::Start(
    RemoteStorage* storage, Wal* wal, WalArchiverOptions options) {
  if (options.generation == 0) {
    return absl::InvalidArgumentError(
        "WalArchiverOptions::generation is 0: claim a generation first");
  }
  PITR_ASSIGN_OR_RETURN(auto pieces,
                        PiecesOfLineage(storage, options.generation));
  const Lsn oldest = wal->oldest_lsn();
  const Lsn end = wal->end_lsn();
  const Lsn archived = CoveredFrom(pieces, oldest);
  if (archived > end) {
    return absl::FailedPreconditionError(absl::StrCat(
        storage->Describe(), " holds this log's WAL up to lsn ",
        FormatLsn(archived), " but the log ends at ", FormatLsn(end),
        ": the local log lost batches the bucket has (restore from the "
        "bucket instead)"));
  }
  spdlog::info(
      "WAL archive {}: generation {}, the bucket holds the log from lsn {} "
      "to {}; {} bytes to upload",
      storage->Describe(), options.generation, FormatLsn(oldest),
      FormatLsn(archived), end - archived);
  auto archiver = std::unique_ptr<WalArchiver>(new WalArchiver(
      storage, wal, std::move(options), archived, std::move(pieces)));
  archiver->thread_ = std::thread([a = archiver.get()] { a->Loop(); });
  return archiver;
}

WalArchiver::WalArchiver(RemoteStorage* storage, Wal* wal,
                         WalArchiverOptions options, Lsn archived,
                         WalPiecesBySegment pieces)
    : storage_(storage),
      wal_(wal),
      options_(std::move(options)),
      pieces_(std::move(pieces)),
      last_fence_check_(absl::Now()) {
  stats_.archived_lsn = archived;
  stats_.started_at = absl::Now();
}

WalArchiver::~WalArchiver() { Stop(); }

void WalArchiver::Stop() {
  {
    MutexLock l(&mu_);
    stopping_ = true;
    changed_.SignalAll();
  }
  if (thread_.joinable()) thread_.join();
}

Lsn WalArchiver::archived_lsn() const {
  MutexLock l(&mu_);
  return stats_.archived_lsn;
}

WalArchiverStats WalArchiver::stats() const {
  MutexLock l(&mu_);
  return stats_;
}

absl::Duration WalArchiver::Lag(Lsn end_lsn) const {
  MutexLock l(&mu_);
  if (stats_.archived_lsn >= end_lsn) return absl::ZeroDuration();
  return absl::Now() - stats_.caught_up_at.value_or(stats_.started_at);
}

void WalArchiver::PublishCatalog(CatalogImage image) {
  MutexLock l(&mu_);
  catalog_ = std::move(image);
}

absl::Status WalArchiver::ArchiveNow() {
  MutexLock pass(&pass_mu_);
  return Pass();
}

absl::Status WalArchiver::WaitArchived(Lsn lsn, absl::Time deadline) {
  MutexLock l(&mu_);
  wanted_ = std::max(wanted_, lsn);
  changed_.SignalAll();
  while (stats_.archived_lsn < lsn && !stats_.fenced && !stopping_) {
    if (changed_.WaitWithDeadline(&mu_, deadline)) break;
  }
  if (stats_.archived_lsn >= lsn) return absl::OkStatus();
  if (stats_.fenced) return stats_.last_error;
  if (stopping_) {
    return absl::FailedPreconditionError("the WAL archiver is stopping");
  }
  return absl::DeadlineExceededError(absl::StrCat(
      "lsn ", FormatLsn(lsn), " is not in ", storage_->Describe(),
      " yet: the archive holds the log up to ",
      FormatLsn(stats_.archived_lsn),
      stats_.last_error.ok() ? std::string()
                             : absl::StrCat(" (", stats_.last_error.ToString(),
                                            ")")));
}

void WalArchiver::Loop() {
  bool failing = false;  // for logging an outage once, not once per pass
  while (true) {
    absl::Status status;
    {
      MutexLock pass(&pass_mu_);
      status = Pass();
    }
    MutexLock l(&mu_);
    if (status.ok() && failing) {
      spdlog::info("WAL archive {}: uploading again, archived up to lsn {}",
                   storage_->Describe(), FormatLsn(stats_.archived_lsn));
    } else if (!status.ok() && !failing) {
      spdlog::error("WAL archive {}: {} (archived up to lsn {}; retrying)",
                    storage_->Describe(), status.ToString(),
                    FormatLsn(stats_.archived_lsn));
    }
    failing = !status.ok();
    if (!status.ok()) ++stats_.failures;
    stats_.last_error = status;
    if (stats_.fenced) {
      spdlog::error("WAL archive {}: stopped: {}", storage_->Describe(),
                    status.ToString());
      changed_.SignalAll();
      return;
    }
    const absl::Time next = absl::Now() + options_.delay;
    while (!stopping_ && wanted_ <= stats_.archived_lsn &&
           !changed_.WaitWithDeadline(&mu_, next)) {
    }
    if (stopping_) return;
  }
}

absl::Status WalArchiver::CheckFence(bool now) {
  if (!now && absl::Now() - last_fence_check_ < options_.fence_check_interval) {
    return absl::OkStatus();
  }
  absl::Status status = CheckStillNewest(storage_, options_.generation);
  if (absl::IsFailedPrecondition(status)) {
    MutexLock l(&mu_);
    stats_.fenced = true;
    stats_.last_error = status;
    changed_.SignalAll();
  }
  if (status.ok()) last_fence_check_ = absl::Now();
  return status;
}

absl::Status WalArchiver::Pass() {
  {
    MutexLock l(&mu_);
    if (stats_.fenced) return stats_.last_error;
  }
  PITR_RETURN_IF_ERROR(CheckFence(/*now=*/false));
  PITR_RETURN_IF_ERROR(UploadCatalog());
  const Lsn end_at_start = wal_->end_lsn();
  const std::vector<Wal::Segment> segments = wal_->Segments();
  // Segments trimmed from the log need no more bookkeeping.
  pieces_.erase(pieces_.begin(), pieces_.lower_bound(segments.front().start));
  for (const Wal::Segment& segment : segments) {
    const Lsn archived = archived_lsn();
    if (segment.end > archived) {
      PITR_RETURN_IF_ERROR(Upload(segment, std::max(archived, segment.start)));
    }
    // A segment is sealed only once the next one starts, usually after its
    // last piece went up.
    if (segment.sealed && pieces_[segment.start].size() >
                              static_cast<size_t>(options_.max_pieces)) {
      absl::Status consolidated = Consolidate(segment);
      // Trimmed meanwhile: its pieces stay, nothing is lost.
      if (absl::IsNotFound(consolidated) &&
          wal_->oldest_lsn() > segment.start) {
        pieces_.erase(segment.start);
      } else {
        PITR_RETURN_IF_ERROR(consolidated);
      }
    }
    if (segment.end > archived) {
      MutexLock l(&mu_);
      stats_.archived_lsn = segment.end;
      stats_.last_error = absl::OkStatus();  // moving again
      changed_.SignalAll();
    }
  }
  MutexLock l(&mu_);
  if (stats_.archived_lsn >= end_at_start) stats_.caught_up_at = absl::Now();
  return absl::OkStatus();
}

absl::Status WalArchiver::Upload(const Wal::Segment& segment, Lsn from) {
  const WalPiece piece{segment.start, from, segment.end, options_.generation};
  const std::string key = WalPieceKey(piece);
  absl::StatusOr<ObjectInfo> put;
  if (from == segment.start && segment.sealed) {
    put = storage_->PutFile(key, segment.path);  // streamed
  } else {
    PITR_ASSIGN_OR_RETURN(
        std::string bytes,
        ReadFileRange(segment.path, piece.file_offset(), piece.file_end()));
    put = storage_->Put(key, bytes);
  }
  PITR_RETURN_IF_ERROR(put.status());
  pieces_[segment.start].push_back(piece);
  MutexLock l(&mu_);
  ++stats_.objects_uploaded;
  stats_.bytes_uploaded += put->size;
  return absl::OkStatus();
}

absl::Status WalArchiver::UploadCatalog() {
  std::optional<CatalogImage> image;
  {
    MutexLock l(&mu_);
    if (!catalog_) return absl::OkStatus();
    image = catalog_;
  }
  if (!bucket_catalog_) {
    PITR_ASSIGN_OR_RETURN(Lineage lineage,
                          Lineage::Of(storage_, options_.generation));
    PITR_ASSIGN_OR_RETURN(std::optional<CatalogImageName> newest,
                          FindCatalogImage(storage_, lineage, ~Lsn{0}));
    bucket_catalog_ = "";
    if (newest) {
      if (newest->generation == options_.generation) {
        catalog_seq_ = newest->seq;
      }
      PITR_ASSIGN_OR_RETURN(Object object,
                            storage_->Get(CatalogImageKey(*newest)));
      bucket_catalog_ = std::move(object.data);
    }
  }
  std::string bytes = EncodeCatalogImage(*image);
  if (bytes != *bucket_catalog_) {
    const CatalogImageName name{image->lsn, options_.generation,
                                catalog_seq_ + 1};
    PITR_ASSIGN_OR_RETURN(ObjectInfo put,
                          storage_->Put(CatalogImageKey(name), bytes));
    catalog_seq_ = name.seq;
    bucket_catalog_ = std::move(bytes);
    MutexLock l(&mu_);
    ++stats_.objects_uploaded;
    ++stats_.catalog_images;
    stats_.bytes_uploaded += put.size;
  }
  MutexLock l(&mu_);
  // Unless a newer image came meanwhile.
  if (catalog_ && catalog_->lsn == image->lsn &&
      catalog_->records == image->records) {
    catalog_.reset();
  }
  return absl::OkStatus();
}

absl::Status WalArchiver::Consolidate(const Wal::Segment& segment) {
  std::vector<WalPiece>& pieces = pieces_[segment.start];
  const WalPiece whole{segment.start, segment.start, segment.end,
                       options_.generation};
  PITR_ASSIGN_OR_RETURN(ObjectInfo put,
                        storage_->PutFile(WalPieceKey(whole), segment.path));
  std::vector<std::string> doomed;
  for (const WalPiece& p : pieces) {
    if (WalPieceKey(p) != WalPieceKey(whole)) doomed.push_back(WalPieceKey(p));
  }
  {
    MutexLock l(&mu_);
    ++stats_.objects_uploaded;
    stats_.bytes_uploaded += put.size;
  }
  pieces = {whole};
  // The pieces are older or this generation's; never delete once fenced.
  PITR_RETURN_IF_ERROR(CheckFence(/*now=*/true));
  PITR_RETURN_IF_ERROR(storage_->DeleteBatch(doomed));
  MutexLock l(&mu_);
  stats_.objects_deleted += doomed.size();
  return absl::OkStatus();
}

}  // namespace pitr::remote
