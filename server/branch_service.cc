#include "server/branch_service.h"

#include <algorithm>
#include <map>
#include <set>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "base/lsn.h"
#include "base/status_macros.h"
#include "server/convert.h"

namespace pitr {
namespace {

// One node of the tree ListBranches draws: a branch, or a deleted branch's
// timeline that branches still start from.
struct TreeNode {
  const Branch* branch = nullptr;  // or
  const Timeline* unnamed = nullptr;
  uint32_t depth = 0;
  TimelineId timeline() const {
    return branch != nullptr ? branch->timeline : unnamed->id;
  }
  TimelineId parent() const {
    return branch != nullptr ? branch->parent_timeline : unnamed->parent;
  }
  // Siblings come in this order: unnamed ancestors first, by timeline, then
  // branches by id.
  std::pair<bool, uint64_t> order() const {
    return branch != nullptr ? std::make_pair(true, branch->id)
                             : std::make_pair(false, unnamed->id.value());
  }
};

// Every branch and unnamed ancestor, each parent before its children (depth
// first), with its depth.
std::vector<TreeNode> TreeOrder(const std::vector<Branch>& branches,
                                const std::vector<Timeline>& unnamed) {
  std::vector<TreeNode> nodes;
  for (const Timeline& t : unnamed) nodes.push_back({nullptr, &t, 0});
  for (const Branch& b : branches) nodes.push_back({&b, nullptr, 0});
  std::sort(nodes.begin(), nodes.end(),
            [](const TreeNode& a, const TreeNode& b) {
              return a.order() < b.order();
            });
  std::set<TimelineId> present;
  for (const TreeNode& n : nodes) present.insert(n.timeline());
  std::map<TimelineId, std::vector<const TreeNode*>> children;
  for (const TreeNode& n : nodes) {
    // A parent gone meanwhile makes its child a root of the listing.
    children[present.count(n.parent()) ? n.parent() : kNoTimeline].push_back(
        &n);
  }
  std::vector<TreeNode> order;
  std::vector<std::pair<const TreeNode*, uint32_t>> stack;
  auto push_children = [&](TimelineId id, uint32_t depth) {
    auto it = children.find(id);
    if (it == children.end()) return;
    // Reversed, so the first in sibling order is visited first.
    for (auto c = it->second.rbegin(); c != it->second.rend(); ++c) {
      stack.push_back({*c, depth});
    }
  };
  push_children(kNoTimeline, 0);
  while (!stack.empty()) {
    auto [node, depth] = stack.back();
    stack.pop_back();
    order.push_back(*node);
    order.back().depth = depth;
    push_children(node->timeline(), depth + 1);
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
        const std::vector<Timeline> unnamed = env_.engine->UnnamedAncestors();
        std::map<TimelineId, std::string> names;
        for (const Branch& b : branches) names[b.timeline] = b.name;
        auto name_of = [&names](TimelineId t) {
          auto it = names.find(t);
          return it == names.end() ? std::string() : it->second;
        };
        std::vector<TreeNode> listed;
        for (const TreeNode& node : TreeOrder(branches, unnamed)) {
          if (node.branch != nullptr) {
            listed.push_back(node);
          } else if (request->page_token().empty()) {
            *response->add_unnamed_ancestors() = UnnamedAncestorProto(
                *node.unnamed, name_of(node.parent()), node.depth);
          }
        }
        PITR_ASSIGN_OR_RETURN(ListPage page,
                              PageOfList(request->page_size(),
                                         request->page_token(), listed.size()));
        for (uint64_t i = page.begin; i < page.end; ++i) {
          const TreeNode& node = listed[i];
          *response->add_branches() = BranchProto(
              *node.branch, name_of(node.parent()), node.depth);
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
                 for (BranchId id : deleted) {
                   response->add_deleted(names[id]);
                   NotifyWatchers(env_, id);
                 }
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
        NotifyWatchers(env_, restored.branch.id);
        PITR_ASSIGN_OR_RETURN(*response->mutable_branch(),
                              DescribeBranch(engine, restored.branch, true));
        PITR_ASSIGN_OR_RETURN(*response->mutable_backup(),
                              DescribeBranch(engine, restored.backup, true));
        return absl::OkStatus();
      });
}

}  // namespace pitr
