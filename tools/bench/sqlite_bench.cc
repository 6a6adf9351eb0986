// sqlite_bench: SQLite on pitr against SQLite on a local file, then the
// floor of pitr's remote read path (remote_floor_bench), in one run on one
// machine.
//
//   bazel run -c opt //tools/bench:sqlite_bench
//
// The same workloads on a local file (journal_mode=DELETE,
// synchronous=FULL, the store's page size) and on pitr through the
// extension (clients/sqlite, loaded into this process's libsqlite3; pitrd
// is a child process, `server/pitrd` of the runfiles, on a fresh store): a
// table of --rows rows of 100 bytes loaded in one transaction; small write
// transactions (one autocommit UPDATE each, --writes of them); point
// selects by primary key, autocommit, on a warm connection (--selects; the
// target is at most 1.5 × the local time); the same on a cold connection (a
// new connection per select: open, select, close; --cold of them); and a
// full-table scan on a new connection. Then, unless --floor=false, it runs
// `tools/bench/remote_floor_bench` (a separate process: it links pitr's
// protos, which the extension, loaded here, also holds).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "base/status_macros.h"
#include "sqlite3.h"
#include "tools/bench/bench_util.h"
#include "tools/bench/closed_loop.h"

extern char** environ;

ABSL_FLAG(std::string, dir, "",
          "Parent directory of the scratch directory (a fresh "
          "sqlite_bench.XXXXXX is made under it and deleted at the end). "
          "Default: $TEST_TMPDIR, else $TMPDIR, else /tmp.");
ABSL_FLAG(std::string, extension, "clients/sqlite/libpitr_sqlite.so",
          "The extension (relative paths are from the working directory: "
          "bazel run's runfiles).");
ABSL_FLAG(std::string, pitrd, "server/pitrd", "The pitrd binary.");
ABSL_FLAG(std::string, floor_bench, "tools/bench/remote_floor_bench",
          "The remote path's floor benchmark, run after the workloads.");
ABSL_FLAG(bool, floor, true, "Run the floor benchmark after the workloads.");
ABSL_FLAG(int, rows, 20000, "Rows in the table.");
ABSL_FLAG(int, writes, 300, "Small write transactions timed.");
ABSL_FLAG(int, selects, 20000, "Warm point selects timed.");
ABSL_FLAG(int, cold, 200, "Cold point selects timed.");

namespace pitr {
namespace {

using bench::Percentile;
using Clock = std::chrono::steady_clock;

constexpr uint32_t kPageSize = 8192;
constexpr double kWarmSelectRatioTarget = 1.5;

// Runs argv[0] (waiting for it unless `pid` is given: then it is left
// running and its pid returned there).
absl::Status Spawn(const std::vector<std::string>& args, pid_t* pid) {
  std::vector<char*> argv;
  for (const std::string& a : args)
    argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  pid_t child;
  if (posix_spawn(&child, argv[0], nullptr, nullptr, argv.data(), environ) !=
      0) {
    return absl::InternalError(absl::StrCat("cannot run ", args[0]));
  }
  if (pid != nullptr) {
    *pid = child;
    return absl::OkStatus();
  }
  int status = 0;
  waitpid(child, &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    return absl::InternalError(absl::StrCat(args[0], " failed"));
  }
  return absl::OkStatus();
}

// A loopback port nothing listens on now.
absl::StatusOr<int> FreePort() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(addr);
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    close(fd);
    return absl::InternalError("no free loopback port");
  }
  close(fd);
  return ntohs(addr.sin_port);
}

