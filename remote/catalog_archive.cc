#include "remote/catalog_archive.h"

#include <cstring>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "base/coding.h"
#include "base/status_macros.h"
#include "remote/object_names.h"

namespace pitr::remote {

namespace {

constexpr char kImageMagic[8] = {'p', 'i', 't', 'r', 'c', 'a', 't', '1'};

// Reads a u32-length-prefixed string at *pos, advancing it.
bool ReadSized(absl::string_view bytes, size_t* pos, std::string* out) {
  if (bytes.size() - *pos < 4) return false;
  const uint32_t size = DecodeFixed32(bytes.data() + *pos);
  *pos += 4;
  if (bytes.size() - *pos < size) return false;
  out->assign(bytes.data() + *pos, size);
  *pos += size;
  return true;
}

}  // namespace

std::string CatalogImageKey(const CatalogImageName& name) {
  return absl::StrFormat("%s%016X-%020u-%010u", kCatalogPrefix, name.lsn,
                         name.generation, name.seq);
}

std::optional<CatalogImageName> ParseCatalogImageKey(absl::string_view key) {
  if (!absl::ConsumePrefix(&key, kCatalogPrefix)) return std::nullopt;
  std::vector<absl::string_view> parts = absl::StrSplit(key, '-');
  if (parts.size() != 3) return std::nullopt;
  std::optional<uint64_t> lsn = ParseHex16(parts[0]);
  std::optional<uint64_t> generation = ParseDecimal(parts[1], 20);
  std::optional<uint64_t> seq = ParseDecimal(parts[2], 10);
  if (!lsn || !generation || !seq) return std::nullopt;
  return CatalogImageName{*lsn, *generation, *seq};
}

std::string EncodeCatalogImage(const CatalogImage& image) {
  std::string out(kImageMagic, sizeof(kImageMagic));
  PutFixed64(&out, image.lsn);
  PutFixed32(&out, static_cast<uint32_t>(image.records.size()));
  for (const auto& [key, value] : image.records) {
    PutFixed32(&out, static_cast<uint32_t>(key.size()));
    out += key;
    PutFixed32(&out, static_cast<uint32_t>(value.size()));
    out += value;
  }
  return out;
}

absl::StatusOr<CatalogImage> DecodeCatalogImage(absl::string_view bytes,
                                                absl::string_view key) {
  auto damaged = [&](absl::string_view why) {
    return absl::DataLossError(
        absl::StrCat("catalog image ", key, " is damaged: ", why));
  };
  if (bytes.size() < sizeof(kImageMagic) + 12 ||
      std::memcmp(bytes.data(), kImageMagic, sizeof(kImageMagic)) != 0) {
    return damaged("it does not start with the magic \"pitrcat1\"");
  }
  CatalogImage image;
  size_t pos = sizeof(kImageMagic);
  image.lsn = DecodeFixed64(bytes.data() + pos);
  const uint32_t count = DecodeFixed32(bytes.data() + pos + 8);
  pos += 12;
  for (uint32_t i = 0; i < count; ++i) {
    std::string record_key, value;
    if (!ReadSized(bytes, &pos, &record_key) ||
        !ReadSized(bytes, &pos, &value)) {
      return damaged(absl::StrCat("record ", i, " of ", count,
                                  " runs past the end of the object"));
    }
    image.records.emplace_back(std::move(record_key), std::move(value));
  }
  if (pos != bytes.size()) {
    return damaged(absl::StrCat(bytes.size() - pos,
                                " bytes follow the last record"));
  }
  return image;
}

absl::StatusOr<std::vector<CatalogImageName>> ListCatalogImages(
    RemoteStorage* storage, const Lineage& lineage) {
  PITR_ASSIGN_OR_RETURN(std::vector<ObjectInfo> objects,
                        storage->List(kCatalogPrefix));
  // Keys list in (lsn, generation, seq) order.
  std::vector<CatalogImageName> names;
  for (const ObjectInfo& object : objects) {
    std::optional<CatalogImageName> name = ParseCatalogImageKey(object.key);
    if (name && lineage.Holds(name->generation, name->lsn)) {
      names.push_back(*name);
    }
  }
  return names;
}

absl::StatusOr<std::optional<CatalogImageName>> FindCatalogImage(
    RemoteStorage* storage, const Lineage& lineage, Lsn at) {
  PITR_ASSIGN_OR_RETURN(std::vector<CatalogImageName> names,
                        ListCatalogImages(storage, lineage));
  std::optional<CatalogImageName> newest;
  for (const CatalogImageName& name : names) {
    if (name.lsn <= at) newest = name;
  }
  return newest;
}

absl::StatusOr<CatalogImage> ReadCatalogImage(RemoteStorage* storage,
                                              const CatalogImageName& name) {
  const std::string key = CatalogImageKey(name);
  PITR_ASSIGN_OR_RETURN(Object object, storage->Get(key));
  return DecodeCatalogImage(object.data, key);
}

}  // namespace pitr::remote
