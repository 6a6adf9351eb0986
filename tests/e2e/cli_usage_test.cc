// pitrctl and pitrd as people use them, through the real binaries: the
// version of each, help and completion, pitrctl's environment, GC's
// progress line and report, and pitrd's duration flags, log lines and
// flagfile.
#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "base/version.h"
#include "gmock/gmock.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "tests/e2e/pitrd_process.h"
#include "tests/e2e/run_program.h"

namespace pitr::e2e {
namespace {

using ::testing::HasSubstr;

const std::string& Pitrctl() {
  static const std::string* path =
      new std::string(RunfilePath("tools/pitrctl/pitrctl"));
  return *path;
}

std::string Temp(const std::string& name) {
  return absl::StrCat(std::getenv("TEST_TMPDIR"), "/", name);
}

class CliUsageTest : public ::testing::Test {
 protected:
  void Start(std::vector<std::string> flags) {
    PitrdOptions options;
    options.flags = std::move(flags);
    absl::StatusOr<std::unique_ptr<PitrdProcess>> started =
        PitrdProcess::Start(options);
    ASSERT_TRUE(started.ok()) << started.status();
    pitrd_ = *std::move(started);
  }

  // pitrctl --server <pitrd> args...
  ProgramResult Ctl(std::vector<std::string> args) {
    args.insert(args.begin(), {Pitrctl(), "--server", pitrd_->address()});
    return RunProgram(args);
  }

