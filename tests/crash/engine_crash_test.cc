// Invariants 1 and 2 of docs/design.md through the whole engine, with a real
// kill -9: a child process (engine_crash_child) appends seeded batches while
// the engine flushes, trims its WAL and materialises images in the
// background; the test kills it with SIGKILL at random moments, round after
// round in the same directory, so each child first recovers what the
// previous one left.
//
// After each kill the test recovers a copy of the directory (the original is
// left exactly as the kill left it, for the next child) and checks it
// against a reference model built from the acknowledged batches, in LSN
// order:
//  - every acknowledged batch reads back exactly: each page it touched, and
//    each space size, at its commit LSN; NOT_FOUND where the model has no
//    page;
//  - no half batch: at one LSN before each commit, the pages read as the
//    previous batch left them; at the latest LSN every page of the key
//    space equals the model after a prefix of the attempted batches (the
//    child reports each seed before appending it, so the one batch whose
//    acknowledgement the kill may have eaten is known, and is either wholly
//    there or not at all).
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "base/testing/test_files.h"
#include "engine/engine.h"
#include "gtest/gtest.h"
#include "tests/crash/child_process.h"
#include "tests/crash/workload.h"

namespace pitr::crash {
namespace {

using ::pitr::testing::NewTestDir;

// --- The reference model -----------------------------------------------------

struct State {
  std::map<PageKey, std::shared_ptr<const std::string>> pages;  // existing
  std::map<uint32_t, uint32_t> sizes;                           // space size
};

void ApplyOps(const std::vector<Op>& ops, State* state) {
  for (const Op& op : ops) {
    const uint32_t space = op.key.space;
    uint32_t& size = state->sizes[space];
    if (op.kind == RecordKind::kSpaceTruncate) {
      for (auto it = state->pages.begin(); it != state->pages.end();) {
        const bool gone =
            it->first.space == space && it->first.page >= op.page_count;
        it = gone ? state->pages.erase(it) : std::next(it);
      }
      size = std::min(size, op.page_count);
      continue;
    }
    size = std::max(size, op.key.page + 1);
    auto& page = state->pages[op.key];
    if (op.kind == RecordKind::kPageImage) {
      page = std::make_shared<const std::string>(op.data);
    } else {
      std::string bytes = page ? *page : std::string(kPageSize, '\0');
      bytes.replace(op.offset, op.data.size(), op.data);
      page = std::make_shared<const std::string>(std::move(bytes));
    }
  }
}

// Every batch known to be in the store, in LSN order, with the model state
// after it.
struct Entry {
  uint64_t seed = 0;
  Lsn commit_lsn = 0;
  bool acknowledged = true;  // false: the kill ate the ack, recovery had it
  std::set<PageKey> keys;    // pages it may have changed
  std::set<uint32_t> spaces;
  State after;
};

class History {
 public:
  void Add(uint64_t seed, Lsn commit_lsn, bool acknowledged) {
    Entry e;
    e.seed = seed;
    e.commit_lsn = commit_lsn;
    e.acknowledged = acknowledged;
    const std::vector<Op> ops = SeededOps(seed);
    for (const Op& op : ops) {
      e.spaces.insert(op.key.space);
      if (op.kind != RecordKind::kSpaceTruncate) {
        e.keys.insert(op.key);
      } else {
        for (uint32_t p = 0; p < kPagesPerSpace; ++p)
          e.keys.insert({op.key.space, p});
      }
    }
    e.after = latest();
    ApplyOps(ops, &e.after);
    entries_.push_back(std::move(e));
  }
  const std::vector<Entry>& entries() const { return entries_; }
  Lsn last_commit() const {
    return entries_.empty() ? 0 : entries_.back().commit_lsn;
  }
  // The state after entry i, or before every entry for i = -1.
  const State& after(ptrdiff_t i) const {
    return i < 0 ? empty_ : entries_[static_cast<size_t>(i)].after;
  }
  const State& latest() const {
    return after(static_cast<ptrdiff_t>(entries_.size()) - 1);
  }

