// Model-based randomized test of branches and history management
// (docs/design.md, "What a read means", invariants 3 and 5): random writes on
// random branches, branch creation (at an LSN, at a timestamp or at the
// latest), restores, snapshots, branches and restores from snapshots,
// deletions (with and without cascade), retention changes and GC, with
// flushes, image materialisation and clean reopens in between; every read
// is compared with a reference model of every timeline.
//
// The model. A timeline is a PageModel (page_model.h) of its own commits
// plus a parent timeline and a branch point P: a read at L < P falls through
// to the parent at L; from P on, the timeline's own model answers, seeded at
// P with the parent's whole state (every page and space size) as of P. A
// branch names a timeline. Creating a branch from b at P makes a timeline
// whose parent is b's; restoring b to (source, P) gives b a new timeline
// from the source's at P, and the old timeline to the backup branch (b's
// children stay on it); a snapshot is (timeline, LSN). Batches carry
// explicit, strictly increasing timestamps, so a timestamp T resolves in the
// model to the last commit (store-wide) with timestamp <= T; the state there
// is the same as at the last commit of the branch itself.
//
// History bounds. A read of branch b at L >= GetHistoryBounds(b).oldest_lsn
// (the floor) must match the model exactly, and a read below the floor must
// be OUT_OF_RANGE. The floor must never exceed what the design lets GC take:
//   - every seed: floor(b) <= the branch point of every live child of b's
//     timeline and <= the LSN of every snapshot of b's timeline;
//   - seeds 0 mod 3 never set a retention, and the store's default keeps
//     everything (Retention{}, GC only when asked): every floor must be 0,
//     except that a branch made from a snapshot starts with its floor at the
//     snapshot's LSN (engine/snapshots.cc: "its history starts there"), and
//     branches made or restored from it inherit that floor, until the next
//     GC or reopen recomputes floors.
// Other seeds set retentions with small lsn_distance values, so GC really
// removes history.
//
// Knobs (pass with --test_env), as in engine_model_test.cc:
//   PITR_MODEL_SEEDS  comma-separated seeds or ranges "a-b" (default
//                     "1,2,3,4,5,6")
//   PITR_MODEL_STEPS  steps per seed (default 200)
// For example:
//   bazel test //tests/model:branch_model_test --test_timeout=3600
//     --test_env=PITR_MODEL_SEEDS=100-140 --test_env=PITR_MODEL_STEPS=3000
// A failure names the seed, the step, the branch, the key, the LSN (and how
// it was chosen), both contents, and the last operations.
#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <deque>
#include <filesystem>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "base/testing/test_files.h"
#include "branch/catalog.h"
#include "engine/engine.h"
#include "gtest/gtest.h"
#include "tests/model/model_reporting.h"
#include "tests/model/page_model.h"
#include "wal/batch.h"

namespace pitr {
namespace {

namespace fs = std::filesystem;
using ::pitr::model::PageModel;

constexpr uint32_t kSpaces = 3;  // spaces 0..2 are written, 3 truncated
constexpr uint32_t kPages = 12;  // pages 0..11 are written
constexpr uint32_t kReadPages = kPages + 2;
constexpr int kMaxRecords = 5;
constexpr size_t kMaxBranches = 12;
constexpr int kDefaultSteps = 200;
constexpr char kDefaultSeeds[] = "1,2,3,4,5,6";
constexpr int64_t kFirstTimestampUs = int64_t{1600000000} * 1000000;

std::string KeyName(PageKey key) {
  return absl::StrCat(key.space, "/", key.page);
}

std::string LsnName(std::optional<Lsn> lsn) {
  if (!lsn) return "latest (no lsn given)";
  return absl::StrCat(FormatLsn(*lsn), " (", *lsn, ")");
}

// --- the model ---

struct TimelineModel {
  explicit TimelineModel(uint32_t page_size) : pages(page_size) {}
  std::shared_ptr<TimelineModel> parent;  // null: main's first timeline
  Lsn point = 0;                          // on the parent
  PageModel pages;  // seeded at `point` with the parent's state
  int id = 0;       // the model's own numbering, for messages
  Lsn head = 0;     // the commit LSN of its own last batch; 0: none
};
using TimelinePtr = std::shared_ptr<TimelineModel>;

// The timeline whose own model answers a read at lsn.
const TimelineModel* Owner(const TimelineModel* t, Lsn lsn) {
  while (t->parent != nullptr && lsn < t->point) t = t->parent.get();
  return t;
}

std::optional<std::string> ModelPage(const TimelineModel* t, PageKey key,
                                     Lsn lsn) {
  return Owner(t, lsn)->pages.PageAt(key, lsn);
}

uint32_t ModelSpaceSize(const TimelineModel* t, uint32_t space, Lsn lsn) {
  return Owner(t, lsn)->pages.SpaceSizeAt(space, lsn);
}

struct BranchModel {
  BranchId id = 0;
  std::string name;
  TimelinePtr timeline;
  // Seeds without retention: the highest floor the branch may report until
  // the next GC or reopen (0, or a snapshot's LSN; see the file comment).
  Lsn allowed_floor = 0;
};

struct SnapshotModel {
  std::string name;
  TimelinePtr timeline;
  Lsn lsn = 0;
};

struct BatchLsns {
  Lsn start;
  Lsn commit;
  int64_t timestamp_us;
};

class BranchModelRun {
 public:
  BranchModelRun(uint64_t seed, int steps)
      : seed_(seed),
        steps_(steps),
        rng_(seed * 0x9E3779B97F4A7C15ull + 7),
        page_size_(seed % 2 == 0 ? 1024 : 512),
        keep_everything_(seed % 3 == 0),
        dir_(pitr::testing::NewTestDir(absl::StrCat("branch_model_", seed))) {
    TimelinePtr main = NewTimeline(nullptr, 0);
    branches_[kMainBranch] = BranchModel{kMainBranch, "main", main, 0};
  }

