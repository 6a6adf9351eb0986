// The calls request_fuzz makes: the first byte of an input picks one (modulo
// kCount), the rest is its request message, serialized. Shared with
// make_seeds, which writes a seed per kind. Do not reorder: the committed
// seeds use these values.
#ifndef PITR_TESTS_FUZZ_REQUEST_KINDS_H_
#define PITR_TESTS_FUZZ_REQUEST_KINDS_H_

#include <cstdint>

namespace pitr::fuzz {

enum RequestKind : uint8_t {
  kAppend = 0,         // WalService.Append, v1::AppendRequest
  kGetPage = 1,        // PageService.GetPage, v1::GetPageRequest
  kGetPages = 2,       // PageService.GetPages, v1::GetPagesRequest
  kGetSpaceSize = 3,   // PageService.GetSpaceSize, v1::GetSpaceSizeRequest
  kCreateBranch = 4,   // BranchService.CreateBranch, v1::CreateBranchRequest
  kGetBranch = 5,      // BranchService.GetBranch, v1::GetBranchRequest
  kListBranches = 6,   // BranchService.ListBranches, v1::ListBranchesRequest
  kDeleteBranch = 7,   // BranchService.DeleteBranch, v1::DeleteBranchRequest
  kRestoreBranch = 8,  // BranchService.RestoreBranch, v1::RestoreBranchRequest
  kCount = 9,
};

// The store the fuzzer serves (request_fuzz.cc seeds it): page size 512;
// branches "main" and "dev" (from main); pages (1, 0) and (1, 1); snapshot
// "snap" on main.
inline constexpr uint32_t kFuzzPageSize = 512;

}  // namespace pitr::fuzz

#endif  // PITR_TESTS_FUZZ_REQUEST_KINDS_H_