 private:
  State empty_;
  std::vector<Entry> entries_;
};

// --- Comparing the engine with the model ------------------------------------

// Collects mismatches; the test fails once with the first few.
class Checker {
 public:
  explicit Checker(Engine* engine) : engine_(engine) {}

  void Page(PageKey key, Lsn lsn, const State& want, absl::string_view why) {
    ++reads_;
    absl::StatusOr<std::string> got = engine_->GetPage(kMainBranch, key, lsn);
    auto it = want.pages.find(key);
    std::string problem;
    if (it == want.pages.end()) {
      if (got.status().code() != absl::StatusCode::kNotFound) {
        problem = got.ok() ? "exists, the model has no such page"
                           : got.status().ToString();
      }
    } else if (!got.ok()) {
      problem = got.status().ToString();
    } else if (*got != *it->second) {
      size_t at = 0;
      while (at < got->size() && at < it->second->size() &&
             (*got)[at] == (*it->second)[at]) {
        ++at;
      }
      problem = absl::StrCat("content differs from byte ", at);
    }
    if (!problem.empty()) {
      Report(absl::StrCat("page ", key.space, "/", key.page, " at lsn ",
                          FormatLsn(lsn), " (", why, "): ", problem));
    }
  }

  void Size(uint32_t space, Lsn lsn, const State& want, absl::string_view why) {
    auto it = want.sizes.find(space);
    const uint32_t expected = it == want.sizes.end() ? 0 : it->second;
    absl::StatusOr<uint32_t> got =
        engine_->GetSpaceSize(kMainBranch, space, lsn);
    if (!got.ok() || *got != expected) {
      Report(absl::StrCat(
          "size of space ", space, " at lsn ", FormatLsn(lsn), " (", why,
          "): ", got.ok() ? absl::StrCat(*got) : got.status().ToString(),
          ", the model says ", expected));
    }
  }

  // Every page and space of the key space at `lsn`.
  void Everything(Lsn lsn, const State& want, absl::string_view why) {
    for (uint32_t space = 1; space <= kSpaces; ++space) {
      Size(space, lsn, want, why);
      for (uint32_t page = 0; page < kPagesPerSpace; ++page)
        Page({space, page}, lsn, want, why);
    }
  }

  // Entry i of the history: what it touched reads as the model says at its
  // commit LSN, and as the previous state one byte before (inside the
  // batch, or the end of the previous one: never half of it).
  void Batch(const History& history, size_t i) {
    const Entry& e = history.entries()[i];
    const State& before = history.after(static_cast<ptrdiff_t>(i) - 1);
    const std::string at = absl::StrCat(
        "after batch ", e.seed, e.acknowledged ? "" : " (recovered, ack lost)");
    const std::string inside = absl::StrCat("before batch ", e.seed);
    for (PageKey key : e.keys) {
      Page(key, e.commit_lsn, e.after, at);
      Page(key, e.commit_lsn - 1, before, inside);
    }
    for (uint32_t space : e.spaces) {
      Size(space, e.commit_lsn, e.after, at);
      Size(space, e.commit_lsn - 1, before, inside);
    }
  }

  bool ok() const { return problems_ == 0; }
  uint64_t reads() const { return reads_; }

 private:
  void Report(const std::string& problem) {
    if (++problems_ <= 10) ADD_FAILURE() << problem;
  }

