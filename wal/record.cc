#include "wal/record.h"

namespace pitr {

absl::string_view RecordKindName(RecordKind kind) {
  switch (kind) {
    case RecordKind::kPageImage:
      return "image";
    case RecordKind::kPageDelta:
      return "delta";
    case RecordKind::kSpaceTruncate:
      return "truncate";
  }
  return "unknown";
}

}  // namespace pitr
