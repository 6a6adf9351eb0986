#include "tools/wal/record_text.h"

#include <vector>

#include "absl/strings/str_cat.h"
#include "base/timestamp.h"
#include "clients/common/json.h"
#include "wal/log_format.h"

namespace pitr::waltool {
namespace {

// The fields of one line, in order; the first two (lsn, type) are shown
// bare in text.
class Line {
 public:
  void Add(std::string key, std::string text) {
    fields_.push_back({std::move(key), clients::Json::String(std::move(text))});
  }
  void Add(std::string key, uint64_t number) {
    fields_.push_back({std::move(key), clients::Json::Number(number)});
  }

  std::string Render(bool json) const {
    if (json) {
      clients::Json object = clients::Json::Object();
      for (const auto& [key, value] : fields_) object.Set(key, value);
      return object.Dump() + "\n";
    }
    std::string out;
    for (size_t i = 0; i < fields_.size(); ++i) {
      if (i > 0) out += ' ';
      if (i >= 2) absl::StrAppend(&out, fields_[i].first, "=");
      out += fields_[i].second.text();
    }
    return out + "\n";
  }

 private:
  std::vector<std::pair<std::string, clients::Json>> fields_;
};

Line Start(Lsn lsn, absl::string_view type, const CommittedBatch& batch,
           const TimelineTree& tree) {
  Line line;
  line.Add("lsn", FormatLsn(lsn));
  line.Add("type", std::string(type));
  line.Add("timeline", batch.timeline.value());
  if (const TimelineInfo* t = tree.Find(batch.timeline)) {
    line.Add("branch", t->name);
  }
  return line;
}

}  // namespace

std::string FormatBatch(const CommittedBatch& batch, const TimelineTree& tree,
                        bool json) {
  const std::string time = FormatTimestampUs(batch.timestamp_us);
  std::string out;
  for (const WalRecord& r : batch.records) {
    Line line = Start(r.lsn, RecordKindName(r.kind), batch, tree);
    line.Add("space", r.key.space);
    if (r.kind == RecordKind::kSpaceTruncate) {
      line.Add("page_count", r.page_count);
    } else {
      line.Add("page", r.key.page);
      if (r.kind == RecordKind::kPageDelta) line.Add("offset", r.offset);
      line.Add("size", r.data.size());
    }
    line.Add("time", time);
    out += line.Render(json);
  }
  Line commit = Start(batch.commit_lsn - log_format::kCommitRecordSize,
                      "commit", batch, tree);
  commit.Add("records", batch.records.size());
  commit.Add("batch_bytes", batch.commit_lsn - batch.start_lsn);
  commit.Add("time", time);
  out += commit.Render(json);
  return out;
}

}  // namespace pitr::waltool