  std::unique_ptr<PitrdProcess> pitrd_;
};

TEST_F(CliUsageTest, EveryBinaryPrintsTheOneVersion) {
  for (const char* binary :
       {"tools/pitrctl/pitrctl", "server/pitrd", "tools/wal/pitr-wal"}) {
    ProgramResult r = RunProgram({RunfilePath(binary), "--version"});
    EXPECT_EQ(r.exit_code, 0) << binary << r.err;
    const std::string name =
        std::string(binary).substr(std::string(binary).rfind('/') + 1);
    EXPECT_EQ(r.out, absl::StrCat(name, " ", kPitrVersion, "\n")) << binary;
  }
  Start({"--gc_period=inf"});
  EXPECT_THAT(Ctl({"info"}).out, HasSubstr(kPitrVersion));
}

TEST_F(CliUsageTest, EachCommandsHelpListsItsOptions) {
  ProgramResult help = RunProgram({Pitrctl(), "branch", "create", "--help"});
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_THAT(help.out, HasSubstr("\n  --from PARENT  the parent branch"));
  EXPECT_THAT(help.out, HasSubstr("\n  --at POINT "));
  EXPECT_EQ(RunProgram({Pitrctl(), "help", "branch", "create"}).out, help.out);
  EXPECT_THAT(RunProgram({Pitrctl(), "help"}).out,
              HasSubstr("PITR_TOKEN_FILE"));
}

TEST_F(CliUsageTest, TheCompletionScriptIsValidBash) {
  ProgramResult script = RunProgram({Pitrctl(), "completion", "bash"});
  ASSERT_EQ(script.exit_code, 0) << script.err;
  EXPECT_THAT(script.out, HasSubstr("complete -o default -F _pitrctl pitrctl"));
  const std::string path = Temp("pitrctl.bash");
  std::ofstream(path) << script.out;
  ProgramResult check = RunProgram({"/bin/bash", "-n", path});
  EXPECT_EQ(check.exit_code, 0) << check.err;
  EXPECT_EQ(RunProgram({Pitrctl(), "completion", "zsh"}).exit_code, 2);
}

TEST_F(CliUsageTest, TheEnvironmentGivesServerAndTokenFileAndFlagsWin) {
  const std::string tokens = Temp("tokens");
  std::ofstream(tokens) << "admin s3cret-s3cret-s3cret\n";
  Start({"--gc_period=inf", "--token_file=" + tokens});
  const std::map<std::string, std::string> env = {
      {"PITR_SERVER", pitrd_->address()}, {"PITR_TOKEN_FILE", tokens}};
  ProgramResult info = RunProgram({Pitrctl(), "info", "--json"}, env);
  EXPECT_EQ(info.exit_code, 0) << info.err;
  // Without the token: refused.
  ProgramResult no_token =
      RunProgram({Pitrctl(), "info"}, {{"PITR_SERVER", pitrd_->address()}});
  EXPECT_EQ(no_token.exit_code, 9) << no_token.err;
  // --server wins over PITR_SERVER: nothing listens on port 1.
  ProgramResult elsewhere = RunProgram(
      {Pitrctl(), "--server", "127.0.0.1:1", "--timeout", "5s", "info"}, env);
  EXPECT_EQ(elsewhere.exit_code, 8) << elsewhere.err;
  EXPECT_THAT(elsewhere.err, HasSubstr("127.0.0.1:1"));
}

TEST_F(CliUsageTest, GcDrawsItsProgressAndReportsWhatItReclaimed) {
  Start({"--gc_period=inf", "--default_retention=1s"});
  for (int i = 0; i < 20; ++i) {
    ProgramResult r = Ctl({"append", "image", "1", std::to_string(i % 4),
                           absl::StrCat("text:version ", i)});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  // Nothing is old enough to go yet: GC only flushes.
  ProgramResult first = Ctl({"gc", "--progress", "--json"});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_THAT(first.err, HasSubstr("GC flush:"));
  EXPECT_THAT(first.err, HasSubstr("GC delete: "));
  EXPECT_TRUE(absl::EndsWith(first.err, "\n")) << first.err;
  EXPECT_THAT(first.out, HasSubstr("\"bytes_reclaimed\":0"));
  EXPECT_FALSE(absl::StrContains(first.out, "\"bytes_flushed\":0,"))
      << first.out;
  // Once the versions are older than the retention, a compacting GC
  // reclaims them (and takes no deadline but the one asked for).
  absl::SleepFor(absl::Milliseconds(1500));
  Ctl({"append", "image", "1", "0", "text:latest"});
  ProgramResult second = Ctl({"gc", "--compact", "--json"});
  ASSERT_EQ(second.exit_code, 0) << second.err;
  EXPECT_EQ(second.err, "") << "no progress line: stderr is no terminal";
  EXPECT_FALSE(absl::StrContains(second.out, "\"versions_removed\":0,"))
      << second.out;
  EXPECT_FALSE(absl::StrContains(second.out, "\"bytes_reclaimed\":0,"))
      << second.out;
}

TEST_F(CliUsageTest, PitrdTakesDurationsInPitrctlsForms) {
  Start({"--gc_period=inf", "--default_retention=7d", "--size_interval=1d12h"});
  ProgramResult retention = Ctl({"retention", "get", "--default", "--json"});
  EXPECT_EQ(retention.exit_code, 0) << retention.err;
  EXPECT_THAT(retention.out, HasSubstr("\"window\":\"7d\""));
}

TEST_F(CliUsageTest, PitrdRefusesBadFlagValuesNamingTheValidOnes) {
  const std::string pitrd = RunfilePath("server/pitrd");
  const std::string dir = "--data_dir=" + Temp("refused");
  ProgramResult duration = RunProgram({pitrd, dir, "--gc_period=7"});
  EXPECT_NE(duration.exit_code, 0);
  EXPECT_THAT(duration.err, HasSubstr("gc_period"));
  EXPECT_THAT(duration.err, HasSubstr("e.g. 7d, 12h, 30m, 10s"));
  ProgramResult level = RunProgram({pitrd, dir, "--log_level=loud"});
  EXPECT_EQ(level.exit_code, 1);
  EXPECT_THAT(level.err,
              HasSubstr("--log_level: invalid log level \"loud\": expected "
                        "trace, debug, info, warn, error, critical or off"));
  ProgramResult format = RunProgram({pitrd, dir, "--log_format=xml"});
  EXPECT_EQ(format.exit_code, 1);
  EXPECT_THAT(format.err, HasSubstr("expected text or json"));
}

// Each of pitrd's log lines (RocksDB's too, at debug) is a JSON object with
// a UTC time; PitrdProcess's own marks (a start) aside.
void ExpectJsonLogLines(const std::string& log) {
  int lines = 0, rocksdb = 0;
  for (absl::string_view line : absl::StrSplit(log, '\n', absl::SkipEmpty())) {
    if (absl::StartsWith(line, "==== ")) continue;  // PitrdProcess's marks
    google::protobuf::Struct parsed;
    ASSERT_TRUE(
        google::protobuf::util::JsonStringToMessage(std::string(line), &parsed)
            .ok())
        << "not JSON: " << line;
    const std::string time = parsed.fields().at("time").string_value();
    // 2026-12-04T10:00:00.123456Z: RFC 3339 in UTC, microseconds.
    absl::Time parsed_time;
    EXPECT_TRUE(
        absl::ParseTime(absl::RFC3339_full, time, &parsed_time, nullptr) &&
        time.size() == 27 && absl::EndsWith(time, "Z"))
        << line;
    EXPECT_FALSE(parsed.fields().at("message").string_value().empty());
    ++lines;
    if (absl::StartsWith(parsed.fields().at("message").string_value(),
                         "rocksdb: ")) {
      ++rocksdb;
    }
  }
  EXPECT_GT(lines, 3);
  EXPECT_GT(rocksdb, 0);
}

TEST_F(CliUsageTest, PitrdWritesJsonLogLines) {
  Start({"--gc_period=inf", "--log_format=json", "--log_level=debug"});
  ASSERT_EQ(Ctl({"gc"}).exit_code, 0);
  ASSERT_TRUE(pitrd_->Stop().ok());
  ExpectJsonLogLines(pitrd_->Log());
}

// The flagfile alone sets pitrd up (the test's own plumbing, data
// directory and address, aside).
TEST_F(CliUsageTest, PitrdTakesItsSettingsFromAFlagfile) {
  const std::string flagfile = Temp("pitrd.flags");
  std::ofstream(flagfile) << "# pitrd's settings\n"
                          << "--default_retention=3d\n"
                          << "--gc_period=inf\n"
                          << "--log_format=json\n"
                          << "--log_level=debug\n";
  Start({"--flagfile=" + flagfile});
  ProgramResult retention = Ctl({"retention", "get", "--default", "--json"});
  EXPECT_THAT(retention.out, HasSubstr("\"window\":\"3d\""));
  ASSERT_TRUE(pitrd_->Stop().ok());
  ExpectJsonLogLines(pitrd_->Log());
}

}  // namespace
}  // namespace pitr::e2e