  ~BranchModelRun() {
    engine_.reset();
    std::error_code ignored;
    fs::remove_all(dir_, ignored);
  }

  void Run() {
    const absl::Time started = absl::Now();
    Open("first open");
    for (step_ = 0; step_ < steps_ && !failed_; ++step_) Step();
    if (!failed_) {
      Note("final check");
      CheckAll("final check");
    }
    if (!failed_) {
      Reopen();
      if (!failed_) CheckAll("final check after a reopen");
    }
    std::cout << "seed " << seed_ << ": " << steps_ << " steps, "
              << batches_.size() << " batches, " << reads_ << " reads, "
              << created_ << " branches created (" << created_at_timestamp_
              << " at a timestamp), " << restores_ << " restores, "
              << snapshots_taken_ << " snapshots, " << from_snapshot_
              << " branches/restores from snapshots, " << deletes_
              << " deletions, " << gcs_ << " GC runs, " << removed_
              << " versions removed by GC, " << reopens_ << " reopens, "
              << refused_ << " refusals checked, " << branches_.size()
              << " branches at the end, highest floor " << highest_floor_
              << ", " << (keep_everything_ ? "keep everything" : "retention")
              << ", page size " << page_size_ << ", "
              << absl::FormatDuration(absl::Now() - started) << std::endl;
  }

 private:
  // --- randomness ---
  uint64_t Below(uint64_t n) { return n == 0 ? 0 : rng_() % n; }
  bool Chance(int percent) {
    return Below(100) < static_cast<uint64_t>(percent);
  }
  std::string RandomBytes(size_t n) {
    std::string out(n, '\0');
    const char fill = static_cast<char>(Below(256));
    for (size_t i = 0; i < n; ++i) {
      out[i] = Chance(50) ? fill : static_cast<char>(Below(256));
    }
    return out;
  }

  // --- failure reporting ---
  void Note(std::string op) {
    ops_.push_back(absl::StrCat("step ", step_, ": ", op));
    if (ops_.size() > 16) ops_.pop_front();
  }
  std::string Context() const {
    std::string out = absl::StrCat(
        "\n  seed ", seed_, ", step ", step_, ", page size ", page_size_,
        keep_everything_ ? ", keep everything" : ", retention seed",
        ", latest lsn ", LsnName(latest_),
        " (reproduce: --test_env=PITR_MODEL_SEEDS=", seed_,
        " --test_env=PITR_MODEL_STEPS=", steps_, ")\n  last operations:");
    for (const std::string& op : ops_) absl::StrAppend(&out, "\n    ", op);
    return out;
  }
  void Fail(const std::string& what) {
    ADD_FAILURE() << what << Context();
    failed_ = true;
  }
  std::string BranchName(BranchId id) const {
    auto it = branches_.find(id);
    return absl::StrCat(
        "#", id, " \"", it == branches_.end() ? "?" : it->second.name,
        "\" (model timeline ",
        it == branches_.end() ? 0 : it->second.timeline->id, ")");
  }

  // --- model helpers ---
  TimelinePtr NewTimeline(TimelinePtr parent, Lsn point) {
    auto t = std::make_shared<TimelineModel>(page_size_);
    t->id = ++timeline_count_;
    t->point = point;
    if (parent != nullptr && point > 0) {
      // Seed: the parent's whole state as of point, one version at point.
      for (uint32_t s = 0; s <= kSpaces; ++s) {
        for (uint32_t p = 0; p < kReadPages; ++p) {
          std::optional<std::string> page =
              ModelPage(parent.get(), PageKey{s, p}, point);
          if (page) t->pages.Image(PageKey{s, p}, *page);
        }
        t->pages.SetSpaceSize(s, ModelSpaceSize(parent.get(), s, point));
      }
      t->pages.Commit(point);
    }
    t->parent = std::move(parent);
    return t;
  }

  std::vector<BranchId> LiveIds() const {
    std::vector<BranchId> ids;
    for (const auto& [id, b] : branches_) ids.push_back(id);
    return ids;
  }
  BranchId RandomBranch() {
    std::vector<BranchId> ids = LiveIds();
    if (Chance(25)) return kMainBranch;
    return ids[Below(ids.size())];
  }
  // Branches whose timeline starts on `t`.
  std::vector<BranchId> ChildrenOf(const TimelineModel* t) const {
    std::vector<BranchId> out;
    for (const auto& [id, b] : branches_) {
      if (b.timeline->parent.get() == t) out.push_back(id);
    }
    return out;
  }
  std::vector<std::string> SnapshotsOf(const TimelineModel* t) const {
    std::vector<std::string> out;
    for (const auto& [name, s] : snapshots_) {
      if (s.timeline.get() == t) out.push_back(name);
    }
    return out;
  }
  // `id` and the branches whose timelines descend from its timeline,
  // through the timelines of deleted branches too.
  void Subtree(BranchId id, std::set<BranchId>* out) const {
    const TimelineModel* top = branches_.at(id).timeline.get();
    for (const auto& [other, b] : branches_) {
      for (const TimelineModel* t = b.timeline.get(); t != nullptr;
           t = t->parent.get()) {
        if (t == top) {
          out->insert(other);
          break;
        }
      }
    }
  }

  // The engine's floor of a branch, or nullopt after a failure.
  std::optional<Lsn> Floor(BranchId id, const std::string& when) {
    absl::StatusOr<HistoryBounds> bounds = engine_->GetHistoryBounds(id);
    if (!bounds.ok()) {
      Fail(absl::StrCat("GetHistoryBounds of branch ", BranchName(id), " (",
                        when, "): ", bounds.status().ToString()));
      return std::nullopt;
    }
    // Where the branch stands: its own last commit or its branch point (and
    // the floor never passes it).
    const TimelineModel& t = *branches_.at(id).timeline;
    const Lsn stands = t.head > 0 ? t.head : t.point;
    if (bounds->latest_lsn != stands) {
      Fail(absl::StrCat("GetHistoryBounds of branch ", BranchName(id), " (",
                        when, "): latest ", LsnName(bounds->latest_lsn),
                        ", model ", LsnName(stands)));
      return std::nullopt;
    }
    highest_floor_ = std::max(highest_floor_, bounds->oldest_lsn);
    return bounds->oldest_lsn;
  }

