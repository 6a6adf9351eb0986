#include "clients/sqlite/sql_functions.h"

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "base/lsn.h"
#include "clients/sqlite/open_options.h"
#include "clients/sqlite/vfs.h"

namespace pitr::sqlite {
namespace {

// The pitr database of the connection calling `name`, or nullptr after
// setting the error.
DbFile* DbOf(sqlite3_context* context, const char* name) {
  sqlite3_file* file = nullptr;
  sqlite3_file_control(sqlite3_context_db_handle(context), "main",
                       SQLITE_FCNTL_FILE_POINTER, &file);
  DbFile* db = DbFileOf(file);
  if (db == nullptr) {
    const std::string message = absl::StrCat(
        name, ": the main database is not open with vfs=", kVfsName);
    sqlite3_result_error(context, message.c_str(), -1);
  }
  return db;
}

std::string TextOf(sqlite3_value* value) {
  const unsigned char* text = sqlite3_value_text(value);
  return text == nullptr ? "" : reinterpret_cast<const char*>(text);
}

void ResultError(sqlite3_context* context, const char* name,
                 const absl::Status& status) {
  const std::string message = absl::StrCat(name, ": ", status.message());
  sqlite3_result_error(context, message.c_str(), -1);
}

void ResultText(sqlite3_context* context, const std::string& text) {
  sqlite3_result_text(context, text.data(), static_cast<int>(text.size()),
                      SQLITE_TRANSIENT);
}

void Lsn(sqlite3_context* context, int, sqlite3_value**) {
  DbFile* db = DbOf(context, "pitr_lsn");
  if (db == nullptr) return;
  absl::StatusOr<v1::BranchPosition> position = db->Position();
  if (!position.ok())
    return ResultError(context, "pitr_lsn", position.status());
  ResultText(context, FormatLsn(position->lsn()));
}

void Branch(sqlite3_context* context, int argc, sqlite3_value** argv) {
  DbFile* db = DbOf(context, "pitr_branch");
  if (db == nullptr) return;
  const std::string name = TextOf(argv[0]);
  std::optional<v1::PointInTime> point;
  if (argc > 1) {
    absl::StatusOr<v1::PointInTime> at = ParsePointText(TextOf(argv[1]));
    if (!at.ok()) return ResultError(context, "pitr_branch", at.status());
    point = *at;
  }
  absl::Status status = db->db().CreateBranch(name, point);
  if (!status.ok()) return ResultError(context, "pitr_branch", status);
  ResultText(context, name);
}

void Restore(sqlite3_context* context, int argc, sqlite3_value** argv) {
  DbFile* db = DbOf(context, "pitr_restore");
  if (db == nullptr) return;
  absl::StatusOr<v1::PointInTime> at = ParsePointText(TextOf(argv[0]));
  if (!at.ok()) return ResultError(context, "pitr_restore", at.status());
  absl::StatusOr<std::string> backup =
      db->db().Restore(*at, argc > 1 ? TextOf(argv[1]) : "");
  if (!backup.ok())
    return ResultError(context, "pitr_restore", backup.status());
  ResultText(context, *backup);
}

void Snapshot(sqlite3_context* context, int, sqlite3_value** argv) {
  DbFile* db = DbOf(context, "pitr_snapshot");
  if (db == nullptr) return;
  absl::StatusOr<uint64_t> lsn = db->db().Snapshot(TextOf(argv[0]));
  if (!lsn.ok()) return ResultError(context, "pitr_snapshot", lsn.status());
  ResultText(context, FormatLsn(*lsn));
}

void Stats(sqlite3_context* context, int, sqlite3_value**) {
  DbFile* db = DbOf(context, "pitr_stats");
  if (db == nullptr) return;
  const DbFileStats& s = db->stats();
  ResultText(
      context,
      absl::StrCat("transactions=", s.transactions, " watched=", s.watched,
                   " page_reads=", s.page_reads, " cache_hits=", s.cache_hits,
                   " fetches=", s.fetches, " pages_fetched=", s.pages_fetched,
                   " pages_invalidated=", s.pages_invalidated,
                   " commits=", s.commits, " conflicts=", s.conflicts));
}

}  // namespace

int RegisterSqlFunctions(sqlite3* db) {
  struct Function {
    const char* name;
    int args;
    void (*call)(sqlite3_context*, int, sqlite3_value**);
  };
  // They act on the server: never from triggers or views.
  constexpr int kFlags = SQLITE_UTF8 | SQLITE_DIRECTONLY;
  for (const Function& f :
       {Function{"pitr_lsn", 0, Lsn}, Function{"pitr_branch", 1, Branch},
        Function{"pitr_branch", 2, Branch},
        Function{"pitr_restore", 1, Restore},
        Function{"pitr_restore", 2, Restore},
        Function{"pitr_snapshot", 1, Snapshot},
        Function{"pitr_stats", 0, Stats}}) {
    int rc = sqlite3_create_function(db, f.name, f.args, kFlags, nullptr,
                                     f.call, nullptr, nullptr);
    if (rc != SQLITE_OK) return rc;
  }
  return SQLITE_OK;
}

}  // namespace pitr::sqlite
