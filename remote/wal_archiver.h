// WalArchiver: the continuous archive of the WAL, and of the catalog beside
// it, in object storage. A
// thread copies every durable batch of the log to the bucket within about
// `delay` of its commit, as byte ranges of the segment files
// (wal_archive_keys.h): a sealed segment not yet archived goes whole,
// streamed from its file; the segment being written goes as pieces, each
// the records added since the last. A sealed segment archived in more than
// `max_pieces` pieces is then uploaded whole again and its pieces deleted,
// so a slow log does not leave thousands of small objects. The catalog
// images handed to PublishCatalog go up in the same passes
// (catalog_archive.h), the newest one only, and not when the bucket's
// newest image of this lineage is already the same.
//
// archived_lsn() is the end of what is in the bucket, contiguously from the
// oldest segment the log holds; the engine must not trim the WAL past it
// (MaintenanceWork::wal_needed_from). At start the archiver finds it by
// listing the bucket, so a restart (or a crash between an upload and its
// bookkeeping) uploads nothing twice but what was in flight.
//
// Failures (the store unreachable, throttling after its retries) are
// counted and logged, and the next pass tries again from the same point:
// the log is kept locally meanwhile, and the lag grows. Once another pitrd
// has claimed a newer generation (generation.h), the archiver stops for
// good and says so in fenced().
//
// Locks: mu_ guards the state below it; no I/O is done under it. One pass
// at a time (pass_mu_, taken before mu_).
//
// Thread-safety: every method may be called from any thread.
#ifndef PITR_REMOTE_WAL_ARCHIVER_H_
#define PITR_REMOTE_WAL_ARCHIVER_H_

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "base/lsn.h"
#include "base/mutex.h"
#include "remote/catalog_archive.h"
#include "remote/remote_storage.h"
#include "remote/wal_archive_keys.h"
#include "remote/wal_lineage.h"
#include "wal/wal.h"

namespace pitr::remote {

struct WalArchiverOptions {
  // The generation this pitrd claimed (generation.h); object names carry it.
  uint64_t generation = 0;
  // A batch reaches the bucket within about this of its commit.
  absl::Duration delay = absl::Seconds(1);
  // A sealed segment archived in more pieces than this is uploaded whole.
  int max_pieces = 8;
  // How often the archiver checks that its generation is still the newest
  // (before every delete, too).
  absl::Duration fence_check_interval = absl::Seconds(30);
};

struct WalArchiverStats {
  Lsn archived_lsn = 0;
  uint64_t objects_uploaded = 0;
  uint64_t bytes_uploaded = 0;
  uint64_t objects_deleted = 0;  // pieces replaced by their whole segment
  uint64_t catalog_images = 0;   // catalog images uploaded
  uint64_t failures = 0;         // passes that failed
  absl::Time started_at;
  // When the archive last held everything the log had (nullopt: not yet).
  std::optional<absl::Time> caught_up_at;
  // Of the last pass; OK once an upload succeeds again.
  absl::Status last_error;
  bool fenced = false;      // a newer generation took the prefix over
};

class WalArchiver {
 public:
  // Lists what the bucket holds of this log, then starts the thread.
  // `storage` and `wal` must outlive the archiver.
  static absl::StatusOr<std::unique_ptr<WalArchiver>> Start(
      RemoteStorage* storage, Wal* wal, WalArchiverOptions options);
  WalArchiver(const WalArchiver&) = delete;
  WalArchiver& operator=(const WalArchiver&) = delete;
  ~WalArchiver();  // Stop()

  // Ends the thread after the pass in hand. Idempotent.
  void Stop();

  // One pass now, in the caller's thread: everything durable when it
  // starts is in the bucket when it returns OK.
  absl::Status ArchiveNow();
  // Waits until archived_lsn() >= lsn: OK, DEADLINE_EXCEEDED (naming how
  // far the archive is), or FAILED_PRECONDITION once fenced or stopped.
  absl::Status WaitArchived(Lsn lsn, absl::Time deadline);

  // The catalog as it stands now, to upload within `delay` (the engine
  // hands it over after every change and at start). Replaces an image not
  // uploaded yet.
  void PublishCatalog(CatalogImage image);

  Lsn archived_lsn() const;
  WalArchiverStats stats() const;
  // How long the archive has been behind the log that ends at `end_lsn`:
  // zero once it holds everything, else the time since it last did (or
  // since it started).
  absl::Duration Lag(Lsn end_lsn) const;

 private:
  WalArchiver(RemoteStorage* storage, Wal* wal, WalArchiverOptions options,
              Lsn archived, WalPiecesBySegment pieces);
  void Loop();
  absl::Status Pass() ABSL_EXCLUSIVE_LOCKS_REQUIRED(pass_mu_);
  // Uploads [from, segment.end) of `segment`.
  absl::Status Upload(const Wal::Segment& segment, Lsn from)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(pass_mu_);
  // Uploads the catalog image published last, if it is new to the bucket.
  absl::Status UploadCatalog() ABSL_EXCLUSIVE_LOCKS_REQUIRED(pass_mu_);
  // Replaces the pieces of a sealed segment by the whole file.
  absl::Status Consolidate(const Wal::Segment& segment)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(pass_mu_);
  absl::Status CheckFence(bool now) ABSL_EXCLUSIVE_LOCKS_REQUIRED(pass_mu_);

  RemoteStorage* const storage_;
  Wal* const wal_;
  const WalArchiverOptions options_;

  Mutex pass_mu_ ABSL_ACQUIRED_BEFORE(mu_);
  // The pieces in the bucket of each segment not yet trimmed from the
  // log, by segment start.
  WalPiecesBySegment pieces_ ABSL_GUARDED_BY(pass_mu_);
  absl::Time last_fence_check_ ABSL_GUARDED_BY(pass_mu_);
  // The bytes of the newest catalog image of this lineage in the bucket
  // (nullopt until looked up), and the seq of the last this one wrote.
  std::optional<std::string> bucket_catalog_ ABSL_GUARDED_BY(pass_mu_);
  uint64_t catalog_seq_ ABSL_GUARDED_BY(pass_mu_) = 0;

  mutable Mutex mu_;
  CondVar changed_;  // archived_lsn advanced, fenced or stopping
  WalArchiverStats stats_ ABSL_GUARDED_BY(mu_);
  // The highest LSN a WaitArchived caller waits for: the thread does not
  // wait out `delay` while it is past archived_lsn.
  Lsn wanted_ ABSL_GUARDED_BY(mu_) = 0;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::optional<CatalogImage> catalog_ ABSL_GUARDED_BY(mu_);  // to upload
  std::thread thread_;
};

}  // namespace pitr::remote

#endif  // PITR_REMOTE_WAL_ARCHIVER_H_
