// The WAL records `pitrctl append` writes, from arguments or a file.
//
// Record syntax (words on the command line, or one record a line):
//   image SPACE PAGE PAYLOAD          the whole page
//   delta SPACE PAGE OFFSET PAYLOAD   bytes at OFFSET of the page
//   truncate SPACE COUNT              remove pages COUNT and above
// PAYLOAD is hex:0A1B... (an even number of hex digits), text:ANY TEXT, or
// @PATH (the bytes of a file). In a file, blank lines and lines starting
// with '#' are skipped, and the payload is the rest of the line, so text
// may hold spaces.
//
// Errors are usage errors (args.h) naming the record or line and the word.
#ifndef PITR_TOOLS_PITRCTL_RECORDS_H_
#define PITR_TOOLS_PITRCTL_RECORDS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "proto/resources.pb.h"

namespace pitr::ctl {

// The bytes a PAYLOAD word names (reads the file of @PATH).
absl::StatusOr<std::string> ParsePayload(const std::string& word);

// Records given as consecutive groups of words.
absl::StatusOr<std::vector<v1::WalRecord>> ParseRecordWords(
    const std::vector<std::string>& words);

// Records given one a line.
absl::StatusOr<std::vector<v1::WalRecord>> ParseRecordLines(
    const std::string& text);

// Pads each image shorter than `page_size` with zeros at the end. A usage
// error for an image longer than a page.
absl::Status PadImages(uint32_t page_size, std::vector<v1::WalRecord>* records);

}  // namespace pitr::ctl

#endif  // PITR_TOOLS_PITRCTL_RECORDS_H_
