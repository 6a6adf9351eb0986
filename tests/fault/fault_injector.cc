#include "tests/fault/fault_injector.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <algorithm>
#include <cstring>
#include <filesystem>
#include <new>
#include <utility>

#include "absl/strings/str_cat.h"

namespace pitr::fault {

std::string ShimPath() {
  if (const char* given = std::getenv("PITR_FAULT_SHIM")) return given;
  const char* srcdir = std::getenv("TEST_SRCDIR");
  const char* workspace = std::getenv("TEST_WORKSPACE");
  if (srcdir != nullptr && workspace != nullptr) {
    return absl::StrCat(srcdir, "/", workspace, "/tests/fault/libfault_shim.so");
  }
  const std::filesystem::path exe = std::filesystem::read_symlink("/proc/self/exe");
  const std::filesystem::path runfiles =
      exe.string() + ".runfiles/pitr/tests/fault/libfault_shim.so";
  if (std::filesystem::exists(runfiles)) return runfiles.string();
  return (exe.parent_path() / "libfault_shim.so").string();
}

absl::StatusOr<std::unique_ptr<FaultInjector>> FaultInjector::Create(
    const std::string& path) {
  const int fd = open(path.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    return absl::InternalError(
        absl::StrCat("cannot create ", path, ": ", std::strerror(errno)));
  }
  if (ftruncate(fd, sizeof(Control)) != 0) {
    close(fd);
    return absl::InternalError(absl::StrCat("cannot size ", path));
  }
  void* map = mmap(nullptr, sizeof(Control), PROT_READ | PROT_WRITE,
                   MAP_SHARED, fd, 0);
  close(fd);
  if (map == MAP_FAILED) {
    return absl::InternalError(absl::StrCat("cannot map ", path));
  }
  // The file is zeros: every atomic starts at 0, every rule disarmed.
  Control* control = static_cast<Control*>(map);
  control->magic = kControlMagic;
  return std::unique_ptr<FaultInjector>(new FaultInjector(path, control));
}

FaultInjector::~FaultInjector() { munmap(control_, sizeof(Control)); }

absl::Status FaultInjector::ExportToChildren() const {
  const std::string shim = ShimPath();
  if (!std::filesystem::exists(shim)) {
    return absl::NotFoundError(absl::StrCat("no fault shim at ", shim));
  }
  if (setenv("LD_PRELOAD", shim.c_str(), 1) != 0 ||
      setenv(kControlEnv, path_.c_str(), 1) != 0) {
    return absl::InternalError("setenv failed");
  }
  // Under --config=asan the shim is instrumented too, so it (not pitrd)
  // brings in ASan's runtime, which then does not come first in the
  // library list; ASan refuses to start unless told that is fine.
  const char* asan = getenv("ASAN_OPTIONS");
  const std::string options = absl::StrCat(
      asan != nullptr && *asan != '\0' ? absl::StrCat(asan, ":") : "",
      "verify_asan_link_order=0");
  if (setenv("ASAN_OPTIONS", options.c_str(), 1) != 0) {
    return absl::InternalError("setenv failed");
  }
  return absl::OkStatus();
}

absl::Status FaultInjector::SetDataDir(const std::string& dir) {
  std::error_code error;
  const std::string canonical =
      std::filesystem::weakly_canonical(dir, error).string();
  if (error || canonical.size() >= sizeof(control_->dir)) {
    return absl::InvalidArgumentError(absl::StrCat("bad data dir ", dir));
  }
  std::memset(control_->dir, 0, sizeof(control_->dir));
  std::memcpy(control_->dir, canonical.data(), canonical.size());
  return absl::OkStatus();
}

void FaultInjector::Arm(Op op, const FaultSpec& spec) {
  Rule& rule = control_->rules[op];
  rule.error.store(0);
  rule.short_io.store(0);
  rule.scope.store(spec.scope);
  rule.probability_ppm.store(spec.probability_ppm);
  rule.skip.store(spec.skip);
  rule.limit.store(spec.limit);
  rule.seen.store(0);
  rule.injected.store(0);
  std::memset(rule.path_contains, 0, sizeof(rule.path_contains));
  std::memcpy(rule.path_contains, spec.path_contains.data(),
              std::min(spec.path_contains.size(),
                       sizeof(rule.path_contains) - 1));
  rule.short_io.store(spec.short_io ? 1 : 0, std::memory_order_release);
  rule.error.store(spec.error, std::memory_order_release);
}

void FaultInjector::Disarm(Op op) {
  control_->rules[op].error.store(0);
  control_->rules[op].short_io.store(0);
}

void FaultInjector::DisarmAll() {
  for (int op = 0; op < kOpCount; ++op) Disarm(static_cast<Op>(op));
}

int64_t FaultInjector::injected(Op op) const {
  return control_->rules[op].injected.load();
}

int64_t FaultInjector::total_injected(Op op) const {
  return control_->total_injected[op].load();
}

int64_t FaultInjector::total_short_writes() const {
  return control_->total_short_writes.load();
}

int64_t FaultInjector::ops(Op op, Scope scope) const {
  return control_->ops[op][scope == kWal ? 0 : 1].load();
}

}  // namespace pitr::fault
