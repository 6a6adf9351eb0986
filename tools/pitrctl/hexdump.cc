#include "tools/pitrctl/hexdump.h"

#include "absl/strings/str_format.h"

namespace pitr::ctl {
namespace {

constexpr size_t kBytesPerLine = 16;

std::string Line(const std::string& data, size_t offset) {
  std::string hex, text;
  for (size_t i = 0; i < kBytesPerLine; ++i) {
    if (i == kBytesPerLine / 2) hex.push_back(' ');
    if (offset + i >= data.size()) {
      hex.append("   ");
      continue;
    }
    unsigned char c = static_cast<unsigned char>(data[offset + i]);
    absl::StrAppendFormat(&hex, "%02x ", c);
    text.push_back(c >= 0x20 && c < 0x7F ? static_cast<char>(c) : '.');
  }
  return absl::StrFormat("%08x  %s |%s|\n", offset, hex, text);
}

}  // namespace

std::string HexDump(const std::string& data) {
  std::string out;
  bool starred = false;
  for (size_t offset = 0; offset < data.size(); offset += kBytesPerLine) {
    bool repeat = offset > 0 && offset + kBytesPerLine <= data.size() &&
                  data.compare(offset, kBytesPerLine, data,
                               offset - kBytesPerLine, kBytesPerLine) == 0;
    if (repeat) {
      if (!starred) out.append("*\n");
      starred = true;
      continue;
    }
    starred = false;
    out.append(Line(data, offset));
  }
  absl::StrAppendFormat(&out, "%08x\n", data.size());
  return out;
}

}  // namespace pitr::ctl
