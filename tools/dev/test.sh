#!/usr/bin/env bash
# The whole test suite: installs what is missing, then `bazel test //...`.
# Extra arguments go to bazel (e.g. --config=asan, or a narrower pattern
# after `--`).
set -euo pipefail
cd "$(dirname "$0")/../.."
tools/dev/install_deps.sh
exec bazel test "$@" //...
