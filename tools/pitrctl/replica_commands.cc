// pitrctl replica status|promote: read replicas (pitrd --replica_of).
#include <vector>

#include "base/status_macros.h"
#include "tools/pitrctl/command.h"
#include "tools/pitrctl/views.h"

namespace pitr::ctl {
namespace {

absl::Status Status(const Context& c) {
  v1::ReplicationStatus status;
  PITR_RETURN_IF_ERROR(
      c.client.Call(&v1::ReplicationService::Stub::GetReplicationStatus,
                    v1::GetReplicationStatusRequest(), &status));
  c.out.Print(ReplicationJson(status));
  return absl::OkStatus();
}

absl::Status Promote(const Context& c) {
  v1::PromoteResponse promoted;
  PITR_RETURN_IF_ERROR(c.client.Call(&v1::ReplicationService::Stub::Promote,
                                     v1::PromoteRequest(), &promoted));
  c.out.Print(PromoteJson(promoted));
  return absl::OkStatus();
}

}  // namespace

std::vector<Command> ReplicaCommands() {
  return {
      {"replica status",
       "",
       "Whether the server is a primary or a read replica, and for a "
       "replica: its primary, whether it is connected, how far behind it "
       "is (bytes and time).",
       {},
       0,
       0,
       Status},
      {"replica promote",
       "",
       "Make the read replica (--server) the primary, once the old primary "
       "is gone: it applies what the bucket holds past its log, takes the "
       "bucket over (the old primary can no longer write there) and starts "
       "archiving. Admin.",
       {},
       0,
       0,
       Promote},
  };
}

}  // namespace pitr::ctl
