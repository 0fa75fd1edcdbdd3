#!/usr/bin/env bash
# MPI (registered only in a -DPELAB_MPI=ON build, label "mpi"): mpirun -np R
# pelab run writes what the single-process run writes (but time_s), for R =
# 1, 2, 3 and for a shard, probe and training sweeps (curves.csv too); a refusal releases the workers; SIGINT on rank 0
# and SIGTERM from mpirun stop cleanly and resume; SIGKILL of rank 0 loses
# nothing but the cells in flight.
# usage: mpi.sh PELAB SOURCE_DIR [MPIEXEC]
source "$(dirname "$0")/../cli/lib.bash"
MPIEXEC=${3:-mpirun}
small=$SRC/tests/data/small.yaml
medium=$SRC/tests/data/medium.yaml
# Open MPI refuses root without these, and binds each rank to one core
# unless told not to (each rank runs OpenMP threads)
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
flags=()
if "$MPIEXEC" --version 2>&1 | grep -qiE "open ?mpi|openrte"; then flags=(--oversubscribe --bind-to none); fi
mpi() { local np=$1; shift; timeout 300 "$MPIEXEC" -np "$np" "${flags[@]}" "$PELAB" "$@"; }
cd "$TMP" || exit 1

expect_exit 0 "single-process reference (small)" "$PELAB" run "$small" --out "$TMP/ref" --quiet
header=$(head -1 "$TMP/ref/results.csv")
tcol=$(tr , '\n' <<<"$header" | grep -nx time_s | cut -d: -f1)
strip() { cut -d, -f"$tcol" --complement "$1"; }
canon() { strip "$1" | sort; }

expect_exit 0 "mpirun -np 2 pelab run" mpi 2 run "$small" --out "$TMP/np2" --quiet
check "-np 2 equals the single-process run (but time_s)" cmp -s <(strip "$TMP/ref/results.csv") <(strip "$TMP/np2/results.csv")
check "-np 2: manifest complete" grep -q '"status": "complete"' "$TMP/np2/manifest.json"
check "-np 2: manifest records the ranks" grep -q '"mpi": {"ranks": 2, "coordinator": 0, "worker_threads": \[' "$TMP/np2/manifest.json"
check "-np 2: same config hash" test "$(grep config_hash "$TMP/np2/manifest.json")" = "$(grep config_hash "$TMP/ref/manifest.json")"
expect_exit 0 "mpirun -np 1 pelab run" mpi 1 run "$small" --out "$TMP/np1" --quiet
check "-np 1 equals the single-process run" cmp -s <(strip "$TMP/ref/results.csv") <(strip "$TMP/np1/results.csv")
check "-np 1 is the normal run (no mpi member)" test "$(grep -c '"mpi"' "$TMP/np1/manifest.json")" -eq 0

# a training sweep: the same rows and curves (but time_s) as one process
train=$SRC/tests/data/train-small.yaml
tstrip() { local c; c=$(head -1 "$1" | tr , '\n' | grep -nxE 'time_s|time_s_std' | cut -d: -f1 | paste -sd,); cut -d, -f"$c" --complement "$1"; }
expect_exit 0 "training: single-process reference" "$PELAB" run "$train" --out "$TMP/tref" --quiet
expect_exit 0 "training: mpirun -np 3 pelab run" mpi 3 run "$train" --out "$TMP/tnp3" --quiet
check "training: -np 3 results.csv equals the single-process run (but time_s)" cmp -s <(tstrip "$TMP/tref/results.csv") <(tstrip "$TMP/tnp3/results.csv")
check "training: -np 3 curves.csv equals it too" cmp -s "$TMP/tref/curves.csv" "$TMP/tnp3/curves.csv"

before=$(md5sum <"$TMP/np2/results.csv")
got=0
mpi 2 run "$small" --out "$TMP/np2" --quiet >"$TMP/out" 2>"$TMP/err" || got=$?
check "-np 2 into a folder with results refuses (exit $got), and the workers exit" test "$got" -eq 2
check "refusal printed once" test "$(grep -c -- "pass --resume" "$TMP/err")" -eq 1
check "results.csv untouched" test "$(md5sum <"$TMP/np2/results.csv")" = "$before"
got=0
mpi 2 run "$small" --bogus >"$TMP/out" 2>"$TMP/err" || got=$?
check "-np 2 with a bad option: exit 2 (got $got)" test "$got" -eq 2

expect_exit 0 "single-process shard 1/3" "$PELAB" run "$small" --shard 1/3 --out "$TMP/sh" --quiet
expect_exit 0 "mpirun -np 2 pelab run --shard 1/3" mpi 2 run "$small" --shard 1/3 --out "$TMP/npsh" --quiet
check "an MPI shard equals the single-process shard" cmp -s <(strip "$TMP/sh/results.csv") <(strip "$TMP/npsh/results.csv")
check "its manifest records the shard" grep -q '"shard": {"index": 1, "count": 3' "$TMP/npsh/manifest.json"

expect_exit 0 "single-process reference (medium)" "$PELAB" run "$medium" --out "$TMP/mref" --quiet
total=$(($(wc -l <"$TMP/mref/results.csv") - 1))
expect_exit 0 "mpirun -np 3 --threads 1 (medium)" mpi 3 run "$medium" --out "$TMP/np3" --quiet --threads 1
check "-np 3 equals the single-process run" cmp -s <(strip "$TMP/mref/results.csv") <(strip "$TMP/np3/results.csv")