  Engine* const engine_;
  int problems_ = 0;
  uint64_t reads_ = 0;
};

// --- Running and killing the child ------------------------------------------

struct ChildRun {
  std::vector<Msg> messages;
  bool killed = false;  // false: it died by itself (see status)
  int status = 0;
};

// Starts the child on `dir` and kills it `kill_after` after it says it is
// opening the engine (kill_in_open) or has opened it.
ChildRun RunChild(const std::string& dir, uint64_t first_seed,
                  bool kill_in_open, absl::Duration kill_after) {
  ChildRun run;
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) {
    ADD_FAILURE() << "pipe2 failed";
    return run;
  }
  // Everything the child needs is built before fork: after it, only
  // async-signal-safe calls until exec.
  const std::string path = ChildBinaryPath("engine_crash_child");
  const std::string fd_arg = absl::StrCat(fds[1]);
  const std::string seed_arg = absl::StrCat(first_seed);
  const pid_t child = fork();
  if (child == 0) {
    fcntl(fds[1], F_SETFD, 0);  // the write end survives exec
    execl(path.c_str(), path.c_str(), dir.c_str(), fd_arg.c_str(),
          seed_arg.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  close(fds[1]);
  if (child < 0) {
    close(fds[0]);
    ADD_FAILURE() << "fork failed";
    return run;
  }

  // Room for every message of a round: the child never waits for the
  // parent, and the parent does not read while it waits to kill, so the
  // moment of the kill does not follow the child's writes.
  fcntl(fds[0], F_SETPIPE_SZ, 1 << 20);

  const absl::Time give_up = absl::Now() + absl::Seconds(60);
  std::string pending;
  // Reads what is there (waiting up to timeout_ms, -1: forever); false at
  // EOF.
  auto read_some = [&](int timeout_ms) {
    pollfd p{fds[0], POLLIN, 0};
    if (poll(&p, 1, timeout_ms) <= 0) return true;
    char buffer[4096];
    const ssize_t n = read(fds[0], buffer, sizeof(buffer));
    if (n <= 0) return false;
    pending.append(buffer, static_cast<size_t>(n));
    size_t used = 0;
    for (; pending.size() - used >= sizeof(Msg); used += sizeof(Msg)) {
      Msg msg;
      std::memcpy(&msg, pending.data() + used, sizeof(msg));
      run.messages.push_back(msg);
    }
    pending.erase(0, used);
    return true;
  };
  const uint64_t start_signal = kill_in_open ? kOpening : kOpened;
  auto started = [&] {
    return std::any_of(run.messages.begin(), run.messages.end(),
                       [&](const Msg& m) { return m.type == start_signal; });
  };
  bool alive = true;
  while (alive && !started() && absl::Now() < give_up) alive = read_some(100);
  if (alive) {
    EXPECT_TRUE(started()) << "the child did not get to "
                           << (kill_in_open ? "opening" : "open")
                           << " the engine in 60 s";
    absl::SleepFor(kill_after);
    kill(child, SIGKILL);
  }
  while (read_some(-1)) {
  }
  close(fds[0]);
  waitpid(child, &run.status, 0);
  run.killed = WIFSIGNALED(run.status) && WTERMSIG(run.status) == SIGKILL;
  return run;
}

// --- The test
// -----------------------------------------------------------------

EngineOptions VerifyOptions(const std::string& dir) {
  EngineOptions options = CrashEngineOptions(dir);
  options.flush_age = absl::InfiniteDuration();  // only Close flushes
  return options;
}

// Opens the store in `dir` and checks it against `history`, extending the
// history with the batch `in_flight` if recovery found it: every page at the
// latest LSN, each batch from `first_new` on, and `old_sample` batches
// picked at random before it. Returns false if the test should stop.
bool RecoverAndCheck(const std::string& dir, History* history,
                     std::optional<uint64_t> in_flight, size_t first_new,
                     int old_sample, std::mt19937* rng, uint64_t* reads) {
  absl::StatusOr<std::unique_ptr<Engine>> engine =
      Engine::Open(VerifyOptions(dir));
  EXPECT_TRUE(engine.ok()) << engine.status();
  if (!engine.ok()) return false;
  const Lsn latest = (*engine)->latest_lsn();
  if (latest < history->last_commit()) {
    ADD_FAILURE() << "recovered up to lsn " << FormatLsn(latest)
                  << " but batches were acknowledged up to lsn "
                  << FormatLsn(history->last_commit());
    return false;
  }
  if (latest > history->last_commit()) {
    // Only the batch whose ack was lost can be there, and only whole.
    EXPECT_TRUE(in_flight.has_value())
        << "recovered up to lsn " << FormatLsn(latest)
        << ", past the last acknowledged batch at "
        << FormatLsn(history->last_commit())
        << ", though no batch was in flight";
    if (!in_flight) return false;
    history->Add(*in_flight, latest, /*acknowledged=*/false);
  }
  Checker check(engine->get());
  check.Everything(latest, history->latest(), "latest");
  const size_t n = history->entries().size();
  first_new = std::min(first_new, n);
  for (int i = 0; i < old_sample && first_new > 0 && check.ok(); ++i) {
    check.Batch(*history,
                std::uniform_int_distribution<size_t>(0, first_new - 1)(*rng));
  }
  for (size_t i = first_new; i < n && check.ok(); ++i) check.Batch(*history, i);
  *reads += check.reads();
  EXPECT_TRUE((*engine)->Close().ok());
  return check.ok();
}

TEST(EngineCrashTest, KillNineAtRandomMomentsLosesNoBatchAndSplitsNone) {
  namespace fs = std::filesystem;
  const std::string dir = NewTestDir("engine_crash");
  const std::string copy = dir + "_recovered";
  std::mt19937 rng(20240607);
  History history;
  constexpr int kRounds = 20;
  int lost_acks_present = 0, lost_acks_absent = 0, killed_in_open = 0;
  uint64_t flushes = 0, images = 0, reads = 0;
  size_t checked = 0;  // history entries checked after their round
  const absl::Time started = absl::Now();

  for (int round = 0; round < kRounds; ++round) {
    SCOPED_TRACE(absl::StrCat("round ", round));
    // Every fifth round the kill aims at recovery itself.
    const bool kill_in_open = round % 5 == 4;
    const absl::Duration kill_after =
        kill_in_open
            ? absl::Microseconds(std::uniform_int_distribution<>(0, 20000)(rng))
            : absl::Milliseconds(std::uniform_int_distribution<>(5, 200)(rng));
    ChildRun run =
        RunChild(dir, 1'000'000ull * (round + 1), kill_in_open, kill_after);
    ASSERT_TRUE(run.killed)
        << "the child died by itself, status " << run.status
        << (WIFEXITED(run.status)
                ? absl::StrCat(" (exit code ", WEXITSTATUS(run.status), ")")
                : "");

    // Replay what it said, in order.
    std::optional<uint64_t> in_flight;
    bool opened = false;
    uint64_t round_flushes = 0, round_images = 0;
    int acked = 0;
    for (const Msg& msg : run.messages) {
      switch (msg.type) {
        case kOpened:
          opened = true;
          // It recovered what this test recovered from the same files.
          ASSERT_EQ(msg.a, history.last_commit())
              << "the child recovered up to a different lsn";
          break;
        case kAttempt:
          ASSERT_FALSE(in_flight.has_value());
          in_flight = msg.a;
          break;
        case kAck:
          ASSERT_EQ(in_flight, std::optional<uint64_t>(msg.a));
          ASSERT_GT(msg.c, history.last_commit());
          ASSERT_EQ(msg.b, history.last_commit())
              << "a batch starts where the previous one ends";
          history.Add(msg.a, msg.c, /*acknowledged=*/true);
          in_flight.reset();
          ++acked;
          break;
        case kStats:
          round_flushes = msg.a;
          round_images = msg.b;
          break;
        default:
          break;
      }
    }
    flushes += round_flushes;
    images += round_images;
    if (!opened) ++killed_in_open;

    // Check a copy: the original stays as the kill left it, for the next
    // child to recover.
    fs::remove_all(copy);
    fs::copy(dir, copy, fs::copy_options::recursive);
    const Lsn acked_up_to = history.last_commit();
    // The batches of this round (and the one before them, whose pages the
    // first one's "before" reads), and a sample of the older ones.
    ASSERT_TRUE(RecoverAndCheck(copy, &history, in_flight,
                                checked > 0 ? checked - 1 : 0,
                                /*old_sample=*/100, &rng, &reads));
    checked = history.entries().size();
    if (in_flight) {
      ++(history.last_commit() > acked_up_to ? lost_acks_present
                                             : lost_acks_absent);
    }
    std::printf(
        "round %2d: %s after %5.1f ms, %3d batches acknowledged, lsn %s%s\n",
        round, opened ? "killed" : "killed in open",
        absl::ToDoubleMilliseconds(kill_after), acked,
        FormatLsn(history.last_commit()).c_str(),
        !in_flight ? ""
        : history.last_commit() > acked_up_to
            ? ", unacknowledged batch present"
            : ", unacknowledged batch absent");
  }

  // The original directory, as the last kill left it, then a clean restart.
  // Every batch once more, then after a clean close a sample.
  ASSERT_TRUE(RecoverAndCheck(dir, &history, std::nullopt, 0, 0, &rng, &reads));
  ASSERT_TRUE(RecoverAndCheck(dir, &history, std::nullopt,
                              history.entries().size(), 200, &rng, &reads));
  fs::remove_all(copy);

  std::printf(
      "%zu batches, %d recovered without their ack, %d lost unacknowledged, "
      "%d kills during open; the children flushed %lu times and "
      "materialised %lu images; %lu checked reads; %.1f s\n",
      history.entries().size(), lost_acks_present, lost_acks_absent,
      killed_in_open, static_cast<unsigned long>(flushes),
      static_cast<unsigned long>(images), static_cast<unsigned long>(reads),
      absl::ToDoubleSeconds(absl::Now() - started));
  // The kills must have raced with background work, or the test proves little.
  EXPECT_GT(history.entries().size(), 50u);
  EXPECT_GT(flushes, 0u);
  EXPECT_GT(images, 0u);
}

// Delta chains stay bounded across restarts: the applier recounts a page's
// chain from the store the first time it sees the page after a restart
// (counts and queued image tasks are otherwise in memory only). Here: an
// image, then 3 deltas per run for 5 runs with image_after_deltas 4; without
// the recount a read at the latest LSN walked 15 deltas.
TEST(EngineRestartTest, DeltaChainsStayShortAcrossRestarts) {
  EngineOptions options = CrashEngineOptions(NewTestDir("engine_restarts"));
  options.image_after_deltas = 4;
  const PageKey key{1, 0};
  for (int run = 0; run < 5; ++run) {
    absl::StatusOr<std::unique_ptr<Engine>> engine = Engine::Open(options);
    ASSERT_TRUE(engine.ok()) << engine.status();
    for (int i = 0; i < 3; ++i) {
      WalBatch batch(kMainTimeline);
      if (run == 0 && i == 0) {
        ASSERT_TRUE(batch.PutPageImage(key, std::string(kPageSize, 'x')).ok());
      }
      ASSERT_TRUE(
          batch.PutPageDelta(key, static_cast<uint32_t>(run * 3 + i), "d")
              .ok());
      ASSERT_TRUE((*engine)->Append(batch).ok());
    }
    ASSERT_TRUE((*engine)->Close().ok());
  }
  absl::StatusOr<std::unique_ptr<Engine>> engine = Engine::Open(options);
  ASSERT_TRUE(engine.ok()) << engine.status();
  ASSERT_TRUE((*engine)->MaterializePendingImages().ok());
  ASSERT_TRUE((*engine)->GetPage(kMainBranch, key).ok());
  EXPECT_LT((*engine)->stats().longest_chain_read, options.image_after_deltas);
}

}  // namespace
}  // namespace pitr::crash
