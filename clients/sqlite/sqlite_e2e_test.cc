// The SQLite extension end to end: a real pitrd on loopback, and the real
// sqlite3 shell and Debian's /usr/bin/python3 loading libpitr_sqlite.so
// (the Python scripts are in testdata/). What the scripts cannot see
// (the pages and batches in the store) is checked here over gRPC.
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "base/lsn.h"
#include "clients/common/channel_credentials.h"
#include "gtest/gtest.h"
#include "tests/e2e/pitrd_process.h"
#include "tests/e2e/run_program.h"

namespace pitr::sqlite {
namespace {

using e2e::CallContext;
using e2e::Describe;
using e2e::ProgramResult;
using e2e::RunfilePath;

constexpr char kPython[] = "/usr/bin/python3";
constexpr char kShell[] = "/usr/bin/sqlite3";

std::string Extension() {
  return RunfilePath("clients/sqlite/libpitr_sqlite.so");
}

// The sanitizer runtime this test runs with (e.g. /usr/lib/.../libasan.so.8
// under --config=asan), or "" without one: found among the libraries mapped
// into this process.
std::string SanitizerRuntime() {
  std::ifstream maps("/proc/self/maps");
  std::string line;
  while (std::getline(maps, line)) {
    const size_t at = line.find('/');
    if (at != std::string::npos &&
        line.find("/libasan.so", at) != std::string::npos) {
      return line.substr(at);
    }
  }
  return "";
}

// Runs the shell or python3 with the extension. When the extension is built
// with ASan, the host process must load ASan's runtime first (LD_PRELOAD);
// leaks are not checked there (python3 and sqlite3 keep memory to their
// end), everything else is.
ProgramResult RunHost(std::vector<std::string> argv) {
  std::map<std::string, std::string> env = {{"PYTHONDONTWRITEBYTECODE", "1"}};
  static const std::string* const runtime = new std::string(SanitizerRuntime());
  if (!runtime->empty()) {
    env["LD_PRELOAD"] = *runtime;
    env["ASAN_OPTIONS"] = "detect_leaks=0:abort_on_error=1";
  }
  return e2e::RunProgram(std::move(argv), env);
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// "key value" lines -> key -> value.
std::map<std::string, std::string> KeyValues(const std::string& out) {
  std::map<std::string, std::string> values;
  for (absl::string_view line : absl::StrSplit(out, '\n', absl::SkipEmpty())) {
    std::vector<std::string> words =
        absl::StrSplit(line, absl::MaxSplits(' ', 1));
    values[words[0]] = words.size() > 1 ? words[1] : "";
  }
  return values;
}

class SqliteE2eTest : public ::testing::Test {
 protected:
  void SetUp() override { StartPitrd(e2e::PitrdOptions()); }

  // (Re)starts pitrd, on a new store.
  void StartPitrd(e2e::PitrdOptions options) {
    pitrd_.reset();
    absl::StatusOr<std::unique_ptr<e2e::PitrdProcess>> pitrd =
        e2e::PitrdProcess::Start(options);
    ASSERT_TRUE(pitrd.ok()) << pitrd.status();
    pitrd_ = *std::move(pitrd);
    client_ = std::make_unique<e2e::PitrClient>(pitrd_->NewChannel());
  }

  // Runs testdata/`script` with the extension and the server's address
  // first, then `args`.
  ProgramResult Python(const std::string& script,
                       std::vector<std::string> args) {
    std::vector<std::string> argv = {
        kPython, RunfilePath("clients/sqlite/testdata/" + script), Extension(),
        pitrd_->address()};
    argv.insert(argv.end(), args.begin(), args.end());
    return RunHost(argv);
  }

  uint32_t SpaceOf(const std::string& name, bool create = false) {
    v1::ResolveSpaceRequest request;
    request.set_name(name);
    request.set_create(create);
    v1::Space space;
    grpc::Status status =
        client_->pages->ResolveSpace(CallContext().get(), request, &space);
    EXPECT_TRUE(status.ok()) << Describe(status);
    return space.id();
  }

  uint32_t PageSize() {
    v1::StoreInfo info;
    grpc::Status status = client_->pages->GetStoreInfo(
        CallContext().get(), v1::GetStoreInfoRequest(), &info);
    EXPECT_TRUE(status.ok()) << Describe(status);
    return info.page_size();
  }

  // The space's pages at `lsn`, concatenated: the database file then.
  std::string FileAt(uint32_t space, Lsn lsn) {
    v1::GetSpaceSizeRequest size_request;
    size_request.set_space(space);
    size_request.mutable_point()->set_lsn(lsn);
    v1::SpaceSize size;
    grpc::Status status =
        client_->pages->GetSpaceSize(CallContext().get(), size_request, &size);
    EXPECT_TRUE(status.ok()) << Describe(status);
    std::string file;
    for (uint32_t first = 0; first < size.pages(); first += 1024) {
      v1::GetPagesRequest request;
      request.mutable_point()->set_lsn(lsn);
      for (uint32_t page = first; page < size.pages() && page < first + 1024;
           ++page) {
        v1::PageKey* key = request.add_keys();
        key->set_space(space);
        key->set_page(page);
      }
      v1::GetPagesResponse response;
      status =
          client_->pages->GetPages(CallContext().get(), request, &response);
      EXPECT_TRUE(status.ok()) << Describe(status);
      for (const v1::PageResult& result : response.results()) {
        EXPECT_EQ(result.code(), 0)
            << "page " << result.key().page() << ": " << result.message();
        file += result.data();
      }
    }
    return file;
  }

  std::unique_ptr<e2e::PitrdProcess> pitrd_;
  std::unique_ptr<e2e::PitrClient> client_;
};

TEST_F(SqliteE2eTest, WorkloadMatchesALocalFileAfterEveryTransaction) {
  const std::string dir = std::getenv("TEST_TMPDIR");
  ProgramResult r = Python("workload.py", {"workload.db", dir});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  ASSERT_NE(r.out.find("done"), std::string::npos) << r.out;
  const uint32_t space = SpaceOf("workload.db");
  int steps = 0;
  for (absl::string_view line : absl::StrSplit(r.out, '\n')) {
    std::vector<std::string> words = absl::StrSplit(line, ' ');
    if (words.size() != 3 || words[0] != "step") continue;
    absl::StatusOr<Lsn> lsn = ParseLsn(words[2]);
    ASSERT_TRUE(lsn.ok()) << line;
    const std::string local =
        ReadFile(absl::StrCat(dir, "/step_", words[1], ".db"));
    ASSERT_FALSE(local.empty()) << line;
    EXPECT_TRUE(FileAt(space, *lsn) == local)
        << "step " << words[1] << " at " << words[2]
        << ": the pages in pitr differ from the local file (" << local.size()
        << " bytes)";
    ++steps;
  }
  EXPECT_EQ(steps, 8) << r.out;
}

TEST_F(SqliteE2eTest, TimeTravelFromSqlAndUris) {
  ProgramResult r = Python("time_travel.py", {"travel.db"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  std::map<std::string, std::string> got = KeyValues(r.out);
  EXPECT_EQ(got["latest"], "new,old");
  EXPECT_EQ(got["at_lsn"], "old");
  EXPECT_EQ(got["at_time"], "old");
  EXPECT_EQ(got["at_snapshot"], "old");
  EXPECT_EQ(got["write_at_point"], "attempt_to_write_a_readonly_database");
  EXPECT_EQ(got["branch"], "dev");
  EXPECT_EQ(got["on_dev"], "dev,old");
  EXPECT_EQ(got["main_after_dev"], "new,old");
  EXPECT_EQ(got["restored"], "old");
  EXPECT_EQ(got["undone"], "new,old");
  EXPECT_EQ(got["before_restore"], "cached,new,old");
  EXPECT_EQ(got["after_restore_and_write"], "new,old,other");
}

TEST_F(SqliteE2eTest, ConcurrentWritersEndInASerialOrder) {
  struct Run {
    int processes;
    int n;
    std::string mode;  // counter.py's
  };
  for (const Run& run :
       {Run{2, 40, ""}, Run{8, 8, ""}, Run{2, 30, "sync_off"}}) {
    const std::string name =
        absl::StrCat("counter", run.processes, run.mode, ".db");
    ProgramResult r = Python("counter.py", {name, absl::StrCat(run.processes),
                                            absl::StrCat(run.n), run.mode});
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_EQ(r.out.substr(0, r.out.find(" retries")),
              absl::StrCat("value ", run.processes * run.n))
        << run.mode << ": " << r.out;
  }
}

TEST_F(SqliteE2eTest, WritersOfOtherDatabasesOnTheBranchDoNotConflict) {
  ProgramResult r = Python("counter.py", {"own.db", "2", "40", "separate"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  std::vector<std::string> words = absl::StrSplit(r.out, ' ');
  ASSERT_EQ(words.size(), 4u) << r.out;
  EXPECT_EQ(words[1], "80");
  // Each commit moves the branch; the other writer's transactions then
  // only move their read point (a handful of retries at most when the
  // commit retries run out, against nearly one per transaction without).
  int retries = 0;
  ASSERT_TRUE(absl::SimpleAtoi(absl::StripAsciiWhitespace(words[3]), &retries))
      << r.out;
  EXPECT_LE(retries, 3) << r.out;
}

TEST_F(SqliteE2eTest, ReadersDuringWritesSeeWholeTransactionsAndSnapshots) {
  // The script fails if a count is not a multiple of a transaction's rows.
  ProgramResult r = Python("readers.py", {"readers.db", "20", "200"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  std::vector<std::string> words =
      absl::StrSplit(absl::StripAsciiWhitespace(r.out), ' ');
  ASSERT_EQ(words.size(), 6u) << r.out;
  int distinct = 0;
  ASSERT_TRUE(absl::SimpleAtoi(words[3], &distinct)) << r.out;
  EXPECT_GE(distinct, 2) << "the reads did not overlap the writes: " << r.out;
  EXPECT_EQ(words[5], "yes") << "a read transaction saw commits made after "
                                "it started: "
                             << r.out;
}

// "transactions=N watched=M ..." -> key -> value.
std::map<std::string, int> StatsOf(const std::string& line) {
  std::map<std::string, int> stats;
  for (absl::string_view word : absl::StrSplit(line, ' ', absl::SkipEmpty())) {
    std::vector<std::string> kv = absl::StrSplit(word, '=');
    if (kv.size() == 2) (void)absl::SimpleAtoi(kv[1], &stats[kv[0]]);
  }
  return stats;
}

TEST_F(SqliteE2eTest, WatchedTransactionsSeeEveryAcknowledgedCommit) {
  // Another process's commits, each told to the reader after it returned:
  // the reader's next transaction, started from its watch with no round
  // trip, must see it.
  ProgramResult r = Python("watch.py", {"watch.db", "100"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  std::vector<std::string> lines =
      absl::StrSplit(r.out, '\n', absl::SkipEmpty());
  ASSERT_EQ(lines.size(), 2u) << r.out;
  EXPECT_EQ(lines[0], "rounds 100 stale 0");
  std::map<std::string, int> stats = StatsOf(lines[1]);
  EXPECT_GE(stats["transactions"], 100) << lines[1];
  // Lease lapses on a loaded machine fall back to GetChanges; most
  // transactions must not need it.
  EXPECT_GE(stats["watched"] * 2, stats["transactions"]) << lines[1];
}

TEST_F(SqliteE2eTest, StoppedReaderHoldsACommitOnlyUntilItsLeaseEnds) {
  e2e::PitrdOptions options;
  options.flags = {"--watch_lease=500ms"};
  StartPitrd(options);
  // The commit made while the reader is stopped must complete (the
  // reader's watch is evicted), and the reader must see it when it runs
  // again.
  ProgramResult r = Python("watch.py", {"stall.db", "20", "stall"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  std::vector<std::string> lines =
      absl::StrSplit(r.out, '\n', absl::SkipEmpty());
  ASSERT_EQ(lines.size(), 3u) << r.out;
  EXPECT_EQ(lines[0], "rounds 20 stale 0");
  EXPECT_EQ(lines[1], "stalled_commit ok");
}

TEST_F(SqliteE2eTest, WritersKilledMidTransactionLeaveWholeTransactions) {
  // The script checks after each kill that the rows are a multiple of a
  // transaction's and that PRAGMA integrity_check is ok.
  ProgramResult r = Python("crash.py", {"crash.db", "10", "300"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(r.out.rfind("rounds 10 committed ", 0), 0u) << r.out;
}

TEST_F(SqliteE2eTest, ServerGoneAndBackUnderARunningApplication) {
  ProgramResult r = Python("server_down.py", {"down.db"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  std::map<std::string, std::string> got = KeyValues(r.out);
  EXPECT_EQ(got["before"], "ok");
  EXPECT_EQ(got["down"], "disk_I/O_error");
  EXPECT_NE(r.err.find("pitr: "), std::string::npos) << r.err;
  EXPECT_EQ(got["back"], "ok") << r.err;
  EXPECT_EQ(got["rows"], "1,3");
  EXPECT_EQ(got["integrity"], "ok");
}

TEST_F(SqliteE2eTest, PitrdKilledAndRestartedUnderARunningApplication) {
  const std::string dir = std::getenv("TEST_TMPDIR");
  const std::string kill_file = dir + "/kill";
  std::remove(kill_file.c_str());
  ProgramResult r;
  std::thread application([&] {
    r = Python("server_killed.py", {"killed.db", dir});
  });
  // When the application asks: SIGKILL, then the same port again.
  const absl::Time deadline = absl::Now() + absl::Seconds(120);
  while (!std::ifstream(kill_file).good() && absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(5));
  }
  pitrd_->Kill();
  absl::SleepFor(absl::Milliseconds(300));
  absl::Status restarted = pitrd_->RestartOnSamePort();
  application.join();
  ASSERT_TRUE(restarted.ok()) << restarted;
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  std::vector<std::string> lines =
      absl::StrSplit(r.out, '\n', absl::SkipEmpty());
  ASSERT_EQ(lines.size(), 2u) << r.out << r.err;
  std::cout << "server_killed.py: " << lines[0] << "\n";
  std::vector<std::string> words = absl::StrSplit(lines[0], ' ');
  ASSERT_EQ(words.size(), 8u) << lines[0];
  int acknowledged = 0, failed = 0;
  ASSERT_TRUE(absl::SimpleAtoi(words[1], &acknowledged));
  ASSERT_TRUE(absl::SimpleAtoi(words[3], &failed));
  EXPECT_GE(acknowledged, 60) << lines[0];
  EXPECT_GE(failed, 1) << "pitrd was never away: " << lines[0];
  EXPECT_EQ(words[5], "0") << "transactions applied in part: " << lines[0];
  EXPECT_EQ(words[7], "0") << "acknowledged transactions lost: " << lines[0];
  EXPECT_EQ(lines[1], "integrity ok");
}

TEST_F(SqliteE2eTest, TransactionLargerThanTheCacheIsOneBatch) {
  ProgramResult r = Python("big_transaction.py", {"big.db", "2000"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  std::map<std::string, std::string> got = KeyValues(r.out);
  std::vector<std::string> before = absl::StrSplit(got["before"], ' ');
  std::vector<std::string> after = absl::StrSplit(got["after"], ' ');
  ASSERT_EQ(before.size(), 3u) << r.out;
  ASSERT_EQ(after.size(), 3u) << r.out;
  EXPECT_EQ(before[1], "0");
  EXPECT_EQ(before[2], "ok");
  EXPECT_EQ(after[1], "2000");
  EXPECT_EQ(after[2], "ok");

  absl::StatusOr<Lsn> from = ParseLsn(before[0]);
  absl::StatusOr<Lsn> to = ParseLsn(after[0]);
  ASSERT_TRUE(from.ok() && to.ok()) << r.out;
  v1::ReadWalRequest request;
  request.set_start_lsn(*from);
  request.set_end_lsn(*to);
  auto context = CallContext();
  auto reader = client_->wal->ReadWal(context.get(), request);
  v1::WalBatch batch;
  int batches = 0;
  while (reader->Read(&batch)) {
    if (batch.commit_lsn() > *from) ++batches;
  }
  grpc::Status status = reader->Finish();
  ASSERT_TRUE(status.ok()) << Describe(status);
  EXPECT_EQ(batches, 1) << "the transaction from " << before[0] << " to "
                        << after[0] << " is not one batch";
}

// "<phase> key=value..." lines (testdata/cache.py) -> phase -> key -> value.
std::map<std::string, std::map<std::string, int>> StatsByPhase(
    const std::string& out) {
  std::map<std::string, std::map<std::string, int>> stats;
  for (absl::string_view line : absl::StrSplit(out, '\n', absl::SkipEmpty())) {
    std::vector<std::string> words = absl::StrSplit(line, ' ');
    for (size_t i = 1; i < words.size(); ++i) {
      std::vector<std::string> kv = absl::StrSplit(words[i], '=');
      if (kv.size() == 2)
        (void)absl::SimpleAtoi(kv[1], &stats[words[0]][kv[0]]);
    }
  }
  return stats;
}

TEST_F(SqliteE2eTest, PageCacheSurvivesTransactionsAndScansReadAhead) {
  ProgramResult r = Python("cache.py", {"cache.db"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  auto stats = StatsByPhase(r.out);
  // A cold scan of ~250 pages: read-ahead fetches them in a few calls.
  EXPECT_GT(stats["scan"]["page_reads"], 200) << r.out;
  EXPECT_LE(stats["scan"]["fetches"] * 8, stats["scan"]["pages_fetched"])
      << r.out;
  // Nothing changed: the next transaction reads everything from the cache.
  EXPECT_GT(stats["unchanged"]["page_reads"], 200) << r.out;
  EXPECT_EQ(stats["unchanged"]["fetches"], 0) << r.out;
  // One row changed elsewhere: GetChanges drops only its pages.
  EXPECT_GE(stats["one_row_changed"]["pages_invalidated"], 1) << r.out;
  EXPECT_LE(stats["one_row_changed"]["pages_invalidated"], 4) << r.out;
  EXPECT_LE(stats["one_row_changed"]["pages_fetched"], 4) << r.out;
}

TEST_F(SqliteE2eTest, TokensAdminWritesReadReadsNoneCannotOpen) {
  const std::string dir = std::getenv("TEST_TMPDIR");
  const std::string admin = "admin-token-0123456789abcdef";
  const std::string read = "read-token-0123456789abcdef";
  std::ofstream(dir + "/tokens")
      << "admin " << admin << "\nread " << read << "\n";
  std::ofstream(dir + "/admin.token") << admin << "\n";
  std::ofstream(dir + "/read.token") << read << "\n";
  e2e::PitrdOptions options;
  options.flags = {"--token_file=" + dir + "/tokens"};
  StartPitrd(options);
  ProgramResult r = Python(
      "tokens.py", {"tokens.db", dir + "/admin.token", dir + "/read.token"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  std::map<std::string, std::string> got = KeyValues(r.out);
  EXPECT_EQ(got["admin_write"], "ok []");
  EXPECT_EQ(got["admin_insert"], "ok []");
  EXPECT_EQ(got["read_select"], "ok [(7,)]");
  EXPECT_EQ(got["read_insert"], "attempt_to_write_a_readonly_database");
  EXPECT_EQ(got["no_token"], "unable_to_open_database_file");
  EXPECT_NE(r.err.find("missing \"authorization: Bearer <token>\""),
            std::string::npos)
      << r.err;
  EXPECT_EQ(got["env_select"], "ok [(7,)]");
}

TEST_F(SqliteE2eTest, TlsWithTheServersCa) {
  const std::string dir = std::getenv("TEST_TMPDIR");
  const std::string command = absl::StrCat(
      "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 "
      "-nodes -days 1 -subj /CN=localhost -addext subjectAltName=DNS:localhost"
      " -keyout ",
      dir, "/key.pem -out ", dir, "/cert.pem >/dev/null 2>&1");
  ASSERT_EQ(std::system(command.c_str()), 0) << command;
  absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> trusting =
      clients::ChannelCredentialsFor(dir + "/cert.pem");
  ASSERT_TRUE(trusting.ok()) << trusting.status();
  e2e::PitrdOptions options;
  options.flags = {"--tls_cert=" + dir + "/cert.pem",
                   "--tls_key=" + dir + "/key.pem"};
  options.credentials = *trusting;
  options.tls_server_name = "localhost";
  StartPitrd(options);
  const std::string server = absl::StrCat("localhost:", pitrd_->port());
  const std::string script = RunfilePath("clients/sqlite/testdata/run_sql.py");

  ProgramResult r =
      RunHost({kPython, script, Extension(), server, "tls.db",
               "tls_ca=" + dir + "/cert.pem", "--", "CREATE TABLE t(v)",
               "INSERT INTO t VALUES ('over TLS')", "SELECT v FROM t"});
  EXPECT_EQ(r.out, "[]\n[]\n[('over TLS',)]\n") << r.err;

  // Without the CA the client speaks plain text: the open fails.
  r = RunHost({kPython, script, Extension(), server, "tls.db", "--",
               "SELECT v FROM t"});
  EXPECT_EQ(r.out, "error: unable to open database file\n") << r.err;
}

TEST_F(SqliteE2eTest, ShellLoadsTheExtension) {
  const std::string uri =
      absl::StrCat("file:shell.db?vfs=pitr&server=", pitrd_->address());
  ProgramResult r = RunHost(
      {kShell, "-cmd", ".load " + Extension(), ":memory:", ".open " + uri,
       "CREATE TABLE t(a); INSERT INTO t VALUES (42), (43);",
       "SELECT sum(a), pitr_lsn() <> '0/0' FROM t;", "PRAGMA page_size;",
       "PRAGMA journal_mode=WAL;"});
  EXPECT_EQ(r.out, absl::StrCat("85|1\n", PageSize(), "\n")) << r.err;
  // WAL mode is refused, with the reason.
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("journal_mode=WAL is not supported"), std::string::npos)
      << r.err;

  // A later process sees the data; the extension loads into python too.
  r = RunHost({kShell, "-cmd", ".load " + Extension(),
               ":memory:", ".open " + uri, "SELECT count(*) FROM t;"});
  EXPECT_EQ(r.out, "2\n") << r.err;
}

// The batch-atomic write protocol as a SQLite built with
// SQLITE_ENABLE_BATCH_ATOMIC_WRITE drives it (Debian's is not, so
// batch_atomic_driver sends the controls itself): the pages written between
// BEGIN_ATOMIC_WRITE and COMMIT_ATOMIC_WRITE are one Append, and
// ROLLBACK_ATOMIC_WRITE leaves nothing behind.
TEST_F(SqliteE2eTest, BatchAtomicWritesAreOneAppendOrNothing) {
  ProgramResult r = RunHost({RunfilePath("clients/sqlite/batch_atomic_driver"),
                             Extension(), pitrd_->address(), "atomic.db"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::vector<std::string> lines =
      absl::StrSplit(r.out, '\n', absl::SkipEmpty());
  ASSERT_EQ(lines.size(), 5u) << r.out;
  absl::StatusOr<Lsn> created = ParseLsn(lines[0]);
  absl::StatusOr<Lsn> rolled_back = ParseLsn(lines[1]);
  absl::StatusOr<Lsn> committed = ParseLsn(lines[2]);
  ASSERT_TRUE(created.ok() && rolled_back.ok() && committed.ok()) << r.out;
  EXPECT_EQ(*rolled_back, *created) << "a rolled back batch was appended";
  ASSERT_GT(*committed, *created);
  EXPECT_EQ(lines[3], "7") << "user_version as a new connection reads it";
  EXPECT_EQ(lines[4], "1") << "rows as a new connection reads them";

  const uint32_t space = SpaceOf("atomic.db");
  const uint32_t page_size = PageSize();
  const std::string before = FileAt(space, *created);
  const std::string after = FileAt(space, *committed);
  // Both pages at the commit, neither just before it: one batch.
  EXPECT_EQ(FileAt(space, *committed - 1), before);
  ASSERT_EQ(after.size(), before.size() + page_size);
  EXPECT_EQ(after.substr(60, 4), std::string("\0\0\0\x07", 4));
  EXPECT_EQ(before.substr(60, 4), std::string(4, '\0'));
  EXPECT_EQ(after.substr(before.size()), std::string(page_size, 'P'));
}

TEST_F(SqliteE2eTest, OtherPageSizeIsRefusedNamingBothSizes) {
  const uint32_t space = SpaceOf("small_pages.db", /*create=*/true);
  std::string page(PageSize(), '\0');
  page.replace(0, 16, std::string("SQLite format 3\0", 16));
  page[16] = 0x10;  // 4096, big-endian
  page[17] = 0x00;
  v1::AppendRequest append;
  v1::WalRecord::PageImage* image = append.add_records()->mutable_image();
  image->mutable_key()->set_space(space);
  image->set_data(page);
  v1::AppendResponse appended;
  grpc::Status status =
      client_->wal->Append(CallContext().get(), append, &appended);
  ASSERT_TRUE(status.ok()) << Describe(status);

  ProgramResult r =
      RunHost({kShell, "-cmd", ".load " + Extension(), ":memory:",
               absl::StrCat(".open file:small_pages.db?vfs=pitr&server=",
                            pitrd_->address()),
               "SELECT count(*) FROM sqlite_master;"});
  // The shell goes on (with an empty in-memory database) after a failed
  // .open; the message is on stderr.
  EXPECT_NE(r.err.find(absl::StrCat("has pages of 4096 bytes but the pitr "
                                    "store's pages are ",
                                    PageSize(), " bytes")),
            std::string::npos)
      << r.err;
}

}  // namespace
}  // namespace pitr::sqlite
