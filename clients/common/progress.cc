#include "clients/common/progress.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "clients/common/format.h"

namespace pitr::clients {
namespace {

constexpr int kBarWidth = 20;
constexpr absl::Duration kRedrawInterval = absl::Milliseconds(100);

}  // namespace

std::string RenderProgress(uint64_t bytes, uint64_t total, uint64_t pages,
                           absl::Duration elapsed) {
  std::string line;
  if (total > 0) {
    uint64_t done = std::min(bytes, total);
    int filled = static_cast<int>(done * kBarWidth / total);
    uint64_t percent = done * 100 / total;
    absl::StrAppend(&line, "[", std::string(filled, '#'),
                    std::string(kBarWidth - filled, '.'), "] ",
                    std::string(percent < 10    ? 2
                                : percent < 100 ? 1
                                                : 0,
                                ' '),
                    percent, "%  ", FormatBytes(bytes), " / ",
                    FormatBytes(total));
  } else {
    line = FormatBytes(bytes);
  }
  double seconds = absl::ToDoubleSeconds(elapsed);
  if (seconds > 0) {
    absl::StrAppend(&line, "  ",
                    FormatBytes(static_cast<uint64_t>(bytes / seconds)), "/s");
  }
  if (pages > 0) absl::StrAppend(&line, "  ", pages, " pages");
  return line;
}

ProgressBar::ProgressBar(FILE* out, bool enabled, uint64_t total)
    : out_(out), enabled_(enabled), total_(total), start_(absl::Now()) {}

void ProgressBar::Update(uint64_t bytes, uint64_t pages) {
  bytes_ = bytes;
  pages_ = pages;
  if (enabled_ && absl::Now() - last_draw_ >= kRedrawInterval) Draw();
}

void ProgressBar::Finish() {
  if (!enabled_) return;
  Draw();
  std::fputc('\n', out_);
  std::fflush(out_);
}

void ProgressBar::Draw() {
  last_draw_ = absl::Now();
  // "\33[K" clears what a longer previous line left.
  std::fprintf(
      out_, "\r%s\33[K",
      RenderProgress(bytes_, total_, pages_, last_draw_ - start_).c_str());
  std::fflush(out_);
}

}  // namespace pitr::clients