  // Checks that the floor is no higher than the design allows.
  void CheckFloorBound(BranchId id, Lsn floor, const std::string& when) {
    const BranchModel& b = branches_.at(id);
    Lsn bound = latest_;
    std::string why = "the latest lsn";
    for (BranchId c : ChildrenOf(b.timeline.get())) {
      const Lsn bp = branches_.at(c).timeline->point;
      if (bp < bound) {
        bound = bp;
        why = absl::StrCat("the branch point of live child ", BranchName(c));
      }
    }
    for (const std::string& s : SnapshotsOf(b.timeline.get())) {
      const Lsn lsn = snapshots_.at(s).lsn;
      if (lsn < bound) {
        bound = lsn;
        why = absl::StrCat("the lsn of snapshot \"", s, "\"");
      }
    }
    if (keep_everything_ && b.allowed_floor < bound) {
      bound = b.allowed_floor;
      why = b.allowed_floor == 0
                ? std::string(
                      "0: no retention is set and the default keeps "
                      "everything")
                : std::string("the snapshot lsn it started from");
    }
    if (floor > bound) {
      Fail(absl::StrCat("the history floor (oldest_lsn) of branch ",
                        BranchName(id), " is ", LsnName(floor), " (", when,
                        "), above ", LsnName(bound), ", ", why,
                        ": GC may not take that history (invariant 5)"));
    }
  }

  // --- engine lifecycle ---
  EngineOptions RandomOptions() {
    EngineOptions options;
    options.dir = dir_;
    options.page_size = page_size_;
    options.wal_segment_size = Chance(70) ? 16384 : 4096;
    options.image_after_deltas = static_cast<uint32_t>(1 + Below(6));
    options.maintenance_interval = absl::Milliseconds(5);
    static const absl::Duration kAges[] = {
        absl::Milliseconds(1), absl::Milliseconds(20), absl::Seconds(60),
        absl::InfiniteDuration()};
    options.flush_age = kAges[Below(4)];
    if (Chance(30)) options.memtable_bytes = 64 << 10;
    options.cache_bytes = 1 << 20;
    options.default_retention = Retention{};  // keep everything
    options.gc_period = absl::InfiniteDuration();
    return options;
  }

  void Open(absl::string_view why) {
    EngineOptions options = RandomOptions();
    absl::StatusOr<std::unique_ptr<Engine>> engine = Engine::Open(options);
    if (!engine.ok()) {
      Fail(absl::StrCat("Engine::Open (", why,
                        "): ", engine.status().ToString()));
      return;
    }
    engine_ = std::move(*engine);
    Note(absl::StrCat("open (", why, "): image_after_deltas ",
                      options.image_after_deltas, ", flush_age ",
                      absl::FormatDuration(options.flush_age)));
    // Opening recomputes the floors.
    for (auto& [id, b] : branches_) b.allowed_floor = 0;
    std::set<BranchId> listed;
    for (const Branch& b : engine_->ListBranches()) listed.insert(b.id);
    std::set<BranchId> want;
    for (const auto& [id, b] : branches_) want.insert(id);
    if (listed != want) {
      Fail(absl::StrCat("after open (", why, "): the engine lists ",
                        listed.size(), " branches, the model has ",
                        want.size()));
    }
  }

  void Reopen() {
    Note("clean reopen");
    ++reopens_;
    absl::Status closed = engine_->Close();
    engine_.reset();
    if (!closed.ok()) {
      Fail(absl::StrCat("Close: ", closed.ToString()));
      return;
    }
    Open("clean reopen");
  }

  // --- one step ---
  void Step() {
    const uint64_t r = Below(1000);
    if (r < 430) {
      AppendRandomBatch();
    } else if (r < 510) {
      CreateBranch();
    } else if (r < 560) {
      Restore();
    } else if (r < 600) {
      TakeSnapshot();
    } else if (r < 620) {
      DropSnapshot();
    } else if (r < 660) {
      FromSnapshot();
    } else if (r < 710) {
      DeleteBranch();
    } else if (r < 750) {
      if (!keep_everything_) ChangeRetention();
    } else if (r < 810) {
      Gc();
    } else if (r < 850) {
      Note("Flush");
      absl::Status s = engine_->Flush();
      if (!s.ok()) Fail(absl::StrCat("Flush: ", s.ToString()));
    } else if (r < 890) {
      Note("MaterializePendingImages");
      absl::Status s = engine_->MaterializePendingImages();
      if (!s.ok())
        Fail(absl::StrCat("MaterializePendingImages: ", s.ToString()));
    } else if (r < 910) {
      Reopen();
      if (!failed_) CheckAll("after a reopen");
    } else if (r < 920) {
      absl::SleepFor(absl::Milliseconds(1 + Below(5)));
    }
    if (!failed_ && Chance(60)) RandomReads();
  }

  PageKey RandomKey() {
    return PageKey{static_cast<uint32_t>(Below(kSpaces)),
                   static_cast<uint32_t>(Below(Chance(40) ? 3 : kPages))};
  }

