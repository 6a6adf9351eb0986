// The few S3 XML documents the S3 backend reads and writes, parsed minimally:
// S3's answers are flat, machine-made XML, so finding <Tag>text</Tag> spans
// (without attributes on those tags, which S3 never puts there) and
// unescaping the five entities and numeric references is all it takes. A
// document missing what it must have is an INTERNAL error quoting its start.
#ifndef PITR_REMOTE_S3_XML_H_
#define PITR_REMOTE_S3_XML_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace pitr::remote {

// The text of every <tag>...</tag> at any depth, in order, still escaped.
// An empty element <tag/> counts, with empty text.
std::vector<absl::string_view> XmlElements(absl::string_view xml,
                                           absl::string_view tag);
// The unescaped text of the first <tag>, or "" if there is none.
std::string XmlText(absl::string_view xml, absl::string_view tag);
std::string XmlEscape(absl::string_view text);
std::string XmlUnescape(absl::string_view text);

// One page of a ListObjectsV2 answer (keys as S3 gives them: full keys).
struct S3ListPage {
  struct Entry {
    std::string key;
    uint64_t size = 0;
    std::string etag;
  };
  std::vector<Entry> entries;
  bool truncated = false;
  std::string next_token;  // NextContinuationToken, when truncated
};
absl::StatusOr<S3ListPage> ParseListPage(absl::string_view xml);

// An <Error> document's Code and Message ("" if absent).
struct S3Error {
  std::string code;
  std::string message;
};
S3Error ParseError(absl::string_view xml);

// The keys a multi-object delete could not delete, with their errors.
struct S3DeleteFailure {
  std::string key;
  S3Error error;
};
std::vector<S3DeleteFailure> ParseDeleteFailures(absl::string_view xml);

// The body of a quiet multi-object delete of `keys` (full keys).
std::string DeleteRequestXml(const std::vector<std::string>& keys);
// The body completing a multipart upload whose part i+1 has etags[i].
std::string CompleteMultipartXml(const std::vector<std::string>& etags);

}  // namespace pitr::remote

#endif  // PITR_REMOTE_S3_XML_H_
