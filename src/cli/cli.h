/* pelab/cli.h — the command line: one function per command, each in its
 * own src/cli/NAME.c, registered in the table in main.c. A command gets the
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
/* One option of a command, for pelab_cli_parse. */
typedef struct pelab_cli_opt {
    const char *name;     /* "--out"                                              */
    int has_value;        /* 1: takes a value (--out DIR or --out=DIR); 0: a flag  */
    const char *value;    /* out: the value, "" for a flag given, NULL when absent */
} pelab_cli_opt;

/* Parse a command's arguments, the same way for every command: options of
 * opts (a value as the next argument or after '='), each at most once;
 * anything else not starting with '-' (or "-" itself) is a positional,
 * stored in pos[0..max_pos). Returns 0 with *n_pos set, or prints the
 * problem ("CMD: unknown option '--frce' (did you mean '--force'?)",
 * "CMD: --out given twice", "CMD: --out wants a value", "CMD: '--quiet'
 * takes no value", "CMD: one ... only ('x' is extra)") and returns 2. */
int pelab_cli_parse(const char *cmd, int argc, char **argv, pelab_cli_opt *opts, int n_opts, const char **pos,
                    int max_pos, int *n_pos);

/* The value of option name among opts (NULL when absent). */
const char *pelab_cli_get(const pelab_cli_opt *opts, int n_opts, const char *name);

/* on = 1: pelab_cli_usage_error prints nothing (MPI ranks > 0, which see
 * the argv rank 0 reports on). */
void pelab_cli_silence(int on);

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
PELAB_CLI_COMMAND(tasks)
PELAB_CLI_COMMAND(bench)
extern const char pelab_cli_bench_help_train[]; /* printed after pelab_cli_bench_help */
PELAB_CLI_COMMAND(check)
PELAB_CLI_COMMAND(report)
PELAB_CLI_COMMAND(geometry)
PELAB_CLI_COMMAND(heatmap)

/* The scripts folder: $PELAB_SCRIPTS, else the source tree's scripts/ (src/cli/report.c). */
const char *pelab_cli_scripts_dir(void);
/* This executable's path, for the scripts' PELAB_BIN; NULL when unknown. */
const char *pelab_cli_self(void);

#endif /* PELAB_CLI_H */
