#include "tools/wal/source_tree.h"

#include <map>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "base/file_system.h"
#include "base/status_macros.h"
#include "branch/catalog.h"
#include "rocksdb/db.h"

namespace pitr::waltool {
namespace {

// Catalog timeline keys: "ct" and the id as 8 big-endian bytes
// (docs/storage-format.md, "The branch catalog").
constexpr char kTimelinePrefix[] = "ct";

// A CatalogStore over a RocksDB opened read-only: scans work, commits are
// refused.
class ReadOnlyCatalogStore : public CatalogStore {
 public:
  explicit ReadOnlyCatalogStore(std::unique_ptr<rocksdb::DB> db)
      : db_(std::move(db)) {}

  absl::Status Commit(const std::vector<std::pair<std::string, std::string>>&,
                      const std::vector<std::string>&) override {
    return absl::FailedPreconditionError("the catalog is opened read-only");
  }

  absl::StatusOr<std::vector<std::pair<std::string, std::string>>> Scan(
      absl::string_view prefix) const override {
    std::vector<std::pair<std::string, std::string>> rows;
    std::unique_ptr<rocksdb::Iterator> it(
        db_->NewIterator(rocksdb::ReadOptions()));
    const rocksdb::Slice start(prefix.data(), prefix.size());
    for (it->Seek(start); it->Valid() && it->key().starts_with(start);
         it->Next()) {
      rows.emplace_back(it->key().ToString(), it->value().ToString());
    }
    if (!it->status().ok()) {
      return absl::DataLossError(
          absl::StrCat("reading the catalog: ", it->status().ToString()));
    }
    return rows;
  }

 private:
  const std::unique_ptr<rocksdb::DB> db_;
};

// The store's page size (docs/storage-format.md, "Metadata").
constexpr char kPageSizeKey[] = "mpage_size";

// An unsigned big-endian number (the store's keys and values).
uint64_t DecodeBigEndian(absl::string_view bytes) {
  uint64_t n = 0;
  for (char c : bytes) n = (n << 8) | static_cast<uint8_t>(c);
  return n;
}

absl::StatusOr<TimelineTree> TreeFromCatalog(
    const Catalog& catalog, const std::vector<TimelineId>& ids) {
  std::map<TimelineId, Timeline> timelines;
  for (TimelineId id : ids) {
    PITR_ASSIGN_OR_RETURN(timelines[id], catalog.GetTimeline(id));
  }
  TimelineTree tree;
  std::set<std::string> names = {"main"};
  // Parents first: add whatever has its parent in the tree until nothing
  // more can be added (what is left descends from an import's root).
  bool added = true;
  while (added) {
    added = false;
    for (auto it = timelines.begin(); it != timelines.end();) {
      const Timeline& t = it->second;
      if (t.id == kMainTimeline || tree.Find(t.parent) == nullptr) {
        it = t.id == kMainTimeline ? timelines.erase(it) : std::next(it);
        continue;
      }
      std::string name = absl::StrCat("timeline-", t.id.value());
      if (std::optional<BranchId> owner = catalog.OwnerOf(t.id)) {
        PITR_ASSIGN_OR_RETURN(Branch branch, catalog.Get(*owner));
        name = names.count(branch.name)
                   ? absl::StrCat(branch.name, "-tl", t.id.value())
                   : branch.name;
      }
      names.insert(name);
      PITR_RETURN_IF_ERROR(tree.Add({t.id, t.parent, t.branch_point, name}));
      it = timelines.erase(it);
      added = true;
    }
  }
  return tree;
}

absl::StatusOr<TimelineTree> ReadCatalogTree(const std::string& pages_dir) {
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s =
      rocksdb::DB::OpenForReadOnly(rocksdb::Options(), pages_dir, &raw);
  if (!s.ok()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "reading the branch catalog in ", pages_dir, ": ", s.ToString()));
  }
  ReadOnlyCatalogStore store{std::unique_ptr<rocksdb::DB>(raw)};
  PITR_ASSIGN_OR_RETURN(auto rows, store.Scan(kTimelinePrefix));
  PITR_ASSIGN_OR_RETURN(std::unique_ptr<Catalog> catalog,
                        Catalog::Open(&store));
  std::vector<TimelineId> ids;
  for (const auto& row : rows) {
    ids.push_back(
        TimelineId(DecodeBigEndian(absl::string_view(row.first).substr(2, 8))));
  }
  PITR_ASSIGN_OR_RETURN(TimelineTree tree, TreeFromCatalog(*catalog, ids));
  PITR_ASSIGN_OR_RETURN(auto meta, store.Scan(kPageSizeKey));
  if (!meta.empty() && meta[0].first == kPageSizeKey &&
      meta[0].second.size() == 4) {
    tree.set_page_size(static_cast<uint32_t>(DecodeBigEndian(meta[0].second)));
  }
  return tree;
}

}  // namespace

absl::StatusOr<TimelineTree> LoadSourceTree(const WalSource& source) {
  const std::string file = JoinPath(source.wal_dir(), kTimelineFileName);
  const std::string pages = JoinPath(source.data_dir(), "pages");
  if (FileSystem::Default()->FileSize(file).ok() || source.data_dir().empty() ||
      !FileSystem::Default()->ListDir(pages).ok()) {
    return LoadTimelineTree(source.wal_dir());
  }
  return ReadCatalogTree(pages);
}

}  // namespace pitr::waltool
