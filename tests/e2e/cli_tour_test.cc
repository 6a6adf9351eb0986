// A tour of pitrctl against the real pitrd: write pages, branch at a past
// time, read the old page there, restore main to that state and undo the
// restore from the backup branch, plus the errors a user meets. The test
// talks to the server only through the pitrctl binary, as a user would,
// and checks its --json output, its text output and its exit codes.
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "base/lsn.h"
#include "base/timestamp.h"
#include "gtest/gtest.h"
#include "tests/e2e/pitrd_process.h"
#include "tests/e2e/run_program.h"

namespace pitr::e2e {
namespace {

using CliResult = ProgramResult;

// The string value of `key` in a JSON text, looked up after each key of
// `within` in turn ("backup" then "name": the backup's name); "" if absent.
// Enough for pitrctl's flat string fields.
std::string JsonString(const std::string& json, const std::string& key,
                       const std::vector<std::string>& within = {}) {
  size_t at = 0;
  for (const std::string& outer : within) {
    at = json.find("\"" + outer + "\":", at);
    if (at == std::string::npos) return "";
  }
  std::string needle = "\"" + key + "\":\"";
  at = json.find(needle, at);
  if (at == std::string::npos) return "";
  at += needle.size();
  return json.substr(at, json.find('"', at) - at);
}

class CliTourTest : public ::testing::Test {
 protected:
  void SetUp() override {
    PitrdOptions options;
    options.flags = {"--gc_period=inf"};
    absl::StatusOr<std::unique_ptr<PitrdProcess>> started =
        PitrdProcess::Start(options);
    ASSERT_TRUE(started.ok()) << started.status();
    pitrd_ = *std::move(started);
  }

  // Runs pitrctl against the server with `args`.
  CliResult Run(std::vector<std::string> args) {
    args.insert(args.begin(), {RunfilePath("tools/pitrctl/pitrctl"), "--server",
                               pitrd_->address()});
    return RunProgram(args);
  }

  // Runs pitrctl --json ... and expects success.
  std::string Json(std::vector<std::string> args) {
    args.push_back("--json");
    CliResult r = Run(args);
    EXPECT_EQ(r.exit_code, 0) << absl::StrJoin(args, " ") << "\n" << r.err;
    return r.out;
  }

  // The hex of page 1/0 of `branch` at the latest LSN.
  std::string PageHex(const std::string& branch) {
    return JsonString(Json({"page", "get", "1", "0", "--branch", branch}),
                      "data_hex");
  }

  std::string Temp(const std::string& name) {
    return std::string(std::getenv("TEST_TMPDIR")) + "/" + name;
  }

