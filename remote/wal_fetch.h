// FetchWal: the archived WAL brought back from object storage into a local
// log directory, segment by segment, exactly as the archiver copied it
// (wal_archiver.h). Used to rebuild a store from the bucket.
//
// It takes the history of generation `generation` (its own objects and the
// older generations' below where each newer one began), from the segment
// holding `from` on, for as long as the archive is contiguous. Each segment
// file is the concatenation of its pieces, written to a temporary file,
// synced and renamed. Every object's checksum is checked on the way; a gap
// inside a segment, or a piece that is missing, is DATA_LOSS naming it.
//
// From 0 with nothing archived, it fetches nothing (an empty log); from a
// later LSN the archive does not reach, NOT_FOUND.
//
// The log directory must not hold segments already; Wal::Open checks the
// result (records, chain, timestamps) when it opens it.
#ifndef PITR_REMOTE_WAL_FETCH_H_
#define PITR_REMOTE_WAL_FETCH_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "base/lsn.h"
#include "remote/remote_storage.h"

namespace pitr::remote {

struct FetchedWal {
  Lsn start = 0;  // the oldest segment's start
  Lsn end = 0;    // the end of the last complete piece
  uint64_t segments = 0;
  uint64_t bytes = 0;
};

absl::StatusOr<FetchedWal> FetchWal(RemoteStorage* storage,
                                    uint64_t generation, Lsn from,
                                    const std::string& dir);

}  // namespace pitr::remote

#endif  // PITR_REMOTE_WAL_FETCH_H_
