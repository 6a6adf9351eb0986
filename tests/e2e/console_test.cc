// The web console in a real browser against the real pitrd: Debian's
// Chromium driven headless by playwright-core (tests/e2e/console_test.js,
// installed by tools/dev/install_deps.sh), step by step. After each step
// the browser waits while this test checks the store over gRPC: the tree
// and snapshots of a seeded store, a snapshot taken, a restore with the
// typed confirmation, its undo, the activity charts, and a read-only token
// that can change nothing. The screenshots of each step are test outputs.
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "base/testing/test_files.h"
#include "gtest/gtest.h"
#include "tests/e2e/http_client.h"
#include "tests/e2e/pitrd_fixture.h"
#include "tests/e2e/requests.h"
#include "tests/e2e/run_program.h"

namespace pitr::e2e {
namespace {

constexpr const char* kAdminToken = kTestAdminToken;
constexpr const char* kReadToken = kTestReadToken;

std::string Env(const char* name, const std::string& otherwise) {
  const char* value = std::getenv(name);
  return value != nullptr && *value != '\0' ? value : otherwise;
}

// node running the browser script, with a pipe each way.
class BrowserScript {
 public:
  explicit BrowserScript(std::vector<std::string> argv) {
    int to_child[2], from_child[2];
    if (pipe(to_child) != 0 || pipe(from_child) != 0) return;
    pid_ = fork();
    if (pid_ == 0) {
      dup2(to_child[0], STDIN_FILENO);
      dup2(from_child[1], STDOUT_FILENO);
      close(to_child[1]);
      close(from_child[0]);
      std::vector<char*> args;
      for (std::string& arg : argv) args.push_back(arg.data());
      args.push_back(nullptr);
      execvp(args[0], args.data());
      dprintf(STDOUT_FILENO, "FAILED cannot run %s\n", args[0]);
      _exit(127);
    }
    close(to_child[0]);
    close(from_child[1]);
    in_ = fdopen(to_child[1], "w");
    out_ = fdopen(from_child[0], "r");
  }
  ~BrowserScript() {
    if (in_ != nullptr) fclose(in_);
    if (out_ != nullptr) fclose(out_);
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
  }

  // The next line the script prints, without its newline; "" at its end.
  std::string NextLine() {
    std::string line;
    char buffer[4096];
    while (out_ != nullptr && fgets(buffer, sizeof(buffer), out_) != nullptr) {
      line += buffer;
      if (!line.empty() && line.back() == '\n') {
        line.pop_back();
        return line;
      }
    }
    return line;
  }

  void Continue() {
    fputs("next\n", in_);
    fflush(in_);
  }

 private:
  pid_t pid_ = -1;
  FILE* in_ = nullptr;
  FILE* out_ = nullptr;
};

class ConsoleTest : public PitrdFixture {
 protected:
  void SetUp() override {
    StartPitrd({"--token_file=" + WriteTestTokens(),
                "--http_listen=127.0.0.1:0", "--gc_period=inf"});
    port_ = pitrd_->http_port();
    ASSERT_NE(port_, 0);
  }

  void Write(const std::string& branch, uint32_t page,
             const std::string& marker) {
    v1::AppendResponse response;
    grpc::Status status =
        Append(*client_, branch, {Image(1, page, MarkedPage(8192, marker))},
               &response, kAdminToken);
    ASSERT_TRUE(status.ok()) << Describe(status);
  }

  std::string Page(const std::string& branch, uint32_t page) {
    v1::GetPageRequest request;
    request.set_branch(branch);
    *request.mutable_key() = Key(1, page);
    v1::Page result;
    grpc::Status status = client_->pages->GetPage(
        CallContext(kAdminToken).get(), request, &result);
    return status.ok() ? result.data() : Describe(status);
  }

  std::set<std::string> Names(bool snapshots) {
    std::set<std::string> names;
    if (snapshots) {
      v1::ListSnapshotsResponse list;
      EXPECT_TRUE(client_->snapshots
                      ->ListSnapshots(CallContext(kAdminToken).get(),
                                      v1::ListSnapshotsRequest(), &list)
                      .ok());
      for (const v1::Snapshot& s : list.snapshots()) names.insert(s.name());
    } else {
      v1::ListBranchesResponse list;
      EXPECT_TRUE(client_->branches
                      ->ListBranches(CallContext(kAdminToken).get(),
                                     v1::ListBranchesRequest(), &list)
                      .ok());
      for (const v1::Branch& b : list.branches()) names.insert(b.name());
    }
    return names;
  }

