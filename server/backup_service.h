// BackupService (proto/backup_service.proto) over the engine's base
// backups (engine/backups.h).
#ifndef PITR_SERVER_BACKUP_SERVICE_H_
#define PITR_SERVER_BACKUP_SERVICE_H_

#include "proto/backup_service.grpc.pb.h"
#include "server/service_util.h"

namespace pitr {

class BackupServiceImpl final : public v1::BackupService::Service {
 public:
  explicit BackupServiceImpl(ServiceEnv env) : env_(env) {}

  grpc::Status CreateBackup(grpc::ServerContext* context,
                            const v1::CreateBackupRequest* request,
                            v1::Backup* response) override;
  grpc::Status ListBackups(grpc::ServerContext* context,
                           const v1::ListBackupsRequest* request,
                           v1::ListBackupsResponse* response) override;

 private:
  const ServiceEnv env_;
};

}  // namespace pitr

#endif  // PITR_SERVER_BACKUP_SERVICE_H_
