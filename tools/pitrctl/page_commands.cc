// pitrctl page get|size and info: reading pages and the store's facts.
#include <cstdio>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "base/lsn.h"
#include "base/status_macros.h"
#include "clients/common/files.h"
#include "tools/pitrctl/command.h"
#include "tools/pitrctl/hexdump.h"
#include "tools/pitrctl/views.h"

namespace pitr::ctl {

using clients::Json;
using clients::WriteStringToFile;
namespace {

absl::StatusOr<uint32_t> U32Arg(const Context& c, size_t i, const char* what) {
  PITR_ASSIGN_OR_RETURN(uint64_t n,
                        ParseNumber(what, c.args.positional()[i], UINT32_MAX));
  return static_cast<uint32_t>(n);
}

absl::Status Get(const Context& c) {
  if (c.args.Has("out") && c.args.Flag("raw")) {
    return UsageError("--out and --raw exclude each other");
  }
  v1::GetPageRequest request;
  request.set_branch(c.args.Get("branch"));
  PITR_ASSIGN_OR_RETURN(uint32_t space, U32Arg(c, 0, "space"));
  PITR_ASSIGN_OR_RETURN(uint32_t page, U32Arg(c, 1, "page"));
  request.mutable_key()->set_space(space);
  request.mutable_key()->set_page(page);
  PITR_ASSIGN_OR_RETURN(*request.mutable_point(), PointOption(c.args));
  v1::Page result;
  PITR_RETURN_IF_ERROR(
      c.client.Call(&v1::PageService::Stub::GetPage, request, &result));
  if (c.args.Flag("raw")) {
    std::fwrite(result.data().data(), 1, result.data().size(), stdout);
    return absl::OkStatus();
  }
  Json view = Json::Object()
                  .Set("space", Json::Number(space))
                  .Set("page", Json::Number(page))
                  .Set("lsn", LsnJson(result.lsn()))
                  .Set("size", Json::Number(result.data().size()));
  if (c.args.Has("out")) {
    PITR_RETURN_IF_ERROR(WriteStringToFile(c.args.Get("out"), result.data()));
    c.out.Print(view.Set("file", Json::String(c.args.Get("out"))));
  } else if (c.out.json()) {
    c.out.Print(view.Set("data_hex",
                         Json::String(absl::BytesToHexString(result.data()))));
  } else {
    c.out.Note(absl::StrCat("page ", space, "/", page, " at ",
                            FormatLsn(result.lsn()), ", ", result.data().size(),
                            " bytes"));
    c.out.Note(std::string(absl::StripSuffix(HexDump(result.data()), "\n")));
  }
  return absl::OkStatus();
}

absl::Status Size(const Context& c) {
  v1::GetSpaceSizeRequest request;
  request.set_branch(c.args.Get("branch"));
  PITR_ASSIGN_OR_RETURN(uint32_t space, U32Arg(c, 0, "space"));
  request.set_space(space);
  PITR_ASSIGN_OR_RETURN(*request.mutable_point(), PointOption(c.args));
  v1::SpaceSize size;
  PITR_RETURN_IF_ERROR(
      c.client.Call(&v1::PageService::Stub::GetSpaceSize, request, &size));
  c.out.Print(Json::Object()
                  .Set("space", Json::Number(space))
                  .Set("pages", Json::Number(size.pages()))
                  .Set("lsn", LsnJson(size.lsn())));
  return absl::OkStatus();
}

absl::Status Info(const Context& c) {
  PITR_ASSIGN_OR_RETURN(v1::StoreInfo info, FetchStoreInfo(c.client));
  c.out.Print(StoreInfoJson(info));
  return absl::OkStatus();
}

}  // namespace

std::vector<Command> PageCommands() {
  return {
      {"page get",
       "SPACE PAGE [--branch B] [--at POINT] [--out FILE | --raw]",
       "Read a page of B (default main) at POINT (default latest): a hex dump, "
       "the bytes into FILE, or the raw bytes on stdout.",
       {{"branch", true, "the branch to read (default main)"},
        {"at", true, "the point to read at (default the latest)"},
        {"out", true, "write the page's bytes into FILE"},
        {"raw", false, "write the page's bytes to stdout"}},
       2,
       2,
       Get},
      {"page size",
       "SPACE [--branch B] [--at POINT]",
       "The number of pages of a space.",
       {{"branch", true, "the branch to read (default main)"},
        {"at", true, "the point to read at (default the latest)"}},
       1,
       1,
       Size},
      {"info",
       "",
       "The store's page size, latest LSN and server version.",
       {},
       0,
       0,
       Info},
  };
}

}  // namespace pitr::ctl
