/* A tiny test harness shared by the C tests: CHECK(cond, fmt, ...) counts
 * and reports; SUMMARY() prints the "N passed, N failed" line and yields
 * the exit status. */
#ifndef SWC_TEST_CHECK_H
#define SWC_TEST_CHECK_H

#include <stdio.h>

static int failures = 0;
static int checks = 0;

#define CHECK(cond, ...)                                                     \
    do {                                                                     \
        checks++;                                                            \
        if (!(cond)) {                                                       \
            failures++;                                                      \
            fprintf(stderr, "FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond); \
            fprintf(stderr, __VA_ARGS__);                                    \
            fputc('\n', stderr);                                             \
        }                                                                    \
    } while (0)

#define SUMMARY() (printf("%d passed, %d failed\n", checks - failures, failures), failures == 0 ? 0 : 1)

#endif
