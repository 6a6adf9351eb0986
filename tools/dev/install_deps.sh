#!/usr/bin/env bash
# Installs the Debian 12 packages pitr builds and runs with, if any is missing.
# Safe to run again: it does nothing when everything is installed.
# Needs root (or sudo) only when something must be installed.
set -euo pipefail

packages=(
  bazel-bootstrap
  g++
  python3
  librocksdb-dev
  libgrpc++-dev
  protobuf-compiler-grpc
  libprotobuf-dev
  protobuf-compiler
  libabsl-dev
  libspdlog-dev
  libfmt-dev
  libgtest-dev
  libgmock-dev
  libbenchmark-dev
  clang                # --config=clang and --config=fuzz
  libclang-rt-14-dev   # libFuzzer's runtime (tools/dev/fuzz.sh)
  openssl              # certificates made by the TLS tests
  libcurl4-openssl-dev # remote/: the S3 backend's HTTP and SigV4 signing
  libssl-dev           # remote/: MD5 (Content-MD5) from libcrypto
  sqlite3              # clients/sqlite/: its tests drive the shell
  libsqlite3-dev       # clients/sqlite/: sqlite3ext.h of the extension
  curl                 # the README's tour (metrics), tools/dev/s3_server.sh
  prometheus-cpp-dev   # server/: the metrics registry and text format
  libcpp-httplib-dev   # server/: the HTTP side (metrics, JSON API, console)
  ceph-mon             # tools/dev/s3_server.sh: the S3 server of the remote/
  ceph-osd             #   tests, a single-node Ceph with radosgw
  ceph-common
  radosgw
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" \
    || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "install_deps: installing ${missing[*]}" >&2
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -q
$sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
