#include "engine/page_store.h"

#include <algorithm>
#include <filesystem>
#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "engine/rocksdb_logger.h"
#include "rocksdb/cache.h"
#include "rocksdb/table.h"
#include "rocksdb/utilities/checkpoint.h"
#include "rocksdb/write_batch.h"

namespace pitr {

namespace sk = store_keys;

namespace {
absl::string_view View(const rocksdb::Slice& slice) {
  return absl::string_view(slice.data(), slice.size());
}
}  // namespace

absl::Status FromRocksDb(const rocksdb::Status& status,
                         absl::string_view what) {
  if (status.ok()) return absl::OkStatus();
  std::string message = absl::StrCat(what, ": ", status.ToString());
  switch (status.code()) {
    case rocksdb::Status::kNotFound:
      return absl::NotFoundError(message);
    case rocksdb::Status::kCorruption:
      return absl::DataLossError(message);
    case rocksdb::Status::kInvalidArgument:
      return absl::InvalidArgumentError(message);
    case rocksdb::Status::kBusy:
    case rocksdb::Status::kTryAgain:
      return absl::UnavailableError(message);
    case rocksdb::Status::kIOError:
      return status.IsNoSpace() ? absl::ResourceExhaustedError(message)
                                : absl::InternalError(message);
    default:
      return absl::InternalError(message);
  }
}

absl::StatusOr<std::unique_ptr<PageStore>> PageStore::Open(
    const PageStoreOptions& options) {
  rocksdb::Options db_options;
  db_options.create_if_missing = true;
  db_options.write_buffer_size = options.memtable_bytes;
  db_options.max_write_buffer_number = options.max_memtables;
  db_options.max_background_jobs = 2;
  db_options.level_compaction_dynamic_level_bytes = true;
  // pitr's WAL is the log; RocksDB's is never written (WriteOptions), and
  // memtables must reach disk at close so that replay stays short.
  db_options.avoid_flush_during_shutdown = false;
  db_options.enable_blob_files = options.blob_files;
  db_options.min_blob_size = 1024;  // page images go to blob files
  db_options.enable_blob_garbage_collection = true;
  db_options.info_log = RocksDbLogger::Get();

  std::shared_ptr<rocksdb::Cache> cache =
      rocksdb::NewLRUCache(options.cache_bytes);
  rocksdb::BlockBasedTableOptions table;
  table.block_cache = cache;
  db_options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  db_options.blob_cache = cache;

  // Made here, not by create_if_missing: RocksDB logs a missing directory
  // as an error before it creates one.
  std::error_code error;
  std::filesystem::create_directories(options.dir, error);
  if (error) {
    return absl::InternalError(
        absl::StrCat("cannot create the page store directory ", options.dir,
                     ": ", error.message()));
  }
  rocksdb::DB* raw = nullptr;
  PITR_RETURN_IF_ERROR(
      FromRocksDb(rocksdb::DB::Open(db_options, options.dir, &raw),
                  absl::StrCat("opening page store ", options.dir)));
  return std::unique_ptr<PageStore>(
      new PageStore(std::unique_ptr<rocksdb::DB>(raw)));
}

PageStore::PageStore(std::unique_ptr<rocksdb::DB> db)
    : db_(std::move(db)), read_iterators_(db_.get(), kPooledIterators) {}

PageStore::~PageStore() {
  read_iterators_.Clear();  // iterators must go before the database
  db_->Close().PermitUncheckedError();
}

absl::Status PageStore::Write(rocksdb::WriteBatch* batch) {
  rocksdb::WriteOptions options;
  options.disableWAL = true;
  MutexLock l(&write_mu_);
  return FromRocksDb(db_->Write(options, batch), "writing to the page store");
}

absl::Status PageStore::Flush() {
  rocksdb::FlushOptions options;
  options.wait = true;
  // Idle iterators would keep the flushed memtables in memory.
  read_iterators_.Clear();
  return FromRocksDb(db_->Flush(options), "flushing the page store");
}

absl::Status PageStore::WalkBack(
    PageKey key, const std::vector<Step>& path, rocksdb::Iterator* it,
    const std::function<bool(const sk::ParsedVersionKey&, absl::string_view)>&
        visit) const {
  // All versions of the page, on every timeline, are contiguous, newest
  // timeline first and newest version first within a timeline
  // (store_keys.h); along a read path timeline ids strictly decrease (a
  // child's timeline is always newer than its parent's). So after walking
  // one step the iterator already says whether the next timeline has any
  // version of the page: a seek is needed only when it may, and a read
  // through many levels that never wrote the page costs one seek.
  bool positioned = false;
  // The version under the iterator once a step's walk ends (parsed once,
  // however many steps it lets us skip); nullopt: none of this page left.
  std::optional<sk::ParsedVersionKey> at;
  for (const Step& step : path) {
    bool seek = true;
    if (positioned) {
      if (!at || at->key != key) break;  // no older version of the page
      // Nothing of this timeline lies between here and the previous
      // position, which was after every key of this timeline.
      if (at->timeline < step.timeline) continue;
      seek = at->timeline > step.timeline || step.as_of < at->at;
    }
    if (seek) {
      it->Seek(sk::VersionKey(step.timeline, key, step.as_of,
                              sk::VersionKeyKind::kMaterialized));
      positioned = true;
    }
    at.reset();
    for (; it->Valid(); it->Next()) {
      std::optional<sk::ParsedVersionKey> parsed =
          sk::ParseVersionKey(View(it->key()));
      if (!parsed || parsed->timeline != step.timeline || parsed->key != key) {
        at = parsed;
        break;
      }
      if (step.truncated_at && parsed->at <= *step.truncated_at) break;
      // RocksDB 7.8 loads a blob value when the iterator lands on its key,
      // so visitors that need only keys (ChainLength) still pay for it.
      if (!visit(*parsed, View(it->value()))) {
        return FromRocksDb(it->status(), "reading the page store");
      }
    }
    PITR_RETURN_IF_ERROR(FromRocksDb(it->status(), "reading the page store"));
    if (step.truncated_at) break;  // older steps are hidden
  }
  return absl::OkStatus();
}

absl::StatusOr<PageRead> PageStore::ReadPage(PageKey key,
                                             const std::vector<Step>& path,
                                             uint32_t page_size) const {
  std::vector<std::string> deltas;  // newest first
  std::optional<std::string> base;
  absl::Status malformed;
  PITR_ASSIGN_OR_RETURN(IteratorPool::Lease it, read_iterators_.Take());
  PITR_RETURN_IF_ERROR(
      WalkBack(key, path, it.get(),
               [&](const sk::ParsedVersionKey& v, absl::string_view bytes) {
                 std::optional<sk::ParsedVersionValue> value =
                     sk::ParseVersionValue(bytes);
                 if (!value) {
                   malformed = absl::DataLossError(absl::StrCat(
                       "page store: malformed version of page ", key.space, "/",
                       key.page, " at lsn ", FormatLsn(v.at.commit_lsn)));
                   return false;
                 }
                 if (value->kind == sk::VersionKind::kImage) {
                   base = std::string(value->bytes);
                   return false;
                 }
                 deltas.emplace_back(bytes);
                 return true;
               }));
  PITR_RETURN_IF_ERROR(malformed);

  PageRead read;
  if (!base && deltas.empty()) return read;
  std::string page = base ? std::move(*base) : std::string(page_size, '\0');
  for (auto d = deltas.rbegin(); d != deltas.rend(); ++d) {
    sk::ParsedVersionValue delta = *sk::ParseVersionValue(*d);
    if (delta.offset + delta.bytes.size() > page.size()) {
      return absl::DataLossError(
          absl::StrCat("page store: a delta of page ", key.space, "/", key.page,
                       " reaches past the end of the page"));
    }
    page.replace(delta.offset, delta.bytes.size(), delta.bytes.data(),
                 delta.bytes.size());
  }
  read.page = std::move(page);
  read.deltas_applied = static_cast<int>(deltas.size());
  return read;
}

absl::StatusOr<uint32_t> PageStore::ChainLength(
    PageKey key, const std::vector<ReadStep>& path, uint32_t cap) const {
  std::vector<Step> steps;
  for (const ReadStep& step : path) {
    steps.push_back({step.timeline, sk::AsOf(step.up_to), std::nullopt});
  }
  uint32_t deltas = 0;
  rocksdb::ReadOptions options;
  options.fill_cache = false;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(options));
  PITR_RETURN_IF_ERROR(
      WalkBack(key, steps, it.get(),
               [&](const sk::ParsedVersionKey& v, absl::string_view) {
                 return !v.is_image() && ++deltas < cap;
               }));
  return deltas;
}