  void AppendRandomBatch() {
    const BranchId id = RandomBranch();
    BranchModel& b = branches_.at(id);
    absl::StatusOr<WalBatch> made = engine_->NewBatch(id);
    if (!made.ok()) {
      Fail(absl::StrCat("NewBatch of branch ", BranchName(id), ": ",
                        made.status().ToString()));
      return;
    }
    WalBatch batch = std::move(*made);
    PageModel& model = b.timeline->pages;
    std::string what;
    const int records = static_cast<int>(1 + Below(kMaxRecords));
    for (int i = 0; i < records; ++i) {
      const uint64_t kind = Below(100);
      const PageKey key = RandomKey();
      if (kind < 30) {
        const std::string image = RandomBytes(page_size_);
        EXPECT_TRUE(batch.PutPageImage(key, image).ok());
        model.Image(key, image);
        absl::StrAppend(&what, " image ", KeyName(key), ";");
      } else if (kind < 94) {
        const uint32_t size = static_cast<uint32_t>(
            Chance(80) ? 1 + Below(24) : 1 + Below(page_size_));
        const uint32_t offset =
            static_cast<uint32_t>(Below(page_size_ - size + 1));
        const std::string bytes = RandomBytes(size);
        EXPECT_TRUE(batch.PutPageDelta(key, offset, bytes).ok());
        model.Delta(key, offset, bytes);
        absl::StrAppend(&what, " delta ", KeyName(key), " [", offset, ",",
                        offset + size, ");");
      } else {
        const uint32_t space = static_cast<uint32_t>(Below(kSpaces + 1));
        const uint32_t count = static_cast<uint32_t>(Below(kPages + 2));
        batch.PutSpaceTruncate(space, count);
        model.Truncate(space, count);
        absl::StrAppend(&what, " truncate space ", space, " to ", count, ";");
      }
    }
    timestamp_us_ += 1000 * static_cast<int64_t>(1 + Below(4));
    batch.SetTimestamp(timestamp_us_);
    absl::StatusOr<AppendResult> r = engine_->Append(id, batch);
    const std::string op = absl::StrCat(
        "append batch #", batches_.size(), " to ", BranchName(id), " ts ",
        timestamp_us_,
        r.ok() ? absl::StrCat(" [", r->start_lsn, ", ", r->commit_lsn, ")")
               : "",
        ":", what);
    Note(op);
    if (!r.ok()) {
      Fail(absl::StrCat("Append: ", r.status().ToString()));
      return;
    }
    if (r->commit_lsn <= latest_ || r->commit_lsn <= r->start_lsn) {
      Fail(absl::StrCat("Append returned commit ", LsnName(r->commit_lsn),
                        " after the previous commit ", LsnName(latest_)));
      return;
    }
    model.Commit(r->commit_lsn);
    b.timeline->head = r->commit_lsn;
    latest_ = r->commit_lsn;
    batches_.push_back({r->start_lsn, r->commit_lsn, timestamp_us_});
  }

  // A point in the history of `source` (whose floor is `floor`) and the LSN
  // the model resolves it to, or nullopt if the engine must refuse it
  // (OUT_OF_RANGE).
  PointInTime RandomPoint(Lsn floor, std::optional<Lsn>* resolved,
                          std::string* how, bool* by_timestamp) {
    *by_timestamp = false;
    const uint64_t r = Below(100);
    if (r < 12 || batches_.empty()) {
      *how = "latest";
      *resolved = latest_;
      return PointInTime{};
    }
    if (r < 35) {
      *by_timestamp = true;
      const size_t i = Below(batches_.size());
      int64_t t;
      if (Chance(5)) {
        t = batches_[0].timestamp_us - 1 - static_cast<int64_t>(Below(1000));
        *resolved = std::nullopt;  // before the first commit
        *how = absl::StrCat("timestamp ", t, " before the first commit");
        return PointInTime{std::nullopt, t};
      }
      const int64_t next = i + 1 < batches_.size()
                               ? batches_[i + 1].timestamp_us
                               : batches_[i].timestamp_us + 5000;
      t = batches_[i].timestamp_us +
          static_cast<int64_t>(Below(next - batches_[i].timestamp_us));
      const Lsn lsn = batches_[i].commit;
      *how = absl::StrCat("timestamp ", t, " (commit of batch #", i, " at ",
                          lsn, ")");
      if (lsn < floor) {
        *resolved = std::nullopt;
      } else {
        *resolved = lsn;
      }
      return PointInTime{std::nullopt, t};
    }
    if (r < 42 && floor > 0) {
      const Lsn lsn = Below(floor);
      *how = absl::StrCat("lsn ", lsn, " below the floor ", floor);
      *resolved = std::nullopt;
      return PointInTime{lsn, std::nullopt};
    }
    if (r < 45) {
      const Lsn lsn = latest_ + 1 + Below(1000);
      *how = absl::StrCat("lsn ", lsn, " past the latest");
      *resolved = std::nullopt;
      return PointInTime{lsn, std::nullopt};
    }
    Lsn lsn;
    if (r < 75) {
      const BatchLsns& b = batches_[Below(batches_.size())];
      lsn = Chance(50) ? b.commit : b.start + Below(b.commit - b.start);
      if (lsn < floor) lsn = floor + Below(latest_ - floor + 1);
      *how = absl::StrCat("lsn ", lsn, " (near a batch)");
    } else {
      lsn = floor + Below(latest_ - floor + 1);
      *how =
          absl::StrCat("lsn ", lsn, " uniform in [floor ", floor, ", latest]");
    }
    *resolved = lsn;
    return PointInTime{lsn, std::nullopt};
  }

  // Checks a refusal that should be OUT_OF_RANGE.
  bool ExpectRefused(const absl::Status& s, const std::string& op) {
    ++refused_;
    if (s.code() != absl::StatusCode::kOutOfRange) {
      Fail(absl::StrCat(op, ": want OUT_OF_RANGE, got ", s.ToString()));
      return false;
    }
    return true;
  }

