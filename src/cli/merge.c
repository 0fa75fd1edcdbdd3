/* cli_merge.c — `pelab merge` */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "pelab/run/shard.h"
#include "pelab/base/mem.h"

const char pelab_cli_merge_help[] =
    "usage: pelab merge OUT SHARD_DIR... [--config FILE] [--force] [--quiet]\n"
    "\n"
    "Merges the results folders of the shards of one sweep (pelab run --shard\n"
    "K/N, or a Slurm job array) into OUT/results.csv, every cell once in sweep\n"
    "order, byte for byte what one machine would have written (but time_s), and\n"
    "OUT/manifest.json (status complete; \"merged\" lists each shard's folder,\n"
    "cells, threads and times; threads and elapsed_s are their sums).\n"
    "\n"
    "Before writing anything it checks that every shard is complete (its\n"
    "manifest status), that all come from one config (config hash), and that\n"
    "together they hold every cell of the sweep exactly once: a missing or\n"
    "duplicated cell is an error naming it. The cell list comes from the config\n"
    "the manifests name (config_path, relative to where the shards ran), or\n"
    "from --config FILE; its hash must be the shards'.\n"
    "\n"
    "  --config FILE  the config the shards ran (default: their config_path)\n"
    "  --force        replace an existing OUT/results.csv instead of refusing\n"
    "  --quiet        print nothing on success\n"
    "\n"
    "Exit status: 0 merged; 1 a shard is missing, duplicated, incomplete, from\n"
    "another config or unreadable; 2 bad usage, OUT/results.csv exists, or the\n"
    "config is not the shards'.\n";

int pelab_cli_merge(int argc, char **argv) {
    pelab_merge_options opt;
    memset(&opt, 0, sizeof opt);
    pelab_cli_opt opts[] = {{"--config", 1, NULL}, {"--force", 0, NULL}, {"--quiet", 0, NULL}};
    const char **pos = argc > 0 ? (const char **)pelab_xcalloc((size_t)argc, sizeof *pos) : NULL;
    int n = 0, code = 0;
    if (pelab_cli_parse("merge", argc, argv, opts, 3, pos, argc, &n)) {
        code = 2;
        goto out;
    }
    opt.config_path = opts[0].value;
    opt.force = opts[1].value != NULL;
    int quiet = opts[2].value != NULL;
    if (n < 2) {
        code = pelab_cli_usage_error("merge: wants OUT and at least one SHARD_DIR");
        goto out;
    }
    opt.out_dir = pos[0];
    opt.shard_dirs = pos + 1;
    opt.n_shard_dirs = n - 1;
    pelab_error err;
    size_t cells = 0;
    if (pelab_merge(&opt, &cells, &err)) {
        code = pelab_cli_fail(&err);
        goto out;
    }
    if (!quiet)
        printf("pelab: merged %d folder%s (%zu cells) into %s/results.csv and %s/manifest.json\n", n - 1,
               n == 2 ? "" : "s", cells, opt.out_dir, opt.out_dir);
out:
    free(pos);
    return code;
}
