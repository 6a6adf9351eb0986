#!/usr/bin/env python3
"""Counts test cases from Bazel's test.xml files and prints "N passed, N failed".

Usage: count_results.py [--failed_targets=T1,T2,...] TESTLOGS_DIR TARGET...

Each target's test.xml (GoogleTest's XML, or Bazel's own when the binary
crashed before writing one) is read; every <testcase> with a <failure> or
<error> counts as failed, every other one as passed (skipped cases are
reported apart). A target with no test.xml counts as one failure, and so
does a target Bazel reported failed (--failed_targets, from its summary)
whose cases all passed: the binary failed after them, e.g. a sanitizer's
report at exit. Exits 1 if anything failed or no test ran.
"""
import os
import sys
import xml.etree.ElementTree as ET


def count_target(testlogs, target, bazel_failed):
    package, name = target.lstrip("/").split(":")
    path = os.path.join(testlogs, package, name, "test.xml")
    try:
        root = ET.parse(path).getroot()
    except (OSError, ET.ParseError) as e:
        print(f"{target}: no readable test.xml ({e})", file=sys.stderr)
        return 0, 1, 0
    passed = failed = skipped = 0
    for case in root.iter("testcase"):
        if case.find("failure") is not None or case.find("error") is not None:
            failed += 1
            print(f"FAILED {target}: {case.get('classname')}.{case.get('name')}",
                  file=sys.stderr)
        elif case.find("skipped") is not None or case.get("status") == "notrun":
            skipped += 1
        else:
            passed += 1
    if passed + failed + skipped == 0:
        # A binary that died before GoogleTest wrote its cases.
        failed = 1
    elif failed == 0 and bazel_failed:
        print(f"FAILED {target}: every case passed but the test binary "
              "failed (see its test.log)", file=sys.stderr)
        failed = 1
    return passed, failed, skipped


def main():
    args = sys.argv[1:]
    bazel_failed = set()
    if args and args[0].startswith("--failed_targets="):
        listed = args.pop(0).split("=", 1)[1]
        bazel_failed = {t for t in listed.split(",") if t}
    if not args:
        print(__doc__, file=sys.stderr)
        return 2
    testlogs, targets = args[0], args[1:]
    # A failed target outside the counted set still fails the run.
    unknown = bazel_failed - set(targets)
    for target in sorted(unknown):
        print(f"FAILED {target}: not among the counted targets", file=sys.stderr)
    totals = [0, len(unknown), 0]
    for target in targets:
        for i, n in enumerate(count_target(testlogs, target,
                                           target in bazel_failed)):
            totals[i] += n
    passed, failed, skipped = totals
    line = f"{passed} passed, {failed} failed"
    if skipped:
        line += f", {skipped} skipped"
    print(line)
    return 0 if failed == 0 and passed > 0 else 1


if __name__ == "__main__":
    sys.exit(main())