  void CreateBranch() {
    if (branches_.size() >= kMaxBranches) {
      DeleteBranch();
      return;
    }
    const BranchId parent = RandomBranch();
    std::optional<Lsn> floor = Floor(parent, "before a branch");
    if (!floor) return;
    std::optional<Lsn> resolved;
    std::string how;
    bool by_timestamp = false;
    const PointInTime at = RandomPoint(*floor, &resolved, &how, &by_timestamp);
    const std::string name = absl::StrCat("b", ++names_);
    const std::string op = absl::StrCat("CreateBranch \"", name, "\" from ",
                                        BranchName(parent), " at ", how);
    Note(op);
    absl::StatusOr<Branch> made = engine_->CreateBranch(name, parent, at);
    if (!resolved) {
      if (made.ok()) {
        Fail(absl::StrCat(op, ": want OUT_OF_RANGE, the engine made it at ",
                          LsnName(made->branch_point)));
      } else {
        ExpectRefused(made.status(), op);
      }
      return;
    }
    if (!made.ok()) {
      Fail(absl::StrCat(op, ": ", made.status().ToString()));
      return;
    }
    if (made->branch_point != *resolved || made->parent != parent) {
      Fail(absl::StrCat(op, ": the engine made it from #", made->parent, " at ",
                        LsnName(made->branch_point), ", the model at ",
                        LsnName(*resolved)));
      return;
    }
    ++created_;
    if (by_timestamp) ++created_at_timestamp_;
    const BranchModel& p = branches_.at(parent);
    branches_[made->id] = BranchModel{
        made->id, name, NewTimeline(p.timeline, *resolved), p.allowed_floor};
    Note(absl::StrCat("  made ", BranchName(made->id)));
    CheckBranchSample(made->id, "after CreateBranch");
  }

  void Restore() {
    const BranchId id = RandomBranch();
    const BranchId source = Chance(50) ? id : RandomBranch();
    std::optional<Lsn> floor = Floor(source, "before a restore");
    if (!floor) return;
    std::optional<Lsn> resolved;
    std::string how;
    bool by_timestamp = false;
    const PointInTime at = RandomPoint(*floor, &resolved, &how, &by_timestamp);
    const std::string op =
        absl::StrCat("RestoreBranch ", BranchName(id), " to ",
                     BranchName(source), " at ", how);
    Note(op);
    absl::StatusOr<Catalog::Restored> restored =
        engine_->RestoreBranch(id, source, at);
    if (!resolved) {
      if (restored.ok()) {
        Fail(absl::StrCat(op, ": want OUT_OF_RANGE, the engine restored"));
      } else {
        ExpectRefused(restored.status(), op);
      }
      return;
    }
    if (!restored.ok()) {
      Fail(absl::StrCat(op, ": ", restored.status().ToString()));
      return;
    }
    ApplyRestore(id, restored->backup, branches_.at(source).timeline, *resolved,
                 branches_.at(source).allowed_floor, op);
    if (!failed_ && restored->branch.branch_point != *resolved) {
      Fail(absl::StrCat(op, ": the restored branch starts at ",
                        LsnName(restored->branch.branch_point),
                        ", the model at ", LsnName(*resolved)));
    }
  }

  // The model's side of a restore of `id` to (source timeline, point).
  void ApplyRestore(BranchId id, const Branch& backup, TimelinePtr source,
                    Lsn point, Lsn allowed_floor, const std::string& op) {
    ++restores_;
    if (branches_.count(backup.id) > 0 || backup.id == id) {
      Fail(absl::StrCat(op, ": the backup branch has the id of a live one: #",
                        backup.id));
      return;
    }
    BranchModel& b = branches_.at(id);
    const uint64_t old_timeline = b.timeline->id;
    BranchModel old{backup.id, backup.name, b.timeline, b.allowed_floor};
    b.timeline = NewTimeline(std::move(source), point);
    b.allowed_floor = allowed_floor;
    branches_[backup.id] = std::move(old);
    Note(absl::StrCat("  restored ", BranchName(id), "; backup ",
                      BranchName(backup.id), " keeps model timeline ",
                      old_timeline));
    // A batch made for the old timeline is refused now.
    WalBatch stale(backup.timeline);
    EXPECT_TRUE(stale.PutPageDelta(PageKey{0, 0}, 0, "x").ok());
    absl::StatusOr<AppendResult> r = engine_->Append(id, stale);
    ++refused_;
    if (r.status().code() != absl::StatusCode::kFailedPrecondition) {
      Fail(absl::StrCat(op, ": appending a batch made for the old timeline ",
                        backup.timeline.value(),
                        ": want FAILED_PRECONDITION, got ",
                        r.status().ToString()));
      return;
    }
    CheckBranchSample(id, "after a restore");
    if (!failed_) CheckBranchSample(backup.id, "the backup after a restore");
  }

  void TakeSnapshot() {
    const BranchId id = RandomBranch();
    std::optional<Lsn> floor = Floor(id, "before a snapshot");
    if (!floor) return;
    std::optional<Lsn> resolved;
    std::string how;
    bool by_timestamp = false;
    const PointInTime at = RandomPoint(*floor, &resolved, &how, &by_timestamp);
    const std::string name = absl::StrCat("s", ++names_);
    const std::string op = absl::StrCat("CreateSnapshot \"", name, "\" of ",
                                        BranchName(id), " at ", how);
    Note(op);
    absl::StatusOr<Snapshot> snap = engine_->snapshots().Create(name, id, at);
    if (!resolved) {
      if (snap.ok()) {
        Fail(absl::StrCat(op, ": want OUT_OF_RANGE, the engine took it at ",
                          LsnName(snap->lsn)));
      } else {
        ExpectRefused(snap.status(), op);
      }
      return;
    }
    if (!snap.ok()) {
      Fail(absl::StrCat(op, ": ", snap.status().ToString()));
      return;
    }
    if (snap->lsn != *resolved) {
      Fail(absl::StrCat(op, ": the engine took it at ", LsnName(snap->lsn),
                        ", the model at ", LsnName(*resolved)));
      return;
    }
    ++snapshots_taken_;
    snapshots_[name] =
        SnapshotModel{name, branches_.at(id).timeline, *resolved};
  }

  std::optional<std::string> RandomSnapshot() {
    if (snapshots_.empty()) return std::nullopt;
    auto it = snapshots_.begin();
    std::advance(it, Below(snapshots_.size()));
    return it->first;
  }

