// The completion script of the real command table, run in a real bash.
#include "tools/pitrctl/completion.h"

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "gtest/gtest.h"

namespace pitr::ctl {
namespace {

class CompletionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    script_ = absl::StrCat(std::getenv("TEST_TMPDIR"), "/pitrctl.bash");
    std::ofstream(script_) << BashCompletion(AllCommands(), GlobalOptions());
  }

  // Runs `command` in bash; its stdout and stderr, and its exit status
  // in *status.
  static std::string Bash(const std::string& command, int* status) {
    FILE* pipe = popen((command + " 2>&1").c_str(), "r");
    std::string out;
    char buffer[4096];
    size_t n;
    while ((n = fread(buffer, 1, sizeof(buffer), pipe)) > 0) {
      out.append(buffer, n);
    }
    *status = pclose(pipe);
    return out;
  }

  // What the script offers for the command line `line` with the cursor at
  // its end, one word a line ("\n" for nothing). The words are split as
  // bash splits them for completion: at spaces, and "=" and ":" are words
  // of their own (COMP_WORDBREAKS).
  std::string Complete(const std::string& line) {
    std::vector<std::string> words = {""};
    for (char c : line) {
      if (c == ' ') {
        if (!words.back().empty()) words.push_back("");
      } else if (c == '=' || c == ':') {
        if (!words.back().empty()) words.push_back("");
        words.back() = std::string(1, c);
        words.push_back("");
      } else {
        words.back() += c;
      }
    }
    if (words.back().empty() && line.back() != ' ' && words.size() > 1) {
      words.pop_back();  // the line ends in "=" or ":"
    }
    std::string driver = absl::StrCat(script_, ".driver");
    std::ofstream(driver) << "source " << script_ << "\n"
                          << "COMP_WORDS=('" << absl::StrJoin(words, "' '")
                          << "')\n"
                          << "COMP_CWORD=" << words.size() - 1 << "\n"
                          << "_pitrctl\n"
                          << "printf '%s\\n' \"${COMPREPLY[@]}\"\n";
    int status;
    std::string out = Bash("bash " + driver, &status);
    EXPECT_EQ(status, 0) << out;
    return out;
  }

  std::string script_;
};

TEST_F(CompletionTest, ScriptIsValidBash) {
  int status;
  std::string out = Bash(absl::StrCat("bash -n ", script_), &status);
  EXPECT_EQ(status, 0) << out;
}

TEST_F(CompletionTest, Commands) {
  EXPECT_EQ(Complete("pitrctl bra"), "branch\n");
  EXPECT_EQ(Complete("pitrctl re"), "replica\nretention\n");
  EXPECT_EQ(Complete("pitrctl g"), "gc\n");
  std::string all = Complete("pitrctl ");
  for (const char* word : {"branch", "snapshot", "gc", "export", "import",
                           "wal", "help", "completion"}) {
    EXPECT_NE(all.find(absl::StrCat(word, "\n")), std::string::npos)
        << word << " in\n"
        << all;
  }
}

TEST_F(CompletionTest, Subcommands) {
  EXPECT_EQ(Complete("pitrctl branch cr"), "create\n");
  EXPECT_EQ(Complete("pitrctl branch "),
            "create\nlist\nget\ndelete\nrestore\n");
  EXPECT_EQ(Complete("pitrctl help branch r"), "restore\n");
  EXPECT_EQ(Complete("pitrctl completion "), "bash\n");
  // Global options and their values before the command are skipped.
  EXPECT_EQ(Complete("pitrctl --server 127.0.0.1:7400 --json snapshot cr"),
            "create\n");
  EXPECT_EQ(Complete("pitrctl --server=127.0.0.1:7400 branch cr"), "create\n");
}

TEST_F(CompletionTest, Options) {
  EXPECT_EQ(Complete("pitrctl branch create --f"), "--from\n");
  EXPECT_EQ(Complete("pitrctl branch create x --from main --a"), "--at\n");
  EXPECT_EQ(Complete("pitrctl gc --c"), "--compact\n");
  // The global options, with every command.
  EXPECT_EQ(Complete("pitrctl branch create --t"),
            "--token_file\n--tls_ca\n--timeout\n");
  EXPECT_EQ(Complete("pitrctl --v"), "--version\n");
}

TEST_F(CompletionTest, OptionValuesAndArgumentsAreLeftToBash) {
  // Nothing offered: bash completes file names (complete -o default).
  EXPECT_EQ(Complete("pitrctl branch create x --from "), "\n");
  EXPECT_EQ(Complete("pitrctl --server "), "\n");
  EXPECT_EQ(Complete("pitrctl export main "), "\n");
}

}  // namespace
}  // namespace pitr::ctl
