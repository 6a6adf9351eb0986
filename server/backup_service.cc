#include "server/backup_service.h"

#include <vector>

#include "base/status_macros.h"
#include "proto/time_convert.h"

namespace pitr {
namespace {

void ToProto(const remote::BackupManifest& manifest, v1::Backup* proto) {
  proto->set_lsn(manifest.lsn);
  proto->set_applied_lsn(manifest.applied_lsn);
  *proto->mutable_create_time() = TimestampProto(manifest.created_us);
  proto->set_generation(manifest.generation);
  proto->set_size_bytes(manifest.total_bytes());
  proto->set_new_bytes(manifest.new_bytes);
  proto->set_file_count(manifest.files.size());
}

}  // namespace

grpc::Status BackupServiceImpl::CreateBackup(
    grpc::ServerContext* context, const v1::CreateBackupRequest* /*request*/,
    v1::Backup* response) {
  return Serve(env_, context, Role::kAdmin, "CreateBackup",
               [&]() -> absl::Status {
                 PITR_ASSIGN_OR_RETURN(remote::BackupManifest manifest,
                                       env_.engine->backups().Create());
                 ToProto(manifest, response);
                 return absl::OkStatus();
               });
}

grpc::Status BackupServiceImpl::ListBackups(
    grpc::ServerContext* context, const v1::ListBackupsRequest* /*request*/,
    v1::ListBackupsResponse* response) {
  return Serve(env_, context, Role::kRead, "ListBackups",
               [&]() -> absl::Status {
                 PITR_ASSIGN_OR_RETURN(
                     std::vector<remote::BackupManifest> backups,
                     env_.engine->backups().List());
                 for (const remote::BackupManifest& manifest : backups) {
                   ToProto(manifest, response->add_backups());
                 }
                 return absl::OkStatus();
               });
}

}  // namespace pitr
