#include "tools/pitrctl/table.h"

#include "gtest/gtest.h"

namespace pitr::ctl {
namespace {

TEST(TableTest, AlignsColumnsWithoutTrailingSpaces) {
  Table t({"NAME", "BRANCH POINT", "ID"});
  t.AddRow({"main", "-", "1"});
  t.AddRow({"└─ feature", "main@0/16B3748", "12"});
  t.AddRow({"x"});
  EXPECT_EQ(t.Render(),
            "NAME        BRANCH POINT    ID\n"
            "main        -               1\n"
            "└─ feature  main@0/16B3748  12\n"
            "x\n");
}

TEST(TableTest, NoHeader) {
  Table t({});
  t.AddRow({"name", "main"});
  t.AddRow({"history_bounds.oldest_lsn", "0/0"});
  EXPECT_EQ(t.Render(),
            "name                       main\n"
            "history_bounds.oldest_lsn  0/0\n");
}

TEST(TableTest, EmptyTableIsItsHeader) {
  EXPECT_EQ(Table({"A", "B"}).Render(), "A  B\n");
  EXPECT_EQ(Table({}).Render(), "");
}

}  // namespace
}  // namespace pitr::ctl