absl::StatusOr<uint32_t> PageStore::SpaceSize(
    uint32_t space, const std::vector<ReadStep>& path) const {
  std::unique_ptr<rocksdb::Iterator> it(
      db_->NewIterator(rocksdb::ReadOptions()));
  for (const ReadStep& step : path) {
    const std::string prefix = sk::SpacePrefix('s', step.timeline, space);
    it->SeekForPrev(sk::SizeKey(step.timeline, space, sk::AsOf(step.up_to)));
    if (it->Valid() && it->key().starts_with(prefix)) {
      std::optional<uint32_t> size = sk::DecodeU32(View(it->value()));
      if (!size) return absl::DataLossError("page store: malformed space size");
      return *size;
    }
    PITR_RETURN_IF_ERROR(FromRocksDb(it->status(), "reading the page store"));
  }
  return 0u;
}

absl::Status PageStore::Commit(
    const std::vector<std::pair<std::string, std::string>>& puts,
    const std::vector<std::string>& deletes) {
  rocksdb::WriteBatch batch;
  uint64_t bytes = 0;
  for (const auto& [key, value] : puts) {
    batch.Put(key, value);
    bytes += key.size() + value.size();
  }
  for (const std::string& key : deletes) {
    batch.Delete(key);
    bytes += key.size();
  }
  catalog_bytes_ += bytes;
  rocksdb::WriteOptions options;
  options.sync = true;
  MutexLock l(&write_mu_);
  return FromRocksDb(db_->Write(options, &batch), "writing the branch catalog");
}

