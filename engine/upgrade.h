// Brings a page store written by an older pitr to the current format
// (store_keys::kFormatVersion), before the engine reads or replays anything.
//
// Format 1 -> 2: page version keys are rewritten newest first
// (PageStore::RewriteVersionKeysV1). 2 -> 3: each timeline's head
// (store_keys::HeadKey) is recorded from its newest version. The new
// version number is written only once everything is rewritten and flushed,
// so a crash during the upgrade leaves an older store that the next open
// finishes upgrading.
#ifndef PITR_ENGINE_UPGRADE_H_
#define PITR_ENGINE_UPGRADE_H_

#include "absl/status/status.h"
#include "engine/page_store.h"

namespace pitr {

// Upgrades `store` in place. A store of a newer format than this build
// knows is refused with FAILED_PRECONDITION and left untouched.
absl::Status UpgradeStoreFormat(PageStore* store);

}  // namespace pitr

#endif  // PITR_ENGINE_UPGRADE_H_
