// pitrctl diff: the pages that differ between two points.
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "base/ids.h"
#include "base/lsn.h"
#include "base/status_macros.h"
#include "clients/common/point.h"
#include "tools/pitrctl/command.h"
#include "tools/pitrctl/hexdump.h"
#include "tools/pitrctl/views.h"

namespace pitr::ctl {

using clients::Json;
namespace {

// "BRANCH" or "BRANCH@POINT" (a branch name has no '@').
absl::Status ParseEnd(const std::string& text, std::string* branch,
                      v1::PointInTime* point) {
  const size_t at = text.find('@');
  *branch = text.substr(0, at);
  if (at == std::string::npos) return absl::OkStatus();
  absl::StatusOr<v1::PointInTime> parsed =
      clients::ParsePoint(text.substr(at + 1));
  if (!parsed.ok()) {
    return UsageError(absl::StrCat("\"", text, "\": ", parsed.status().message()));
  }
  *point = *parsed;
  return absl::OkStatus();
}

std::string KindName(v1::PageDiff::Kind kind) {
  return absl::AsciiStrToLower(v1::PageDiff::Kind_Name(kind));
}

absl::Status Diff(const Context& c) {
  v1::DiffPagesRequest request;
  PITR_RETURN_IF_ERROR(ParseEnd(c.args.positional()[0],
                                request.mutable_from_branch(),
                                request.mutable_from_point()));
  PITR_RETURN_IF_ERROR(ParseEnd(c.args.positional()[1],
                                request.mutable_to_branch(),
                                request.mutable_to_point()));
  const bool contents = c.args.Flag("contents");
  request.set_with_contents(contents);

  std::unique_ptr<grpc::ClientContext> context = c.client.NewContext(true);
  auto reader = c.client.pages().DiffPages(context.get(), request);
  std::vector<v1::PageDiff> pages;
  v1::DiffPagesResponse message, last;
  while (reader->Read(&message)) {
    for (v1::PageDiff& page : *message.mutable_pages()) {
      pages.push_back(std::move(page));
    }
    if (message.done()) last = message;
  }
  PITR_RETURN_IF_ERROR(c.client.Convert(reader->Finish()));

  const std::string summary = absl::StrCat(
      pages.size(), " pages differ between ", FormatLsn(last.from_lsn()),
      " and ", FormatLsn(last.to_lsn()), ": ", last.added(), " added, ",
      last.changed(), " changed, ", last.removed(), " removed (",
      last.pages_compared(), " compared)");
  if (!c.out.json()) {
    for (const v1::PageDiff& page : pages) {
      c.out.Note(absl::StrCat(
          KindName(page.kind()), " ",
          FormatPageKey({page.key().space(), page.key().page()})));
      if (!contents) continue;
      if (page.kind() != v1::PageDiff::ADDED) {
        c.out.Note(absl::StrCat("before:\n", HexDump(page.before())));
      }
      if (page.kind() != v1::PageDiff::REMOVED) {
        c.out.Note(absl::StrCat("after:\n", HexDump(page.after())));
      }
    }
    c.out.Note(summary);
    return absl::OkStatus();
  }
  Json items = Json::Array();
  for (const v1::PageDiff& page : pages) {
    Json item = Json::Object()
                    .Set("space", Json::Number(page.key().space()))
                    .Set("page", Json::Number(page.key().page()))
                    .Set("kind", Json::String(KindName(page.kind())));
    if (contents) {
      item.Set("before_hex",
               page.kind() == v1::PageDiff::ADDED
                   ? Json::Null()
                   : Json::String(absl::BytesToHexString(page.before())));
      item.Set("after_hex",
               page.kind() == v1::PageDiff::REMOVED
                   ? Json::Null()
                   : Json::String(absl::BytesToHexString(page.after())));
    }
    items.Push(std::move(item));
  }
  c.out.Print(Json::Object()
                  .Set("from_lsn", LsnJson(last.from_lsn()))
                  .Set("to_lsn", LsnJson(last.to_lsn()))
                  .Set("pages_compared", Json::Number(last.pages_compared()))
                  .Set("added", Json::Number(last.added()))
                  .Set("changed", Json::Number(last.changed()))
                  .Set("removed", Json::Number(last.removed()))
                  .Set("pages", std::move(items)));
  return absl::OkStatus();
}

}  // namespace

std::vector<Command> DiffCommands() {
  return {
      {"diff",
       "FROM[@POINT] TO[@POINT] [--contents]",
       "The pages that differ between two points (branch, or branch@POINT; "
       "no point: the latest), each added, changed or removed going from "
       "FROM to TO.",
       {{"contents", false,
         "also show each page's bytes at both points (hex dumps; with "
         "--json, before_hex and after_hex)"}},
       2,
       2,
       Diff},
  };
}

}  // namespace pitr::ctl
