#include "tools/pitrctl/hexdump.h"

#include "gtest/gtest.h"

namespace pitr::ctl {
namespace {

TEST(HexDumpTest, CollapsesRepeatedLines) {
  std::string page = "hello";
  page.resize(64, '\0');
  page[60] = '\x7f';
  EXPECT_EQ(HexDump(page),
            "00000000  68 65 6c 6c 6f 00 00 00  00 00 00 00 00 00 00 00  "
            "|hello...........|\n"
            "00000010  00 00 00 00 00 00 00 00  00 00 00 00 00 00 00 00  "
            "|................|\n"
            "*\n"
            "00000030  00 00 00 00 00 00 00 00  00 00 00 00 7f 00 00 00  "
            "|................|\n"
            "00000040\n");
}

TEST(HexDumpTest, ShortLastLine) {
  EXPECT_EQ(HexDump("AB"),
            "00000000  41 42                                             "
            "|AB|\n"
            "00000002\n");
  EXPECT_EQ(HexDump(""), "00000000\n");
}

}  // namespace
}  // namespace pitr::ctl
