#include "tests/e2e/pitrd_process.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/support/channel_arguments.h"
#include "gtest/gtest.h"
#include "proto/status_util.h"

namespace pitr::e2e {
namespace {

// How many times Start tries another port when pitrd could not listen on
// the one picked (another process took it between the pick and the bind).
constexpr int kListenAttempts = 3;

std::string EnvOr(const char* name, const std::string& otherwise) {
  const char* value = std::getenv(name);
  return value != nullptr && *value != '\0' ? value : otherwise;
}

// The pitrd binary: $PITRD if set, else from the runfiles (Bazel test or
// `bazel run`), else beside bazel-bin/server/ for a binary run by hand.
std::string PitrdBinary() {
  const std::string given = EnvOr("PITRD", "");
  if (!given.empty()) return given;
  const std::string workspace = EnvOr("TEST_WORKSPACE", "pitr");
  for (const char* root : {"TEST_SRCDIR", "RUNFILES_DIR"}) {
    const std::string dir = EnvOr(root, "");
    if (!dir.empty()) return absl::StrCat(dir, "/", workspace, "/server/pitrd");
  }
  const std::filesystem::path exe =
      std::filesystem::read_symlink("/proc/self/exe");
  const std::filesystem::path runfiles =
      exe.string() + ".runfiles/pitr/server/pitrd";
  if (std::filesystem::exists(runfiles)) return runfiles.string();
  return (exe.parent_path() / "../../server/pitrd").lexically_normal().string();
}

// A loopback port nothing listens on now.
int FreePort() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address = {};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  socklen_t length = sizeof(address);
  int port = 0;
  if (bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0) {
    port = ntohs(address.sin_port);
  }
  close(fd);
  return port;
}

std::string NewTempDir() {
  std::string pattern =
      EnvOr("TEST_TMPDIR", std::filesystem::temp_directory_path().string()) +
      "/pitrd-XXXXXX";
  if (mkdtemp(pattern.data()) == nullptr) return "";
  return pattern;
}

std::string Tail(const std::string& text, size_t bytes) {
  return text.size() <= bytes ? text : "..." + text.substr(text.size() - bytes);
}

}  // namespace

PitrdProcess::PitrdProcess(PitrdOptions options)
    : options_(std::move(options)) {}

absl::StatusOr<std::unique_ptr<PitrdProcess>> PitrdProcess::Start(
    PitrdOptions options) {
  if (options.data_dir.empty()) {
    options.data_dir = NewTempDir();
    if (options.data_dir.empty()) {
      return absl::InternalError("cannot make a temporary data directory");
    }
  }
  std::unique_ptr<PitrdProcess> process(new PitrdProcess(std::move(options)));
  const std::string name =
      std::filesystem::path(process->options_.data_dir).filename().string();
  const std::string log_dir = EnvOr(
      "TEST_UNDECLARED_OUTPUTS_DIR",
      std::filesystem::path(process->options_.data_dir).parent_path().string());
  process->log_path_ = absl::StrCat(log_dir, "/", name, ".log");
  absl::Status started = process->Restart();
  if (!started.ok()) return started;
  return process;
}

PitrdProcess::~PitrdProcess() {
  if (running()) Kill();
  if (::testing::Test::HasFailure()) {
    std::cerr << "---- pitrd log (" << log_path_ << ") ----\n"
              << Tail(Log(), 64 << 10) << "---- end of pitrd log ----\n";
  }
}

absl::Status PitrdProcess::Restart() {
  if (running()) {
    return absl::FailedPreconditionError("pitrd is still running");
  }
  absl::Status status;
  for (int attempt = 0; attempt < kListenAttempts; ++attempt) {
    status = Spawn(0);
    if (!status.ok()) return status;
    status = WaitUntilServing();
    if (status.ok() || running() ||
        !absl::StrContains(status.message(), "cannot listen")) {
      break;
    }
  }
  return status;
}

absl::Status PitrdProcess::RestartOnSamePort() {
  if (running()) {
    return absl::FailedPreconditionError("pitrd is still running");
  }
  const int port = port_;
  const absl::Time deadline = absl::Now() + options_.start_timeout;
  absl::Status status;
  do {
    status = Spawn(port);
    if (!status.ok()) return status;
    status = WaitUntilServing();
    if (status.ok() || running() ||
        !absl::StrContains(status.message(), "cannot listen")) {
      break;
    }
    absl::SleepFor(absl::Milliseconds(100));
  } while (absl::Now() < deadline);
  return status;
}

