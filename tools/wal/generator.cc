#include "tools/wal/generator.h"

#include <algorithm>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "base/status_macros.h"

namespace pitr::waltool {
namespace {

constexpr uint32_t kMaxDeltaBytes = 64;

// mt19937_64 is specified exactly; the std distributions are not, so
// numbers are drawn with plain arithmetic to stay the same everywhere.
class Random {
 public:
  explicit Random(uint64_t seed) : engine_(seed) {}
  uint64_t Below(uint64_t n) { return engine_() % n; }
  double Unit() { return static_cast<double>(engine_() >> 11) / (1ull << 53); }
  std::string Bytes(size_t n) {
    std::string out(n, '\0');
    for (size_t i = 0; i < n; i += 8) {
      uint64_t word = engine_();
      for (size_t j = i; j < std::min(n, i + 8); ++j) {
        out[j] = static_cast<char>(word);
        word >>= 8;
      }
    }
    return out;
  }

 private:
  std::mt19937_64 engine_;
};

struct GenBranch {
  std::string name;
  size_t first_commit;  // index into commits of its first point
};

absl::Status Check(const GenerateOptions& o) {
  if (o.spaces == 0 || o.pages == 0 || o.batch_size == 0 || o.page_size == 0 ||
      o.image_ratio < 0 || o.truncate_ratio < 0 ||
      o.image_ratio + o.truncate_ratio > 1 || o.rate < 0) {
    return absl::InvalidArgumentError(
        "generate needs spaces, pages, page_size and batch_size > 0, "
        "ratios in [0, 1] with image_ratio + truncate_ratio <= 1, rate >= 0");
  }
  if (o.branches >= o.batches && o.branches > 0) {
    return absl::InvalidArgumentError(
        "generate needs more batches than branches");
  }
  return absl::OkStatus();
}

WalRecord MakeRecord(const GenerateOptions& o, Random& rng) {
  WalRecord r;
  double kind = rng.Unit();
  r.key.space = static_cast<uint32_t>(rng.Below(o.spaces));
  if (kind < o.truncate_ratio) {
    r.kind = RecordKind::kSpaceTruncate;
    r.page_count = static_cast<uint32_t>(rng.Below(o.pages + 1));
    return r;
  }
  r.key.page = static_cast<uint32_t>(rng.Below(o.pages));
  if (kind < o.truncate_ratio + o.image_ratio) {
    r.kind = RecordKind::kPageImage;
    r.data = rng.Bytes(o.page_size);
    return r;
  }
  r.kind = RecordKind::kPageDelta;
  r.offset = static_cast<uint32_t>(rng.Below(o.page_size));
  uint32_t room = std::min(kMaxDeltaBytes, o.page_size - r.offset);
  r.data = rng.Bytes(1 + rng.Below(room));
  return r;
}

}  // namespace

absl::StatusOr<GenerateSummary> Generate(const GenerateOptions& o,
                                         Target* target) {
  PITR_RETURN_IF_ERROR(Check(o));
  Random rng(o.seed);
  // Before which batches a branch is created (never before the first).
  std::set<uint64_t> creations;
  while (creations.size() < o.branches) {
    creations.insert(1 + rng.Below(o.batches - 1));
  }
  PITR_ASSIGN_OR_RETURN(Lsn start, target->EndLsn());
  std::vector<Lsn> commits = {start};
  std::vector<GenBranch> branches = {{"main", 0}};
  const double interval_us = o.rate > 0 ? 1e6 / o.rate : 1000;
  const absl::Time began = absl::Now();
  GenerateSummary summary;
  for (uint64_t i = 0; i < o.batches; ++i) {
    if (creations.count(i)) {
      const GenBranch& parent = branches[rng.Below(branches.size())];
      size_t at =
          parent.first_commit + rng.Below(commits.size() - parent.first_commit);
      std::string name = absl::StrCat("gen-", branches.size());
      PITR_RETURN_IF_ERROR(
          target->CreateBranch(name, parent.name, commits[at]));
      branches.push_back({name, at});
    }
    const std::string& branch = branches[rng.Below(branches.size())].name;
    CommittedBatch batch;
    batch.timestamp_us =
        o.start_time_us +
        static_cast<int64_t>(static_cast<double>(i) * interval_us);
    uint64_t n = 1 + rng.Below(o.batch_size);
    for (uint64_t k = 0; k < n; ++k) {
      batch.records.push_back(MakeRecord(o, rng));
      summary.bytes += batch.records.back().data.size();
    }
    if (o.pace && o.rate > 0) {
      absl::SleepFor(began + absl::Seconds(static_cast<double>(i) / o.rate) -
                     absl::Now());
    }
    PITR_ASSIGN_OR_RETURN(AppendResult r, target->Append(branch, batch));
    commits.push_back(r.commit_lsn);
    summary.records += n;
    ++summary.batches;
    summary.end_lsn = r.commit_lsn;
    if (o.progress) o.progress(summary.batches);
  }
  return summary;
}

}  // namespace pitr::waltool
