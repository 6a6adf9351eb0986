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

StatusLine::StatusLine(FILE* out, bool enabled)
    : out_(out), enabled_(enabled) {}

void StatusLine::Update(const std::function<std::string()>& render) {
  if (enabled_ && absl::Now() - last_draw_ >= kRedrawInterval) Draw(render());
}

void StatusLine::Finish(const std::string& line) {
  if (!enabled_) return;
  Draw(line);
  std::fputc('\n', out_);
  std::fflush(out_);
}

void StatusLine::Draw(const std::string& line) {
  last_draw_ = absl::Now();
  // "\33[K" clears what a longer previous line left.
  std::fprintf(out_, "\r%s\33[K", line.c_str());
  std::fflush(out_);
}

ProgressBar::ProgressBar(FILE* out, bool enabled, uint64_t total)
    : line_(out, enabled), total_(total), start_(absl::Now()) {}

void ProgressBar::Update(uint64_t bytes, uint64_t pages) {
  bytes_ = bytes;
  pages_ = pages;
  line_.Update([this] { return Render(); });
}

void ProgressBar::Finish() { line_.Finish(Render()); }

std::string ProgressBar::Render() const {
  return RenderProgress(bytes_, total_, pages_, absl::Now() - start_);
}

}  // namespace pitr::clients