absl::Status PitrdProcess::Spawn(int port) {
  port_ = port != 0 ? port : FreePort();
  if (port_ == 0) return absl::InternalError("no free loopback port");
  std::vector<std::string> args = {
      PitrdBinary(),
      "--data_dir=" + options_.data_dir,
      absl::StrCat("--listen=127.0.0.1:", port_),
      "--http_listen=",
  };
  args.insert(args.end(), options_.flags.begin(), options_.flags.end());
  std::vector<char*> argv;
  for (std::string& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);

  log_start_ = Log().size();
  http_port_ = 0;
  {
    std::ofstream log(log_path_, std::ios::app);
    log << "==== " << absl::FormatTime(absl::Now()) << " starting:";
    for (const std::string& arg : args) log << " " << arg;
    log << "\n";
  }
  const int log_fd =
      open(log_path_.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  if (log_fd < 0) {
    return absl::InternalError(absl::StrCat("cannot open ", log_path_));
  }
  const pid_t pid = fork();
  if (pid == 0) {
    // The child: no test should leave a server behind.
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    dup2(log_fd, STDOUT_FILENO);
    dup2(log_fd, STDERR_FILENO);
    execv(argv[0], argv.data());
    dprintf(STDERR_FILENO, "cannot exec %s\n", argv[0]);
    _exit(127);
  }
  close(log_fd);
  if (pid < 0) return absl::InternalError("fork failed");
  pid_ = pid;
  return absl::OkStatus();
}

absl::Status PitrdProcess::WaitUntilServing() {
  const absl::Time deadline = absl::Now() + options_.start_timeout;
  v1::GetStoreInfoRequest request;
  bool answers = false;
  while (absl::Now() < deadline) {
    int exit_code = 0;
    if (Reap(/*block=*/false, &exit_code)) {
      return absl::FailedPreconditionError(
          absl::StrCat("pitrd exited with code ", exit_code,
                       " before serving; its log ends:\n", Tail(Log(), 4096)));
    }
    if (!answers) {
      PitrClient client(NewChannel());
      v1::StoreInfo info;
      auto context = CallContext("", absl::Milliseconds(500));
      const grpc::Status status =
          client.pages->GetStoreInfo(context.get(), request, &info);
      // Any answer but "not there" means it serves: without a token the
      // call may be refused as UNAUTHENTICATED.
      answers = status.error_code() != grpc::StatusCode::UNAVAILABLE &&
                status.error_code() != grpc::StatusCode::DEADLINE_EXCEEDED;
    }
    // gRPC answers before the HTTP side is up; the startup line comes last.
    if (answers && ReadStartupLine()) return absl::OkStatus();
    absl::SleepFor(absl::Milliseconds(answers ? 10 : 50));
  }
  return absl::DeadlineExceededError(absl::StrCat(
      "pitrd did not ",
      answers ? "log its startup line" : absl::StrCat("answer on ", address()),
      " within ", absl::FormatDuration(options_.start_timeout),
      "; its log ends:\n", Tail(Log(), 4096)));
}

bool PitrdProcess::ReadStartupLine() {
  const std::string log = Log();
  if (log.size() < log_start_) return false;
  const size_t line = log.find(": serving ", log_start_);
  if (line == std::string::npos) return false;
  const size_t end = log.find('\n', line);
  if (end == std::string::npos) return false;  // not whole yet
  constexpr char kHttp[] = "HTTP on port ";
  const size_t at = log.find(kHttp, line);
  if (at == std::string::npos || at > end) return true;  // HTTP off
  const size_t from = at + sizeof(kHttp) - 1;
  const size_t to = log.find_first_not_of("0123456789", from);
  return absl::SimpleAtoi(log.substr(from, to - from), &http_port_);
}

bool PitrdProcess::Reap(bool block, int* exit_code) {
  if (pid_ <= 0) return true;
  int status = 0;
  const pid_t done = waitpid(pid_, &status, block ? 0 : WNOHANG);
  if (done != pid_) return false;
  pid_ = -1;
  *exit_code = WIFEXITED(status)     ? WEXITSTATUS(status)
               : WIFSIGNALED(status) ? 128 + WTERMSIG(status)
                                     : -1;
  return true;
}

absl::StatusOr<int> PitrdProcess::Stop(absl::Duration timeout) {
  if (!running()) return absl::FailedPreconditionError("pitrd is not running");
  kill(pid_, SIGTERM);
  const absl::Time deadline = absl::Now() + timeout;
  int exit_code = 0;
  while (!Reap(/*block=*/false, &exit_code)) {
    if (absl::Now() >= deadline) {
      Kill();
      return absl::DeadlineExceededError(
          absl::StrCat("pitrd did not exit within ",
                       absl::FormatDuration(timeout), " of SIGTERM"));
    }
    absl::SleepFor(absl::Milliseconds(10));
  }
  return exit_code;
}

void PitrdProcess::Kill() {
  if (!running()) return;
  kill(pid_, SIGKILL);
  int exit_code = 0;
  Reap(/*block=*/true, &exit_code);
}

std::string PitrdProcess::address() const {
  return absl::StrCat("127.0.0.1:", port_);
}

std::string PitrdProcess::Log() const {
  std::ifstream file(log_path_);
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

std::shared_ptr<grpc::Channel> PitrdProcess::NewChannel() const {
  grpc::ChannelArguments arguments;
  // Reconnect quickly: servers here come and go within a test.
  arguments.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 100);
  arguments.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, 100);
  arguments.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 1000);
  arguments.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  arguments.SetMaxReceiveMessageSize(-1);
  if (!options_.tls_server_name.empty()) {
    arguments.SetSslTargetNameOverride(options_.tls_server_name);
  }
  return grpc::CreateCustomChannel(address(),
                                   options_.credentials != nullptr
                                       ? options_.credentials
                                       : grpc::InsecureChannelCredentials(),
                                   arguments);
}

PitrClient::PitrClient(const std::shared_ptr<grpc::Channel>& channel)
    : branches(v1::BranchService::NewStub(channel)),
      wal(v1::WalService::NewStub(channel)),
      pages(v1::PageService::NewStub(channel)),
      snapshots(v1::SnapshotService::NewStub(channel)),
      retention(v1::RetentionService::NewStub(channel)),
      backups(v1::BackupService::NewStub(channel)),
      replication(v1::ReplicationService::NewStub(channel)) {}

std::unique_ptr<grpc::ClientContext> CallContext(const std::string& token,
                                                 absl::Duration timeout) {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(std::chrono::system_clock::now() +
                        absl::ToChronoNanoseconds(timeout));
  if (!token.empty()) context->AddMetadata("authorization", "Bearer " + token);
  return context;
}

std::string Describe(const grpc::Status& status) {
  return FromGrpcStatus(status).ToString();
}

}  // namespace pitr::e2e
