// pitrctl branch create|list|get|delete|restore.
#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "base/lsn.h"
#include "base/status_macros.h"
#include "tools/pitrctl/command.h"
#include "tools/pitrctl/views.h"

namespace pitr::ctl {

using clients::Json;
namespace {

absl::Status Create(const Context& c) {
  v1::CreateBranchRequest request;
  request.set_name(c.args.positional()[0]);
  request.set_parent(c.args.Get("from"));
  PITR_ASSIGN_OR_RETURN(*request.mutable_point(), PointOption(c.args));
  v1::Branch branch;
  PITR_RETURN_IF_ERROR(
      c.client.Call(&v1::BranchService::Stub::CreateBranch, request, &branch));
  c.out.Print(BranchJson(branch));
  return absl::OkStatus();
}

// A node of the listed tree: a branch, or a deleted branch's timeline that
// branches still start from, drawn "(deleted) timeline N".
struct TreeItem {
  uint64_t timeline = 0;
  uint64_t parent_timeline = 0;
  Json json;
};

// Appends `item` and then its descendants, depth first, to `out`.
void AddSubtree(const TreeItem& item,
                const std::multimap<uint64_t, const TreeItem*>& children,
                Json* out) {
  out->Push(item.json);
  auto range = children.equal_range(item.timeline);
  for (auto it = range.first; it != range.second; ++it) {
    AddSubtree(*it->second, children, out);
  }
}

absl::Status List(const Context& c) {
  // Unnamed ancestors first (the server sends them on the first page),
  // then the branches, each in the server's tree order.
  std::vector<TreeItem> items;
  v1::ListBranchesRequest request;
  request.set_page_size(1000);
  do {
    v1::ListBranchesResponse response;
    PITR_RETURN_IF_ERROR(c.client.Call(&v1::BranchService::Stub::ListBranches,
                                       request, &response));
    for (const v1::UnnamedAncestor& a : response.unnamed_ancestors()) {
      items.push_back({a.timeline_id(), a.parent_timeline_id(),
                       UnnamedAncestorJson(a)});
    }
    for (const v1::Branch& b : response.branches()) {
      items.push_back({b.timeline_id(), b.parent_timeline_id(), BranchJson(b)});
    }
    request.set_page_token(response.next_page_token());
  } while (!request.page_token().empty());

  std::set<uint64_t> present;
  for (const TreeItem& item : items) present.insert(item.timeline);
  std::multimap<uint64_t, const TreeItem*> children;
  Json tree = Json::Array();
  for (const TreeItem& item : items) {
    if (present.count(item.parent_timeline) > 0)
      children.emplace(item.parent_timeline, &item);
  }
  for (const TreeItem& item : items) {
    if (present.count(item.parent_timeline) == 0)
      AddSubtree(item, children, &tree);
  }
  // Each name indented by depth; a child is drawn "├─ " when a sibling
  // follows it, else "└─ " (the list is in tree order: each parent, then
  // its subtree).
  std::map<std::string, std::string> shown;  // by timeline id
  const std::vector<Json>& listed = tree.items();
  auto depth_of = [&](size_t i) -> size_t {
    const std::string depth = FieldText(listed[i], "depth");
    return depth.empty() ? 0 : std::stoul(depth);
  };
  for (size_t i = 0; i < listed.size(); ++i) {
    const std::string name = FieldText(listed[i], "name");
    const size_t n = depth_of(i);
    bool sibling_follows = false;
    for (size_t j = i + 1; j < listed.size() && depth_of(j) >= n; ++j) {
      if (depth_of(j) == n) {
        sibling_follows = true;
        break;
      }
    }
    shown[FieldText(listed[i], "timeline_id")] =
        n == 0 ? name
               : absl::StrCat(std::string(2 * (n - 1), ' '),
                              sibling_follows ? "├─ " : "└─ ", name);
  }
  auto indented_name = [&shown](const Json& item) {
    return shown[FieldText(item, "timeline_id")];
  };
  auto branch_point = [](const Json& item) {
    std::string parent = FieldText(item, "parent");
    const std::string parent_timeline = FieldText(item, "parent_timeline_id");
    if (parent == "-" && parent_timeline != "0") {
      parent = DeletedTimelineName(std::stoull(parent_timeline));
    }
    return parent == "-"
               ? std::string("-")
               : absl::StrCat(parent, "@", FieldText(item, "branch_point_lsn"));
  };
  c.out.PrintList("branches", tree,
                  {{"NAME", indented_name},
                   {"BRANCH POINT", branch_point},
                   FieldColumn("id"),
                   FieldColumn("timeline_id"),
                   FieldColumn("create_time")});
  return absl::OkStatus();
}

absl::Status Get(const Context& c) {
  v1::GetBranchRequest request;
  request.set_name(c.args.positional()[0]);
  v1::Branch branch;
  PITR_RETURN_IF_ERROR(
      c.client.Call(&v1::BranchService::Stub::GetBranch, request, &branch));
  c.out.Print(BranchJson(branch));
  return absl::OkStatus();
}

absl::Status Delete(const Context& c) {
  v1::DeleteBranchRequest request;
  request.set_name(c.args.positional()[0]);
  request.set_cascade(c.args.Flag("cascade"));
  v1::DeleteBranchResponse response;
  PITR_RETURN_IF_ERROR(c.client.Call(&v1::BranchService::Stub::DeleteBranch,
                                     request, &response));
  Json deleted = Json::Array();
  for (const std::string& name : response.deleted())
    deleted.Push(Json::String(name));
  c.out.PrintList("deleted", deleted, {{"DELETED", CellText}});
  return absl::OkStatus();
}

absl::Status Restore(const Context& c) {
  if (!c.args.Has("at")) return UsageError("--at POINT is required");
  v1::RestoreBranchRequest request;
  request.set_name(c.args.positional()[0]);
  request.set_source(c.args.Get("from"));
  PITR_ASSIGN_OR_RETURN(*request.mutable_point(), PointOption(c.args));
  v1::RestoreBranchResponse response;
  PITR_RETURN_IF_ERROR(c.client.Call(&v1::BranchService::Stub::RestoreBranch,
                                     request, &response));
  if (c.out.json()) {
    c.out.Print(Json::Object()
                    .Set("branch", BranchJson(response.branch()))
                    .Set("backup", BranchJson(response.backup())));
    return absl::OkStatus();
  }
  const v1::Branch& backup = response.backup();
  c.out.Note(
      absl::StrCat("restored ", response.branch().name(), "; latest LSN ",
                   FormatLsn(response.branch().history_bounds().latest_lsn())));
  c.out.Note(absl::StrCat("backup branch: ", backup.name()));
  c.out.Note(absl::StrCat("undo with: pitrctl branch restore ",
                          response.branch().name(), " --from ", backup.name(),
                          " --at ",
                          FormatLsn(backup.history_bounds().latest_lsn())));
  return absl::OkStatus();
}

}  // namespace

std::vector<Command> BranchCommands() {
  return {
      {"branch create",
       "NAME [--from PARENT] [--at POINT]",
       "Create a branch of PARENT (default main) at POINT (default latest).",
       {{"from", true, "the parent branch (default main)"},
        {"at", true, "the branch point on the parent (default its latest)"}},
       1,
       1,
       Create},
      {"branch list",
       "",
       "List every branch as a tree, with its branch point (parent@LSN).",
       {},
       0,
       0,
       List},
      {"branch get",
       "NAME",
       "Show a branch and its history bounds.",
       {},
       1,
       1,
       Get},
      {"branch delete",
       "NAME [--cascade]",
       "Delete a branch (--cascade: with its children and snapshots).",
       {{"cascade", false,
         "also delete the branch's children and their snapshots"}},
       1,
       1,
       Delete},
      {"branch restore",
       "NAME [--from SOURCE] --at POINT",
       "Put SOURCE's (default NAME's own) state at POINT in place of NAME; "
       "prints the backup branch that undoes it.",
       {{"from", true, "the branch whose state is taken (default NAME)"},
        {"at", true, "the point of that branch to restore to (required)"}},
       1,
       1,
       Restore},
  };
}

}  // namespace pitr::ctl
