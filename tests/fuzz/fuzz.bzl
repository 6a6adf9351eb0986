"""pitr_fuzz_target: one libFuzzer target, built two ways from one source.

For a target `name` (source `name + ".cc"`, which defines
LLVMFuzzerTestOneInput):
  name + "_test"  a cc_test of the normal build: corpus_driver.cc runs every
                  file of corpus/<name>/ through the target (a regression
                  test, part of `bazel test //...`);
  name            a cc_binary that is a real libFuzzer binary under
                  --config=fuzz (clang, -fsanitize=fuzzer at link time) and
                  the same corpus runner otherwise. Tagged manual: built by
                  tools/dev/fuzz.sh.
"""

def pitr_fuzz_target(name, deps = [], size = "small"):
    native.cc_library(
        name = name + "_lib",
        testonly = True,
        srcs = [name + ".cc"],
        deps = deps,
        # Nothing references LLVMFuzzerTestOneInput but the driver (or
        # libFuzzer's main): keep the object in the link.
        alwayslink = True,
    )
    native.cc_test(
        name = name + "_test",
        size = size,
        args = ["tests/fuzz/corpus/" + name],
        data = native.glob(["corpus/" + name + "/**"]),
        deps = [
            ":" + name + "_lib",
            ":corpus_driver",
        ],
    )
    native.cc_binary(
        name = name,
        testonly = True,
        tags = ["manual"],
        linkopts = select({
            ":fuzzing": ["-fsanitize=fuzzer"],
            "//conditions:default": [],
        }),
        deps = [":" + name + "_lib"] + select({
            ":fuzzing": [],
            "//conditions:default": [":corpus_driver"],
        }),
    )
