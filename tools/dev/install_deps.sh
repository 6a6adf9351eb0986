#!/usr/bin/env bash
# Installs the Debian 12 packages pitr builds and runs with, if any is missing;
# with --tests, also what only the tests need: clang, Chromium, Ceph (the S3
# server), Node.js and the one npm package the browser tests drive Chromium
# with (playwright-core).
# Safe to run again: it does nothing when everything is installed.
# Needs root (or sudo) only when something must be installed.
set -euo pipefail

# What building pitr and running pitrd (and the README's tour) need.
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
  libcurl4-openssl-dev # remote/: the S3 backend's HTTP and SigV4 signing
  libssl-dev           # remote/: MD5 (Content-MD5) from libcrypto
  sqlite3              # clients/sqlite/: the README's tour and its tests
  libsqlite3-dev       # clients/sqlite/: sqlite3ext.h of the extension
  curl                 # the README's tour (metrics), tools/dev/s3_server.sh
  prometheus-cpp-dev   # server/: the metrics registry and text format
  libcpp-httplib-dev   # server/: the HTTP side (metrics, JSON API, console)
)
# What only the tests need (--tests): tools/dev/test.sh and .ci/run.
test_packages=(
  clang                # --config=clang and --config=fuzz
  libclang-rt-14-dev   # libFuzzer's runtime (tools/dev/fuzz.sh)
  openssl              # certificates made by the TLS tests
  chromium             # tests/e2e/console_test: the console in a real browser
  ceph-mon             # tools/dev/s3_server.sh: the S3 server of the remote/
  ceph-osd             #   tests, a single-node Ceph with radosgw
  ceph-common
  radosgw
)
tests=false
[ "${1:-}" = "--tests" ] && tests=true
$tests && packages+=("${test_packages[@]}")

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" \
    || missing+=("$p")
done
# Node.js drives the browser of the console tests; any node on the PATH
# will do (Debian's, or one that brings its own npm).
if $tests && ! { command -v node >/dev/null && command -v npm >/dev/null; }; then
  missing+=(nodejs npm)
fi

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
if [ ${#missing[@]} -gt 0 ]; then
  echo "install_deps: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -q
  $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# playwright-core (npm), which tests/e2e/console_test drives Chromium with,
# pinned, in the place the test looks (PITR_NODE_MODULES).
node_dir=/usr/local/lib/pitr-node
playwright=1.65.2
if $tests && ! grep -qs "\"version\": \"$playwright\"" \
    "$node_dir/node_modules/playwright-core/package.json"; then
  echo "install_deps: installing playwright-core $playwright in $node_dir" >&2
  $sudo mkdir -p "$node_dir"
  [ -f "$node_dir/package.json" ] || echo '{"private": true}' | $sudo tee "$node_dir/package.json" >/dev/null
  (cd "$node_dir" && $sudo npm install --no-audit --no-fund --silent "playwright-core@$playwright")
fi
