// FUZZ_CHECK: the invariant checks of the fuzz targets. A failed check
// prints where and why and aborts, which libFuzzer (and corpus_driver)
// report as a crash, saving the input. Unlike assert(), it is never
// compiled out.
#ifndef PITR_TESTS_FUZZ_FUZZ_CHECK_H_
#define PITR_TESTS_FUZZ_FUZZ_CHECK_H_

#include <cstdio>
#include <cstdlib>

#define FUZZ_CHECK(cond, ...)                                          \
  do {                                                                 \
    if (!(cond)) {                                                     \
      std::fprintf(stderr, "%s:%d: FUZZ_CHECK(%s) failed: ", __FILE__, \
                   __LINE__, #cond);                                   \
      std::fprintf(stderr, __VA_ARGS__);                               \
      std::fprintf(stderr, "\n");                                      \
      std::abort();                                                    \
    }                                                                  \
  } while (0)

#endif  // PITR_TESTS_FUZZ_FUZZ_CHECK_H_
