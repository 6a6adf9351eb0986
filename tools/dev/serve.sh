#!/usr/bin/env bash
# Starts pitrd on ./data (relative to the directory it is run from):
# installs what is missing, builds the server and the CLI optimised, then
# runs the server in the foreground until Ctrl-C or SIGTERM. Extra arguments
# go to pitrd, e.g.
#   tools/dev/serve.sh --listen=127.0.0.1:7500 --default_retention=24h
# (`pitrd --help` lists every flag). The CLI is then bazel-bin/tools/pitrctl/pitrctl,
# the WAL tools bazel-bin/tools/wal/pitr-wal and the SQLite extension
# bazel-bin/clients/sqlite/libpitr_sqlite.so.
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
(
  cd "$repo"
  tools/dev/install_deps.sh
  bazel build -c opt //server:pitrd //tools/pitrctl //tools/wal:pitr-wal \
    //clients/sqlite:libpitr_sqlite.so
)
exec "$repo/bazel-bin/server/pitrd" --data_dir=./data "$@"
