#include "remote/s3_storage.h"

#include <optional>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "base/crc32c.h"
#include "base/status_macros.h"
#include "remote/content_md5.h"
#include "remote/local_file.h"
#include "remote/object_checksum.h"
#include "remote/object_key.h"
#include "remote/s3_multipart.h"
#include "remote/s3_xml.h"

namespace pitr::remote {

namespace {

constexpr uint64_t kMinPartSize = 5 << 20;           // S3's minimum
constexpr uint64_t kMaxPartSize = uint64_t{5} << 30;  // and maximum
constexpr size_t kMaxDeleteKeys = 1000;              // keys a delete request

absl::Status CheckOptions(const RemoteOptions& o) {
  auto bad = [](absl::string_view what) {
    return absl::InvalidArgumentError(
        absl::StrCat("invalid S3 options: ", what));
  };
  if (!o.endpoint.empty() && !absl::StartsWith(o.endpoint, "http://") &&
      !absl::StartsWith(o.endpoint, "https://")) {
    return bad(absl::StrCat("endpoint \"", o.endpoint,
                            "\" must be http://host:port or https://host:port"));
  }
  if (o.region.empty()) return bad("region is empty");
  if (o.part_size < kMinPartSize || o.part_size > kMaxPartSize) {
    return bad(absl::StrCat("part_size ", o.part_size,
                            " is not within S3's 5 MiB to 5 GiB"));
  }
  if (o.list_page_size < 1 || o.list_page_size > 1000) {
    return bad(absl::StrCat("list_page_size ", o.list_page_size,
                            " is not within 1 to 1000"));
  }
  if (o.retry.max_attempts < 1) {
    return bad(absl::StrCat("retry.max_attempts ", o.retry.max_attempts,
                            " is below 1"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::unique_ptr<S3Storage>> S3Storage::Open(
    const RemoteUrl& url, const RemoteOptions& options) {
  PITR_RETURN_IF_ERROR(CheckOptions(options));
  Credentials credentials;
  if (options.credentials.has_value()) {
    credentials = *options.credentials;
  } else {
    PITR_ASSIGN_OR_RETURN(credentials,
                          LoadCredentials(options.credentials_file));
  }
  return std::unique_ptr<S3Storage>(new S3Storage(url, options, credentials));
}

S3Storage::S3Storage(const RemoteUrl& url, const RemoteOptions& options,
                     const Credentials& credentials)
    : prefix_(url.prefix),
      describe_(absl::StrCat("s3://", url.bucket, "/", url.prefix)),
      options_(options),
      client_(options, credentials, url.bucket) {}

std::string S3Storage::Describe() const { return describe_; }

absl::StatusOr<std::vector<ObjectInfo>> S3Storage::List(
    absl::string_view prefix) {
  std::vector<ObjectInfo> objects;
  std::string token;
  do {
    std::vector<std::pair<std::string, std::string>> params = {
        {"list-type", "2"},
        {"max-keys", absl::StrCat(options_.list_page_size)},
        {"prefix", absl::StrCat(prefix_, prefix)}};
    if (!token.empty()) params.emplace_back("continuation-token", token);
    S3Request list;
    list.operation = Op("list", "");
    list.method = "GET";
    list.query = S3Query(std::move(params));
    PITR_ASSIGN_OR_RETURN(HttpResponse response, client_.Call(list));
    PITR_ASSIGN_OR_RETURN(S3ListPage page, ParseListPage(response.body));
    for (S3ListPage::Entry& entry : page.entries) {
      absl::string_view key = entry.key;
      if (!absl::ConsumePrefix(&key, prefix_)) continue;
      objects.push_back({std::string(key), entry.size, std::move(entry.etag)});
    }
    token = page.truncated ? page.next_token : "";
  } while (!token.empty());
  return objects;
}

absl::StatusOr<ObjectInfo> S3Storage::Put(absl::string_view key,
                                          absl::string_view data,
                                          const WriteCondition& condition) {
  PITR_RETURN_IF_ERROR(ValidateKey(key, describe_));
  return PutOnce(key, data, nullptr, data.size(), crc32c::Value(data),
                 condition);
}

absl::StatusOr<ObjectInfo> S3Storage::PutFile(
    absl::string_view key, const std::string& path,
    const WriteCondition& condition) {
  PITR_RETURN_IF_ERROR(ValidateKey(key, describe_));
  PITR_ASSIGN_OR_RETURN(uint64_t size, LocalFileSize(path));
  uint32_t crc = 0;
  PITR_RETURN_IF_ERROR(
      ReadFileChunks(path, 0, size, [&](absl::string_view chunk) {
        crc = crc32c::Extend(crc, chunk.data(), chunk.size());
        return absl::OkStatus();
      }));
  if (condition.kind != WriteCondition::Kind::kNone ||
      size <= options_.multipart_threshold) {
    FileRange range{path, 0, size};
    return PutOnce(key, "", &range, size, crc, condition);
  }
  PITR_ASSIGN_OR_RETURN(
      std::string etag,
      PutMultipart(client_, Op("multipart put", key), prefix_ + std::string(key),
                   MultipartSource{path, size, options_.part_size},
                   {absl::StrCat(kChecksumHeader, ": ", FormatCrc32c(crc))}));
  return ObjectInfo{std::string(key), size, std::move(etag)};
}

absl::StatusOr<ObjectInfo> S3Storage::PutOnce(
    absl::string_view key, absl::string_view body, const FileRange* file,
    uint64_t size, uint32_t crc, const WriteCondition& condition) {
  S3Request put;
  put.operation = Op("put", key);
  put.method = "PUT";
  put.full_key = prefix_ + std::string(key);
  put.headers = {absl::StrCat(kChecksumHeader, ": ", FormatCrc32c(crc))};
  put.body = body;
  put.file_body = file;
  switch (condition.kind) {
    case WriteCondition::Kind::kNone:
      break;
    case WriteCondition::Kind::kIfNoneMatch:
      put.operation.what = "create-only put";
      put.headers.push_back("If-None-Match: *");
      break;
    case WriteCondition::Kind::kIfMatch:
      put.operation.what = "If-Match put";
      // Unquoted: RGW 16 compares If-Match with the bare ETag and refuses
      // the quoted form it hands out itself.
      put.headers.push_back(absl::StrCat(
          "If-Match: ", absl::StripSuffix(absl::StripPrefix(condition.etag,
                                                            "\""),
                                          "\"")));
      break;
  }
  absl::StatusOr<HttpResponse> response = client_.Call(put);
  if (!response.ok()) {
    if (condition.kind == WriteCondition::Kind::kIfNoneMatch &&
        absl::IsFailedPrecondition(response.status())) {
      return absl::AlreadyExistsError(absl::StrCat(
          response.status().message(), " (the key exists)"));
    }
    if (condition.kind == WriteCondition::Kind::kIfMatch &&
        absl::IsFailedPrecondition(response.status())) {
      return absl::FailedPreconditionError(
          absl::StrCat(response.status().message(),
                       " (the object's ETag is not ", condition.etag,
                       ", or it does not exist)"));
    }
    return response.status();
  }
  return ObjectInfo{std::string(key), size, response->Header("etag")};
}

absl::Status S3Storage::CheckChecksum(absl::string_view key,
                                      const HttpResponse& response,
                                      uint32_t computed) const {
  std::string stored = response.Header(kChecksumHeader);
  if (stored.empty()) {
    return absl::DataLossError(absl::StrCat(
        "object \"", key, "\" in ", describe_, " has no ", kChecksumHeader,
        " metadata: it was not written by pitr (its bytes have CRC32C ",
        FormatCrc32c(computed), ")"));
  }
  absl::StatusOr<uint32_t> crc = ParseCrc32c(stored);
  if (!crc.ok()) {
    return absl::DataLossError(absl::StrCat("object \"", key, "\" in ",
                                            describe_, ": ", kChecksumHeader,
                                            " ", crc.status().message()));
  }
  return CheckCrc32c(key, describe_, *crc, computed);
}

absl::StatusOr<Object> S3Storage::Get(absl::string_view key) {
  PITR_RETURN_IF_ERROR(ValidateKey(key, describe_));
  S3Request get;
  get.operation = Op("get", key);
  get.method = "GET";
  get.full_key = prefix_ + std::string(key);
  PITR_ASSIGN_OR_RETURN(HttpResponse response, client_.Call(get));
  PITR_RETURN_IF_ERROR(
      CheckChecksum(key, response, crc32c::Value(response.body)));
  Object object;
  object.info = {std::string(key), response.body.size(),
                 response.Header("etag")};
  object.data = std::move(response.body);
  return object;
}

absl::StatusOr<ObjectInfo> S3Storage::GetToFile(absl::string_view key,
                                                const std::string& path) {
  PITR_RETURN_IF_ERROR(ValidateKey(key, describe_));
  size_t slash = path.rfind('/');
  const std::string dir =
      slash == std::string::npos ? "." : path.substr(0, slash);
  std::optional<PendingFile> file;
  uint32_t crc = 0;
  uint64_t size = 0;
  S3Request get;
  get.operation = Op("get", key);
  get.method = "GET";
  get.full_key = prefix_ + std::string(key);
  get.before_attempt = [&]() -> absl::Status {
    file.reset();  // a previous try's partial file goes
    PITR_ASSIGN_OR_RETURN(PendingFile fresh, PendingFile::Create(dir));
    file.emplace(std::move(fresh));
    crc = 0;
    size = 0;
    return absl::OkStatus();
  };
  get.sink = [&](absl::string_view chunk) {
    crc = crc32c::Extend(crc, chunk.data(), chunk.size());
    size += chunk.size();
    return file->Append(chunk);
  };
  PITR_ASSIGN_OR_RETURN(HttpResponse response, client_.Call(get));
  PITR_RETURN_IF_ERROR(CheckChecksum(key, response, crc));
  PITR_RETURN_IF_ERROR(file->Publish(path));
  return ObjectInfo{std::string(key), size, response.Header("etag")};
}

absl::StatusOr<std::string> S3Storage::GetRange(absl::string_view key,
                                                uint64_t offset,
                                                uint64_t length) {
  PITR_RETURN_IF_ERROR(ValidateKey(key, describe_));
  if (length == 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "ranged read of object \"", key, "\" in ", describe_,
        ": the length is 0"));
  }
  const uint64_t last =
      length - 1 > UINT64_MAX - offset ? UINT64_MAX : offset + length - 1;
  const std::string what = absl::StrCat("ranged read at offset ", offset);
  S3Request get;
  get.operation = Op(what, key);
  get.method = "GET";
  get.full_key = prefix_ + std::string(key);
  get.headers = {absl::StrCat("Range: bytes=", offset, "-", last)};
  PITR_ASSIGN_OR_RETURN(HttpResponse response, client_.Call(get));
  if (response.status == 206) return std::move(response.body);
  // A server that ignores Range answers 200 with the whole object.
  if (offset >= response.body.size()) {
    return absl::OutOfRangeError(absl::StrCat(
        "ranged read of object \"", key, "\" in ", describe_, " at offset ",
        offset, ": the object has ", response.body.size(), " bytes"));
  }
  return response.body.substr(offset, length);
}

absl::Status S3Storage::Delete(absl::string_view key) {
  PITR_RETURN_IF_ERROR(ValidateKey(key, describe_));
  S3Request del;
  del.operation = Op("delete", key);
  del.method = "DELETE";
  del.full_key = prefix_ + std::string(key);
  return client_.Call(del).status();
}

absl::Status S3Storage::DeleteBatch(const std::vector<std::string>& keys) {
  PITR_RETURN_IF_ERROR(ValidateKeys(keys, describe_));
  for (size_t begin = 0; begin < keys.size(); begin += kMaxDeleteKeys) {
    PITR_RETURN_IF_ERROR(DeleteChunk(
        keys, begin, std::min(keys.size(), begin + kMaxDeleteKeys)));
  }
  return absl::OkStatus();
}

absl::Status S3Storage::DeleteChunk(const std::vector<std::string>& keys,
                                    size_t begin, size_t end) {
  std::vector<std::string> full_keys;
  for (size_t i = begin; i < end; ++i) full_keys.push_back(prefix_ + keys[i]);
  const std::string body = DeleteRequestXml(full_keys);
  const std::string what = absl::StrCat("delete of ", end - begin, " keys");
  S3Request del;
  del.operation = Op(what, "");
  del.method = "POST";
  del.query = S3Query({{"delete", ""}});
  del.headers = {"Content-MD5: " + ContentMd5(body),
                 "Content-Type: application/xml"};
  del.body = body;
  PITR_ASSIGN_OR_RETURN(HttpResponse response, client_.Call(del));
  std::vector<std::string> failed;
  for (const S3DeleteFailure& failure : ParseDeleteFailures(response.body)) {
    if (failure.error.code == "NoSuchKey") continue;
    failed.push_back(absl::StrCat("\"", failure.key, "\": ",
                                  failure.error.code, " ",
                                  failure.error.message));
  }
  if (failed.empty()) return absl::OkStatus();
  return absl::UnavailableError(absl::StrCat(
      "delete in ", describe_, " failed for ", failed.size(), " of ",
      end - begin, " keys: ", absl::StrJoin(failed, "; ")));
}

}  // namespace pitr::remote
