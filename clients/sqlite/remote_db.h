// RemoteDb: one SQLite database kept in pitr, i.e. one named space of one
// branch on a pitrd server, and the calls the VFS makes on it: where the
// branch stands and what changed (GetChanges, or pushed: Watch), page reads
// as of an LSN, the conditional commit (Append with expected_position), and
// the time-machine calls of the SQL functions (branch, restore, snapshot).
//
// Thread-compatible: one connection uses it at a time (the shared client
// underneath is thread-safe).
#ifndef PITR_CLIENTS_SQLITE_REMOTE_DB_H_
#define PITR_CLIENTS_SQLITE_REMOTE_DB_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "clients/common/client.h"
#include "clients/sqlite/change_watch.h"
#include "clients/sqlite/open_options.h"
#include "proto/resources.pb.h"

namespace pitr::sqlite {

class RemoteDb {
 public:
  // GetChanges' answer.
  struct Changes {
    v1::BranchPosition position;
    uint32_t space_pages = 0;
    // Pages that may have changed since the position asked about.
    std::vector<uint32_t> pages;
    bool all_changed = false;
  };

  // The database `name` (a space name) on `options.branch`; with `create`,
  // the space is made if it does not exist. Errors as ResolveSpace and
  // GetStoreInfo return them, naming the database and server.
  static absl::StatusOr<std::unique_ptr<RemoteDb>> Open(
      const OpenOptions& options, const std::string& name, bool create);

  RemoteDb(const RemoteDb&) = delete;
  RemoteDb& operator=(const RemoteDb&) = delete;

  const std::string& name() const { return name_; }
  const std::string& branch() const { return branch_; }
  uint32_t space() const { return space_; }
  // The store's page size: the database's.
  uint32_t page_size() const { return page_size_; }

  // Where the branch stands, and the pages changed since `since` (all if
  // unset).
  absl::StatusOr<Changes> GetChanges(
      const std::optional<v1::BranchPosition>& since);
  // Starts watching what changes in the database from `since`
  // (ChangeWatch).
  std::unique_ptr<ChangeWatch> Watch(
      const std::optional<v1::BranchPosition>& since);
  // The LSN `point` resolves to on the branch, and the database's size there
  // in pages.
  absl::StatusOr<std::pair<uint64_t, uint32_t>> SizeAt(
      const v1::PointInTime& point);
  // `pages` as of `lsn` (at most 1024), in order; a page that does not exist
  // there is nullopt.
  absl::StatusOr<std::vector<std::optional<std::string>>> ReadPages(
      const std::vector<uint32_t>& pages, uint64_t lsn);
  // Appends `records` as one batch if the branch is still at `expected`;
  // ABORTED if it moved. Returns the commit LSN.
  absl::StatusOr<uint64_t> Append(std::vector<v1::WalRecord> records,
                                  const v1::BranchPosition& expected);

  // A new branch `name` from this branch at `point` (unset: latest).
  absl::Status CreateBranch(const std::string& name,
                            const std::optional<v1::PointInTime>& point);
  // Restores this branch to `point` of `source` (empty: this branch);
  // returns the backup branch's name.
  absl::StatusOr<std::string> Restore(const v1::PointInTime& point,
                                      const std::string& source);
  // A snapshot `name` of this branch's latest state; returns its LSN.
  absl::StatusOr<uint64_t> Snapshot(const std::string& name);

 private:
  RemoteDb(std::shared_ptr<clients::Client> client, std::string name,
           std::string branch, uint32_t space, uint32_t page_size);

  // `status` with the database, branch and what was done in its message.
  absl::Status Annotate(const absl::Status& status,
                        const std::string& what) const;

  const std::shared_ptr<clients::Client> client_;
  const std::string name_;
  const std::string branch_;
  const uint32_t space_;
  const uint32_t page_size_;
};

}  // namespace pitr::sqlite

#endif  // PITR_CLIENTS_SQLITE_REMOTE_DB_H_
