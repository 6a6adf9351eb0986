// Generations: which pitrd may write a bucket prefix (fencing).
//
// Every start of a pitrd that archives to a prefix claims the next
// generation: a create-only put of "generations/<20-digit number>". The
// object names it writes carry its generation, so no two writers ever
// write the same name, and a writer never deletes an object of a newer
// generation than its own. A writer whose generation is no longer the
// newest has been replaced (another pitrd took the prefix over): it stops
// writing and deleting, and says so.
//
// A data directory remembers its last claim (LocalClaim). Claiming checks
// it against the bucket: a directory that never wrote to the prefix may
// claim it only if the prefix is empty of generations, and a directory
// whose claim is older than the bucket's newest was replaced. Both are
// refused (FAILED_PRECONDITION naming the generations); taking a prefix
// over is a restore from it, not a start.
//
// Format: docs/bucket-format.md, "Generations".
#ifndef PITR_REMOTE_GENERATION_H_
#define PITR_REMOTE_GENERATION_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "base/lsn.h"
#include "remote/remote_storage.h"

namespace pitr::remote {

struct Generation {
  uint64_t number = 0;  // 1, 2, ...
  // The end of the store's log when the generation began: history below it
  // may come from older generations, history from it on only from this one
  // and newer.
  Lsn start_lsn = 0;
  int64_t created_us = 0;
  std::string holder;  // the claim's holder (NewHolder)
};

// Every generation in the bucket, oldest first.
absl::StatusOr<std::vector<Generation>> ListGenerations(
    RemoteStorage* storage);

// The claim a data directory records before it claims a generation (so a
// crash between the two cannot lock the directory out): the number and the
// holder it is claimed with. A holder names one claim: "host:pid:nonce".
struct LocalClaim {
  uint64_t number = 0;
  std::string holder;
};

// Claims the generation after the newest for a data directory whose last
// recorded claim is `last` (nullopt: it never wrote to a bucket), whose log
// ends at `start_lsn`. `record` durably records the claim about to be made,
// before it is made. The directory may claim if the newest generation is
// its own last claim, or if its last claim never reached the bucket (it is
// then claimed again); if the prefix holds no generation and the directory
// recorded none. Refused with FAILED_PRECONDITION, claiming nothing,
// otherwise: the directory never wrote to a prefix that another store
// holds, or another pitrd has taken the prefix over since (this store was
// replaced), or claimed the same number at the same time.
absl::StatusOr<Generation> ClaimGeneration(
    RemoteStorage* storage, const std::optional<LocalClaim>& last,
    Lsn start_lsn, const std::string& holder,
    const std::function<absl::Status(const LocalClaim&)>& record);

// A holder for a claim made now by this process: "host:pid:nonce".
std::string NewHolder();

// A data directory's record of its last claim: the file
// "<dir>/remote_generation", one line "<number> <holder>\n". nullopt if the
// directory never claimed one; DATA_LOSS naming the file if it is malformed.
absl::StatusOr<std::optional<LocalClaim>> ReadLocalClaim(
    const std::string& dir);
// Records `claim` there, durably (ClaimGeneration's `record`).
absl::Status WriteLocalClaim(const std::string& dir, const LocalClaim& claim);

// Claims the generation after the newest whatever the directory held: a
// restore from the bucket taking the prefix over (the newest holder, if it
// still runs, is fenced from then on).
absl::StatusOr<Generation> TakeOverGeneration(RemoteStorage* storage,
                                              Lsn start_lsn,
                                              const std::string& holder);

// OK while `mine` is the newest generation; FAILED_PRECONDITION naming the
// newer one (and its holder) once another pitrd has claimed the prefix.
absl::Status CheckStillNewest(RemoteStorage* storage, uint64_t mine);

}  // namespace pitr::remote

#endif  // PITR_REMOTE_GENERATION_H_
