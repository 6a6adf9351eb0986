// The hex dump `pitrctl page get` prints, in the style of `hexdump -C`:
//
//   00000000  68 65 6c 6c 6f 00 00 00  00 00 00 00 00 00 00 00
//   |hello...........| 00000010  00 00 00 00 00 00 00 00  00 00 00 00 00 00 00
//   00  |................|
//   *
//   00002000
//
// A run of lines equal to the one before shows as one "*"; the last line is
// the length.
#ifndef PITR_TOOLS_PITRCTL_HEXDUMP_H_
#define PITR_TOOLS_PITRCTL_HEXDUMP_H_

#include <string>

namespace pitr::ctl {

std::string HexDump(const std::string& data);

}  // namespace pitr::ctl

#endif  // PITR_TOOLS_PITRCTL_HEXDUMP_H_
