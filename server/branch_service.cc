#include "server/branch_service.h"

#include <algorithm>
#include <map>
#include <vector>

#include "absl/strings/str_cat.h"
#include "base/lsn.h"
#include "base/status_macros.h"
#include "server/convert.h"

namespace pitr {
namespace {

// Every branch, each parent before its children (depth first, siblings by
// id), with its depth.
std::vector<std::pair<Branch, uint32_t>> TreeOrder(
    const std::vector<Branch>& branches) {
  std::map<BranchId, std::vector<const Branch*>> children;
  std::map<BranchId, bool> present;
  for (const Branch& b : branches) present[b.id] = true;
  for (const Branch& b : branches) {
    // A parent deleted meanwhile makes its child a root of the listing.
    children[present.count(b.parent) ? b.parent : 0].push_back(&b);
  }
  std::vector<std::pair<Branch, uint32_t>> order;
  std::vector<std::pair<const Branch*, uint32_t>> stack;
  auto push_children = [&](BranchId id, uint32_t depth) {
    auto it = children.find(id);
    if (it == children.end()) return;
    // Reversed, so the smallest id is visited first.
    for (auto c = it->second.rbegin(); c != it->second.rend(); ++c) {
      stack.push_back({*c, depth});
    }
  };
  push_children(0, 0);
  while (!stack.empty()) {
    auto [branch, depth] = stack.back();
    stack.pop_back();
    order.push_back({*branch, depth});
    push_children(branch->id, depth + 1);
  }
  return order;
}

}  // namespace

grpc::Status BranchServiceImpl::CreateBranch(
    grpc::ServerContext* context, const v1::CreateBranchRequest* request,
    v1::Branch* response) {
  return Serve(
      env_, context, Role::kAdmin, "CreateBranch", [&]() -> absl::Status {
        Engine& engine = *env_.engine;
        Branch made;
        if (request->point().point_case() == v1::PointInTime::kSnapshot) {
          PITR_ASSIGN_OR_RETURN(
              Snapshot snapshot,
              engine.snapshots().Get(request->point().snapshot()));
          const std::string owner = BranchNameOf(engine, snapshot.branch);
          if (!request->parent().empty() && request->parent() != owner) {
            return absl::InvalidArgumentError(absl::StrCat(
                "snapshot \"", snapshot.name, "\" was taken on branch \"",
                owner, "\", not \"", request->parent(),
                "\": leave parent empty or name the snapshot's branch"));
          }
          PITR_ASSIGN_OR_RETURN(made, engine.snapshots().CreateBranch(
                                          request->name(), snapshot.name));
        } else {
          PITR_ASSIGN_OR_RETURN(Branch parent,
                                BranchNamed(engine, request->parent()));
          PITR_ASSIGN_OR_RETURN(PointInTime at, ToPoint(request->point()));
          PITR_ASSIGN_OR_RETURN(
              made, engine.CreateBranch(request->name(), parent.id, at));
        }
        PITR_ASSIGN_OR_RETURN(*response, DescribeBranch(engine, made, true));
        return absl::OkStatus();
      });
}

grpc::Status BranchServiceImpl::GetBranch(grpc::ServerContext* context,
                                          const v1::GetBranchRequest* request,
                                          v1::Branch* response) {
  return Serve(env_, context, Role::kRead, "GetBranch", [&]() -> absl::Status {
    PITR_ASSIGN_OR_RETURN(Branch branch,
                          BranchNamed(*env_.engine, request->name()));
    PITR_ASSIGN_OR_RETURN(*response,
                          DescribeBranch(*env_.engine, branch, true));
    return absl::OkStatus();
  });
}

grpc::Status BranchServiceImpl::ListBranches(
    grpc::ServerContext* context, const v1::ListBranchesRequest* request,
    v1::ListBranchesResponse* response) {
  return Serve(
      env_, context, Role::kRead, "ListBranches", [&]() -> absl::Status {
        const std::vector<Branch> branches = env_.engine->ListBranches();
        std::map<BranchId, std::string> names;
        for (const Branch& b : branches) names[b.id] = b.name;
        const auto order = TreeOrder(branches);
        PITR_ASSIGN_OR_RETURN(ListPage page,
                              PageOfList(request->page_size(),
                                         request->page_token(), order.size()));
        for (uint64_t i = page.begin; i < page.end; ++i) {
          const auto& [branch, depth] = order[i];
          auto parent = names.find(branch.parent);
          *response->add_branches() = BranchProto(
              branch, parent == names.end() ? "" : parent->second, depth);
        }
        response->set_next_page_token(page.next_page_token);
        return absl::OkStatus();
      });
}

grpc::Status BranchServiceImpl::DeleteBranch(
    grpc::ServerContext* context, const v1::DeleteBranchRequest* request,
    v1::DeleteBranchResponse* response) {
  return Serve(env_, context, Role::kAdmin, "DeleteBranch",
               [&]() -> absl::Status {
                 Engine& engine = *env_.engine;
                 PITR_ASSIGN_OR_RETURN(Branch branch,
                                       BranchNamed(engine, request->name()));
                 std::map<BranchId, std::string> names;
                 for (const Branch& b : engine.ListBranches())
                   names[b.id] = b.name;
                 PITR_ASSIGN_OR_RETURN(
                     std::vector<BranchId> deleted,
                     engine.DeleteBranch(branch.id, request->cascade()));
                 for (BranchId id : deleted) response->add_deleted(names[id]);
                 return absl::OkStatus();
               });
}

grpc::Status BranchServiceImpl::RestoreBranch(
    grpc::ServerContext* context, const v1::RestoreBranchRequest* request,
    v1::RestoreBranchResponse* response) {
  return Serve(
      env_, context, Role::kAdmin, "RestoreBranch", [&]() -> absl::Status {
        Engine& engine = *env_.engine;
        PITR_ASSIGN_OR_RETURN(Branch branch,
                              BranchNamed(engine, request->name()));
        Catalog::Restored restored;
        switch (request->point().point_case()) {
          case v1::PointInTime::POINT_NOT_SET:
            return absl::InvalidArgumentError(
                "a restore needs a point: an lsn, a timestamp or a snapshot");
          case v1::PointInTime::kSnapshot: {
            PITR_ASSIGN_OR_RETURN(restored,
                                  engine.snapshots().RestoreBranch(
                                      branch.id, request->point().snapshot()));
            break;
          }
          default: {
            PITR_ASSIGN_OR_RETURN(Branch source,
                                  BranchNamed(engine, request->source().empty()
                                                          ? request->name()
                                                          : request->source()));
            PITR_ASSIGN_OR_RETURN(PointInTime at, ToPoint(request->point()));
            PITR_ASSIGN_OR_RETURN(
                restored, engine.RestoreBranch(branch.id, source.id, at));
          }
        }
        PITR_ASSIGN_OR_RETURN(*response->mutable_branch(),
                              DescribeBranch(engine, restored.branch, true));
        PITR_ASSIGN_OR_RETURN(*response->mutable_backup(),
                              DescribeBranch(engine, restored.backup, true));
        return absl::OkStatus();
      });
}

}  // namespace pitr