absl::StatusOr<std::vector<std::string>> PageStore::Checkpoint(
    const std::string& dir) {
  rocksdb::Checkpoint* raw = nullptr;
  PITR_RETURN_IF_ERROR(FromRocksDb(rocksdb::Checkpoint::Create(db_.get(), &raw),
                                   "preparing a checkpoint"));
  std::unique_ptr<rocksdb::Checkpoint> checkpoint(raw);
  // 0: always flush the memtables first, so the copy needs no RocksDB WAL
  // for page data (the catalog's synced writes are in its WAL, copied).
  PITR_RETURN_IF_ERROR(FromRocksDb(
      checkpoint->CreateCheckpoint(dir, /*log_size_for_flush=*/0),
      absl::StrCat("writing a checkpoint of the page store to ", dir)));
  std::vector<std::string> files;
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator(dir, error)) {
    if (entry.is_regular_file()) files.push_back(entry.path().filename());
  }
  if (error) {
    return absl::InternalError(absl::StrCat("listing the checkpoint ", dir,
                                            ": ", error.message()));
  }
  std::sort(files.begin(), files.end());
  return files;
}

absl::StatusOr<std::string> PageStore::Identity() const {
  std::string identity;
  PITR_RETURN_IF_ERROR(
      FromRocksDb(db_->GetDbIdentity(identity), "reading the store identity"));
  return identity;
}

absl::StatusOr<std::vector<std::pair<std::string, std::string>>>
PageStore::Scan(absl::string_view prefix) const {
  std::vector<std::pair<std::string, std::string>> rows;
  std::unique_ptr<rocksdb::Iterator> it(
      db_->NewIterator(rocksdb::ReadOptions()));
  const rocksdb::Slice start(prefix.data(), prefix.size());
  for (it->Seek(start); it->Valid() && it->key().starts_with(start);
       it->Next()) {
    rows.emplace_back(it->key().ToString(), it->value().ToString());
  }
  PITR_RETURN_IF_ERROR(FromRocksDb(it->status(), "reading the branch catalog"));
  return rows;
}

absl::StatusOr<std::optional<sk::Position>> PageStore::LastTruncationOf(
    TimelineId timeline, PageKey key, sk::Position as_of) const {
  const std::string prefix = sk::SpacePrefix('t', timeline, key.space);
  std::unique_ptr<rocksdb::Iterator> it(
      db_->NewIterator(rocksdb::ReadOptions()));
  for (it->SeekForPrev(sk::TruncationKey(timeline, key.space, as_of));
       it->Valid() && it->key().starts_with(prefix); it->Prev()) {
    std::optional<uint32_t> page_count = sk::DecodeU32(View(it->value()));
    if (!page_count)
      return absl::DataLossError("page store: malformed truncation");
    if (*page_count <= key.page) {
      return std::optional<sk::Position>(
          sk::SpaceEventPosition(View(it->key())));
    }
  }
  PITR_RETURN_IF_ERROR(FromRocksDb(it->status(), "reading the page store"));
  return std::optional<sk::Position>();
}

