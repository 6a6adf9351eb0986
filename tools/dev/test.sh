#!/usr/bin/env bash
# The whole test suite: installs what is missing, starts the S3 server the
# remote/ tests need (tools/dev/s3_server.sh) unless one is already running,
# runs `bazel test //...` with the server's settings as --test_env, and
# stops the server on exit if it started it (so .ci/run, which starts it
# once, keeps it for all its runs). Extra arguments go to bazel (e.g.
# --config=asan); target patterns after `--` replace //... (e.g.
# `tools/dev/test.sh -- //remote/...`). Before building it trims Bazel's
# shared disk cache to its newest 12 GiB (tools/dev/prune_disk_cache.sh).
set -euo pipefail
cd "$(dirname "$0")/../.."
tools/dev/install_deps.sh --tests
tools/dev/prune_disk_cache.sh

flags=()
patterns=()
after_dashes=0
for arg in "$@"; do
  if [ "$after_dashes" -eq 0 ] && [ "$arg" = "--" ]; then
    after_dashes=1
  elif [ "$after_dashes" -eq 1 ]; then
    patterns+=("$arg")
  else
    flags+=("$arg")
  fi
done
[ ${#patterns[@]} -gt 0 ] || patterns=(//...)

if ! tools/dev/s3_server.sh status; then
  trap 'tools/dev/s3_server.sh stop' EXIT
  # Without the server the other tests still run; those tagged s3 fail.
  tools/dev/s3_server.sh start ||
    echo "test.sh: the S3 server did not start: the tests tagged s3 will fail" >&2
fi
s3_env=()
while read -r line; do
  s3_env+=("--test_env=$line")
done < <(tools/dev/s3_server.sh env)

bazel test ${flags[@]+"${flags[@]}"} "${s3_env[@]}" -- "${patterns[@]}"