  void DropSnapshot() {
    std::optional<std::string> name = RandomSnapshot();
    if (!name) return;
    Note(absl::StrCat("DeleteSnapshot \"", *name, "\""));
    absl::Status s = engine_->snapshots().Delete(*name);
    if (!s.ok()) {
      Fail(absl::StrCat("DeleteSnapshot \"", *name, "\": ", s.ToString()));
      return;
    }
    snapshots_.erase(*name);
  }

  void FromSnapshot() {
    std::optional<std::string> name = RandomSnapshot();
    if (!name) {
      TakeSnapshot();
      return;
    }
    const SnapshotModel snap = snapshots_.at(*name);
    ++from_snapshot_;
    if (Chance(50) && branches_.size() < kMaxBranches) {
      const std::string branch = absl::StrCat("b", ++names_);
      const std::string op =
          absl::StrCat("CreateBranchFromSnapshot \"", branch, "\" from \"",
                       *name, "\" (lsn ", snap.lsn, ")");
      Note(op);
      absl::StatusOr<Branch> made =
          engine_->snapshots().CreateBranch(branch, *name);
      if (!made.ok()) {
        Fail(absl::StrCat(op, ": ", made.status().ToString()));
        return;
      }
      if (made->branch_point != snap.lsn) {
        Fail(absl::StrCat(op, ": the engine made it at ",
                          LsnName(made->branch_point)));
        return;
      }
      branches_[made->id] = BranchModel{
          made->id, branch, NewTimeline(snap.timeline, snap.lsn), snap.lsn};
      Note(absl::StrCat("  made ", BranchName(made->id)));
      CheckBranchSample(made->id, "after CreateBranchFromSnapshot");
      return;
    }
    const BranchId id = RandomBranch();
    const std::string op =
        absl::StrCat("RestoreBranchFromSnapshot ", BranchName(id), " to \"",
                     *name, "\" (lsn ", snap.lsn, ")");
    Note(op);
    absl::StatusOr<Catalog::Restored> restored =
        engine_->snapshots().RestoreBranch(id, *name);
    if (!restored.ok()) {
      Fail(absl::StrCat(op, ": ", restored.status().ToString()));
      return;
    }
    ApplyRestore(id, restored->backup, snap.timeline, snap.lsn, snap.lsn, op);
  }

  void DeleteBranch() {
    if (branches_.size() < 2) return;
    BranchId id = RandomBranch();
    if (id == kMainBranch) return;
    const bool cascade = Chance(50);
    const BranchModel& b = branches_.at(id);
    // Alone, its children stay; with cascade, what is below it goes too,
    // except main and what is below main (main descends from a branch it
    // was restored from).
    std::set<BranchId> want = {id};
    if (cascade) {
      Subtree(id, &want);
      if (want.count(kMainBranch) > 0) {
        std::set<BranchId> below_main;
        Subtree(kMainBranch, &below_main);
        for (BranchId kept : below_main) want.erase(kept);
      }
    }
    const bool has_snapshots = !SnapshotsOf(b.timeline.get()).empty();
    const bool refused = !cascade && has_snapshots;
    const std::string op =
        absl::StrCat("DeleteBranch ", BranchName(id), cascade ? " cascade" : "",
                     " (model: ", want.size(), " branches",
                     has_snapshots ? ", has snapshots" : "", ")");
    Note(op);
    absl::StatusOr<std::vector<BranchId>> deleted =
        engine_->DeleteBranch(id, cascade);
    if (refused) {
      ++refused_;
      if (deleted.status().code() != absl::StatusCode::kFailedPrecondition) {
        Fail(absl::StrCat(op, ": want FAILED_PRECONDITION, got ",
                          deleted.status().ToString()));
      }
      return;
    }
    if (!deleted.ok()) {
      Fail(absl::StrCat(op, ": ", deleted.status().ToString()));
      return;
    }
    const std::set<BranchId> got(deleted->begin(), deleted->end());
    if (got != want) {
      Fail(absl::StrCat(op, ": the engine deleted ", got.size(),
                        " branches, the model ", want.size()));
      return;
    }
    ++deletes_;
    for (BranchId d : want) {
      const TimelineModel* t = branches_.at(d).timeline.get();
      for (const std::string& s : SnapshotsOf(t)) snapshots_.erase(s);
      branches_.erase(d);
      absl::StatusOr<std::string> read =
          engine_->GetPage(d, PageKey{0, 0}, std::nullopt);
      if (read.status().code() != absl::StatusCode::kNotFound) {
        Fail(absl::StrCat(op, ": a read of deleted branch #", d,
                          ": want NOT_FOUND, got ", read.status().ToString()));
        return;
      }
    }
    const size_t listed = engine_->snapshots().List().size();
    if (listed != snapshots_.size()) {
      Fail(absl::StrCat(op, ": the engine lists ", listed,
                        " snapshots after the delete, the model ",
                        snapshots_.size()));
    }
  }

  void ChangeRetention() {
    const BranchId id = RandomBranch();
    Retention retention;
    static const uint64_t kDistances[] = {0, 300, 1000, 4000, 20000};
    if (!Chance(20)) retention.lsn_distance = kDistances[Below(5)];
    Note(absl::StrCat("SetRetention ", BranchName(id), " lsn_distance ",
                      retention.lsn_distance
                          ? absl::StrCat(*retention.lsn_distance)
                          : std::string("unset")));
    absl::Status s = engine_->SetRetention(id, retention);
    if (!s.ok()) Fail(absl::StrCat("SetRetention: ", s.ToString()));
  }

  void Gc() {
    const bool compact = Chance(30);
    Note(absl::StrCat("RunGc", compact ? " (compact)" : ""));
    absl::StatusOr<GcReport> report = engine_->gc().Run(compact);
    if (!report.ok()) {
      Fail(absl::StrCat("RunGc: ", report.status().ToString()));
      return;
    }
    ++gcs_;
    removed_ += report->versions_removed;
    for (auto& [id, b] : branches_) b.allowed_floor = 0;
    CheckAll("after GC");
  }

