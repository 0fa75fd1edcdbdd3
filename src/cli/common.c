/* common.c — helpers shared by the commands; see cli.h */
#include "cli.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pelab/base/suggest.h"

int pelab_cli_fail(const pelab_error *err) {
    fprintf(stderr, "pelab: %s\n", err->msg);
    return pelab_status_exit_code(err->status);
}

static int g_silent;

void pelab_cli_silence(int on) { g_silent = on; }

int pelab_cli_usage_error(const char *fmt, ...) {
    if (g_silent) return 2;
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "pelab: ");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n(see pelab --help)\n");
    va_end(ap);
    return 2;
}

int pelab_cli_parse_int(const char *s, long lo, long hi, long *out) {
    char *end = NULL;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (!s[0] || *end || errno || v < lo || v > hi) return 0;
    *out = v;
    return 1;
}

int pelab_cli_parse(const char *cmd, int argc, char **argv, pelab_cli_opt *opts, int n_opts, const char **pos,
                    int max_pos, int *n_pos) {
    *n_pos = 0;
    for (int k = 0; k < n_opts; k++) opts[k].value = NULL;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (a[0] != '-' || a[1] == '\0') {
            if (*n_pos >= max_pos) {
                if (max_pos == 0) return pelab_cli_usage_error("%s: takes no argument ('%s' is extra)", cmd, a);
                return pelab_cli_usage_error("%s: '%s' is one argument too many", cmd, a);
            }
            pos[(*n_pos)++] = a;
            continue;
        }
        const char *eq = strchr(a, '=');
        size_t nl = eq ? (size_t)(eq - a) : strlen(a);
        int k = 0;
        for (; k < n_opts; k++)
            if (strlen(opts[k].name) == nl && strncmp(opts[k].name, a, nl) == 0) break;
        if (k == n_opts) {
            char name[128], sug[160];
            const char *names[64];
            int m = n_opts < 64 ? n_opts : 64;
            for (int j = 0; j < m; j++) names[j] = opts[j].name;
            snprintf(name, sizeof name, "%.*s", (int)(nl < 100 ? nl : 100), a);
            return pelab_cli_usage_error("%s: unknown option '%s'%s", cmd, name,
                                         pelab_suggest(sug, sizeof sug, name, names, m));
        }
        pelab_cli_opt *o = &opts[k];
        if (o->value) return pelab_cli_usage_error("%s: %s given twice", cmd, o->name);
        if (!o->has_value) {
            if (eq) return pelab_cli_usage_error("%s: %s takes no value", cmd, o->name);
            o->value = "";
        } else if (eq) {
            o->value = eq + 1;
        } else {
            if (i + 1 >= argc) return pelab_cli_usage_error("%s: %s wants a value", cmd, o->name);
            o->value = argv[++i];
        }
    }
    return 0;
}

const char *pelab_cli_get(const pelab_cli_opt *opts, int n_opts, const char *name) {
    for (int k = 0; k < n_opts; k++)
        if (strcmp(opts[k].name, name) == 0) return opts[k].value;
    return NULL;
}