absl::StatusOr<std::optional<uint32_t>> PageStore::NextSpace(
    const std::vector<ReadStep>& path, uint32_t from) const {
  std::optional<uint32_t> next;
  std::unique_ptr<rocksdb::Iterator> it(
      db_->NewIterator(rocksdb::ReadOptions()));
  for (const ReadStep& step : path) {
    const std::string timeline_prefix =
        sk::SpacePrefix('s', step.timeline, 0).substr(0, 9);
    it->Seek(sk::SpacePrefix('s', step.timeline, from));
    if (it->Valid() && it->key().starts_with(timeline_prefix)) {
      std::optional<uint32_t> space =
          sk::DecodeU32(View(it->key()).substr(9, 4));
      if (!space) return absl::DataLossError("page store: malformed size key");
      next = next ? std::min(*next, *space) : *space;
    }
    PITR_RETURN_IF_ERROR(FromRocksDb(it->status(), "reading the page store"));
  }
  return next;
}

absl::StatusOr<std::optional<uint32_t>> PageStore::NextPage(
    uint32_t space, uint32_t from) const {
  rocksdb::ReadOptions options;
  options.fill_cache = false;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(options));
  const std::string space_prefix = sk::SpaceVersionsPrefix(space);
  it->Seek(sk::PagePrefix({space, from}));
  PITR_RETURN_IF_ERROR(FromRocksDb(it->status(), "reading the page store"));
  if (!it->Valid() || !it->key().starts_with(space_prefix)) {
    return std::optional<uint32_t>();
  }
  std::optional<sk::ParsedVersionKey> parsed =
      sk::ParseVersionKey(View(it->key()));
  if (!parsed) return absl::DataLossError("page store: malformed version key");
  return std::optional<uint32_t>(parsed->key.page);
}

absl::StatusOr<std::vector<std::pair<TimelineId, uint32_t>>>
PageStore::TruncatedSpaces() const {
  std::vector<std::pair<TimelineId, uint32_t>> spaces;
  std::unique_ptr<rocksdb::Iterator> it(
      db_->NewIterator(rocksdb::ReadOptions()));
  for (it->Seek("t"); it->Valid() && it->key().starts_with("t"); it->Next()) {
    absl::string_view k = View(it->key());
    std::optional<uint64_t> timeline = sk::DecodeU64(k.substr(1, 8));
    std::optional<uint32_t> space = sk::DecodeU32(k.substr(9, 4));
    if (!timeline || !space)
      return absl::DataLossError("page store: malformed truncation key");
    const std::pair<TimelineId, uint32_t> truncated(TimelineId(*timeline),
                                                    *space);
    if (spaces.empty() || spaces.back() != truncated) {
      spaces.push_back(truncated);
    }
  }
  PITR_RETURN_IF_ERROR(FromRocksDb(it->status(), "reading the page store"));
  return spaces;
}

absl::Status PageStore::RewriteVersionKeysV1(
    const std::function<void(uint64_t)>& progress) {
  constexpr uint64_t kBatchBytes = 16 << 20;
  rocksdb::ReadOptions options;
  options.fill_cache = false;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(options));
  const rocksdb::Slice tag(&sk::kVersionTagV1, 1);
  rocksdb::WriteBatch batch;
  uint64_t rewritten = 0;
  for (it->Seek(tag); it->Valid() && it->key().starts_with(tag); it->Next()) {
    std::optional<sk::ParsedVersionKey> v =
        sk::ParseVersionKeyV1(View(it->key()));
    if (!v) {
      return absl::DataLossError(
          absl::StrCat("page store: malformed format 1 version key ",
                       absl::BytesToHexString(View(it->key()))));
    }
    batch.Put(sk::VersionKey(v->timeline, v->key, v->at, v->kind), it->value());
    batch.Delete(it->key());
    ++rewritten;
    if (batch.GetDataSize() >= kBatchBytes) {
      PITR_RETURN_IF_ERROR(Write(&batch));
      batch.Clear();
      progress(rewritten);
    }
  }
  PITR_RETURN_IF_ERROR(FromRocksDb(it->status(), "reading the page store"));
  if (batch.Count() > 0) {
    PITR_RETURN_IF_ERROR(Write(&batch));
    progress(rewritten);
  }
  return absl::OkStatus();
}