# rank 0's pid, among mpirun's children (and theirs)
rank0() {
  local c
  for c in $(pgrep -P "$1") $(for p in $(pgrep -P "$1"); do pgrep -P "$p"; done); do
    tr '\0' '\n' <"/proc/$c/environ" 2>/dev/null | grep -qx 'OMPI_COMM_WORLD_RANK=0' && { echo "$c"; return; }
    tr '\0' '\n' <"/proc/$c/environ" 2>/dev/null | grep -qx 'PMI_RANK=0' && { echo "$c"; return; }
  done
}
whole() { local nf; nf=$(awk -F, 'NR == 1 { print NF }' "$1"); test "$(awk -F, -v n="$nf" 'NF != n' "$1" | wc -l)" -eq 0; }

# The signal tests hold rank 0 after 3 rows (the test-only hook
# PELAB_TEST_HOLD_AFTER_ROWS: it hands out no cell until a signal comes), so
# the signal certainly lands in a running sweep whatever the machine's speed.
export PELAB_TEST_HOLD_AFTER_ROWS=3
hold=()
if [ ${#flags[@]} -gt 0 ]; then hold=(-x PELAB_TEST_HOLD_AFTER_ROWS); fi

# SIGINT on rank 0: no new cell is handed out, rows in flight are written
out=$TMP/int
# (in the background as a simple command, so that $! is mpirun itself)
"$MPIEXEC" -np 3 "${flags[@]}" "${hold[@]}" "$PELAB" run "$medium" --out "$out" --quiet --threads 1 >/dev/null 2>"$TMP/int.err" &
pid=$!
wait_rows "$out/results.csv" 3 "$pid"
r0=$(rank0 "$pid")
check "found rank 0" test -n "$r0"
[ -n "$r0" ] && kill -INT "$r0"
got=0
wait "$pid" || got=$?
check "SIGINT on rank 0: the job ends with 130 (got $got)" test "$got" -eq 130
check "SIGINT: says how to resume" grep -q -- "--resume" "$TMP/int.err"
check "SIGINT: manifest says interrupted" grep -q '"status": "interrupted"' "$out/manifest.json"
check "SIGINT: every row on disk is whole" whole "$out/results.csv"
rows=$(($(wc -l <"$out/results.csv") - 1))
check "SIGINT: stopped early ($rows of $total rows)" test "$rows" -lt "$total"
unset PELAB_TEST_HOLD_AFTER_ROWS
expect_exit 0 "SIGINT: resume under mpirun" mpi 2 run "$medium" --out "$out" --resume --quiet
check "SIGINT: resumed equals the reference" cmp -s <(strip "$TMP/mref/results.csv") <(strip "$out/results.csv")

# SIGTERM to mpirun (what Ctrl-C and scancel do): every rank gets SIGTERM
out=$TMP/term
export PELAB_TEST_HOLD_AFTER_ROWS=3
"$MPIEXEC" -np 2 "${flags[@]}" "${hold[@]}" "$PELAB" run "$medium" --out "$out" --quiet >/dev/null 2>"$TMP/term.err" &
pid=$!
wait_rows "$out/results.csv" 3 "$pid"
kill -TERM "$pid"
wait "$pid" 2>/dev/null
check "SIGTERM to mpirun: manifest says interrupted" grep -q '"status": "interrupted"' "$out/manifest.json"
check "SIGTERM to mpirun: every row on disk is whole" whole "$out/results.csv"
rows=$(($(wc -l <"$out/results.csv") - 1))
check "SIGTERM: stopped early ($rows of $total rows)" test "$rows" -lt "$total"
unset PELAB_TEST_HOLD_AFTER_ROWS
expect_exit 0 "SIGTERM: resume (single process)" "$PELAB" run "$medium" --out "$out" --resume --quiet
check "SIGTERM: resumed equals the reference" cmp -s <(strip "$TMP/mref/results.csv") <(strip "$out/results.csv")

# SIGKILL of rank 0 (held after 3 rows: certainly running): the rows on
# disk stay whole; resume finishes
out=$TMP/kill
export PELAB_TEST_HOLD_AFTER_ROWS=3
"$MPIEXEC" -np 2 "${flags[@]}" "${hold[@]}" "$PELAB" run "$medium" --out "$out" --quiet >/dev/null 2>&1 &
pid=$!
wait_rows "$out/results.csv" 3 "$pid"
r0=$(rank0 "$pid")
[ -n "$r0" ] && kill -KILL "$r0"
wait "$pid" 2>/dev/null
rows=$(($(wc -l <"$out/results.csv") - 1))
echo "     killed rank 0 with $rows of $total cells on disk"
check "SIGKILL: killed early ($rows of $total rows)" test "$rows" -lt "$total"
unset PELAB_TEST_HOLD_AFTER_ROWS
expect_exit 0 "SIGKILL: resume under mpirun" mpi 2 run "$medium" --out "$out" --resume --quiet
check "SIGKILL: resumed has the reference's cells and values" cmp -s <(canon "$TMP/mref/results.csv") <(canon "$out/results.csv")
check "SIGKILL: resumed is in sweep order" cmp -s <(cut -d, -f1-8 "$TMP/mref/results.csv") <(cut -d, -f1-8 "$out/results.csv")
finish
