// Writes the binary seed inputs of the fuzz targets (tests/fuzz/corpus/):
// real WAL segments from a tiny workload, a few dumps, serialized requests.
// The seeds are committed; run this only to regenerate them after a format
// change:
//   bazel run //tests/fuzz:make_seeds -- $PWD/tests/fuzz/corpus
// Each target's input layout (the leading flags byte) is described in its
// source.
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include "absl/strings/str_format.h"
#include "base/coding.h"
#include "base/crc32c.h"
#include "base/testing/mem_file_system.h"
#include "engine/dump_writer.h"
#include "proto/branch_service.pb.h"
#include "proto/page_service.pb.h"
#include "proto/wal_service.pb.h"
#include "spdlog/spdlog.h"
#include "tests/fuzz/request_kinds.h"
#include "wal/log_format.h"
#include "wal/wal.h"

namespace pitr {
namespace {

namespace lf = log_format;

std::string g_root;

void Write(const std::string& target, const std::string& name,
           const std::string& bytes) {
  const std::string dir = g_root + "/" + target;
  std::filesystem::create_directories(dir);
  std::ofstream out(dir + "/" + name, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!out.good()) {
    std::fprintf(stderr, "cannot write %s/%s\n", dir.c_str(), name.c_str());
    std::exit(1);
  }
}

void Check(const absl::Status& s) {
  if (!s.ok()) {
    std::fprintf(stderr, "make_seeds: %s\n", s.ToString().c_str());
    std::exit(1);
  }
}

std::string Bytes(size_t n, char seed) {
  std::string s(n, '\0');
  for (size_t i = 0; i < n; ++i) s[i] = static_cast<char>(seed + i * 7);
  return s;
}

std::string Frame(uint8_t type, const std::string& payload) {
  std::string f;
  PutFixed32(&f, 0);
  PutFixed32(&f, static_cast<uint32_t>(payload.size()));
  f.push_back(static_cast<char>(type));
  f += payload;
  EncodeFixed32(&f[0],
                crc32c::Mask(crc32c::Extend(0, f.data() + 4, f.size() - 4)));
  return f;
}

// A segment written by the real Wal: three batches of images, deltas and
// truncates, and (if `ignorable`) a fourth batch holding a record of an
// unknown type with the ignorable bit.
std::string WalSegment() {
  testing::MemFileSystem fs;
  WalOptions options;
  options.dir = "/wal";
  options.fs = &fs;
  auto wal = Wal::Open(options);
  Check(wal.status());
  for (int i = 0; i < 3; ++i) {
    WalBatch batch(TimelineId(i == 2 ? 7 : 1));
    Check(
        batch.PutPageImage({1, static_cast<uint32_t>(i)}, Bytes(64, 'a' + i)));
    Check(batch.PutPageDelta({1, 0}, 8 * i, Bytes(5, 'x')));
    if (i == 1) batch.PutSpaceTruncate(2, 3);
    batch.SetTimestamp(1700000000000000 + i * 1000);
    Check((*wal)->Append(batch).status());
  }
  Check((*wal)->Close());
  return fs.GetFile("/wal/0000000000000000.wal");
}

void WalSeeds() {
  const std::string segment = WalSegment();
  const std::string flags0(1, '\0'), fix(1, '\1'), repair(1, '\2');
  Write("wal_decoder_fuzz", "three_batches", flags0 + segment);
  Write("wal_decoder_fuzz", "three_batches_fix", fix + segment);
  Write("wal_decoder_fuzz", "torn_tail",
        flags0 + segment.substr(0, segment.size() - 11));
  std::string damaged = segment;
  damaged[lf::kSegmentHeaderSize + 40] ^= 0x20;
  Write("wal_decoder_fuzz", "damaged_repair", repair + damaged);
  Write("wal_decoder_fuzz", "damaged", flags0 + damaged);

  // Records only (flags kRecordsOnly | kFixChecksums), at start LSN 0x1000,
  // with an ignorable record of an unknown type (0x85) in the batch.
  std::string start;
  PutFixed64(&start, 0x1000);
  std::string image;
  PutFixed64(&image, 3);
  PutFixed32(&image, 4);
  PutFixed32(&image, 5);
  image += Bytes(32, 'p');
  std::string commit;
  PutFixed64(&commit, 3);
  PutFixed64(&commit, 1700000000000000);
  PutFixed32(&commit, 2);
  const std::string records = Frame(lf::kPageImage, image) +
                              Frame(0x85, "from a later version") +
                              Frame(lf::kCommit, commit);
  Write("wal_decoder_fuzz", "records_ignorable",
        std::string(1, '\5') + start + records);
  // A record type that is neither known nor ignorable.
  Write("wal_decoder_fuzz", "records_unknown",
        std::string(1, '\5') + start + Frame(lf::kPageImage, image) +
            Frame(0x05, "unknown") + Frame(lf::kCommit, commit));
}

std::string Dump(const DumpHeader& header, int spaces, int pages) {
  std::string out;
  auto writer = DumpWriter::Start(header, [&out](absl::string_view b) {
    out.append(b.data(), b.size());
    return absl::OkStatus();
  });
  Check(writer.status());
  for (int s = 0; s < spaces; ++s) {
    Check((*writer)->AddSpace(s * 3 + 1, pages + 2));
    for (int p = 0; p < pages; ++p) {
      Check((*writer)->AddPage(p * 2 % (pages + 2),
                               Bytes(header.page_size, 'A' + s + p)));
    }
  }
  Check((*writer)->Finish());
  return out;
}

void DumpSeeds() {
  DumpHeader header;
  header.page_size = 512;
  header.source_branch = 1;
  header.source_branch_name = "main";
  header.lsn = 0x16B3748;
  header.timestamp_us = 1700000000000000;
  const std::string small = Dump(header, 2, 1);
  Write("dump_reader_fuzz", "two_spaces", std::string(1, '\0') + small);
  Write("dump_reader_fuzz", "two_spaces_fix", std::string(1, '\x80') + small);
  Write("dump_reader_fuzz", "two_spaces_short_reads",
        std::string(1, '\x02') + small);
  Write("dump_reader_fuzz", "empty",
        std::string(1, '\x81') + Dump(header, 0, 0));
  header.source_branch_name = "dev/feature-1";
  header.timestamp_us = 0;
  Write("dump_reader_fuzz", "pages_in_order",
        std::string(1, '\x80') + Dump(header, 1, 3));
  Write("dump_reader_fuzz", "cut_short",
        std::string(1, '\0') + small.substr(0, small.size() / 2));
}

void Request(const std::string& name, fuzz::RequestKind kind,
             const google::protobuf::Message& request) {
  Write("request_fuzz", name,
        std::string(1, static_cast<char>(kind)) + request.SerializeAsString());
}

void RequestSeeds() {
  v1::AppendRequest append;
  auto* image = append.add_records()->mutable_image();
  image->mutable_key()->set_space(1);
  image->mutable_key()->set_page(2);
  image->set_data(Bytes(fuzz::kFuzzPageSize, 'z'));
  auto* delta = append.add_records()->mutable_delta();
  delta->mutable_key()->set_space(1);
  delta->set_offset(4);
  delta->set_data("ab");
  auto* truncate = append.add_records()->mutable_truncate();
  truncate->set_space(2);
  Request("append", fuzz::kAppend, append);
  append.set_branch("dev");
  append.mutable_commit_time()->set_seconds(1700000000);
  append.mutable_commit_time()->set_nanos(250000);
  Request("append_dev_timed", fuzz::kAppend, append);
  v1::AppendRequest bad;
  bad.add_records()->mutable_image()->set_data("short");
  bad.add_records();
  Request("append_bad", fuzz::kAppend, bad);

  v1::GetPageRequest page;
  page.mutable_key()->set_space(1);
  Request("get_page", fuzz::kGetPage, page);
  page.mutable_point()->set_snapshot("snap");
  Request("get_page_snapshot", fuzz::kGetPage, page);
  page.set_branch("dev");
  page.mutable_point()->mutable_timestamp()->set_seconds(1700000000);
  Request("get_page_timestamp", fuzz::kGetPage, page);

  v1::GetPagesRequest pages;
  pages.set_branch("dev");
  for (uint32_t p = 0; p < 3; ++p) {
    auto* key = pages.add_keys();
    key->set_space(1);
    key->set_page(p);
  }
  pages.mutable_point()->set_lsn(1);
  Request("get_pages", fuzz::kGetPages, pages);

  v1::GetSpaceSizeRequest space;
  space.set_space(1);
  Request("get_space_size", fuzz::kGetSpaceSize, space);

  v1::CreateBranchRequest create;
  create.set_name("feature");
  create.set_parent("dev");
  Request("create_branch", fuzz::kCreateBranch, create);
  create.set_parent("");
  create.mutable_point()->set_snapshot("snap");
  Request("create_branch_snapshot", fuzz::kCreateBranch, create);

  v1::GetBranchRequest get;
  get.set_name("dev");
  Request("get_branch", fuzz::kGetBranch, get);

  v1::ListBranchesRequest list;
  list.set_page_size(1);
  list.set_page_token("1");
  Request("list_branches", fuzz::kListBranches, list);

  v1::DeleteBranchRequest del;
  del.set_name("main");
  del.set_cascade(true);
  Request("delete_main", fuzz::kDeleteBranch, del);

  v1::RestoreBranchRequest restore;
  restore.set_name("dev");
  restore.set_source("main");
  restore.mutable_point()->set_lsn(100);
  Request("restore_branch", fuzz::kRestoreBranch, restore);
}

}  // namespace
}  // namespace pitr

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: make_seeds <corpus directory>\n");
    return 2;
  }
  spdlog::set_level(spdlog::level::off);
  pitr::g_root = argv[1];
  pitr::WalSeeds();
  pitr::DumpSeeds();
  pitr::RequestSeeds();
  return 0;
}
