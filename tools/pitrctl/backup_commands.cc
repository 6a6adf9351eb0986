// pitrctl backup create|list: base backups in object storage.
#include <vector>

#include "base/status_macros.h"
#include "tools/pitrctl/command.h"
#include "tools/pitrctl/views.h"

namespace pitr::ctl {

using clients::Json;
namespace {

absl::Status Create(const Context& c) {
  v1::Backup backup;
  PITR_RETURN_IF_ERROR(c.client.Call(&v1::BackupService::Stub::CreateBackup,
                                     v1::CreateBackupRequest(), &backup));
  c.out.Print(BackupJson(backup, nullptr));
  return absl::OkStatus();
}

absl::Status List(const Context& c) {
  v1::ListBackupsResponse response;
  PITR_RETURN_IF_ERROR(c.client.Call(&v1::BackupService::Stub::ListBackups,
                                     v1::ListBackupsRequest(), &response));
  Json backups = Json::Array();
  for (int i = 0; i < response.backups_size(); ++i) {
    const v1::Backup* next =
        i + 1 < response.backups_size() ? &response.backups(i + 1) : nullptr;
    backups.Push(BackupJson(response.backups(i), next));
  }
  c.out.PrintList("backups", backups,
                  {FieldColumn("lsn"), FieldColumn("restores_until"),
                   FieldColumn("create_time"), FieldColumn("size_bytes"),
                   FieldColumn("new_bytes"), FieldColumn("generation")});
  return absl::OkStatus();
}

}  // namespace

std::vector<Command> BackupCommands() {
  return {
      {"backup create",
       "",
       "Take a base backup in object storage now (pitrd --remote), "
       "uploading only the files the last one does not hold.",
       {},
       0,
       0,
       Create},
      {"backup list",
       "",
       "List the base backups in object storage: the LSN each restores from "
       "(up to the next one's), when it was taken, its size and the bytes "
       "it uploaded.",
       {},
       0,
       0,
       List},
  };
}

}  // namespace pitr::ctl
