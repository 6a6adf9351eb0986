#include "tools/pitrctl/output.h"

#include <cstdio>
#include <cstdlib>
#include <string>

#include "gtest/gtest.h"
#include "tools/pitrctl/views.h"

namespace pitr::ctl {

using clients::Json;
namespace {

// Runs `write` against an Output and returns what it printed.
template <typename Write>
std::string Capture(bool json, Write write) {
  char* buffer = nullptr;
  size_t size = 0;
  FILE* file = open_memstream(&buffer, &size);
  {
    Output out(file, json);
    write(out);
  }
  std::fclose(file);
  std::string text(buffer, size);
  std::free(buffer);
  return text;
}

v1::Branch SampleBranch() {
  v1::Branch b;
  b.set_id(2);
  b.set_name("feature");
  b.set_parent("main");
  b.set_branch_point_lsn(0x16B3748);
  b.set_depth(1);
  b.set_timeline_id(7);
  b.set_parent_timeline_id(1);
  b.mutable_create_time()->set_seconds(1795255200);
  b.mutable_retention()->mutable_window()->set_seconds(7 * 86400);
  return b;
}

TEST(OutputTest, ObjectAsJson) {
  EXPECT_EQ(
      Capture(true, [](Output& o) { o.Print(BranchJson(SampleBranch())); }),
      "{\"name\":\"feature\",\"id\":2,\"parent\":\"main\","
      "\"branch_point_lsn\":\"0/16B3748\",\"depth\":1,\"timeline_id\":7,"
      "\"parent_timeline_id\":1,\"create_time\":\"2026-11-21T10:00:00.000000Z\","
      "\"retention\":{\"window\":\"7d\",\"lsn_distance\":null}}\n");
}

TEST(OutputTest, ObjectAsText) {
  EXPECT_EQ(
      Capture(false, [](Output& o) { o.Print(BranchJson(SampleBranch())); }),
      "name                    feature\n"
      "id                      2\n"
      "parent                  main\n"
      "branch_point_lsn        0/16B3748\n"
      "depth                   1\n"
      "timeline_id             7\n"
      "parent_timeline_id      1\n"
      "create_time             2026-11-21T10:00:00.000000Z\n"
      "retention.window        7d\n"
      "retention.lsn_distance  -\n");
}

TEST(OutputTest, ListAsTableAndJson) {
  Json items = Json::Array();
  items.Push(
      Json::Object()
          .Set("name", Json::String("a"))
          .Set("bounds", Json::Object().Set("lsn", Json::String("0/10"))));
  items.Push(Json::Object().Set("name", Json::String("bb")));
  std::vector<Column> columns = {FieldColumn("name"),
                                 FieldColumn("bounds.lsn")};
  EXPECT_EQ(
      Capture(false, [&](Output& o) { o.PrintList("x", items, columns); }),
      "NAME  BOUNDS.LSN\n"
      "a     0/10\n"
      "bb\n");
  EXPECT_EQ(Capture(true, [&](Output& o) { o.PrintList("x", items, columns); }),
            "{\"x\":[{\"name\":\"a\",\"bounds\":{\"lsn\":\"0/10\"}},"
            "{\"name\":\"bb\"}]}\n");
}

TEST(OutputTest, NotesOnlyInText) {
  EXPECT_EQ(Capture(true, [](Output& o) { o.Note("hint"); }), "");
  EXPECT_EQ(Capture(false, [](Output& o) { o.Note("hint"); }), "hint\n");
}

TEST(ViewsTest, BatchRecordsShowHexAndTruncation) {
  v1::WalBatch batch;
  batch.set_start_lsn(0x10);
  batch.set_commit_lsn(0x100000020);
  auto* image = batch.add_records()->mutable_image();
  image->mutable_key()->set_space(1);
  image->set_data(std::string(100, '\x01'));
  EXPECT_EQ(BatchJson(batch).Dump(),
            "{\"start_lsn\":\"0/10\",\"commit_lsn\":\"1/20\",\"timeline_id\":0,"
            "\"branch\":null,\"commit_time\":null,\"records\":[{\"kind\":"
            "\"image\",\"key\":{\"space\":1,\"page\":0},\"size\":100,"
            "\"data_hex\":\"" +
                std::string(128, '0').replace(0, 128,
                                              [] {
                                                std::string s;
                                                for (int i = 0; i < 64; ++i)
                                                  s += "01";
                                                return s;
                                              }()) +
                "\",\"data_truncated\":true}]}");
}

}  // namespace
}  // namespace pitr::ctl
