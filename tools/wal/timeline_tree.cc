#include "tools/wal/timeline_tree.h"

#include <fstream>
#include <sstream>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "base/file_system.h"
#include "base/status_macros.h"

namespace pitr::waltool {
namespace {

absl::Status BadLine(int number, absl::string_view line,
                     absl::string_view why) {
  return absl::InvalidArgumentError(absl::StrCat(
      kTimelineFileName, " line ", number, " (\"", line, "\"): ", why));
}

// "timeline ID parent ID point LSN name NAME".
absl::StatusOr<TimelineInfo> ParseTimeline(
    const std::vector<absl::string_view>& words) {
  TimelineInfo t;
  uint64_t id = 0;
  uint64_t parent = 0;
  if (words.size() != 8 || words[2] != "parent" || words[4] != "point" ||
      words[6] != "name" || !absl::SimpleAtoi(words[1], &id) ||
      !absl::SimpleAtoi(words[3], &parent)) {
    return absl::InvalidArgumentError(
        "expected \"timeline ID parent ID point LSN name NAME\"");
  }
  t.id = TimelineId(id);
  t.parent = TimelineId(parent);
  PITR_ASSIGN_OR_RETURN(t.branch_point, ParseLsn(words[5]));
  t.name = std::string(words[7]);
  return t;
}

}  // namespace

TimelineTree::TimelineTree() {
  timelines_.push_back({kMainTimeline, kNoTimeline, 0, "main"});
}

absl::Status TimelineTree::Add(TimelineInfo timeline) {
  if (timeline.id == kMainTimeline) {
    if (timeline.parent != kNoTimeline || timeline.name != "main") {
      return absl::InvalidArgumentError("timeline 1 must be root \"main\"");
    }
    return absl::OkStatus();
  }
  if (Find(timeline.id) != nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat("timeline ", timeline.id.value(), " appears twice"));
  }
  if (Find(timeline.parent) == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat("timeline ", timeline.id.value(),
                     " comes before its parent ", timeline.parent.value()));
  }
  for (const TimelineInfo& t : timelines_) {
    if (t.name == timeline.name) {
      return absl::InvalidArgumentError(
          absl::StrCat("branch name \"", t.name, "\" appears twice"));
    }
  }
  timelines_.push_back(std::move(timeline));
  return absl::OkStatus();
}

const TimelineInfo* TimelineTree::Find(TimelineId id) const {
  for (const TimelineInfo& t : timelines_) {
    if (t.id == id) return &t;
  }
  return nullptr;
}

absl::StatusOr<TimelineTree> TimelineTree::Parse(absl::string_view text) {
  TimelineTree tree;
  int number = 0;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    ++number;
    line = absl::StripAsciiWhitespace(line);
    if (line.empty() || line[0] == '#') continue;
    std::vector<absl::string_view> words =
        absl::StrSplit(line, ' ', absl::SkipEmpty());
    if (words[0] == "page_size" && words.size() == 2 &&
        absl::SimpleAtoi(words[1], &tree.page_size_)) {
      continue;
    }
    if (words[0] != "timeline") {
      return BadLine(number, line, "expected page_size or timeline");
    }
    absl::StatusOr<TimelineInfo> t = ParseTimeline(words);
    absl::Status s = t.ok() ? tree.Add(*std::move(t)) : t.status();
    if (!s.ok()) return BadLine(number, line, s.message());
  }
  return tree;
}

std::string TimelineTree::Serialize() const {
  std::string out = "# pitr-wal timelines v1\n";
  if (page_size_ != 0) absl::StrAppend(&out, "page_size ", page_size_, "\n");
  for (const TimelineInfo& t : timelines_) {
    absl::StrAppend(&out, "timeline ", t.id.value(), " parent ",
                    t.parent.value(), " point ", FormatLsn(t.branch_point),
                    " name ", t.name, "\n");
  }
  return out;
}

absl::StatusOr<TimelineTree> LoadTimelineTree(const std::string& wal_dir) {
  const std::string path = JoinPath(wal_dir, kTimelineFileName);
  std::ifstream in(path, std::ios::binary);
  if (!in) return TimelineTree();
  std::stringstream text;
  text << in.rdbuf();
  if (in.bad()) {
    return absl::InternalError(absl::StrCat("cannot read ", path));
  }
  return TimelineTree::Parse(text.str());
}

}  // namespace pitr::waltool