  // --- reads ---
  void Compare(BranchId id, PageKey key, Lsn lsn, Lsn floor,
               const std::string& how) {
    ++reads_;
    absl::StatusOr<std::string> got = engine_->GetPage(id, key, lsn);
    const std::optional<std::string> want =
        ModelPage(branches_.at(id).timeline.get(), key, lsn);
    auto fail = [&](const std::string& why) {
      Fail(absl::StrCat(
          "GetPage of branch ", BranchName(id), " page ", KeyName(key),
          " at lsn ", LsnName(lsn), " [", how, "; floor ", floor, "]: ", why,
          "\n  engine: ",
          got.ok() ? absl::StrCat(got->size(), " bytes, starting ",
                                  Hex(absl::string_view(*got).substr(0, 16)))
                   : got.status().ToString(),
          "\n  model:  ",
          lsn < floor ? std::string("OUT_OF_RANGE (below the floor)")
                      : Describe(want)));
    };
    if (lsn < floor) {
      if (got.status().code() != absl::StatusCode::kOutOfRange) {
        fail("below the branch's history floor: want OUT_OF_RANGE");
      }
      return;
    }
    if (!want) {
      if (got.status().code() != absl::StatusCode::kNotFound) {
        fail(got.ok() ? "the engine has the page; the model says absent"
                      : "want NOT_FOUND");
      }
      return;
    }
    if (!got.ok()) {
      fail("the model has the page");
      return;
    }
    if (*got != *want) fail(Diff(*got, *want));
  }

  void CompareSize(BranchId id, uint32_t space, Lsn lsn, Lsn floor,
                   const std::string& how) {
    if (lsn < floor) return;  // the pages say OUT_OF_RANGE already
    ++reads_;
    absl::StatusOr<uint32_t> got = engine_->GetSpaceSize(id, space, lsn);
    const uint32_t want =
        ModelSpaceSize(branches_.at(id).timeline.get(), space, lsn);
    if (!got.ok() || *got != want) {
      Fail(absl::StrCat("GetSpaceSize of branch ", BranchName(id), " space ",
                        space, " at lsn ", LsnName(lsn), " [", how, "; floor ",
                        floor, "]: engine ",
                        got.ok() ? absl::StrCat(*got) : got.status().ToString(),
                        ", model ", want));
    }
  }

  Lsn RandomReadLsn(Lsn floor, std::string* how) {
    const uint64_t r = Below(100);
    if (r < 15 || batches_.empty()) {
      *how = "the latest";
      return latest_;
    }
    if (r < 22) {
      *how = "the floor";
      return floor;
    }
    if (r < 30 && floor > 0) {
      *how = "below the floor";
      return Below(floor);
    }
    const size_t i =
        Chance(50)
            ? batches_.size() - 1 - Below(std::min<size_t>(8, batches_.size()))
            : Below(batches_.size());
    const BatchLsns& b = batches_[i];
    if (r < 65) {
      *how = absl::StrCat("the commit of batch #", i);
      return b.commit;
    }
    if (r < 85) {
      *how = absl::StrCat("inside batch #", i);
      return b.start + Below(b.commit - b.start);
    }
    *how = "uniform in [0, latest]";
    return Below(latest_ + 1);
  }

  void RandomReads() {
    const int n = static_cast<int>(1 + Below(6));
    for (int i = 0; i < n && !failed_; ++i) {
      const BranchId id = RandomBranch();
      std::optional<Lsn> floor = Floor(id, "a random read");
      if (!floor) return;
      std::string how;
      const Lsn lsn = RandomReadLsn(*floor, &how);
      Compare(id,
              PageKey{static_cast<uint32_t>(Below(kSpaces + 1)),
                      static_cast<uint32_t>(Below(kReadPages))},
              lsn, *floor, how);
      if (!failed_ && Chance(30)) {
        CompareSize(id, static_cast<uint32_t>(Below(kSpaces + 1)), lsn, *floor,
                    how);
      }
    }
  }

  void CheckEverythingAt(BranchId id, Lsn lsn, Lsn floor,
                         const std::string& how) {
    for (uint32_t s = 0; s <= kSpaces && !failed_; ++s) {
      for (uint32_t p = 0; p < kReadPages && !failed_; ++p) {
        Compare(id, PageKey{s, p}, lsn, floor, how);
      }
      if (!failed_) CompareSize(id, s, lsn, floor, how);
    }
  }

  // A branch just made or restored: every page at its start, the latest
  // and a few LSNs below.
  void CheckBranchSample(BranchId id, const std::string& when) {
    std::optional<Lsn> floor = Floor(id, when);
    if (!floor) return;
    CheckFloorBound(id, *floor, when);
    const Lsn point = branches_.at(id).timeline->point;
    CheckEverythingAt(id, latest_, *floor, absl::StrCat(when, ", latest"));
    if (!failed_ && point > 0) {
      CheckEverythingAt(id, point - 1, *floor,
                        absl::StrCat(when, ", the branch point - 1"));
    }
    for (int i = 0; i < 2 && !failed_; ++i) {
      std::string how;
      const Lsn lsn = RandomReadLsn(*floor, &how);
      CheckEverythingAt(id, lsn, *floor, absl::StrCat(when, ", ", how));
    }
  }

  // Every branch: floor bound, everything at the floor, just below it, the
  // latest and a sample of commits and LSNs inside batches.
  void CheckAll(const std::string& when) {
    for (BranchId id : LiveIds()) {
      if (failed_) return;
      std::optional<Lsn> floor = Floor(id, when);
      if (!floor) return;
      CheckFloorBound(id, *floor, when);
      std::vector<std::pair<Lsn, std::string>> lsns = {{*floor, "the floor"},
                                                       {latest_, "the latest"}};
      if (*floor > 0) lsns.push_back({*floor - 1, "the floor - 1"});
      const Lsn point = branches_.at(id).timeline->point;
      if (point > 0 && point >= *floor) {
        lsns.push_back({point, "the branch point"});
        lsns.push_back({point - 1, "the branch point - 1"});
      }
      for (int i = 0; i < 4; ++i) {
        std::string how;
        const Lsn lsn = RandomReadLsn(*floor, &how);
        lsns.push_back({lsn, how});
      }
      for (const auto& [lsn, how] : lsns) {
        if (failed_) return;
        CheckEverythingAt(id, lsn, *floor, absl::StrCat(when, ", ", how));
      }
    }
  }

