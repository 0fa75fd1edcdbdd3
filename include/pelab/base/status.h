/* pelab/base/status.h — error values that travel up to the CLI.
 *
 * Every fallible function returns a pelab_status and, when it fails, fills a
 * caller-owned pelab_error with a message that already names where the error
 * happened ("configs/x.yaml:3:12: unknown key 'seqlen' (did you mean 'seq_len'?)",
 * "results/x/results.csv: No space left on device"). Only the CLI prints
 * errors and turns them into exit codes. */
#ifndef PELAB_STATUS_H
#define PELAB_STATUS_H

#include <stdio.h>
#include <stdlib.h>

typedef enum pelab_status {
    PELAB_STATUS_OK = 0,
    PELAB_STATUS_USAGE,     /* bad command line                    -> exit 2 */
    PELAB_STATUS_CONFIG,    /* invalid config, located             -> exit 2 */
    PELAB_STATUS_IO,        /* a file could not be read or written -> exit 1 */
    PELAB_STATUS_NOMEM,     /* an allocation failed                -> exit 1 */
    PELAB_STATUS_RUN,       /* the run failed for another reason   -> exit 1 */
    PELAB_STATUS_INTERRUPTED, /* stopped by a signal               -> 128+sig */
    PELAB_STATUS_COUNT
} pelab_status;

#define PELAB_ERROR_MSG_MAX 1024

typedef struct pelab_error {
    pelab_status status;
    char msg[PELAB_ERROR_MSG_MAX];
} pelab_error;

/* Short stable name of a status ("ok", "usage", "config", ...). Never NULL. */
const char *pelab_status_str(pelab_status s);

/* The process exit code the CLI uses for a status: 0, 1 or 2. */
int pelab_status_exit_code(pelab_status s);

/* Fill err (may be NULL) with status s and a printf-style message; returns s,
 * so that callers can write `return pelab_error_set(err, ..., "...")`. */
pelab_status pelab_error_set(pelab_error *err, pelab_status s, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* Assert that stays on in release builds: on failure prints the expression,
 * file and line to stderr and aborts. For programming errors only, never for
 * user input. */
#define PELAB_ASSERT(cond)                                                          \
    do {                                                                            \
        if (!(cond)) {                                                              \
            fprintf(stderr, "%s:%d: internal error: assertion failed: %s\n",        \
                    __FILE__, __LINE__, #cond);                                     \
            abort();                                                                \
        }                                                                           \
    } while (0)

#endif /* PELAB_STATUS_H */
