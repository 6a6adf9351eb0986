#include "remote/wal_fetch.h"

#include <map>
#include <vector>

#include "absl/strings/str_cat.h"
#include "base/file_system.h"
#include "base/status_macros.h"
#include "remote/wal_archive_keys.h"
#include "remote/wal_lineage.h"
#include "spdlog/spdlog.h"
#include "wal/segment.h"

namespace pitr::remote {

namespace {

// Writes the segment file `path` from `chain`, through a temporary file.
absl::Status WriteSegment(RemoteStorage* storage,
                          const std::vector<WalPiece>& chain,
                          const std::string& path, uint64_t* bytes) {
  FileSystem* fs = FileSystem::Default();
  const std::string temp = path + ".fetching";
  if (chain.size() == 1) {
    PITR_ASSIGN_OR_RETURN(ObjectInfo got,
                          storage->GetToFile(WalPieceKey(chain[0]), temp));
    *bytes += got.size;
  } else {
    PITR_ASSIGN_OR_RETURN(std::unique_ptr<WritableFile> file,
                          fs->NewWritableFile(temp));
    for (const WalPiece& piece : chain) {
      PITR_ASSIGN_OR_RETURN(Object object, storage->Get(WalPieceKey(piece)));
      if (object.data.size() != piece.file_end() - piece.file_offset()) {
        return absl::DataLossError(absl::StrCat(
            "archived WAL object ", WalPieceKey(piece), " in ",
            storage->Describe(), " holds ", object.data.size(),
            " bytes; its name says ", piece.file_end() - piece.file_offset()));
      }
      PITR_RETURN_IF_ERROR(file->Append(object.data));
      *bytes += object.data.size();
    }
    PITR_RETURN_IF_ERROR(file->Sync());
    PITR_RETURN_IF_ERROR(file->Close());
  }
  return fs->RenameFile(temp, path);
}

}  // namespace

absl::StatusOr<FetchedWal> FetchWal(RemoteStorage* storage,
                                    uint64_t generation, Lsn from,
                                    const std::string& dir) {
  PITR_ASSIGN_OR_RETURN(auto pieces, PiecesOfLineage(storage, generation));
  // The segment holding `from`: the last that starts at or before it.
  auto first = pieces.upper_bound(from);
  if (pieces.empty() && from == 0) {
    // Nothing archived yet: the log is empty.
    PITR_RETURN_IF_ERROR(FileSystem::Default()->CreateDirs(dir));
    return FetchedWal{};
  }
  if (first == pieces.begin()) {
    return absl::NotFoundError(absl::StrCat(
        storage->Describe(), " holds no archived WAL at or before lsn ",
        FormatLsn(from), " for generation ", generation));
  }
  --first;
  PITR_RETURN_IF_ERROR(FileSystem::Default()->CreateDirs(dir));
  FetchedWal fetched;
  fetched.start = first->first;
  fetched.end = first->first;
  for (auto it = first; it != pieces.end(); ++it) {
    const Lsn segment = it->first;
    if (segment != fetched.end) break;  // the archive has a gap here
    std::vector<WalPiece> chain = SegmentChain(it->second);
    if (chain.empty()) {
      return absl::DataLossError(absl::StrCat(
          "the archived WAL segment ", FormatLsn(segment), " in ",
          storage->Describe(), " has no object starting at its header"));
    }
    PITR_RETURN_IF_ERROR(WriteSegment(
        storage, chain, JoinPath(dir, SegmentFileName(segment)),
        &fetched.bytes));
    ++fetched.segments;
    fetched.end = chain.back().to;
    // A segment the archive holds only part of must be the last.
    if (std::next(it) != pieces.end() && std::next(it)->first != fetched.end) {
      break;
    }
  }
  if (fetched.end < from) {
    return absl::DataLossError(absl::StrCat(
        "the archived WAL in ", storage->Describe(), " ends at lsn ",
        FormatLsn(fetched.end), ", before lsn ", FormatLsn(from)));
  }
  PITR_RETURN_IF_ERROR(FileSystem::Default()->SyncDir(dir));
  spdlog::info("WAL archive {}: fetched {} segments, lsn {} to {} ({} bytes)",
               storage->Describe(), fetched.segments, FormatLsn(fetched.start),
               FormatLsn(fetched.end), fetched.bytes);
  return fetched;
}

}  // namespace pitr::remote
