// pitr-wal: the offline WAL tools. One command per call:
//
//   pitr-wal dump     [--json] [--from LSN] [--to LSN] [--timeline ID] PATH
//   pitr-wal verify   PATH
//   pitr-wal replay   (--to_dir DIR | --server HOST:PORT) [--from LSN]
//                     [--until LSN|RFC3339] PATH
//   pitr-wal generate (--out_dir DIR | --server HOST:PORT) [--seed N ...]
//
// PATH is a data directory or a WAL directory (wal_source.h). README.md
// documents every flag, the exit codes and the replay design; this file
// parses flags and runs the command.
#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "base/status_macros.h"
#include "base/version.h"
#include "clients/common/client.h"
#include "clients/common/point.h"
#include "clients/common/progress.h"
#include "engine/engine.h"
#include "spdlog/spdlog.h"
#include "tools/wal/engine_target.h"
#include "tools/wal/generator.h"
#include "tools/wal/record_text.h"
#include "tools/wal/replayer.h"
#include "tools/wal/server_target.h"
#include "tools/wal/source_tree.h"
#include "tools/wal/verify.h"
#include "tools/wal/wal_dir_target.h"
#include "tools/wal/wal_source.h"

// Reading a WAL.
ABSL_FLAG(bool, ignore_lock, false,
          "read the WAL even if its LOCK is held (pitrd running)");
ABSL_FLAG(bool, json, false, "dump: one JSON object a line");
ABSL_FLAG(std::string, from, "",
          "dump: first LSN shown; replay: the batch boundary to start at");
ABSL_FLAG(std::string, to, "", "dump: last LSN shown");
ABSL_FLAG(uint64_t, timeline, 0, "dump: only this timeline (0: all)");
ABSL_FLAG(std::string, until, "",
          "replay: stop after the last batch at or before this LSN or "
          "RFC 3339 time");
// Targets.
ABSL_FLAG(std::string, to_dir, "", "replay: a new data directory to create");
ABSL_FLAG(std::string, out_dir, "", "generate: a new WAL directory to write");
ABSL_FLAG(std::string, server, "", "replay, generate: pitrd's HOST:PORT");
ABSL_FLAG(std::string, token_file, "", "bearer token file for --server");
ABSL_FLAG(std::string, tls_ca, "", "CA certificate (PEM) for --server");
ABSL_FLAG(bool, progress, true, "show progress on stderr if it is a terminal");
// Workload.
ABSL_FLAG(uint64_t, seed, 1, "generate: random seed");
ABSL_FLAG(uint32_t, spaces, 4, "generate: spaces written");
ABSL_FLAG(uint32_t, pages, 256, "generate: pages per space");
ABSL_FLAG(uint32_t, page_size, 8192,
          "generate: page size; replay: page size of a new store when the "
          "WAL's timelines.txt does not give one");
ABSL_FLAG(uint64_t, batches, 1000, "generate: batches");
ABSL_FLAG(uint32_t, batch_size, 8, "generate: most records per batch");
ABSL_FLAG(double, image_ratio, 0.2, "generate: share of page images");
ABSL_FLAG(double, truncate_ratio, 0.01, "generate: share of truncations");
ABSL_FLAG(uint32_t, branches, 0, "generate: branches created");
ABSL_FLAG(double, rate, 0,
          "generate: commits per second of the synthetic clock (0: one per "
          "millisecond); with --server, also the pace of sending");
ABSL_FLAG(std::string, start_time, "2023-11-14T22:13:20Z",
          "generate: commit time of the first batch");

