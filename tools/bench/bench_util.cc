#include "tools/bench/bench_util.h"

#include <stdlib.h>
#include <sys/statfs.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <random>

#include "absl/strings/str_format.h"

namespace pitr::bench {

std::string FsTypeName(const std::string& path) {
  struct statfs st;
  if (::statfs(path.c_str(), &st) != 0) return "unknown";
  switch (static_cast<uint64_t>(st.f_type)) {
    case 0xEF53:
      return "ext4 (ext2/3/4)";
    case 0x58465342:
      return "xfs";
    case 0x9123683E:
      return "btrfs";
    case 0x01021994:
      return "tmpfs";
    case 0x794C7630:
      return "overlayfs";
    case 0xF2F52010:
      return "f2fs";
    case 0x2FC12FC1:
      return "zfs";
    case 0x6969:
      return "nfs";
    default:
      return absl::StrFormat("0x%x", static_cast<uint64_t>(st.f_type));
  }
}

std::string LoadAvg() {
  double load[3];
  if (::getloadavg(load, 3) != 3) return "?";
  return absl::StrFormat("%.2f %.2f %.2f", load[0], load[1], load[2]);
}

double Seconds(std::chrono::steady_clock::duration d) {
  return std::chrono::duration<double>(d).count();
}

std::string RandomPool(size_t size, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::string pool(size, '\0');
  for (size_t i = 0; i + 8 <= size; i += 8) {
    const uint64_t word = rng();
    std::memcpy(&pool[i], &word, 8);
  }
  return pool;
}

double Percentile(std::vector<int64_t> v, double q) {
  if (v.empty()) return 0;
  const size_t i = std::min(v.size() - 1, static_cast<size_t>(q * v.size()));
  std::nth_element(v.begin(), v.begin() + i, v.end());
  return static_cast<double>(v[i]);
}

std::string ScratchParent(const std::string& dir) {
  if (!dir.empty()) return dir;
  for (const char* env : {"TEST_TMPDIR", "TMPDIR"}) {
    const char* v = std::getenv(env);
    if (v != nullptr && v[0] != '\0') return v;
  }
  return "/tmp";
}

absl::StatusOr<std::string> MakeScratchDir(const std::string& dir,
                                           const std::string& name) {
  std::string templ = ScratchParent(dir) + "/" + name + ".XXXXXX";
  if (::mkdtemp(templ.data()) == nullptr) {
    return absl::InternalError(
        absl::StrFormat("mkdtemp %s: %s", templ, std::strerror(errno)));
  }
  return templ;
}

int Finish(const std::string& name, const std::string& scratch, bool keep,
           const absl::Status& status,
           std::chrono::steady_clock::time_point start) {
  std::error_code ec;
  if (!keep) std::filesystem::remove_all(scratch, ec);
  if (!status.ok()) {
    absl::FPrintF(stderr, "%s failed: %s\n", name, status.ToString());
    return 1;
  }
  absl::PrintF("\ntotal %.0f s, load %s\n",
               Seconds(std::chrono::steady_clock::now() - start), LoadAvg());
  return 0;
}

}  // namespace pitr::bench
