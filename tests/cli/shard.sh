#!/usr/bin/env bash
# Shards and merge: shards 0..N-1 merged equal the unsharded run byte for
# byte (but time_s), for N = 1, 2, 3, 5 and more shards than cells; a shard's
# folder, manifest, order and resume; Slurm job array variables pick the
# shard; merge refuses a missing, duplicated, foreign or incomplete shard and
# never overwrites results without --force.
source "$(dirname "$0")/lib.bash"
small=$SRC/tests/data/small.yaml
medium=$SRC/tests/data/medium.yaml
large=$SRC/tests/data/large.yaml
cd "$TMP" || exit 1

expect_exit 0 "unsharded reference run" "$PELAB" run "$small" --out "$TMP/ref" --quiet
header=$(head -1 "$TMP/ref/results.csv")
tcol=$(tr , '\n' <<<"$header" | grep -nx time_s | cut -d: -f1)
strip() { cut -d, -f"$tcol" --complement "$1"; }
ids() { tail -n +2 "$1" | cut -d, -f1-8; }
hash=$(grep -o '"config_hash": "[0-9a-f]*"' "$TMP/ref/manifest.json")

for n in 1 2 3 5; do
  ok=1
  for ((k = 0; k < n; k++)); do
    "$PELAB" run "$small" --shard "$k/$n" --out "$TMP/s$n/$k" --quiet || ok=0
  done
  check "N=$n: every shard runs" test "$ok" -eq 1
  expect_exit 0 "N=$n: merge" "$PELAB" merge "$TMP/m$n" "$TMP/s$n"/*
  check "N=$n: merged equals the unsharded run (but time_s)" cmp -s <(strip "$TMP/ref/results.csv") <(strip "$TMP/m$n/results.csv")
  check "N=$n: merged manifest is complete" grep -q '"status": "complete"' "$TMP/m$n/manifest.json"
  check "N=$n: merged manifest lists the $n shards" test "$(grep -c '"dir": ' "$TMP/m$n/manifest.json")" -eq "$n"
  total=0
  for ((k = 0; k < n; k++)); do
    rows=$(($(wc -l <"$TMP/s$n/$k/results.csv") - 1))
    total=$((total + rows))
  done
  check "N=$n: the shards' rows add up to 352" test "$total" -eq 352
done

# a shard's folder and manifest
s=$TMP/s3/1
check "shard manifest records K and N" grep -q '"shard": {"index": 1, "count": 3, "rule": "lpt", "sweep_cells": 352, "cells": \[' "$s/manifest.json"
check "shard manifest has the config's hash" grep -q "$hash" "$s/manifest.json"
check "shard manifest lists as many cells as it has rows" \
  test "$(grep -o '"cells": \[[^]]*\]' "$s/manifest.json" | tr -cd , | wc -c)" -eq $(($(wc -l <"$s/results.csv") - 2))
check "shard manifest cells_total is its own count" grep -q "\"cells_total\": $(($(wc -l <"$s/results.csv") - 1))," "$s/manifest.json"
check "shard results.csv is in sweep order" cmp -s <(ids "$s/results.csv") <(grep -Fx -f <(ids "$s/results.csv") <(ids "$TMP/ref/results.csv"))
expect_exit 0 "default folder results/NAME/shard-K-of-N" "$PELAB" run "$small" --shard 2/5 --quiet
check "results/small/shard-2-of-5 written" test -s "$TMP/results/small/shard-2-of-5/results.csv"
check "same rows as --out" cmp -s <(strip "$TMP/s5/2/results.csv") <(strip "$TMP/results/small/shard-2-of-5/results.csv")

# more shards than cells: empty shards work
cat >"$TMP/tiny.yaml" <<'EOF'
name: tiny
seed: 5
sweep:
  seq_len: [4, 8]
  d_model: 4
  scheme: [none, sinusoidal]
EOF
expect_exit 0 "tiny reference (4 cells)" "$PELAB" run "$TMP/tiny.yaml" --out "$TMP/tref" --quiet
ok=1
for k in 0 1 2 3 4 5 6; do "$PELAB" run "$TMP/tiny.yaml" --shard "$k/7" --out "$TMP/t7/$k" --quiet || ok=0; done
check "7 shards of 4 cells all run" test "$ok" -eq 1
check "an empty shard has the header only" test "$(cat "$TMP"/t7/*/results.csv | grep -c '^scheme,')" -eq 7 -a "$(cat "$TMP"/t7/*/results.csv | wc -l)" -eq 11
check "an empty shard is complete" grep -q '"status": "complete"' "$TMP/t7/6/manifest.json"
check "an empty shard lists no cells" grep -q '"cells": \[\]}' "$TMP/t7/6/manifest.json"
expect_exit 0 "merge 7 shards of 4 cells" "$PELAB" merge "$TMP/tm" "$TMP"/t7/*
check "merged equals the unsharded run" cmp -s <(strip "$TMP/tref/results.csv") <(strip "$TMP/tm/results.csv")

# resume per shard
s=$TMP/s3/2
cp "$s/results.csv" "$TMP/whole.csv"
head -31 "$TMP/whole.csv" >"$s/results.csv"
sed -n 32p "$TMP/whole.csv" | head -c 30 >>"$s/results.csv"
expect_exit 0 "resume a cut shard" "$PELAB" run "$small" --shard 2/3 --out "$s" --resume --quiet
check "resumed shard equals the uncut one" cmp -s <(strip "$TMP/whole.csv") <(strip "$s/results.csv")
expect_exit 2 "resume a shard folder as another shard refuses" "$PELAB" run "$small" --shard 1/3 --out "$s" --resume --quiet
check "refusal names both shards" grep -q "holds shard 2/3, not shard 1/3" "$TMP/err"
expect_exit 2 "resume a shard folder as the whole sweep refuses" "$PELAB" run "$small" --no-shard --out "$s" --resume --quiet
expect_exit 2 "resume a whole-sweep folder as a shard refuses" "$PELAB" run "$small" --shard 0/3 --out "$TMP/ref" --resume --quiet
expect_exit 2 "a shard refuses a folder with results" "$PELAB" run "$small" --shard 2/3 --out "$s" --quiet

# Slurm job arrays
unset SLURM_ARRAY_TASK_ID SLURM_ARRAY_TASK_COUNT SLURM_ARRAY_TASK_MIN SLURM_ARRAY_TASK_STEP
expect_exit 0 "SLURM_ARRAY_TASK_ID=3, MIN=1, COUNT=3 runs shard 2/3" \
  env SLURM_ARRAY_TASK_ID=3 SLURM_ARRAY_TASK_MIN=1 SLURM_ARRAY_TASK_COUNT=3 "$PELAB" run "$small"
check "it says so on stderr" grep -q "running shard 2/3" "$TMP/err"
check "it wrote results/small/shard-2-of-3" cmp -s <(strip "$TMP/s3/2/results.csv") <(strip "$TMP/results/small/shard-2-of-3/results.csv")
check "its manifest records shard 2/3" grep -q '"shard": {"index": 2, "count": 3' "$TMP/results/small/shard-2-of-3/manifest.json"
expect_exit 0 "SLURM_ARRAY_TASK_ID=0 without MIN, COUNT=2, --quiet" \
  env SLURM_ARRAY_TASK_ID=0 SLURM_ARRAY_TASK_COUNT=2 "$PELAB" run "$small" --quiet
check "--quiet says nothing" test ! -s "$TMP/err"
check "it ran shard 0/2" cmp -s <(strip "$TMP/s2/0/results.csv") <(strip "$TMP/results/small/shard-0-of-2/results.csv")
expect_exit 0 "--shard wins over the Slurm variables" \
  env SLURM_ARRAY_TASK_ID=0 SLURM_ARRAY_TASK_COUNT=2 "$PELAB" run "$small" --shard 1/2 --out "$TMP/sl1" --quiet
check "it ran shard 1/2" cmp -s <(strip "$TMP/s2/1/results.csv") <(strip "$TMP/sl1/results.csv")
expect_exit 0 "--no-shard runs the whole sweep inside an array" \
  env SLURM_ARRAY_TASK_ID=0 SLURM_ARRAY_TASK_COUNT=2 "$PELAB" run "$small" --no-shard --out "$TMP/sl2" --quiet
check "352 rows" test "$(($(wc -l <"$TMP/sl2/results.csv") - 1))" -eq 352
expect_exit 2 "a task id outside the array refuses" \
  env SLURM_ARRAY_TASK_ID=5 SLURM_ARRAY_TASK_COUNT=3 "$PELAB" run "$small" --out "$TMP/sl3" --quiet
check "the refusal names SLURM_ARRAY_TASK_ID" grep -q "SLURM_ARRAY_TASK_ID=5" "$TMP/err"
check "nothing written" test ! -e "$TMP/sl3"

# --shard usage
for bad in 3/3 -1/3 1/0 x 1/ /2 1/2/3; do
  expect_exit 2 "--shard $bad refused" "$PELAB" run "$small" --shard "$bad" --out "$TMP/bad" --quiet
done
expect_exit 2 "--shard with --no-shard refused" "$PELAB" run "$small" --shard 0/2 --no-shard --quiet

# merge refuses
expect_exit 1 "merge with a shard missing" "$PELAB" merge "$TMP/x1" "$TMP/s3/0" "$TMP/s3/2"
check "names a missing cell by its identity" grep -q "cell scheme=[a-z_0-9]* seq_len=[0-9]* d_model=6 heads=[12] mask=[a-z]* projection=[a-z]* dtype=f[0-9]* is in none of the shards" "$TMP/err"
check "nothing written" test ! -e "$TMP/x1/results.csv"
expect_exit 1 "merge with a shard given twice" "$PELAB" merge "$TMP/x2" "$TMP/s3/0" "$TMP/s3/1" "$TMP/s3/2" "$TMP/s3/1"
cp -r "$TMP/s3/1" "$TMP/copy1"
expect_exit 1 "merge with a copy of a shard" "$PELAB" merge "$TMP/x2" "$TMP"/s3/* "$TMP/copy1"
check "names the shard given twice" grep -q "shard 1/3 is given twice" "$TMP/err"
expect_exit 1 "merge with overlapping splits (a cell twice)" "$PELAB" merge "$TMP/x2" "$TMP"/s3/* "$TMP/s2/0"
check "names the duplicated cell and both folders" grep -q "cell scheme=.* is in two shards: $TMP/s3/[012] and $TMP/s2/0" "$TMP/err"
check "nothing written" test ! -e "$TMP/x2/results.csv"
expect_exit 0 "a shard of another config" "$PELAB" run "$large" --shard 0/3 --out "$TMP/other" --quiet
expect_exit 1 "merge with a shard of another config" "$PELAB" merge "$TMP/x3" "$TMP/s3/0" "$TMP/s3/1" "$TMP/other"
check "names the foreign folder" grep -q "$TMP/other: from another config" "$TMP/err"
cp -r "$TMP/s3/1" "$TMP/inc1"
sed -i 's/"status": "complete"/"status": "interrupted"/' "$TMP/inc1/manifest.json"
expect_exit 1 "merge with an incomplete shard" "$PELAB" merge "$TMP/x4" "$TMP/s3/0" "$TMP/inc1" "$TMP/s3/2"
check "names the incomplete folder" grep -q "$TMP/inc1: the shard is not complete" "$TMP/err"
expect_exit 1 "merge of a folder that is no results folder" "$PELAB" merge "$TMP/x5" "$TMP/s3/0" "$TMP/nowhere"
check "names it" grep -q "$TMP/nowhere" "$TMP/err"
before=$(md5sum <"$TMP/m3/results.csv")
expect_exit 2 "merge into a folder with results refuses" "$PELAB" merge "$TMP/m3" "$TMP"/s3/*
check "refusal names --force" grep -q -- "--force" "$TMP/err"
check "results.csv untouched" test "$(md5sum <"$TMP/m3/results.csv")" = "$before"
expect_exit 0 "merge --force replaces it" "$PELAB" merge "$TMP/m3" "$TMP"/s3/* --force --quiet
check "same content" cmp -s <(strip "$TMP/ref/results.csv") <(strip "$TMP/m3/results.csv")
expect_exit 2 "merge into one of the shards refuses, even with --force" "$PELAB" merge "$TMP/s3/0" "$TMP"/s3/* --force
expect_exit 2 "merge --config with another config refuses" "$PELAB" merge "$TMP/x6" "$TMP"/s3/* --config "$large"
check "says the hashes differ" grep -q "is not the config they ran" "$TMP/err"
expect_exit 0 "merge --config with the same config" "$PELAB" merge "$TMP/x7" "$TMP"/s3/* --config "$small" --quiet
check "merged with --config equals the reference" cmp -s <(strip "$TMP/ref/results.csv") <(strip "$TMP/x7/results.csv")
# the config moved away: config_path no longer found, --config fixes it
cp "$TMP/tiny.yaml" "$TMP/tiny2.yaml"
for k in 0 1; do "$PELAB" run "$TMP/tiny2.yaml" --shard "$k/2" --out "$TMP/mv/$k" --quiet; done
rm "$TMP/tiny2.yaml"
expect_exit 2 "merge when the config is gone" "$PELAB" merge "$TMP/x8" "$TMP"/mv/*
check "the error suggests --config" grep -q -- "--config FILE" "$TMP/err"
expect_exit 0 "merge --config when the config moved" "$PELAB" merge "$TMP/x8" "$TMP"/mv/* --config "$TMP/tiny.yaml" --quiet
expect_exit 0 "a merged folder resumes as a finished whole sweep" "$PELAB" run "$small" --out "$TMP/m3" --resume --quiet
check "still equal" cmp -s <(strip "$TMP/ref/results.csv") <(strip "$TMP/m3/results.csv")
expect_exit 2 "merge without shards" "$PELAB" merge "$TMP/x9"
expect_exit 2 "merge without arguments" "$PELAB" merge
expect_exit 2 "merge with an unknown option" "$PELAB" merge "$TMP/x9" "$TMP/s3/0" --bogus
expect_exit 0 "merge --help" "$PELAB" merge --help

# SIGINT stops a shard, which says how to resume it; merge refuses it until resumed
expect_exit 0 "medium reference" "$PELAB" run "$medium" --out "$TMP/mref" --quiet --threads 2
expect_exit 0 "medium shard 1/2" "$PELAB" run "$medium" --shard 1/2 --out "$TMP/ms/1" --quiet --threads 2
"$PELAB" run "$medium" --shard 0/2 --out "$TMP/ms/0" --quiet --threads 2 2>"$TMP/sig.err" &
pid=$!
check "the shard is running when signalled" wait_rows "$TMP/ms/0/results.csv" 3 "$pid"
kill -INT "$pid"
got=0
wait "$pid" || got=$?
check "SIGINT: exit 130 (got $got)" test "$got" -eq 130
check "SIGINT: says to resume with --shard 0/2" grep -q -- "--shard 0/2 --resume" "$TMP/sig.err"
expect_exit 1 "merge refuses the interrupted shard" "$PELAB" merge "$TMP/mm" "$TMP"/ms/*
check "naming its folder" grep -q "$TMP/ms/0: the shard is not complete" "$TMP/err"
expect_exit 0 "resume the interrupted shard" "$PELAB" run "$medium" --shard 0/2 --out "$TMP/ms/0" --resume --quiet
expect_exit 0 "then merge" "$PELAB" merge "$TMP/mm" "$TMP"/ms/*
check "merged equals the unsharded medium run" cmp -s <(strip "$TMP/mref/results.csv") <(strip "$TMP/mm/results.csv")
finish