  std::unique_ptr<PitrdProcess> pitrd_;
};

// The hex of a page whose bytes start with `text`.
std::string HexPrefix(const std::string& text) {
  return absl::BytesToHexString(text);
}

TEST_F(CliTourTest, BranchAtPastTimeRestoreAndUndo) {
  std::string info = Json({"info"});
  EXPECT_EQ(JsonString(info, "version").empty(), false) << info;
  EXPECT_EQ(JsonString(info, "store_id").size(), 32u) << info;

  std::string first = Json({"append", "image", "1", "0", "text:version one"});
  std::string lsn1 = JsonString(first, "commit_lsn");
  ASSERT_TRUE(ParseLsn(lsn1).ok()) << first;
  absl::SleepFor(absl::Milliseconds(50));
  std::string between = FormatTimestampUs(NowMicros());
  absl::SleepFor(absl::Milliseconds(50));
  std::string second = Json({"append", "image", "1", "0", "text:version two"});
  std::string lsn2 = JsonString(second, "commit_lsn");
  EXPECT_GT(*ParseLsn(lsn2), *ParseLsn(lsn1));
  EXPECT_LT(JsonString(first, "commit_time"), between);
  EXPECT_GT(JsonString(second, "commit_time"), between);

  std::string page = PageHex("main");
  EXPECT_TRUE(absl::StartsWith(page, HexPrefix("version two"))) << page;
  EXPECT_EQ(page.size(), 2 * 8192u);

  // A branch at the time between the two writes sees the first.
  std::string past = Json({"branch", "create", "past", "--at", between});
  EXPECT_EQ(JsonString(past, "parent"), "main");
  EXPECT_EQ(JsonString(past, "branch_point_lsn"), lsn1) << past;
  EXPECT_TRUE(absl::StartsWith(PageHex("past"), HexPrefix("version one")));
  // Main at that LSN reads the same.
  EXPECT_TRUE(absl::StartsWith(
      JsonString(Json({"page", "get", "1", "0", "--at", lsn1}), "data_hex"),
      HexPrefix("version one")));

  CliResult tree = Run({"branch", "list"});
  EXPECT_EQ(tree.exit_code, 0) << tree.err;
  EXPECT_TRUE(absl::StrContains(tree.out, "└─ past  main@" + lsn1)) << tree.out;

  // Restore main to the state of `past`.
  std::string past_latest = JsonString(Json({"branch", "get", "past"}),
                                       "latest_lsn", {"history_bounds"});
  std::string restored = Json(
      {"branch", "restore", "main", "--from", "past", "--at", past_latest});
  std::string backup = JsonString(restored, "name", {"backup"});
  EXPECT_TRUE(absl::StartsWith(backup, "main_old_")) << restored;
  EXPECT_TRUE(absl::StartsWith(PageHex("main"), HexPrefix("version one")));
  EXPECT_TRUE(absl::StartsWith(PageHex(backup), HexPrefix("version two")));

  // Undo it from the backup branch, as the text output says.
  std::string backup_latest =
      JsonString(restored, "latest_lsn", {"backup", "history_bounds"});
  CliResult undo = Run(
      {"branch", "restore", "main", "--from", backup, "--at", backup_latest});
  ASSERT_EQ(undo.exit_code, 0) << undo.err;
  EXPECT_TRUE(absl::StrContains(
      undo.out, "undo with: pitrctl branch restore main --from main_old_"))
      << undo.out;
  EXPECT_TRUE(absl::StartsWith(PageHex("main"), HexPrefix("version two")));

  // The log holds both batches.
  std::string wal = Json({"wal", "read"});
  EXPECT_TRUE(absl::StrContains(wal, "\"commit_lsn\":\"" + lsn1 + "\"")) << wal;
  EXPECT_TRUE(absl::StrContains(wal, "\"commit_lsn\":\"" + lsn2 + "\""));
}

TEST_F(CliTourTest, ARestoresBackupCanBeDeleted) {
  std::string lsn1 = JsonString(
      Json({"append", "image", "1", "0", "text:version one"}), "commit_lsn");
  Json({"append", "image", "1", "0", "text:version two"});
  std::string restored = Json({"branch", "restore", "main", "--at", lsn1});
  std::string backup = JsonString(restored, "name", {"backup"});
  ASSERT_TRUE(absl::StartsWith(backup, "main_old_")) << restored;
  Json({"append", "image", "1", "1", "text:after the restore"});

  CliResult deleted = Run({"branch", "delete", backup});
  ASSERT_EQ(deleted.exit_code, 0) << deleted.err;
  EXPECT_EQ(Run({"branch", "get", backup}).exit_code, 3);  // not found
  // main still starts from the old timeline, now unnamed.
  CliResult tree = Run({"branch", "list"});
  ASSERT_EQ(tree.exit_code, 0) << tree.err;
  const std::vector<std::string> rows = absl::StrSplit(tree.out, '\n');
  ASSERT_GE(rows.size(), 3u) << tree.out;
  EXPECT_TRUE(absl::StartsWith(rows[1], "(deleted) timeline 1 ")) << tree.out;
  EXPECT_TRUE(absl::StartsWith(rows[2], "└─ main ")) << tree.out;
  EXPECT_TRUE(absl::StrContains(rows[2], "(deleted) timeline 1@" + lsn1))
      << tree.out;
  // main's depth counts the unnamed ancestor, in the list and alone.
  EXPECT_TRUE(
      absl::StrContains(Json({"branch", "get", "main"}), "\"depth\":1"));
  std::string listed = Json({"branch", "list"});
  EXPECT_TRUE(absl::StrContains(listed, "\"deleted\":true")) << listed;

  ASSERT_EQ(Run({"gc", "--compact"}).exit_code, 0);
  EXPECT_TRUE(absl::StartsWith(PageHex("main"), HexPrefix("version one")));
  EXPECT_TRUE(absl::StartsWith(
      JsonString(Json({"page", "get", "1", "0", "--at", lsn1}), "data_hex"),
      HexPrefix("version one")));
}

TEST_F(CliTourTest, DiffShowsWhatARestoreWouldChange) {
  std::string lsn1 = JsonString(
      Json({"append", "image", "1", "0", "text:kept"}), "commit_lsn");
  Json({"append", "image", "1", "1", "text:added later"});
  Json({"append", "image", "1", "0", "text:changed later"});

  // Before a restore to lsn1: what would change.
  CliResult text = Run({"diff", "main", "main@" + lsn1});
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_TRUE(absl::StrContains(text.out, "changed 1/0\n")) << text.out;
  EXPECT_TRUE(absl::StrContains(text.out, "removed 1/1\n")) << text.out;
  EXPECT_TRUE(absl::StrContains(text.out, "2 pages differ between "))
      << text.out;

  std::string restored = Json({"branch", "restore", "main", "--at", lsn1});
  std::string backup = JsonString(restored, "name", {"backup"});
  // Across branches, with contents: the backup holds the old future.
  std::string diff = Json({"diff", "main", backup, "--contents"});
  EXPECT_TRUE(
      absl::StrContains(diff, "\"added\":1,\"changed\":1,\"removed\":0"))
      << diff;
  EXPECT_TRUE(absl::StrContains(diff, "\"before_hex\":\"" + HexPrefix("kept")))
      << diff;
  EXPECT_TRUE(
      absl::StrContains(diff, "\"after_hex\":\"" + HexPrefix("changed later")))
      << diff;
  EXPECT_TRUE(absl::StrContains(
      diff, "\"space\":1,\"page\":1,\"kind\":\"added\",\"before_hex\":null"))
      << diff;
  // A point with itself differs nowhere; a bad point is a usage error.
  EXPECT_TRUE(absl::StrContains(Json({"diff", "main", "main"}),
                                "\"pages_compared\":0"));
  EXPECT_EQ(Run({"diff", "main", "main@yesterday"}).exit_code, 2);
}

TEST_F(CliTourTest, SnapshotsAndDeltas) {
  Json({"append", "image", "1", "0", "text:base"});
  std::string snap = Json({"snapshot", "create", "s1"});
  EXPECT_EQ(JsonString(snap, "kind"), "ON_DEMAND");
  Json({"append", "delta", "1", "0", "0", "hex:4242"});
  EXPECT_TRUE(absl::StartsWith(PageHex("main"), HexPrefix("BBse")));
  Json({"branch", "create", "from_snap", "--at", "snapshot:s1"});
  EXPECT_TRUE(absl::StartsWith(PageHex("from_snap"), HexPrefix("base")));
  std::string list = Json({"snapshot", "list"});
  EXPECT_TRUE(absl::StrContains(list, "\"name\":\"s1\"")) << list;
}

TEST_F(CliTourTest, ExportAndImportADump) {
  Json({"append", "image", "1", "0", "text:dumped", "image", "1", "1",
        "text:too"});
  std::string dump = Temp("main.dump");
  std::string exported = Json({"export", "main", dump, "--progress"});
  EXPECT_EQ(JsonString(exported, "file"), dump) << exported;
  EXPECT_TRUE(absl::StrContains(exported, "\"pages\":2")) << exported;
  std::string imported = Json({"import", dump, "copy", "--progress"});
  EXPECT_TRUE(absl::StrContains(imported, "\"pages\":2")) << imported;
  EXPECT_EQ(JsonString(imported, "kind", {"snapshot"}), "IMPORT") << imported;
  EXPECT_TRUE(absl::StartsWith(PageHex("copy"), HexPrefix("dumped")));

  CliResult missing = Run({"import", Temp("no_such.dump"), "x"});
  EXPECT_EQ(missing.exit_code, 2) << missing.err;
}

TEST_F(CliTourTest, IncrementalDumpsKeepACopyCurrent) {
  std::string first = Json({"append", "image", "1", "0", "text:monday", "image",
                            "1", "1", "text:stays"});
  const std::string monday = JsonString(first, "commit_lsn");
  Json({"export", "main", Temp("full.dump")});
  Json({"import", Temp("full.dump"), "copy"});

  Json({"append", "image", "1", "0", "text:tuesday"});
  std::string changes = Temp("tuesday.dump");
  std::string exported =
      Json({"export", "main", changes, "--since", monday, "--progress"});
  EXPECT_EQ(JsonString(exported, "since_lsn"), monday) << exported;
  EXPECT_TRUE(absl::StrContains(exported, "\"pages\":1")) << exported;
  std::string applied = Json({"import", changes, "copy"});
  EXPECT_EQ(JsonString(applied, "since_lsn"), monday) << applied;
  EXPECT_FALSE(absl::StrContains(applied, "\"snapshot\"")) << applied;
  EXPECT_TRUE(absl::StartsWith(PageHex("copy"), HexPrefix("tuesday")));
  EXPECT_TRUE(absl::StartsWith(
      JsonString(Json({"page", "get", "1", "1", "--branch", "copy"}),
                 "data_hex"),
      HexPrefix("stays")));

  // The same changes again: copy no longer holds their base.
  CliResult again = Run({"import", changes, "copy"});
  EXPECT_EQ(again.exit_code, 6) << again.err;
  EXPECT_TRUE(absl::StartsWith(again.err, "pitrctl: FAILED_PRECONDITION: "))
      << again.err;
  EXPECT_TRUE(absl::StrContains(again.err, "export the changes since"))
      << again.err;
  // A base after the point exported.
  CliResult backwards = Run({"export", "main", Temp("x.dump"), "--at", monday,
                             "--since", JsonString(exported, "lsn")});
  EXPECT_NE(backwards.exit_code, 0);
  EXPECT_TRUE(absl::StrContains(backwards.err, "INVALID_ARGUMENT"))
      << backwards.err;
}

TEST_F(CliTourTest, NamedSpacesResolveToOneIdOnEveryBranch) {
  CliResult unknown = Run({"space", "resolve", "orders.db"});
  EXPECT_EQ(unknown.exit_code, 3) << unknown.err;
  EXPECT_TRUE(absl::StrContains(unknown.err, "NOT_FOUND")) << unknown.err;
  std::string made = Json({"space", "resolve", "orders.db", "--create"});
  EXPECT_TRUE(absl::StrContains(made, "\"id\":2147483648")) << made;
  EXPECT_EQ(Json({"space", "resolve", "orders.db"}), made);
  Json({"space", "resolve", "app/users.db", "--create"});
  std::string list = Json({"space", "list"});
  EXPECT_LT(list.find("app/users.db"), list.find("orders.db")) << list;
  Json({"append", "image", "2147483648", "0", "text:in orders"});
  Json({"branch", "create", "dev"});
  EXPECT_TRUE(absl::StartsWith(
      JsonString(Json({"page", "get", "2147483648", "0", "--branch", "dev"}),
                 "data_hex"),
      HexPrefix("in orders")));
  CliResult bad = Run({"space", "resolve", "../up", "--create"});
  EXPECT_NE(bad.exit_code, 0);
  EXPECT_TRUE(absl::StrContains(bad.err, "invalid space name")) << bad.err;
}

TEST_F(CliTourTest, ErrorsCarryTheServersMessageAndCode) {
  CliResult missing = Run({"branch", "get", "no_such_branch"});
  EXPECT_EQ(missing.exit_code, 3);
  EXPECT_TRUE(absl::StartsWith(missing.err, "pitrctl: NOT_FOUND: "))
      << missing.err;
  EXPECT_TRUE(absl::StrContains(missing.err, "no_such_branch")) << missing.err;
  EXPECT_EQ(missing.out, "");

  CliResult page = Run({"page", "get", "7", "7"});
  EXPECT_EQ(page.exit_code, 3) << page.err;

  Json({"append", "image", "1", "0", "text:a"});
  Json({"branch", "create", "twice"});
  Json({"append", "image", "1", "0", "text:b"});
  CliResult again = Run({"branch", "create", "twice"});
  EXPECT_EQ(again.exit_code, 4);
  EXPECT_TRUE(absl::StartsWith(again.err, "pitrctl: ALREADY_EXISTS: "))
      << again.err;

  CliResult too_far = Run({"page", "get", "1", "0", "--at", "FF/0"});
  EXPECT_EQ(too_far.exit_code, 7) << too_far.err;
  EXPECT_TRUE(absl::StartsWith(too_far.err, "pitrctl: OUT_OF_RANGE: "))
      << too_far.err;

  CliResult usage = Run({"branch", "create"});
  EXPECT_EQ(usage.exit_code, 2);
  EXPECT_TRUE(absl::StrContains(usage.err, "usage: pitrctl branch create NAME"))
      << usage.err;

  CliResult bad_point = Run({"branch", "create", "x", "--at", "yesterday"});
  EXPECT_EQ(bad_point.exit_code, 2);
  EXPECT_TRUE(absl::StrContains(bad_point.err, "invalid point \"yesterday\""))
      << bad_point.err;

  CliResult refused = Run({"branch", "delete", "main"});
  EXPECT_NE(refused.exit_code, 0);
  EXPECT_TRUE(absl::StartsWith(refused.err, "pitrctl: ")) << refused.err;
}

}  // namespace
}  // namespace pitr::e2e
