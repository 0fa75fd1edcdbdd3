/* pelab/run/shard.h — splitting a sweep over machines: which cells a shard owns,
 * and where K and N come from (--shard K/N, or a Slurm job array).
 *
 * The assignment ("lpt", longest processing time first) depends only on the
 * config (and this rule), never on the machine, the thread count or the
 * order shards run in:
 *   1. each cell's cost is its estimated work (the job's flops: for the
 *      probe pelab_cell_flops(cell, trials), pelab/lab/cell.h);
 *   2. cells are taken by cost, largest first; equal costs in sweep order;
 *   3. each goes to the shard whose total cost so far is smallest; equal
 *      totals to the lowest shard number.
 * Every cell belongs to exactly one shard; a shard may own no cell (more
 * shards than cells), and then it runs nothing and still completes. The
 * greedy rule bounds the imbalance: the most loaded shard's total is at
 * most the least loaded one's plus the largest cell's cost.
 *
 * Shards are numbered from 0: K in 0..N-1. */
#ifndef PELAB_SHARD_H
#define PELAB_SHARD_H

#include <stddef.h>

#include "pelab/base/status.h"


/* The most shards a sweep can be split into. */
#define PELAB_SHARD_MAX 1000000

/* The rule's name, as recorded in manifest.json ("lpt"). */
#define PELAB_SHARD_RULE "lpt"

/* owner[i] = the shard (0..n_shards-1) of cell i of a sweep of count cells
 * (in sweep order) costing cost[i]. n_shards >= 1. If load is not NULL it
 * receives each shard's total cost (n_shards entries). */
void pelab_shard_assign(int *owner, double *load, const double *cost, size_t count, int n_shards);

/* Parse "K/N" (0 <= K < N <= PELAB_SHARD_MAX, whole decimal numbers) into
 * *k and *n. Returns 1 on success, 0 otherwise. */
int pelab_shard_parse(const char *s, int *k, int *n);

/* The shard of a Slurm job array task, from the values of the environment
 * variables SLURM_ARRAY_TASK_ID, _COUNT, _MIN and _STEP (each may be NULL:
 * not set). Returns 0 when ID or COUNT is not set (not an array task);
 * 1 with *k = (ID - MIN) / STEP (MIN 0 and STEP 1 when unset) and *n = COUNT;
 * -1 when the values do not give a shard 0 <= K < N, with the reason in why. */
int pelab_shard_from_slurm(int *k, int *n, const char *id, const char *count, const char *min,
                           const char *step, char *why, size_t why_len);

/* Merging shards (src/merge.c): `pelab merge OUT SHARD_DIR...`. */
typedef struct pelab_merge_options {
    const char *out_dir;              /* OUT: gets results.csv and manifest.json     */
    const char *const *shard_dirs;    /* the shards' results folders                 */
    int n_shard_dirs;                 /* >= 1                                        */
    const char *config_path;          /* NULL: the config_path the manifests record  */
    int force;                        /* replace an existing OUT/results.csv         */
} pelab_merge_options;

/* Merge shard folders into one, as a single run of the whole sweep would have
 * written it: OUT/results.csv with every cell once, in sweep order (the
 * shards' rows byte for byte), and OUT/manifest.json (status complete, the
 * config, and a "merged" list of the shards with their threads and times).
 * Checks first, writes nothing when a check fails:
 * - every folder's manifest.json says complete, else PELAB_STATUS_RUN naming
 *   the folder;
 * - every folder has the same config_hash, else PELAB_STATUS_RUN naming it;
 * - the config (opt->config_path, or the manifests' config_path) loads and
 *   has that hash, else PELAB_STATUS_USAGE (or CONFIG when it is invalid);
 * - every row is a cell of the config, and every cell of the sweep is in
 *   exactly one folder, else PELAB_STATUS_RUN naming the cell's identity
 *   fields (and the folders);
 * - OUT/results.csv does not exist (unless opt->force), and OUT is none of
 *   the shards, else PELAB_STATUS_USAGE.
 * *cells receives the number of cells merged. */
pelab_status pelab_merge(const pelab_merge_options *opt, size_t *cells, pelab_error *err);

#endif /* PELAB_SHARD_H */
