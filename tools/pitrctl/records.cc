#include "tools/pitrctl/records.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "base/status_macros.h"
#include "clients/common/files.h"
#include "tools/pitrctl/args.h"

namespace pitr::ctl {

using clients::ReadFileToString;
namespace {

constexpr uint32_t kMaxU32 = UINT32_MAX;

// Words a record takes after its keyword; 0 for an unknown keyword.
size_t ArgumentCount(const std::string& keyword) {
  if (keyword == "image") return 3;
  if (keyword == "delta") return 4;
  if (keyword == "truncate") return 2;
  return 0;
}

absl::StatusOr<uint32_t> ParseU32(const std::string& what,
                                  const std::string& word) {
  PITR_ASSIGN_OR_RETURN(uint64_t n, ParseNumber(what, word, kMaxU32));
  return static_cast<uint32_t>(n);
}

// REQUIRES: words.size() == 1 + ArgumentCount(words[0]) > 1.
absl::StatusOr<v1::WalRecord> ParseRecord(const std::vector<std::string>& w) {
  v1::WalRecord record;
  if (w[0] == "truncate") {
    auto* t = record.mutable_truncate();
    PITR_ASSIGN_OR_RETURN(uint32_t space, ParseU32("space", w[1]));
    PITR_ASSIGN_OR_RETURN(uint32_t count, ParseU32("page count", w[2]));
    t->set_space(space);
    t->set_page_count(count);
    return record;
  }
  v1::PageKey key;
  PITR_ASSIGN_OR_RETURN(uint32_t space, ParseU32("space", w[1]));
  PITR_ASSIGN_OR_RETURN(uint32_t page, ParseU32("page", w[2]));
  key.set_space(space);
  key.set_page(page);
  PITR_ASSIGN_OR_RETURN(std::string data, ParsePayload(w.back()));
  if (w[0] == "image") {
    *record.mutable_image()->mutable_key() = key;
    *record.mutable_image()->mutable_data() = std::move(data);
  } else {
    PITR_ASSIGN_OR_RETURN(uint32_t offset, ParseU32("offset", w[3]));
    *record.mutable_delta()->mutable_key() = key;
    record.mutable_delta()->set_offset(offset);
    *record.mutable_delta()->mutable_data() = std::move(data);
  }
  return record;
}

absl::Status InRecord(const std::string& where, const absl::Status& status) {
  return UsageError(absl::StrCat(where, ": ", status.message()));
}

absl::Status UnknownKeyword(const std::string& where, const std::string& word) {
  return UsageError(absl::StrCat(
      where, ": unknown record \"", word,
      "\": expected image SPACE PAGE PAYLOAD, delta SPACE PAGE OFFSET PAYLOAD "
      "or truncate SPACE COUNT"));
}

}  // namespace

absl::StatusOr<std::string> ParsePayload(const std::string& word) {
  if (absl::StartsWith(word, "text:")) return word.substr(5);
  if (absl::StartsWith(word, "@")) {
    absl::StatusOr<std::string> data = ReadFileToString(word.substr(1));
    if (!data.ok()) return AsUsageError(data.status());
    return data;
  }
  if (absl::StartsWith(word, "hex:")) {
    std::string hex = word.substr(4);
    bool valid =
        hex.size() % 2 == 0 && std::all_of(hex.begin(), hex.end(), [](char c) {
          return absl::ascii_isxdigit(static_cast<unsigned char>(c));
        });
    if (valid) return absl::HexStringToBytes(hex);
  }
  return UsageError(absl::StrCat(
      "invalid payload \"", word,
      "\": expected hex:BYTES (an even number of hex digits), text:TEXT or "
      "@FILE"));
}

absl::StatusOr<std::vector<v1::WalRecord>> ParseRecordWords(
    const std::vector<std::string>& words) {
  std::vector<v1::WalRecord> records;
  for (size_t i = 0; i < words.size();) {
    std::string where = absl::StrCat("record ", records.size() + 1);
    size_t count = ArgumentCount(words[i]);
    if (count == 0) return UnknownKeyword(where, words[i]);
    if (i + count >= words.size()) {
      return UsageError(absl::StrCat(where, " (", words[i], "): needs ", count,
                                     " arguments"));
    }
    std::vector<std::string> group(words.begin() + i,
                                   words.begin() + i + count + 1);
    absl::StatusOr<v1::WalRecord> record = ParseRecord(group);
    if (!record.ok()) return InRecord(where, record.status());
    records.push_back(*std::move(record));
    i += count + 1;
  }
  return records;
}

absl::StatusOr<std::vector<v1::WalRecord>> ParseRecordLines(
    const std::string& text) {
  std::vector<v1::WalRecord> records;
  int line_number = 0;
  for (absl::string_view raw : absl::StrSplit(text, '\n')) {
    ++line_number;
    std::string line(absl::StripAsciiWhitespace(raw));
    if (line.empty() || line[0] == '#') continue;
    std::string where = absl::StrCat("line ", line_number);
    std::vector<std::string> words;
    size_t count = 0;
    // The keyword and every argument but the last are single words; the
    // last is the rest of the line.
    while (words.size() < 1 + count) {
      size_t end = words.size() == count && count > 0
                       ? line.size()
                       : line.find_first_of(" \t");
      words.push_back(line.substr(0, end));
      line = end == std::string::npos
                 ? ""
                 : std::string(absl::StripLeadingAsciiWhitespace(
                       absl::string_view(line).substr(end)));
      if (words.size() == 1) {
        count = ArgumentCount(words[0]);
        if (count == 0) return UnknownKeyword(where, words[0]);
      }
      if (line.empty() && words.size() < 1 + count) {
        return UsageError(absl::StrCat(where, " (", words[0], "): needs ",
                                       count, " arguments"));
      }
    }
    absl::StatusOr<v1::WalRecord> record = ParseRecord(words);
    if (!record.ok()) return InRecord(where, record.status());
    records.push_back(*std::move(record));
  }
  return records;
}

absl::Status PadImages(uint32_t page_size,
                       std::vector<v1::WalRecord>* records) {
  for (size_t i = 0; i < records->size(); ++i) {
    if (!(*records)[i].has_image()) continue;
    std::string* data = (*records)[i].mutable_image()->mutable_data();
    if (data->size() > page_size) {
      return UsageError(
          absl::StrCat("record ", i + 1, " (image): ", data->size(),
                       " bytes, more than the page size ", page_size));
    }
    data->resize(page_size, '\0');
  }
  return absl::OkStatus();
}

}  // namespace pitr::ctl