absl::Status PageStore::ForEachVersion(
    const std::function<bool(const sk::ParsedVersionKey&, absl::string_view)>&
        fn) const {
  rocksdb::ReadOptions options;
  options.fill_cache = false;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(options));
  const rocksdb::Slice tag(&sk::kVersionTag, 1);
  for (it->Seek(tag); it->Valid() && it->key().starts_with(tag); it->Next()) {
    std::optional<sk::ParsedVersionKey> parsed =
        sk::ParseVersionKey(View(it->key()));
    if (!parsed)
      return absl::DataLossError("page store: malformed version key");
    if (!fn(*parsed, View(it->key()))) break;
  }
  return FromRocksDb(it->status(), "scanning the page store");
}

absl::StatusOr<PageStore::TimelineBytes> PageStore::MeasureTimelines(
    const std::function<bool()>& cancelled) const {
  TimelineBytes bytes;
  rocksdb::ReadOptions options;
  options.fill_cache = false;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(options));
  // Counts runs of one timeline without a map lookup per record: versions
  // of a page are grouped by timeline, events entirely so.
  TimelineId run_timeline;
  uint64_t run_bytes = 0;
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    const absl::string_view key = View(it->key());
    const uint64_t size = key.size() + it->value().size();
    if (++bytes.records % 4096 == 0 && cancelled && cancelled()) {
      return absl::CancelledError("measuring the page store: cancelled");
    }
    std::optional<TimelineId> timeline;
    if (std::optional<sk::ParsedVersionKey> v = sk::ParseVersionKey(key)) {
      timeline = v->timeline;
    } else if ((key.size() == 25 && (key[0] == 's' || key[0] == 't')) ||
               (key.size() == 21 && key[0] == sk::kChangeTag) ||
               (key.size() == 9 && key[0] == sk::kHeadTag)) {
      if (std::optional<uint64_t> id = sk::DecodeU64(key.substr(1, 8))) {
        timeline = TimelineId(*id);
      }
    }
    if (!timeline) {
      bytes.other += size;
      continue;
    }
    if (*timeline != run_timeline) {
      if (run_bytes > 0) bytes.by_timeline[run_timeline] += run_bytes;
      run_timeline = *timeline;
      run_bytes = 0;
    }
    run_bytes += size;
  }
  if (run_bytes > 0) bytes.by_timeline[run_timeline] += run_bytes;
  PITR_RETURN_IF_ERROR(FromRocksDb(it->status(), "scanning the page store"));
  return bytes;
}

namespace {
// The first change key of `timeline` at commit LSN `lsn`.
std::string ChangeBound(TimelineId timeline, Lsn lsn) {
  return sk::ChangeKey(timeline, sk::Position{lsn, 0});
}
}  // namespace

absl::Status PageStore::DeleteTimelineRecords(TimelineId timeline) {
  rocksdb::WriteBatch batch;
  for (char kind : {'s', 't'}) {
    std::string begin = sk::SpacePrefix(kind, timeline, 0).substr(0, 9);
    std::string end = sk::SpacePrefix(kind, timeline.Next(), 0).substr(0, 9);
    batch.DeleteRange(begin, end);
  }
  batch.Delete(sk::HeadKey(timeline));
  batch.DeleteRange(ChangeBound(timeline, 0), ChangeBound(timeline.Next(), 0));
  return Write(&batch);
}

absl::Status PageStore::ForEachChange(
    TimelineId timeline, Lsn after, Lsn up_to,
    const std::function<void(PageKey)>& fn) const {
  if (up_to <= after) return absl::OkStatus();
  rocksdb::ReadOptions options;
  const std::string end = ChangeBound(timeline, up_to + 1);
  const rocksdb::Slice upper(end);
  options.iterate_upper_bound = &upper;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(options));
  for (it->Seek(ChangeBound(timeline, after + 1)); it->Valid(); it->Next()) {
    std::optional<PageKey> key = sk::DecodePageKey(View(it->value()));
    if (!key) return absl::DataLossError("page store: malformed page change");
    fn(*key);
  }
  return FromRocksDb(it->status(), "reading the page store");
}