// Waits until something accepts connections on the loopback port.
absl::Status WaitListening(int port) {
  for (int i = 0; i < 300; ++i) {
    const int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(port);
    const bool up =
        connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
    close(fd);
    if (up) return absl::OkStatus();
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return absl::DeadlineExceededError(
      absl::StrCat("pitrd does not listen on port ", port, " after 30 s"));
}

// A connection; closed when it goes.
struct Db {
  sqlite3* db = nullptr;
  Db() = default;
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;
  ~Db() { sqlite3_close_v2(db); }
};

absl::Status SqliteError(sqlite3* db, absl::string_view what) {
  return absl::InternalError(
      absl::StrCat(what, ": ", db ? sqlite3_errmsg(db) : "no connection"));
}

absl::StatusOr<std::unique_ptr<Db>> Open(const std::string& uri) {
  auto db = std::make_unique<Db>();
  if (sqlite3_open_v2(
          uri.c_str(), &db->db,
          SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_URI,
          nullptr) != SQLITE_OK) {
    return SqliteError(db->db, absl::StrCat("open ", uri));
  }
  sqlite3_busy_timeout(db->db, 10000);
  return db;
}

absl::Status Exec(Db& db, const std::string& sql) {
  char* error = nullptr;
  if (sqlite3_exec(db.db, sql.c_str(), nullptr, nullptr, &error) != SQLITE_OK) {
    const std::string message = error ? error : "?";
    sqlite3_free(error);
    return absl::InternalError(absl::StrCat(sql, ": ", message));
  }
  return absl::OkStatus();
}

// A prepared statement; finalized when it goes.
class Statement {
 public:
  static absl::StatusOr<std::unique_ptr<Statement>> Prepare(
      Db& db, const std::string& sql) {
    auto s = std::unique_ptr<Statement>(new Statement);
    if (sqlite3_prepare_v2(db.db, sql.c_str(), -1, &s->stmt_, nullptr) !=
        SQLITE_OK) {
      return SqliteError(db.db, sql);
    }
    s->db_ = db.db;
    return s;
  }
  ~Statement() { sqlite3_finalize(stmt_); }
  // Binds `id` (after `blob`, if not empty) and steps to the end; the rows
  // it returned.
  absl::StatusOr<int> Run(int64_t id, const std::string& blob = "") {
    sqlite3_reset(stmt_);
    if (!blob.empty()) {
      sqlite3_bind_blob(stmt_, 1, blob.data(), static_cast<int>(blob.size()),
                        SQLITE_TRANSIENT);
      sqlite3_bind_int64(stmt_, 2, id);
    } else {
      sqlite3_bind_int64(stmt_, 1, id);
    }
    int rows = 0;
    for (;;) {
      const int rc = sqlite3_step(stmt_);
      if (rc == SQLITE_ROW) {
        ++rows;
      } else if (rc == SQLITE_DONE) {
        return rows;
      } else {
        return SqliteError(db_, "step");
      }
    }
  }

 private:
  Statement() = default;
  sqlite3* db_ = nullptr;
  sqlite3_stmt* stmt_ = nullptr;
};

// The 100-byte value written the `n`th time: never the same twice.
std::string Value(int64_t n) {
  std::string value = absl::StrFormat("%020d", n);
  value.resize(100, static_cast<char>('a' + n % 26));
  return value;
}

// What one side measured.
struct SqliteSide {
  double load_s = 0;
  std::vector<int64_t> write_ns, select_ns, cold_ns;
  double scan_ms = 0;
  // pitr_stats() after the warm selects (pitr only).
  std::string pitr_stats;
};

absl::StatusOr<SqliteSide> RunSqlite(const std::string& uri) {
  SqliteSide side;
  const int rows = absl::GetFlag(FLAGS_rows);
  std::mt19937 rng(11);
  {
    PITR_ASSIGN_OR_RETURN(std::unique_ptr<Db> db, Open(uri));
    PITR_RETURN_IF_ERROR(Exec(*db, absl::StrCat("PRAGMA page_size=", kPageSize,
                                                "; PRAGMA synchronous=FULL; "
                                                "CREATE TABLE kv(id INTEGER "
                                                "PRIMARY KEY, v BLOB)")));
    const Clock::time_point t0 = Clock::now();
    PITR_RETURN_IF_ERROR(Exec(*db, "BEGIN"));
    PITR_ASSIGN_OR_RETURN(auto insert,
                          Statement::Prepare(*db,
                                             "INSERT INTO kv(v, id) "
                                             "VALUES (?, ?)"));
    for (int i = 0; i < rows; ++i) {
      PITR_RETURN_IF_ERROR(insert->Run(i, Value(i)).status());
    }
    PITR_RETURN_IF_ERROR(Exec(*db, "COMMIT"));
    side.load_s = bench::Seconds(Clock::now() - t0);

    PITR_ASSIGN_OR_RETURN(
        auto update,
        Statement::Prepare(*db, "UPDATE kv SET v = ? WHERE id = ?"));
    for (int i = 0; i < absl::GetFlag(FLAGS_writes); ++i) {
      const Clock::time_point start = Clock::now();
      // A new value each time: an update that leaves the row as it was
      // would leave the page too, and pitr appends nothing for it.
      PITR_RETURN_IF_ERROR(update->Run(rng() % rows, Value(rows + i)).status());
      side.write_ns.push_back(bench::Nanos(Clock::now() - start));
    }
    PITR_ASSIGN_OR_RETURN(
        auto select, Statement::Prepare(*db, "SELECT v FROM kv WHERE id = ?"));
    for (int i = 0; i < absl::GetFlag(FLAGS_selects); ++i) {
      const Clock::time_point start = Clock::now();
      PITR_ASSIGN_OR_RETURN(int found, select->Run(rng() % rows));
      side.select_ns.push_back(bench::Nanos(Clock::now() - start));
      if (found != 1) return absl::InternalError("a row is missing");
    }
    // What the extension did (commits, transactions from the watch...).
    sqlite3_stmt* stats = nullptr;
    if (sqlite3_prepare_v2(db->db, "SELECT pitr_stats()", -1, &stats,
                           nullptr) == SQLITE_OK &&
        sqlite3_step(stats) == SQLITE_ROW) {
      side.pitr_stats =
          reinterpret_cast<const char*>(sqlite3_column_text(stats, 0));
    }
    sqlite3_finalize(stats);
  }
  for (int i = 0; i < absl::GetFlag(FLAGS_cold); ++i) {
    const Clock::time_point start = Clock::now();
    PITR_ASSIGN_OR_RETURN(std::unique_ptr<Db> db, Open(uri));
    PITR_ASSIGN_OR_RETURN(
        auto select, Statement::Prepare(*db, "SELECT v FROM kv WHERE id = ?"));
    PITR_ASSIGN_OR_RETURN(int found, select->Run(rng() % rows));
    select.reset();
    db.reset();
    side.cold_ns.push_back(bench::Nanos(Clock::now() - start));
    if (found != 1) return absl::InternalError("a row is missing");
  }
  PITR_ASSIGN_OR_RETURN(std::unique_ptr<Db> db, Open(uri));
  const Clock::time_point start = Clock::now();
  PITR_RETURN_IF_ERROR(Exec(*db, "SELECT count(*), sum(length(v)) FROM kv"));
  side.scan_ms = bench::Seconds(Clock::now() - start) * 1e3;
  return side;
}

// Loads the extension into this process's SQLite (it stays loaded: its
// VFS is then there for every connection).
absl::Status LoadExtension() {
  char path[4096];
  const std::string flag = absl::GetFlag(FLAGS_extension);
  if (realpath(flag.c_str(), path) == nullptr) {
    return absl::NotFoundError(
        absl::StrCat("the extension ", flag, " is not there (--extension)"));
  }
  Db boot;
  if (sqlite3_open(":memory:", &boot.db) != SQLITE_OK) {
    return SqliteError(boot.db, "open :memory:");
  }
  sqlite3_enable_load_extension(boot.db, 1);
  char* error = nullptr;
  if (sqlite3_load_extension(boot.db, path, nullptr, &error) != SQLITE_OK) {
    const std::string message = error ? error : "?";
    sqlite3_free(error);
    return absl::InternalError(absl::StrCat("load ", path, ": ", message));
  }
  return absl::OkStatus();
}

absl::Status CompareSqlite(const std::string& scratch, int port) {
  PITR_RETURN_IF_ERROR(LoadExtension());
  PITR_ASSIGN_OR_RETURN(SqliteSide local,
                        RunSqlite(absl::StrCat("file:", scratch, "/local.db")));
  PITR_ASSIGN_OR_RETURN(SqliteSide pitr,
                        RunSqlite(absl::StrCat(
                            "file:bench.db?vfs=pitr&server=127.0.0.1:", port)));
  absl::PrintF(
      "\nSQLite: the same workloads on a local file (journal DELETE, "
      "synchronous FULL) and on pitr\nover loopback, %d rows of 100 bytes, "
      "%d-byte pages.\n\n",
      absl::GetFlag(FLAGS_rows), kPageSize);
  absl::PrintF("%-32s | %14s | %14s | %s\n", "workload", "local", "pitr",
               "pitr / local (time)");
  absl::PrintF("%s\n", std::string(90, '-'));
  absl::PrintF("%-32s | %12.3f s | %12.3f s | %.2f\n", "load (one transaction)",
               local.load_s, pitr.load_s, pitr.load_s / local.load_s);
  auto row = [](const char* name, const std::vector<int64_t>& l,
                const std::vector<int64_t>& p, const char* extra) {
    const double l50 = Percentile(l, 0.5) / 1e3, p50 = Percentile(p, 0.5) / 1e3;
    absl::PrintF("%-32s | %9.1f us   | %9.1f us   | %.2f %s\n", name, l50, p50,
                 p50 / l50, extra);
    absl::PrintF("%-32s | %9.1f us   | %9.1f us   |\n", "  p99",
                 Percentile(l, 0.99) / 1e3, Percentile(p, 0.99) / 1e3);
  };
  row("small write transaction, p50", local.write_ns, pitr.write_ns, "");
  const double warm =
      (Percentile(pitr.select_ns, 0.5) / Percentile(local.select_ns, 0.5));
  const std::string target =
      absl::StrFormat("(target <= %.1f: %s)", kWarmSelectRatioTarget,
                      warm <= kWarmSelectRatioTarget ? "PASS" : "MISS");
  row("point select, warm, p50", local.select_ns, pitr.select_ns,
      target.c_str());
  row("point select, cold conn., p50", local.cold_ns, pitr.cold_ns, "");
  absl::PrintF("%-32s | %11.1f ms | %11.1f ms | %.2f\n",
               "full scan, new connection", local.scan_ms, pitr.scan_ms,
               pitr.scan_ms / local.scan_ms);
  absl::PrintF("\npitr_stats() of the warm connection: %s\n", pitr.pitr_stats);
  return absl::OkStatus();
}

absl::Status Run(const std::string& scratch) {
  PITR_ASSIGN_OR_RETURN(int port, FreePort());
  pid_t pitrd;
  PITR_RETURN_IF_ERROR(
      Spawn({absl::GetFlag(FLAGS_pitrd), "--data_dir=" + scratch + "/data",
             absl::StrCat("--listen=127.0.0.1:", port), "--http_listen=",
             absl::StrCat("--page_size=", kPageSize), "--log_level=warn"},
            &pitrd));
  absl::Status status = WaitListening(port);
  if (status.ok()) status = CompareSqlite(scratch, port);
  kill(pitrd, SIGTERM);
  waitpid(pitrd, nullptr, 0);
  PITR_RETURN_IF_ERROR(status);
  if (!absl::GetFlag(FLAGS_floor)) return absl::OkStatus();
  std::fflush(stdout);  // before the child's lines
  return Spawn({absl::GetFlag(FLAGS_floor_bench),
                "--dir=" + bench::ScratchParent(absl::GetFlag(FLAGS_dir))},
               nullptr);
}

}  // namespace
}  // namespace pitr

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  const auto start = std::chrono::steady_clock::now();
  absl::StatusOr<std::string> scratch =
      pitr::bench::MakeScratchDir(absl::GetFlag(FLAGS_dir), "sqlite_bench");
  if (!scratch.ok()) {
    std::fprintf(stderr, "%s\n", scratch.status().ToString().c_str());
    return 1;
  }
  return pitr::bench::Finish("sqlite_bench", *scratch, false,
                             pitr::Run(*scratch), start);
}
