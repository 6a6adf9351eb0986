#!/usr/bin/env bash
# Builds the fuzz targets of tests/fuzz with --config=fuzz (clang, libFuzzer,
# ASan+UBSan) and runs each for SECONDS seconds (default 30) on a copy of its
# seed corpus, so new inputs never land in the repository.
#
#   tools/dev/fuzz.sh [SECONDS] [TARGET...]
#
# Environment:
#   FUZZ_CRASH_DIR    where crashing inputs are saved
#                     (default: /tmp/pitr-fuzz-crashes)
#   FUZZ_KEEP_CORPUS  a directory: keep each target's grown corpus there
#                     (in <dir>/<target>) instead of deleting it
#   FUZZ_JOBS         libFuzzer -fork jobs per target (default 1: no fork)
#
# The build uses its own Bazel output base (under ~/.cache), so switching the
# compiler to clang does not throw away the normal build of this checkout,
# and it makes no bazel-* symlinks. Prints the executions of each target and
# ends with one summary line:
#   fuzz: 4 targets, N executions, 0 crashes
# Exits non-zero if a target crashed (or the build failed).
set -uo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)

seconds=${1:-30}
shift || true
all_targets=(wal_decoder_fuzz dump_reader_fuzz lsn_parse_fuzz request_fuzz)
if [ $# -gt 0 ]; then targets=("$@"); else targets=("${all_targets[@]}"); fi
if ! [[ "$seconds" =~ ^[0-9]+$ ]] || [ "$seconds" -eq 0 ]; then
  echo "usage: $0 [SECONDS] [TARGET...]" >&2
  exit 2
fi

crash_dir=${FUZZ_CRASH_DIR:-/tmp/pitr-fuzz-crashes}
jobs=${FUZZ_JOBS:-1}
output_base=${FUZZ_OUTPUT_BASE:-$HOME/.cache/pitr-fuzz-bazel/$(printf '%s' "$root" | md5sum | cut -c1-12)}
bazel_fuzz() {
  bazel --output_base="$output_base" --max_idle_secs=900 "$@"
}

labels=()
for t in "${targets[@]}"; do labels+=("//tests/fuzz:$t"); done
build_log=$(mktemp /tmp/pitr-fuzz-build.XXXXXX)
echo "fuzz: building ${labels[*]} with --config=fuzz"
if ! bazel_fuzz build --config=fuzz --symlink_prefix=/ "${labels[@]}" \
    >"$build_log" 2>&1; then
  # The linker's warnings about ASan's local symbols are noise.
  grep -v 'Cannot export local symbol' "$build_log" | tail -60
  rm -f "$build_log"
  echo "fuzz: ${#targets[@]} targets, 0 executions, build failed"
  exit 1
fi
rm -f "$build_log"
bin=$(bazel_fuzz info --config=fuzz bazel-bin 2>/dev/null)
echo "fuzz: binaries in $bin/tests/fuzz (output base $output_base)"

work=$(mktemp -d /tmp/pitr-fuzz.XXXXXX)
trap 'rm -rf "$work"' EXIT
mkdir -p "$crash_dir"

total_execs=0
crashes=0
for t in "${targets[@]}"; do
  corpus="$work/$t/corpus"
  mkdir -p "$corpus" "$crash_dir/$t"
  if [ -d "tests/fuzz/corpus/$t" ]; then
    cp -r "tests/fuzz/corpus/$t/." "$corpus/"
  fi
  dict=()
  if [ -f "tests/fuzz/$t.dict" ]; then dict=(-dict="$root/tests/fuzz/$t.dict"); fi
  fork=()
  if [ "$jobs" -gt 1 ]; then fork=(-fork="$jobs" -ignore_crashes=0); fi
  log="$work/$t/log"
  echo "fuzz: $t for ${seconds}s"
  # -timeout: an input that runs 10 s counts as a hang (a crash);
  # -rss_limit_mb: one that needs 2 GiB as a leak of memory.
  (cd "$work/$t" && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    "$bin/tests/fuzz/$t" "$corpus" "${dict[@]}" "${fork[@]}" \
      -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
      -print_final_stats=1 -artifact_prefix="$crash_dir/$t/" \
      >"$log" 2>&1)
  rc=$?
  execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" |
          awk '{s += $2} END {print s + 0}')
  if [ "$execs" -eq 0 ]; then
    # -fork prints no final stats; take the last status line instead.
    execs=$(grep -o '^#[0-9]*' "$log" | tail -1 | tr -d '#')
    execs=${execs:-0}
  fi
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | awk '{print $2}')
  total_execs=$((total_execs + execs))
  if [ "$rc" -ne 0 ]; then
    crashes=$((crashes + 1))
    echo "fuzz: $t CRASHED (exit $rc) after $execs executions; input in $crash_dir/$t/"
    grep -E 'ERROR|FUZZ_CHECK|SUMMARY|Test unit written|^    #[0-9]' "$log" | head -40
    cp "$log" "$crash_dir/$t/log"
  else
    echo "fuzz: $t: $execs executions, coverage ${cov:-?} edges, corpus $(ls "$corpus" | wc -l) inputs"
  fi
  if [ -n "${FUZZ_KEEP_CORPUS:-}" ]; then
    mkdir -p "$FUZZ_KEEP_CORPUS/$t"
    cp -r "$corpus/." "$FUZZ_KEEP_CORPUS/$t/"
  fi
done

echo "fuzz: ${#targets[@]} targets, $total_execs executions, $crashes crashes"
[ "$crashes" -eq 0 ]
