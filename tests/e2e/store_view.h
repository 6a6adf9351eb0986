// StoreView: what a client sees of a store, as text, to check that a call
// changed nothing (bad input, a refused caller) or that a restart kept
// everything.
//
// It holds every branch (with its tree fields, history bounds and
// retention), every snapshot and schedule, the default retention, the
// store's latest LSN, and the given pages of every branch at their latest
// and at `old_points` (on main). The WAL's oldest LSN is
// left out: background flushes move it without any call.
#ifndef PITR_TESTS_E2E_STORE_VIEW_H_
#define PITR_TESTS_E2E_STORE_VIEW_H_

#include <cstdint>
#include <string>
#include <vector>

#include "proto/resources.pb.h"
#include "tests/e2e/pitrd_process.h"

namespace pitr::e2e {

struct StoreViewOptions {
  // Pages read on every branch.
  std::vector<v1::PageKey> keys;
  // Points (LSNs, times) at which the pages of main are also read.
  std::vector<v1::PointInTime> old_points;
  // Bearer token for the reads ("" without authentication).
  std::string token;
  // The store's line holds its page size, version and latest LSN only, not
  // its archive and replication state (which differ between a primary and
  // its replicas, or a store and its restore).
  bool store_position_only = false;
};

// Marks a call that failed in a view.
inline constexpr char kViewError[] = "ERROR ";

// The view as text, one line per item; a call that fails shows as
// kViewError and its status, so two views differ if either had an error.
std::string StoreView(PitrClient& client, const StoreViewOptions& options);

// "" if two views are equal, else their first differing lines.
std::string FirstDifference(const std::string& got, const std::string& want);

}  // namespace pitr::e2e

#endif  // PITR_TESTS_E2E_STORE_VIEW_H_