namespace pitr::waltool {
namespace {

// Exit codes (README.md).
constexpr int kOk = 0;
constexpr int kCorrupt = 1;
constexpr int kUsage = 2;
constexpr int kTornTail = 3;
constexpr int kFailed = 4;

WalSourceOptions SourceOptions(const std::string& path) {
  return {path, absl::GetFlag(FLAGS_ignore_lock)};
}

absl::StatusOr<Lsn> LsnFlag(const std::string& text, Lsn fallback) {
  return text.empty() ? absl::StatusOr<Lsn>(fallback) : ParseLsn(text);
}

absl::Status Dump(const std::string& path) {
  PITR_ASSIGN_OR_RETURN(auto source, WalSource::Open(SourceOptions(path)));
  PITR_ASSIGN_OR_RETURN(TimelineTree tree, LoadSourceTree(*source));
  Wal& wal = source->wal();
  PITR_ASSIGN_OR_RETURN(Lsn from, LsnFlag(absl::GetFlag(FLAGS_from), 0));
  PITR_ASSIGN_OR_RETURN(Lsn to,
                        LsnFlag(absl::GetFlag(FLAGS_to), wal.end_lsn()));
  const uint64_t timeline = absl::GetFlag(FLAGS_timeline);
  const bool json = absl::GetFlag(FLAGS_json);
  PITR_ASSIGN_OR_RETURN(auto reader, wal.NewReader(wal.oldest_lsn()));
  CommittedBatch batch;
  while (true) {
    PITR_ASSIGN_OR_RETURN(bool more, reader->Next(&batch));
    if (!more || batch.start_lsn > to) break;
    if (batch.commit_lsn <= from) continue;
    if (timeline != 0 && batch.timeline.value() != timeline) continue;
    std::cout << FormatBatch(batch, tree, json);
  }
  std::cout.flush();
  return std::cout ? absl::OkStatus()
                   : absl::InternalError("writing to stdout failed");
}

int RunVerify(const std::string& path) {
  absl::StatusOr<VerifyReport> report = Verify(SourceOptions(path));
  if (!report.ok()) {
    std::cerr << "pitr-wal verify: " << report.status() << "\n";
    return kFailed;
  }
  for (const std::string& note : report->notes) {
    std::cout << "warning: " << note << "\n";
  }
  switch (report->outcome) {
    case VerifyReport::Outcome::kCorrupt:
      std::cout << "CORRUPT: " << report->problem << "\n";
      return kCorrupt;
    case VerifyReport::Outcome::kTornTail:
    case VerifyReport::Outcome::kClean:
      break;
  }
  std::cout << (report->outcome == VerifyReport::Outcome::kClean ? "OK"
                                                                 : "TORN TAIL")
            << ": lsn " << FormatLsn(report->oldest_lsn) << " to "
            << FormatLsn(report->end_lsn) << ", " << report->batches
            << " batches, " << report->records << " records\n";
  return report->outcome == VerifyReport::Outcome::kClean ? kOk : kTornTail;
}

absl::StatusOr<std::unique_ptr<clients::Client>> ConnectFlags() {
  clients::ClientOptions options;
  options.server = absl::GetFlag(FLAGS_server);
  options.ca_cert_path = absl::GetFlag(FLAGS_tls_ca);
  if (!absl::GetFlag(FLAGS_token_file).empty()) {
    PITR_ASSIGN_OR_RETURN(
        options.token, clients::ReadTokenFile(absl::GetFlag(FLAGS_token_file)));
  }
  return clients::Client::Connect(options);
}

bool ShowProgress() { return absl::GetFlag(FLAGS_progress) && isatty(2); }

// Exactly one of --to_dir/--out_dir (`dir_flag`) and --server.
absl::Status CheckOneTarget(const std::string& dir, const char* dir_flag) {
  if (dir.empty() == absl::GetFlag(FLAGS_server).empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("give exactly one of --", dir_flag, " and --server"));
  }
  return absl::OkStatus();
}

absl::StatusOr<Lsn> UntilLsn(Wal& wal, const std::string& text) {
  if (text.find('T') == std::string::npos) return ParseLsn(text);
  PITR_ASSIGN_OR_RETURN(absl::Time t, clients::ParseTime(text));
  return wal.LsnAtTimestamp(absl::ToUnixMicros(t));
}

absl::Status RunReplay(const std::string& path) {
  const std::string to_dir = absl::GetFlag(FLAGS_to_dir);
  PITR_RETURN_IF_ERROR(CheckOneTarget(to_dir, "to_dir"));
  PITR_ASSIGN_OR_RETURN(auto source, WalSource::Open(SourceOptions(path)));
  PITR_ASSIGN_OR_RETURN(TimelineTree tree, LoadSourceTree(*source));
  Wal& wal = source->wal();
  ReplayOptions options;
  if (!absl::GetFlag(FLAGS_from).empty()) {
    PITR_ASSIGN_OR_RETURN(options.from, ParseLsn(absl::GetFlag(FLAGS_from)));
  }
  if (!absl::GetFlag(FLAGS_until).empty()) {
    PITR_ASSIGN_OR_RETURN(options.until,
                          UntilLsn(wal, absl::GetFlag(FLAGS_until)));
  }
  const Lsn start = options.from.value_or(wal.oldest_lsn());
  const Lsn end =
      std::min(options.until.value_or(wal.end_lsn()), wal.end_lsn());
  clients::ProgressBar bar(stderr, ShowProgress(),
                           end > start ? end - start : 0);
  options.progress = [&](Lsn at) { bar.Update(at - start, 0); };

  std::unique_ptr<Engine> engine;
  std::unique_ptr<clients::Client> client;
  std::unique_ptr<Target> target;
  if (!to_dir.empty()) {
    PITR_RETURN_IF_ERROR(RequireEmptyDir(to_dir, "the replayed store"));
    EngineOptions engine_options;
    engine_options.dir = to_dir;
    engine_options.page_size = tree.page_size() != 0
                                   ? tree.page_size()
                                   : absl::GetFlag(FLAGS_page_size);
    engine_options.gc_period = absl::InfiniteDuration();
    PITR_ASSIGN_OR_RETURN(engine, Engine::Open(engine_options));
    target = std::make_unique<EngineTarget>(engine.get());
  } else {
    PITR_ASSIGN_OR_RETURN(client, ConnectFlags());
    target = std::make_unique<ServerTarget>(client.get());
  }
  PITR_ASSIGN_OR_RETURN(ReplaySummary summary,
                        Replay(wal, tree, options, target.get()));
  bar.Finish();
  PITR_RETURN_IF_ERROR(target->Close());
  if (engine != nullptr) PITR_RETURN_IF_ERROR(engine->Close());
  std::cout << "replayed " << summary.batches << " batches (" << summary.records
            << " records) from lsn " << FormatLsn(summary.source_start)
            << " to " << FormatLsn(summary.source_end) << ", created "
            << summary.branches_created << " branches; target lsn "
            << FormatLsn(summary.lsn_map.rbegin()->second) << "\n";
  return absl::OkStatus();
}

absl::Status RunGenerate() {
  const std::string out_dir = absl::GetFlag(FLAGS_out_dir);
  PITR_RETURN_IF_ERROR(CheckOneTarget(out_dir, "out_dir"));
  GenerateOptions o;
  o.seed = absl::GetFlag(FLAGS_seed);
  o.spaces = absl::GetFlag(FLAGS_spaces);
  o.pages = absl::GetFlag(FLAGS_pages);
  o.page_size = absl::GetFlag(FLAGS_page_size);
  o.batches = absl::GetFlag(FLAGS_batches);
  o.batch_size = absl::GetFlag(FLAGS_batch_size);
  o.image_ratio = absl::GetFlag(FLAGS_image_ratio);
  o.truncate_ratio = absl::GetFlag(FLAGS_truncate_ratio);
  o.branches = absl::GetFlag(FLAGS_branches);
  o.rate = absl::GetFlag(FLAGS_rate);
  o.pace = out_dir.empty();
  PITR_ASSIGN_OR_RETURN(absl::Time start,
                        clients::ParseTime(absl::GetFlag(FLAGS_start_time)));
  o.start_time_us = absl::ToUnixMicros(start);
  clients::ProgressBar bar(stderr, ShowProgress(), o.batches);
  o.progress = [&](uint64_t done) { bar.Update(done, 0); };

  std::unique_ptr<clients::Client> client;
  std::unique_ptr<Target> target;
  if (!out_dir.empty()) {
    PITR_ASSIGN_OR_RETURN(target, WalDirTarget::Create(out_dir, o.page_size));
  } else {
    PITR_ASSIGN_OR_RETURN(client, ConnectFlags());
    target = std::make_unique<ServerTarget>(client.get());
  }
  PITR_ASSIGN_OR_RETURN(GenerateSummary summary, Generate(o, target.get()));
  bar.Finish();
  PITR_RETURN_IF_ERROR(target->Close());
  std::cout << "generated " << summary.batches << " batches ("
            << summary.records << " records, " << summary.bytes
            << " data bytes) up to lsn " << FormatLsn(summary.end_lsn) << "\n";
  return absl::OkStatus();
}

int UsageError(absl::string_view message) {
  std::cerr << "pitr-wal: " << message << "\n"
            << absl::ProgramUsageMessage() << "\n";
  return kUsage;
}

int Run(const std::vector<char*>& args) {
  if (args.size() < 2) return UsageError("no command");
  const std::string command = args[1];
  if (command != "dump" && command != "verify" && command != "replay" &&
      command != "generate") {
    return UsageError(absl::StrCat("unknown command \"", command, "\""));
  }
  const bool takes_path = command != "generate";
  if (args.size() != (takes_path ? 3u : 2u)) {
    return UsageError(takes_path ? "expected one PATH after the command"
                                 : "generate takes no PATH");
  }
  absl::Status status;
  if (command == "verify") return RunVerify(args[2]);
  if (command == "dump") {
    status = Dump(args[2]);
  } else if (command == "replay") {
    status = RunReplay(args[2]);
  } else {
    status = RunGenerate();
  }
  if (!status.ok()) {
    std::cerr << "pitr-wal " << command << ": " << status << "\n";
    return absl::IsInvalidArgument(status) ? kUsage : kFailed;
  }
  return kOk;
}

}  // namespace
}  // namespace pitr::waltool

int main(int argc, char** argv) {
  pitr::SetFlagsVersion("pitr-wal");
  absl::SetProgramUsageMessage(
      "the WAL tools (tools/wal/README.md)\n"
      "  pitr-wal dump [--json] [--from LSN] [--to LSN] [--timeline ID] PATH\n"
      "  pitr-wal verify PATH\n"
      "  pitr-wal replay (--to_dir DIR | --server HOST:PORT) [--from LSN]\n"
      "                  [--until LSN|RFC3339] PATH\n"
      "  pitr-wal generate (--out_dir DIR | --server HOST:PORT) [--seed N]\n"
      "                  [--spaces N] [--pages N] [--page_size N]\n"
      "                  [--batches N] [--batch_size N] [--image_ratio F]\n"
      "                  [--truncate_ratio F] [--branches N] [--rate F]\n"
      "                  [--start_time RFC3339]\n"
      "PATH: a data directory or a WAL directory");
  std::vector<char*> args = absl::ParseCommandLine(argc, argv);
  // The libraries' info lines (a WAL opened, a branch made) are noise
  // here; their warnings (a torn tail dropped) are not.
  spdlog::set_level(spdlog::level::warn);
  return pitr::waltool::Run(args);
}
