#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <filesystem>
#include <cstdio>
#include "wal/wal.h"
#include "wal/batch.h"
#include "wal/log_format.h"
#include "gtest/gtest.h"
namespace pitr {
namespace {
namespace fs = std::filesystem;
std::string ReadAll(const std::string& p){ std::ifstream f(p, std::ios::binary); std::stringstream s; s<<f.rdbuf(); return s.str();}
void WriteAll(const std::string& p, const std::string& d){ std::ofstream f(p, std::ios::binary|std::ios::trunc); f<<d;}
std::string Dir(const char* n){ std::string d = std::string(getenv("TEST_TMPDIR")) + "/" + n; fs::remove_all(d); return d;}
WalBatch B(int i){ WalBatch b(1); b.PutPageDelta({7,(uint32_t)i},16,"abcd").IgnoreError(); b.SetTimestamp(1700000000000000+i); return b;}

// Length field of the first record in the last segment flipped to a larger
// (<= 1 MiB) value: later acknowledged batches silently dropped?
TEST(X, CorruptLengthInLastSegment){
  std::string dir = Dir("len");
  WalOptions o; o.dir = dir;
  { auto wal = *Wal::Open(o); for (int i=0;i<3;++i) ASSERT_TRUE(wal->Append(B(i)).ok()); }
  std::string p = dir + "/0000000000000000.wal";
  std::string s = ReadAll(p);
  s[40 + 4 + 2] = 0x01;  // length 24 -> 0x10018
  WriteAll(p, s);
  auto wal = Wal::Open(o);
  printf("open: %s\n", wal.ok() ? "OK" : wal.status().ToString().c_str());
  if (wal.ok()) printf("end_lsn %s, file size now %zu\n", FormatLsn((*wal)->end_lsn()).c_str(), ReadAll(p).size());
}
// Same, but a payload byte flipped (checksum mismatch): refused.
TEST(X, CorruptPayloadInLastSegment){
  std::string dir = Dir("pay");
  WalOptions o; o.dir = dir;
  { auto wal = *Wal::Open(o); for (int i=0;i<3;++i) ASSERT_TRUE(wal->Append(B(i)).ok()); }
  std::string p = dir + "/0000000000000000.wal";
  std::string s = ReadAll(p);
  s[40 + 30] ^= 1;
  WriteAll(p, s);
  auto wal = Wal::Open(o);
  printf("open: %s\n", wal.ok() ? "OK" : wal.status().ToString().c_str());
}
// State left by a crash during repair between truncating segment i and
// deleting segment i+1.
TEST(X, CrashDuringRepair){
  std::string dir = Dir("rep");
  WalOptions o; o.dir = dir; o.segment_size = 1;
  { auto wal = *Wal::Open(o); for (int i=0;i<3;++i) ASSERT_TRUE(wal->Append(B(i)).ok()); }
  for (auto& e : fs::directory_iterator(dir)) printf("%s %ju\n", e.path().filename().c_str(), (uintmax_t)e.file_size());
  // segments 0, 3E, 7C
  fs::resize_file(dir + "/000000000000003E.wal", 40);
  o.repair = true;
  auto wal = Wal::Open(o);
  printf("open with repair: %s\n", wal.ok() ? "OK" : wal.status().ToString().c_str());
}
// Middle segment with a bad header, with repair.
TEST(X, BadMiddleHeaderRepair){
  std::string dir = Dir("hdr");
  WalOptions o; o.dir = dir; o.segment_size = 1;
  { auto wal = *Wal::Open(o); for (int i=0;i<3;++i) ASSERT_TRUE(wal->Append(B(i)).ok()); }
  std::string p = dir + "/000000000000003E.wal";
  std::string s = ReadAll(p); s[20] ^= 1; WriteAll(p, s);
  o.repair = true;
  auto wal = Wal::Open(o);
  printf("open with repair: %s\n", wal.ok() ? "OK" : wal.status().ToString().c_str());
}
// Index header with format_version 2 (crc fixed up) is accepted?
}}
