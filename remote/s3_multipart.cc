#include "remote/s3_multipart.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "remote/s3_xml.h"

namespace pitr::remote {

namespace {

constexpr uint64_t kMaxParts = 10000;

// Puts every part and completes the upload `upload_id`.
absl::StatusOr<std::string> UploadParts(S3Client& client,
                                        const S3Operation& operation,
                                        const std::string& full_key,
                                        const MultipartSource& source,
                                        const std::string& upload_id) {
  const uint64_t part_size = std::max(
      source.part_size, (source.size + kMaxParts - 1) / kMaxParts);
  std::vector<std::string> etags;
  for (uint64_t offset = 0; offset < source.size; offset += part_size) {
    FileRange range{source.path, offset,
                    std::min(part_size, source.size - offset)};
    S3Request put;
    put.operation = operation;
    put.method = "PUT";
    put.full_key = full_key;
    put.query = S3Query({{"partNumber", absl::StrCat(etags.size() + 1)},
                         {"uploadId", upload_id}});
    put.file_body = &range;
    PITR_ASSIGN_OR_RETURN(HttpResponse response, client.Call(put));
    std::string etag = response.Header("etag");
    if (etag.empty()) {
      return absl::InternalError(absl::StrCat(
          operation.what, " of object \"", operation.key, "\" in ",
          operation.where, ": part ", etags.size() + 1,
          " was answered without an ETag"));
    }
    etags.push_back(std::move(etag));
  }
  const std::string body = CompleteMultipartXml(etags);
  S3Request complete;
  complete.operation = operation;
  complete.method = "POST";
  complete.full_key = full_key;
  complete.query = S3Query({{"uploadId", upload_id}});
  complete.headers = {"Content-Type: application/xml"};
  complete.body = body;
  PITR_ASSIGN_OR_RETURN(HttpResponse response, client.Call(complete));
  // S3 may answer 200 and still fail, with an <Error> in the body.
  S3Error error = ParseError(response.body);
  if (!error.code.empty()) {
    return absl::UnavailableError(absl::StrCat(
        operation.what, " of object \"", operation.key, "\" in ",
        operation.where, ": completing the multipart upload failed: ",
        error.code, ": ", error.message));
  }
  std::string etag = XmlText(response.body, "ETag");
  if (!etag.empty()) return etag;
  // RGW 16 answers an empty <ETag/>: ask for it.
  S3Request head;
  head.operation = operation;
  head.method = "HEAD";
  head.full_key = full_key;
  PITR_ASSIGN_OR_RETURN(HttpResponse headed, client.Call(head));
  return headed.Header("etag");
}

}  // namespace

absl::StatusOr<std::string> PutMultipart(
    S3Client& client, const S3Operation& operation,
    const std::string& full_key, const MultipartSource& source,
    const std::vector<std::string>& headers) {
  S3Request create;
  create.operation = operation;
  create.method = "POST";
  create.full_key = full_key;
  create.query = S3Query({{"uploads", ""}});
  create.headers = headers;
  PITR_ASSIGN_OR_RETURN(HttpResponse created, client.Call(create));
  std::string upload_id = XmlText(created.body, "UploadId");
  if (upload_id.empty()) {
    return absl::InternalError(absl::StrCat(
        operation.what, " of object \"", operation.key, "\" in ",
        operation.where, ": no UploadId in the answer: ",
        created.body.substr(0, 300)));
  }
  absl::StatusOr<std::string> etag =
      UploadParts(client, operation, full_key, source, upload_id);
  if (etag.ok()) return etag;

  S3Request abort;
  abort.operation = operation;
  abort.method = "DELETE";
  abort.full_key = full_key;
  abort.query = S3Query({{"uploadId", upload_id}});
  absl::StatusOr<HttpResponse> aborted = client.Call(abort);
  if (aborted.ok()) return etag.status();
  return absl::Status(
      etag.status().code(),
      absl::StrCat(etag.status().message(), "; aborting upload ", upload_id,
                   " failed too: ", aborted.status().message()));
}

}  // namespace pitr::remote
