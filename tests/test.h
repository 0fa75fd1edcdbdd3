/* tests/test.h — a tiny test harness in the manner of libuv's: assertion
 * macros print both operands, the expression and the line on failure.
 *
 * A test file defines `static void test_xxx(void)` functions and a main that
 * calls TEST_RUN(test_xxx) for each, then returns TEST_DONE(). A failing
 * ASSERT ends the current test (longjmp) and the file goes on with the next,
 * so one run reports every failure. The last line printed is
 * "N passed, M failed". */
#ifndef PELAB_TEST_H
#define PELAB_TEST_H

#include <math.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>

static int test_passed_, test_failed_;
static jmp_buf test_jmp_;
static const char *test_name_;

#define TEST_FAIL_(...)                                                              \
    do {                                                                             \
        fprintf(stderr, "FAIL %s (%s:%d): ", test_name_, __FILE__, __LINE__);        \
        fprintf(stderr, __VA_ARGS__);                                                \
        fprintf(stderr, "\n");                                                       \
        longjmp(test_jmp_, 1);                                                       \
    } while (0)

#define ASSERT(cond)                                                                 \
    do {                                                                             \
        if (!(cond)) TEST_FAIL_("ASSERT(%s)", #cond);                                \
    } while (0)

#define ASSERT_INT_OP_(a, op, b)                                                     \
    do {                                                                             \
        long long a_ = (long long)(a), b_ = (long long)(b);                          \
        if (!(a_ op b_))                                                             \
            TEST_FAIL_("%s %s %s: %lld %s %lld", #a, #op, #b, a_, #op, b_);          \
    } while (0)
#define ASSERT_EQ(a, b) ASSERT_INT_OP_(a, ==, b)
#define ASSERT_NE(a, b) ASSERT_INT_OP_(a, !=, b)
#define ASSERT_LT(a, b) ASSERT_INT_OP_(a, <, b)
#define ASSERT_LE(a, b) ASSERT_INT_OP_(a, <=, b)
#define ASSERT_GT(a, b) ASSERT_INT_OP_(a, >, b)
#define ASSERT_GE(a, b) ASSERT_INT_OP_(a, >=, b)

#define ASSERT_DBL_OP_(a, op, b)                                                     \
    do {                                                                             \
        double a_ = (double)(a), b_ = (double)(b);                                   \
        if (!(a_ op b_))                                                             \
            TEST_FAIL_("%s %s %s: %.17g %s %.17g", #a, #op, #b, a_, #op, b_);        \
    } while (0)
#define ASSERT_DBL_LT(a, b) ASSERT_DBL_OP_(a, <, b)
#define ASSERT_DBL_LE(a, b) ASSERT_DBL_OP_(a, <=, b)
#define ASSERT_DBL_GT(a, b) ASSERT_DBL_OP_(a, >, b)
#define ASSERT_DBL_GE(a, b) ASSERT_DBL_OP_(a, >=, b)
#define ASSERT_DBL_EQ(a, b) ASSERT_DBL_OP_(a, ==, b)

/* |a - b| <= tol */
#define ASSERT_NEAR(a, b, tol)                                                       \
    do {                                                                             \
        double a_ = (double)(a), b_ = (double)(b), t_ = (double)(tol);               \
        if (!(fabs(a_ - b_) <= t_))                                                  \
            TEST_FAIL_("|%s - %s| <= %s: |%.17g - %.17g| = %.3g > %.3g", #a, #b,     \
                       #tol, a_, b_, fabs(a_ - b_), t_);                             \
    } while (0)

/* |a - b| <= rtol * max(|a|, |b|) + atol */
#define ASSERT_CLOSE(a, b, rtol, atol)                                               \
    do {                                                                             \
        double a_ = (double)(a), b_ = (double)(b);                                   \
        double lim_ = (double)(rtol) * fmax(fabs(a_), fabs(b_)) + (double)(atol);    \
        if (!(fabs(a_ - b_) <= lim_))                                                \
            TEST_FAIL_("%s ~ %s: %.17g vs %.17g, diff %.3g > %.3g", #a, #b, a_, b_,  \
                       fabs(a_ - b_), lim_);                                         \
    } while (0)

#define ASSERT_STR_EQ(a, b)                                                          \
    do {                                                                             \
        const char *a_ = (a), *b_ = (b);                                             \
        if (!a_ || !b_ || strcmp(a_, b_) != 0)                                       \
            TEST_FAIL_("%s == %s: \"%s\" vs \"%s\"", #a, #b, a_ ? a_ : "(null)",     \
                       b_ ? b_ : "(null)");                                          \
    } while (0)

#define ASSERT_STR_CONTAINS(hay, needle)                                             \
    do {                                                                             \
        const char *h_ = (hay), *n_ = (needle);                                      \
        if (!h_ || !n_ || !strstr(h_, n_))                                           \
            TEST_FAIL_("%s contains %s: \"%s\" lacks \"%s\"", #hay, #needle,         \
                       h_ ? h_ : "(null)", n_ ? n_ : "(null)");                      \
    } while (0)

#define TEST_RUN(fn)                                                                 \
    do {                                                                             \
        test_name_ = #fn;                                                            \
        if (setjmp(test_jmp_) == 0) {                                                \
            fn();                                                                    \
            test_passed_++;                                                          \
            printf("ok   %s\n", #fn);                                                \
        } else {                                                                     \
            test_failed_++;                                                          \
            printf("FAIL %s\n", #fn);                                                \
        }                                                                            \
        fflush(stdout);                                                              \
    } while (0)

#define TEST_DONE()                                                                  \
    (printf("%d passed, %d failed\n", test_passed_, test_failed_), test_failed_ ? 1 : 0)

#endif /* PELAB_TEST_H */