  const uint64_t seed_;
  const int steps_;
  std::mt19937_64 rng_;
  const uint32_t page_size_;
  const bool keep_everything_;
  const std::string dir_;
  std::unique_ptr<Engine> engine_;
  std::map<BranchId, BranchModel> branches_;
  std::map<std::string, SnapshotModel> snapshots_;
  std::vector<BatchLsns> batches_;  // store-wide, in LSN order
  Lsn latest_ = 0;
  int64_t timestamp_us_ = kFirstTimestampUs;
  int timeline_count_ = 0;
  int names_ = 0;
  std::deque<std::string> ops_;
  int step_ = 0;
  bool failed_ = false;
  // Counters for the summary line.
  int created_ = 0;
  int created_at_timestamp_ = 0;
  int restores_ = 0;
  int snapshots_taken_ = 0;
  int from_snapshot_ = 0;
  int deletes_ = 0;
  int gcs_ = 0;
  int reopens_ = 0;
  int refused_ = 0;
  uint64_t removed_ = 0;
  uint64_t reads_ = 0;
  Lsn highest_floor_ = 0;
};

// The timeline model on a case worked out by hand.
TEST(TimelineModelTest, ReadsFallThroughToTheParentBelowTheBranchPoint) {
  auto main = std::make_shared<TimelineModel>(4);
  main->pages.Image({0, 0}, "aaaa");
  main->pages.Image({0, 1}, "bbbb");
  main->pages.Commit(10);
  main->pages.Delta({0, 0}, 0, "A");
  main->pages.Commit(20);
  main->pages.Truncate(0, 0);
  main->pages.Commit(30);
  // A child at 25, seeded with main's state then.
  auto child = std::make_shared<TimelineModel>(4);
  child->point = 25;
  child->pages.Image({0, 0}, "Aaaa");
  child->pages.Image({0, 1}, "bbbb");
  child->pages.SetSpaceSize(0, 2);
  child->pages.Commit(25);
  child->parent = main;
  child->pages.Delta({0, 1}, 3, "X");
  child->pages.Commit(40);
  EXPECT_EQ(ModelPage(child.get(), {0, 0}, 15), "aaaa");  // main at 15
  EXPECT_EQ(ModelPage(child.get(), {0, 0}, 24), "Aaaa");
  EXPECT_EQ(ModelPage(child.get(), {0, 0}, 35), "Aaaa");  // not truncated
  EXPECT_EQ(ModelPage(child.get(), {0, 1}, 45), "bbbX");
  EXPECT_EQ(ModelPage(main.get(), {0, 1}, 45), std::nullopt);
  EXPECT_EQ(ModelSpaceSize(child.get(), 0, 5), 0u);
  EXPECT_EQ(ModelSpaceSize(child.get(), 0, 35), 2u);
  EXPECT_EQ(ModelSpaceSize(main.get(), 0, 35), 0u);
}

// Found by the random test (seed 1, step 194): after RestoreBranch(main, b),
// main's timeline starts on b's, so main counted as b's descendant and
// DeleteBranch(b, cascade) deleted main. Now b alone goes; main keeps
// reading b's history up to its branch point.
TEST(BranchModelTest, CascadeDeleteOfMainsRestoreSourceKeepsMain) {
  const std::string dir = pitr::testing::NewTestDir("cascade_main");
  EngineOptions options;
  options.dir = dir;
  options.page_size = 512;
  options.default_retention = Retention{};
  options.gc_period = absl::InfiniteDuration();
  absl::StatusOr<std::unique_ptr<Engine>> engine = Engine::Open(options);
  ASSERT_TRUE(engine.ok()) << engine.status();
  absl::StatusOr<WalBatch> batch = (*engine)->NewBatch(kMainBranch);
  ASSERT_TRUE(batch.ok());
  ASSERT_TRUE(batch->PutPageImage({0, 0}, std::string(512, 'a')).ok());
  ASSERT_TRUE((*engine)->Append(kMainBranch, *batch).ok());
  absl::StatusOr<Branch> b = (*engine)->CreateBranch("b", kMainBranch, {});
  ASSERT_TRUE(b.ok()) << b.status();
  ASSERT_TRUE((*engine)->RestoreBranch(kMainBranch, b->id, {}).ok());
  absl::StatusOr<std::vector<BranchId>> deleted =
      (*engine)->DeleteBranch(b->id, /*cascade=*/true);
  ASSERT_TRUE(deleted.ok()) << deleted.status();
  EXPECT_EQ(*deleted, std::vector<BranchId>{b->id});
  EXPECT_TRUE((*engine)->GetBranch(kMainBranch).ok());
  ASSERT_TRUE((*engine)->gc().Run(true).ok());
  EXPECT_EQ(*(*engine)->GetPage(kMainBranch, {0, 0}), std::string(512, 'a'));
  engine->reset();
  std::error_code ignored;
  fs::remove_all(dir, ignored);
}

TEST(BranchModelTest, RandomBranchHistoriesMatchTheModel) {
  const std::vector<uint64_t> seeds = SeedsFromEnv(kDefaultSeeds);
  const int steps = StepsFromEnv(kDefaultSteps);
  ASSERT_FALSE(seeds.empty());
  for (uint64_t seed : seeds) {
    SCOPED_TRACE(absl::StrCat("seed ", seed));
    BranchModelRun run(seed, steps);
    run.Run();
    if (::testing::Test::HasFailure()) break;
  }
}

}  // namespace
}  // namespace pitr
