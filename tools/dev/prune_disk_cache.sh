#!/usr/bin/env bash
# Keeps Bazel's shared disk cache (~/.cache/pitr-bazel-disk, .bazelrc) under
# a size: Debian's Bazel 4.2 never removes anything from it, and every build
# configuration (default, asan, tsan, fuzz) of every commit adds its
# outputs, so on a machine that runs CI and sessions it fills the disk.
# Bazel refreshes an entry's mtime when it uses it, so removing the oldest
# files first keeps what recent builds need. Usage:
#   tools/dev/prune_disk_cache.sh [MAX_GIB]   (default $PITR_DISK_CACHE_GIB or 12)
set -euo pipefail

cache=${PITR_DISK_CACHE:-$HOME/.cache/pitr-bazel-disk}
max_gib=${1:-${PITR_DISK_CACHE_GIB:-12}}
[ -d "$cache" ] || exit 0

max_bytes=$((max_gib * 1024 * 1024 * 1024))
# "mtime size path" of every file, oldest first; drop from the front until
# what remains fits (awk reads to the end: an early exit would fail the
# pipeline under pipefail).
total=$(find "$cache" -type f -printf '%s\n' | awk '{s += $1} END {printf "%.0f\n", s}')
if [ "$total" -le "$max_bytes" ]; then
  exit 0
fi
excess=$((total - max_bytes))
find "$cache" -type f -printf '%T@ %s %p\n' | sort -n |
  awk -v excess="$excess" 'freed < excess { freed += $2;
                            sub(/^[^ ]+ [^ ]+ /, ""); print }' |
  xargs -r -d '\n' rm -f
echo "prune_disk_cache: $cache was $((total / 1024 / 1024)) MiB, kept the newest" \
  "${max_gib} GiB" >&2