absl::StatusOr<std::vector<std::pair<uint32_t, uint32_t>>>
PageStore::Truncations(TimelineId timeline, Lsn after, Lsn up_to) const {
  std::vector<std::pair<uint32_t, uint32_t>> cuts;
  std::unique_ptr<rocksdb::Iterator> it(
      db_->NewIterator(rocksdb::ReadOptions()));
  const std::string prefix = sk::SpacePrefix('t', timeline, 0).substr(0, 9);
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix);
       it->Next()) {
    const absl::string_view key = View(it->key());
    const sk::Position at = sk::SpaceEventPosition(key);
    if (at.commit_lsn <= after || at.commit_lsn > up_to) continue;
    std::optional<uint32_t> space = sk::DecodeU32(key.substr(9, 4));
    std::optional<uint32_t> count = sk::DecodeU32(View(it->value()));
    if (!space || !count) {
      return absl::DataLossError("page store: malformed truncation");
    }
    cuts.emplace_back(*space, *count);
  }
  PITR_RETURN_IF_ERROR(FromRocksDb(it->status(), "reading the page store"));
  return cuts;
}

absl::StatusOr<std::map<TimelineId, Lsn>> PageStore::TimelineHeads() const {
  std::map<TimelineId, Lsn> heads;
  std::unique_ptr<rocksdb::Iterator> it(
      db_->NewIterator(rocksdb::ReadOptions()));
  const std::string tag(1, sk::kHeadTag);
  for (it->Seek(tag); it->Valid() && it->key().starts_with(tag); it->Next()) {
    std::optional<TimelineId> timeline = sk::HeadKeyTimeline(View(it->key()));
    std::optional<uint64_t> lsn = sk::DecodeU64(View(it->value()));
    if (!timeline || !lsn) {
      return absl::DataLossError("page store: malformed timeline head");
    }
    heads[*timeline] = *lsn;
  }
  PITR_RETURN_IF_ERROR(FromRocksDb(it->status(), "reading the page store"));
  return heads;
}

absl::Status PageStore::CompactAll() {
  rocksdb::CompactRangeOptions options;
  options.bottommost_level_compaction =
      rocksdb::BottommostLevelCompaction::kForce;
  options.blob_garbage_collection_policy =
      rocksdb::BlobGarbageCollectionPolicy::kForce;
  options.blob_garbage_collection_age_cutoff = 1.0;
  // Two passes (measured with RocksDB 7.8): the first drops the keys of
  // deleted versions, but a blob file that still holds live images stays
  // whole; the second relocates those images and drops the file.
  for (int pass = 0; pass < 2; ++pass) {
    // RocksDB deletes the files a compaction replaces when it ends, unless
    // an iterator still uses them: drop the idle ones first.
    read_iterators_.Clear();
    PITR_RETURN_IF_ERROR(
        FromRocksDb(db_->CompactRange(options, nullptr, nullptr),
                    "compacting the page store"));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::optional<std::string>> PageStore::GetMeta(
    absl::string_view name) const {
  std::string value;
  rocksdb::Status s =
      db_->Get(rocksdb::ReadOptions(), sk::MetaKey(name), &value);
  if (s.IsNotFound()) return std::optional<std::string>();
  PITR_RETURN_IF_ERROR(FromRocksDb(s, "reading page store metadata"));
  return std::optional<std::string>(std::move(value));
}

uint64_t PageStore::InMemoryBytes() const {
  uint64_t bytes = 0;
  db_->GetIntProperty(rocksdb::DB::Properties::kCurSizeAllMemTables, &bytes);
  return bytes;
}

uint64_t PageStore::LiveBytes() const {
  uint64_t sst = 0, blob = 0;
  db_->GetIntProperty(rocksdb::DB::Properties::kLiveSstFilesSize, &sst);
  db_->GetIntProperty(rocksdb::DB::Properties::kLiveBlobFileSize, &blob);
  return sst + blob;
}

uint64_t PageStore::EstimatedKeys() const {
  uint64_t keys = 0;
  db_->GetIntProperty(rocksdb::DB::Properties::kEstimateNumKeys, &keys);
  return keys;
}

}  // namespace pitr