  int port_ = 0;
};

TEST_F(ConsoleTest, SeeSnapshotRestoreUndoAndReadOnlyInABrowser) {
  // A store with history: main before and after snapshot "before", and dev.
  for (uint32_t page = 0; page < 4; ++page) Write("main", page, "old");
  v1::CreateSnapshotRequest snapshot;
  snapshot.set_name("before");
  snapshot.set_branch("main");
  v1::Snapshot made;
  ASSERT_TRUE(
      client_->snapshots
          ->CreateSnapshot(CallContext(kAdminToken).get(), snapshot, &made)
          .ok());
  Write("main", 0, "new");
  Write("main", 1, "new");
  v1::CreateBranchRequest dev;
  dev.set_name("dev");
  v1::Branch branch;
  ASSERT_TRUE(client_->branches
                  ->CreateBranch(CallContext(kAdminToken).get(), dev, &branch)
                  .ok());
  Write("dev", 2, "dev");

  const std::string out =
      Env("TEST_UNDECLARED_OUTPUTS_DIR", ::pitr::testing::TestPath(""));
  const std::string playwright =
      Env("PITR_NODE_MODULES", "/usr/local/lib/pitr-node/node_modules") +
      "/playwright-core";
  ASSERT_EQ(access((playwright + "/package.json").c_str(), R_OK), 0)
      << playwright << " is missing: run tools/dev/install_deps.sh";
  ASSERT_EQ(access("/usr/bin/chromium", X_OK), 0)
      << "Chromium is missing: run tools/dev/install_deps.sh";
  BrowserScript script({"node", RunfilePath("tests/e2e/console_test.js"),
                        playwright,
                        absl::StrCat("http://127.0.0.1:", port_, "/"),
                        kAdminToken, kReadToken, out});
  std::vector<std::string> steps;
  std::set<std::string> snapshots_before_reader;
  for (;;) {
    const std::string line = script.NextLine();
    if (line == "DONE") break;
    ASSERT_TRUE(absl::StartsWith(line, "STEP "))
        << "the browser script said: " << line << " (after steps "
        << absl::StrJoin(steps, ", ") << "; screenshots in " << out << ")";
    std::vector<std::string> words = absl::StrSplit(line, ' ');
    const std::string& step = words[1];
    steps.push_back(step);
    SCOPED_TRACE("after step " + step);
    if (step == "loaded") {
      EXPECT_EQ(Names(false), (std::set<std::string>{"main", "dev"}));
      EXPECT_EQ(Names(true), (std::set<std::string>{"before"}));
    } else if (step == "snapshot") {
      EXPECT_EQ(Names(true), (std::set<std::string>{"before", "from_console"}));
    } else if (step == "restored") {
      ASSERT_EQ(words.size(), 3u) << line;
      EXPECT_EQ(Page("main", 0), MarkedPage(8192, "old"));
      EXPECT_EQ(Page("main", 1), MarkedPage(8192, "old"));
      EXPECT_EQ(Page(words[2], 0), MarkedPage(8192, "new"))
          << "the backup " << words[2] << " holds what main held";
    } else if (step == "undone") {
      EXPECT_EQ(Page("main", 0), MarkedPage(8192, "new"));
      EXPECT_EQ(Page("main", 3), MarkedPage(8192, "old"));
    } else if (step == "retention") {
      v1::ListSchedulesResponse schedules;
      ASSERT_TRUE(client_->snapshots
                      ->ListSchedules(CallContext(kAdminToken).get(),
                                      v1::ListSchedulesRequest(), &schedules)
                      .ok());
      ASSERT_EQ(schedules.schedules_size(), 1);
      EXPECT_EQ(schedules.schedules(0).name(), "hourly");
      v1::GetRetentionRequest request;
      request.set_branch("dev");
      v1::RetentionPolicy policy;
      ASSERT_TRUE(
          client_->retention
              ->GetRetention(CallContext(kAdminToken).get(), request, &policy)
              .ok());
      EXPECT_EQ(policy.own().window().seconds(), 3600);
      // The schedule takes its first snapshot at once.
      snapshots_before_reader = Names(true);
    } else if (step == "readonly") {
      EXPECT_EQ(Names(true), snapshots_before_reader);
      EXPECT_EQ(Names(true).count("sneaky"), 0u);
    }
    script.Continue();
  }
  EXPECT_EQ(absl::StrJoin(steps, ","),
            "loaded,snapshot,restored,undone,retention,activity,readonly");
}

}  // namespace
}  // namespace pitr::e2e
