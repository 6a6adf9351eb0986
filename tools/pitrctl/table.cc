#include "tools/pitrctl/table.h"

#include <algorithm>

namespace pitr::ctl {
namespace {

// Characters in UTF-8 text: the bytes that do not continue a sequence.
size_t DisplayWidth(const std::string& s) {
  return std::count_if(s.begin(), s.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  });
}

}  // namespace

Table::Table(std::vector<std::string> header) : header_(std::move(header)) {}

void Table::AddRow(std::vector<std::string> cells) {
  rows_.push_back(std::move(cells));
}

std::string Table::Render() const {
  std::vector<const std::vector<std::string>*> lines;
  if (!header_.empty()) lines.push_back(&header_);
  for (const auto& row : rows_) lines.push_back(&row);

  std::vector<size_t> widths;
  for (const auto* line : lines) {
    if (widths.size() < line->size()) widths.resize(line->size(), 0);
    for (size_t i = 0; i < line->size(); ++i) {
      widths[i] = std::max(widths[i], DisplayWidth((*line)[i]));
    }
  }

  std::string out;
  for (const auto* line : lines) {
    std::string text;
    for (size_t i = 0; i < line->size(); ++i) {
      if (i > 0) text.append(2, ' ');
      text.append((*line)[i]);
      if (i + 1 < line->size()) {
        text.append(widths[i] - DisplayWidth((*line)[i]), ' ');
      }
    }
    text.erase(text.find_last_not_of(' ') + 1);
    out.append(text).push_back('\n');
  }
  return out;
}

}  // namespace pitr::ctl
