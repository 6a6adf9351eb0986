#!/bin/sh
# Runs a test (its command line: "$@") with third_party/tsan.supp added to
# TSAN_OPTIONS. .bazelrc makes this the --run_under wrapper of every test
# under --config=tsan.
#
# Why a wrapper: TSAN_OPTIONS must name the suppressions file by a path that
# works inside each test's sandbox, and Bazel 4.2.3 expands no variables in
# .bazelrc. The runfiles of a --run_under target are part of every test's
# runfiles tree, so tsan.supp (this target's data, next to this script) is
# there for every test, //wal and //engine included, and this script makes
# its path absolute (child processes that a test starts elsewhere need it
# too). tests/concurrency/tsan.supp is a symlink to third_party/tsan.supp,
# which third_party/BUILD.bazel does not export; with an exports_files there,
# the data could name //third_party:tsan.supp directly.
set -eu
supp="$(cd "$(dirname "$0")" && pwd)/tsan.supp"
if [ ! -r "$supp" ]; then
  echo "tsan_run_under: no suppressions file at $supp" >&2
  exit 1
fi
TSAN_OPTIONS="${TSAN_OPTIONS:+$TSAN_OPTIONS:}suppressions=$supp"
export TSAN_OPTIONS
exec "$@"
