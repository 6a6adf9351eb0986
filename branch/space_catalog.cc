#include "branch/space_catalog.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "branch/catalog_records.h"

namespace pitr {

namespace cr = catalog_records;

absl::StatusOr<std::unique_ptr<SpaceCatalog>> SpaceCatalog::Open(
    CatalogStore* store) {
  auto catalog = std::unique_ptr<SpaceCatalog>(new SpaceCatalog(store));
  PITR_RETURN_IF_ERROR(catalog->Reload());
  return catalog;
}

absl::Status SpaceCatalog::Reload() {
  PITR_ASSIGN_OR_RETURN(auto rows, store_->Scan(cr::kSpacePrefix));
  std::map<std::string, NamedSpace> spaces;
  uint32_t next_id = kFirstNamedSpace;
  for (const auto& [key, value] : rows) {
    PITR_ASSIGN_OR_RETURN(NamedSpace space, cr::DecodeSpace(key, value));
    if (space.id < kFirstNamedSpace) {
      return absl::DataLossError(absl::StrCat("catalog: named space \"",
                                              space.name, "\" has id ",
                                              space.id, ", below 2^31"));
    }
    if (space.id != UINT32_MAX) next_id = std::max(next_id, space.id + 1);
    spaces[space.name] = space;
  }
  MutexLock l(&mu_);
  spaces_ = std::move(spaces);
  next_id_ = std::max(next_id_, next_id);
  return absl::OkStatus();
}

absl::Status SpaceCatalog::CheckName(absl::string_view name) {
  bool ok = !name.empty() && name.size() <= 255 && name[0] != '-' &&
            name[0] != '.' && name[0] != '/';
  for (char c : name) {
    ok &= absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '_' ||
          c == '-' || c == '.' || c == '/';
  }
  if (ok) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat("invalid space name \"", name,
                   "\": use 1 to 255 characters from A-Z a-z 0-9 _ . - / , "
                   "not starting with - . or /"));
}

absl::StatusOr<NamedSpace> SpaceCatalog::Resolve(absl::string_view name,
                                                 bool create, int64_t now_us) {
  PITR_RETURN_IF_ERROR(CheckName(name));
  MutexLock l(&mu_);
  auto it = spaces_.find(std::string(name));
  if (it != spaces_.end()) return it->second;
  if (!create) {
    return absl::NotFoundError(
        absl::StrCat("space \"", name, "\" does not exist"));
  }
  // The last id, 2^32 - 1, names no page's space (it is kept free like the
  // reserved page number), so 2^31 - 1 names fit.
  if (next_id_ == UINT32_MAX) {
    return absl::ResourceExhaustedError(absl::StrCat(
        "every named space id is taken (", spaces_.size(), " spaces)"));
  }
  const NamedSpace space{std::string(name), next_id_, now_us};
  PITR_RETURN_IF_ERROR(
      store_->Commit({{cr::SpaceKey(space.name), cr::EncodeSpace(space)}}, {}));
  ++next_id_;
  spaces_[space.name] = space;
  return space;
}

std::vector<NamedSpace> SpaceCatalog::List() const {
  MutexLock l(&mu_);
  std::vector<NamedSpace> out;
  for (const auto& [name, space] : spaces_) out.push_back(space);
  return out;
}

}  // namespace pitr
