#include "remote/generation.h"

#include <unistd.h>

#include <algorithm>

#include "absl/random/random.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "base/file_system.h"
#include "base/status_macros.h"

namespace pitr::remote {

namespace {

constexpr char kPrefix[] = "generations/";
constexpr char kMagic[] = "pitr generation";
constexpr char kLocalClaimFile[] = "remote_generation";

std::string KeyOf(uint64_t number) {
  return absl::StrFormat("%s%020d", kPrefix, number);
}

std::string Encode(const Generation& g) {
  return absl::StrCat(kMagic, "\nnumber ", g.number, "\nstart_lsn ",
                      g.start_lsn, "\ncreated_us ", g.created_us, "\nholder ",
                      g.holder, "\n");
}

absl::StatusOr<Generation> Decode(absl::string_view key,
                                  absl::string_view data) {
  auto bad = [&](absl::string_view why) {
    return absl::DataLossError(
        absl::StrCat("generation object ", key, " is malformed: ", why));
  };
  std::vector<absl::string_view> lines = absl::StrSplit(data, '\n');
  if (lines.size() != 6 || lines[0] != kMagic || !lines[5].empty()) {
    return bad("not the five lines of a generation");
  }
  Generation g;
  auto field = [&](absl::string_view line, absl::string_view name,
                   auto* value) -> bool {
    const std::string label = absl::StrCat(name, " ");
    if (!absl::ConsumePrefix(&line, label)) return false;
    return absl::SimpleAtoi(line, value);
  };
  absl::string_view holder = lines[4];
  if (!field(lines[1], "number", &g.number) ||
      !field(lines[2], "start_lsn", &g.start_lsn) ||
      !field(lines[3], "created_us", &g.created_us) ||
      !absl::ConsumePrefix(&holder, "holder ")) {
    return bad("a field is missing or not a number");
  }
  g.holder = std::string(holder);
  if (key != KeyOf(g.number)) {
    return bad(absl::StrCat("it says number ", g.number));
  }
  return g;
}

std::string Describe(const Generation& g) {
  return absl::StrCat("generation ", g.number, " (", g.holder, ", from lsn ",
                      FormatLsn(g.start_lsn), ")");
}

// Writes generation `number` create-only.
absl::StatusOr<Generation> Claim(RemoteStorage* storage, uint64_t number,
                                 Lsn start_lsn, const std::string& holder) {
  Generation g{number, start_lsn, absl::ToUnixMicros(absl::Now()), holder};
  absl::StatusOr<ObjectInfo> put = storage->Put(KeyOf(number), Encode(g),
                                                WriteCondition::CreateOnly());
  if (absl::IsAlreadyExists(put.status())) {
    return absl::FailedPreconditionError(absl::StrCat(
        "another pitrd claimed generation ", number, " of ",
        storage->Describe(), " at the same time; this one stops"));
  }
  PITR_RETURN_IF_ERROR(put.status());
  return g;
}

}  // namespace

absl::StatusOr<std::vector<Generation>> ListGenerations(
    RemoteStorage* storage) {
  PITR_ASSIGN_OR_RETURN(std::vector<ObjectInfo> objects,
                        storage->List(kPrefix));
  std::vector<Generation> generations;
  for (const ObjectInfo& o : objects) {
    PITR_ASSIGN_OR_RETURN(Object object, storage->Get(o.key));
    PITR_ASSIGN_OR_RETURN(Generation g, Decode(o.key, object.data));
    generations.push_back(std::move(g));
  }
  // Keys are zero-padded: listing order is number order.
  return generations;
}

absl::StatusOr<Generation> ClaimGeneration(
    RemoteStorage* storage, const std::optional<LocalClaim>& last,
    Lsn start_lsn, const std::string& holder,
    const std::function<absl::Status(const LocalClaim&)>& record) {
  PITR_ASSIGN_OR_RETURN(std::vector<Generation> generations,
                        ListGenerations(storage));
  const Generation* newest = generations.empty() ? nullptr : &generations.back();
  const uint64_t newest_number = newest == nullptr ? 0 : newest->number;
  uint64_t number;
  if (!last) {
    if (newest != nullptr) {
      return absl::FailedPreconditionError(absl::StrCat(
          storage->Describe(), " already holds the history of another store (",
          Describe(*newest),
          "); give this store a prefix of its own, or restore from that one "
          "to take it over"));
    }
    number = 1;
  } else if (newest != nullptr && last->number == newest->number &&
             last->holder == newest->holder) {
    number = newest->number + 1;  // this directory holds the newest
  } else if (last->number == newest_number + 1) {
    number = last->number;  // the last claim never reached the bucket
  } else if (last->number > newest_number) {
    return absl::FailedPreconditionError(absl::StrCat(
        "this data directory last claimed generation ", last->number, " of ",
        storage->Describe(), ", but the newest there is ", newest_number,
        ": the bucket is not the one this store wrote to, or lost objects"));
  } else {
    return absl::FailedPreconditionError(absl::StrCat(
        "this data directory last claimed generation ", last->number, " of ",
        storage->Describe(), ", but ", Describe(*newest),
        " holds it now: this store was replaced and must not write there"));
  }
  PITR_RETURN_IF_ERROR(record(LocalClaim{number, holder}));
  return Claim(storage, number, start_lsn, holder);
}

std::string NewHolder() {
  char host[256] = {};
  if (gethostname(host, sizeof(host) - 1) != 0) host[0] = '\0';
  absl::BitGen random;
  return absl::StrFormat("%s:%d:%016x", host, getpid(),
                         absl::Uniform<uint64_t>(random));
}

absl::StatusOr<std::optional<LocalClaim>> ReadLocalClaim(
    const std::string& dir) {
  const std::string path = JoinPath(dir, kLocalClaimFile);
  absl::StatusOr<std::string> text =
      ReadWholeFile(FileSystem::Default(), path);
  if (absl::IsNotFound(text.status())) return std::nullopt;
  PITR_RETURN_IF_ERROR(text.status());
  std::vector<absl::string_view> fields =
      absl::StrSplit(absl::StripSuffix(*text, "\n"), ' ');
  LocalClaim claim;
  if (fields.size() != 2 || !absl::SimpleAtoi(fields[0], &claim.number) ||
      claim.number == 0 || fields[1].empty()) {
    return absl::DataLossError(absl::StrCat(
        path, " is malformed: it should be one line \"<generation> <holder>\""));
  }
  claim.holder = std::string(fields[1]);
  return claim;
}

absl::Status WriteLocalClaim(const std::string& dir, const LocalClaim& claim) {
  return WriteFileDurably(FileSystem::Default(),
                          JoinPath(dir, kLocalClaimFile),
                          absl::StrCat(claim.number, " ", claim.holder, "\n"));
}

absl::StatusOr<Generation> TakeOverGeneration(RemoteStorage* storage,
                                              Lsn start_lsn,
                                              const std::string& holder) {
  PITR_ASSIGN_OR_RETURN(std::vector<Generation> generations,
                        ListGenerations(storage));
  const uint64_t newest = generations.empty() ? 0 : generations.back().number;
  return Claim(storage, newest + 1, start_lsn, holder);
}

absl::Status CheckStillNewest(RemoteStorage* storage, uint64_t mine) {
  PITR_ASSIGN_OR_RETURN(std::vector<ObjectInfo> objects,
                        storage->List(kPrefix));
  if (objects.empty() || objects.back().key <= KeyOf(mine)) {
    return absl::OkStatus();
  }
  PITR_ASSIGN_OR_RETURN(Object newest, storage->Get(objects.back().key));
  PITR_ASSIGN_OR_RETURN(Generation g, Decode(objects.back().key, newest.data));
  return absl::FailedPreconditionError(absl::StrCat(
      "generation ", mine, " of ", storage->Describe(), " was replaced by ",
      Describe(g), ": this pitrd no longer writes or deletes there"));
}

}  // namespace pitr::remote
