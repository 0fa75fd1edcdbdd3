/* pelab/cli.h — the command line: one function per command, each in its
 * own src/cli_*.c, registered in the table in main.c. A command gets the
 * arguments after its name, prints its own output, and returns the exit
 * code: 0 success, 1 the run failed, 2 bad usage or invalid config. Only
 * commands print errors; library code returns them as values. */
#ifndef PELAB_CLI_H
#define PELAB_CLI_H

#include "pelab/base/status.h"

typedef int (*pelab_cli_fn)(int argc, char **argv);

/* Print "pelab: MESSAGE" and return the status's exit code. */
int pelab_cli_fail(const pelab_error *err);
/* Print "pelab: FORMATTED\n(see pelab --help)" to stderr and return 2. */
int pelab_cli_usage_error(const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;
/* A whole number in [lo, hi] from s into *out; 0 when s is not one. */
int pelab_cli_parse_int(const char *s, long lo, long hi, long *out);

#define PELAB_CLI_COMMAND(name)                  \
    extern const char pelab_cli_##name##_help[]; \
    int pelab_cli_##name(int argc, char **argv);

PELAB_CLI_COMMAND(run)
PELAB_CLI_COMMAND(merge)
PELAB_CLI_COMMAND(validate)
PELAB_CLI_COMMAND(attend)
PELAB_CLI_COMMAND(schemes)
PELAB_CLI_COMMAND(metrics)
PELAB_CLI_COMMAND(bench)
PELAB_CLI_COMMAND(check)
PELAB_CLI_COMMAND(report)
PELAB_CLI_COMMAND(geometry)
PELAB_CLI_COMMAND(heatmap)

/* The scripts folder: $PELAB_SCRIPTS, else the source tree's scripts/ (src/cli/report.c). */
const char *pelab_cli_scripts_dir(void);
/* This executable's path, for the scripts' PELAB_BIN; NULL when unknown. */
const char *pelab_cli_self(void);

#endif /* PELAB_CLI_H */
