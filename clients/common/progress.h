// The progress line long-running client commands draw on stderr (pitrctl
// export and import, pitr-wal replay and generate).
//
// With a known total (import: the file size):
//   [##########..........]  50%  13.5 MiB / 27.0 MiB  4.5 MiB/s  1200 pages
// Without one (export, whose size is known only at the end):
//   13.5 MiB  4.5 MiB/s  1200 pages
// The line is redrawn in place ("\r") at most ten times a second and ended
// by Finish(); StatusLine does that for any text (pitrctl gc's progress).
// Not thread-safe.
#ifndef PITR_CLIENTS_COMMON_PROGRESS_H_
#define PITR_CLIENTS_COMMON_PROGRESS_H_

#include <cstdint>
#include <cstdio>
#include <functional>
#include <string>

#include "absl/time/time.h"

namespace pitr::clients {

// One progress line. `total` 0: unknown; `pages` 0: not shown; `elapsed`
// 0: no rate shown.
std::string RenderProgress(uint64_t bytes, uint64_t total, uint64_t pages,
                           absl::Duration elapsed);

// One line of text redrawn in place.
class StatusLine {
 public:
  // Draws on `out` (not owned; must outlive this) if `enabled`; otherwise
  // every call does nothing.
  StatusLine(FILE* out, bool enabled);
  StatusLine(const StatusLine&) = delete;
  StatusLine& operator=(const StatusLine&) = delete;

  // Draws render() unless the line was drawn less than a tenth of a second
  // ago (render is then not called).
  void Update(const std::function<std::string()>& render);
  // Draws `line` and ends it.
  void Finish(const std::string& line);

 private:
  void Draw(const std::string& line);

  FILE* const out_;
  const bool enabled_;
  absl::Time last_draw_ = absl::InfinitePast();
};

class ProgressBar {
 public:
  // Draws on `out` (not owned; must outlive this) if `enabled`; otherwise
  // every call does nothing.
  ProgressBar(FILE* out, bool enabled, uint64_t total);
  ProgressBar(const ProgressBar&) = delete;
  ProgressBar& operator=(const ProgressBar&) = delete;

  void Update(uint64_t bytes, uint64_t pages);
  // Draws the final state and ends the line.
  void Finish();

 private:
  std::string Render() const;

  StatusLine line_;
  const uint64_t total_;
  const absl::Time start_;
  uint64_t bytes_ = 0;
  uint64_t pages_ = 0;
};

}  // namespace pitr::clients

#endif  // PITR_CLIENTS_COMMON_PROGRESS_H_
