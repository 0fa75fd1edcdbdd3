#!/usr/bin/env bash
# scripts/bench.sh [PELAB] [OUT_DIR]: the benchmark record of the attention
# engine. Runs `pelab bench` over n, d, threads and dtype, each run measuring
# the machine too (fma_peak, OpenBLAS), and writes OUT_DIR/results.csv (every
# row, with the run it came from) and OUT_DIR/README.md (the tables: GFLOP/s,
# ratios to the FMA peak and to OpenBLAS measured in the same run, the peak
# memory at n = 65536). Defaults: build/pelab, bench/.
#
# OpenBLAS picks its kernels when it loads: this script sets
# OPENBLAS_CORETYPE=SkylakeX (its AVX-512 kernels; BENCH_CORETYPE=NAME for
# another), whatever the environment says; the record says which was used. Takes about fifteen minutes on 2 cores; run it
# on a quiet machine (timings on a shared one are noisy; the ratios within a
# run much less so).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
PELAB=${1:-$here/build/pelab}
OUT=${2:-$here/bench}
export OPENBLAS_CORETYPE=${BENCH_CORETYPE:-SkylakeX}
mkdir -p "$OUT"
raw=$OUT/results.csv
log=$OUT/notes.txt
echo "run,kernel,seq_len,d_model,heads,dtype,threads,seconds,gflops" >"$raw"
: >"$log"
load_start=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo '?')

# busy: cores kept busy by every process over one second (from /proc/stat)
busy() {
  local a b
  a=$(awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9 }' /proc/stat); sleep 1
  b=$(awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9 }' /proc/stat)
  awk -v a="$a" -v b="$b" -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.2f\n", (b - a) / hz }'
}
# wait_quiet: until other work keeps less than 0.2 cores busy, for at most
# BENCH_WAIT seconds (default 120); the run's own note says how quiet it was
wait_quiet() {
  local waited=0
  while [ "$(awk -v x="$(busy)" 'BEGIN { print (x < 0.2) }')" -ne 1 ] && [ $waited -lt "${BENCH_WAIT:-120}" ]; do
    waited=$((waited + 5)); sleep 4
  done
}

# run ID ARGS...: one `pelab bench` run, its rows tagged ID, its notes logged
run() {
  local id=$1; shift
  wait_quiet
  echo "bench: $id: pelab bench $*" >&2
  echo "## $id: pelab bench $* --format csv" >>"$log"
  "$PELAB" bench "$@" --format csv 2>>"$log" | tail -n +2 | sed "s/^/$id,/" >>"$raw"
}

# the issue's target shape once more at the start, the middle and the end: how
# much its ratio to OpenBLAS moves with the machine's state over the record
target() { run "target$1" --seq-len 8192 --d-model 64 --threads 2 --no-reference --repeat 11; }
target 1
# every shape in one run on 1 and 2 threads: the engine rows interleave their
# repetitions (1, 2, 2, 1, ..) and the run's notes give the 2-thread speedups
# (small shapes take milliseconds: a hiccup of the machine is a larger share of one run, so more of them)
for n in 1024 2048; do run "n$n" --seq-len $n --d-model 64 --threads 1,2 --backward --repeat 15; done
for n in 4096 8192 16384 32768; do run "n$n" --seq-len $n --d-model 64 --threads 1,2 --backward --no-reference; done
target 2
for d in 32 128; do run "d$d" --seq-len 4096 --d-model $d --threads 1,2 --backward --no-reference; done
run "f64" --seq-len 4096 --d-model 64 --threads 1,2 --dtype f64 --backward --no-reference
run "causal" --seq-len 8192 --d-model 64 --threads 1,2 --causal --backward --no-reference
run "h4" --seq-len 4096 --d-model 256 --heads 4 --threads 1,2 --backward --no-reference
OPENBLAS_CORETYPE=Haswell run "haswell" --seq-len 8192 --d-model 64 --threads 2 --no-reference
run "mem65536" --seq-len 65536 --d-model 64 --threads 2 --backward --no-reference --no-blas --repeat 1
target 3

# ---- the tables ----------------------------------------------------------------------
# busy_of ID: the cores other processes kept busy during run ID (its note)
busy_of() { awk -v id="$1" '/^## / { cur = $2; sub(":", "", cur) } cur == id && /other processes kept/ { print $5 }' "$log" | tail -1; }
# g ID KERNEL [THREADS]: that row's GFLOP/s (THREADS default 2; "-" when absent); s: its seconds
g() { awk -F, -v id="$1" -v k="$2" -v t="${3:-2}" '$1 == id && $2 == k && $7 == t { v = $9 } END { print (v == "" ? "-" : v) }' "$raw"; }
s() { awk -F, -v id="$1" -v k="$2" -v t="${3:-2}" '$1 == id && $2 == k && $7 == t { v = $8 } END { print (v == "" ? "-" : v) }' "$raw"; }
# sp ID KERNEL: the 2-thread speedup of KERNEL in run ID (its note: interleaved repetitions)
sp() { awk -v id="$1" -v k="$2:" '/^## / { cur = $2; sub(":", "", cur) } cur == id && $2 == "speedup" && $3 == k { v = $8; sub("x", "", v) } END { print (v == "" ? "-" : v) }' "$log"; }
# vb ID [THREADS]: forward vs blas_attention on THREADS (default 2) in run ID (its note: the two
# interleaved, the median of the ratios of runs moments apart)
# (vbmt: the same against blas_attention_mt)
vb() { awk -v id="$1" -v t="${2:-2}" -v k="${3:-blas_attention}" '/^## / { cur = $2; sub(":", "", cur) } cur == id && $2 == "forward" && $4 == k && $6 == t { v = $8; sub("x", "", v) } END { print (v == "" ? "-" : v) }' "$log"; }
vbmt() { vb "$1" "${2:-2}" blas_attention_mt; }
# reps_of ID: the interleaved repetitions behind run ID's forward vs blas_attention note
reps_of() { awk -v id="$1" '/^## / { cur = $2; sub(":", "", cur) } cur == id && /forward vs blas_attention on/ { v = $11 } END { print (v == "" ? "-" : v) }' "$log"; }
# ratio A B [scale]: A / B * scale, formatted; "-" when either is missing
ratio() { awk -v a="$1" -v b="$2" -v m="${3:-1}" -v f="${4:-%.2f}" 'BEGIN { if (a == "-" || b == "-" || b == 0) print "-"; else printf f "\n", a / b * m }'; }
fmt() { awk -v a="$1" 'BEGIN { if (a == "-") print "-"; else printf "%.1f\n", a }'; }

md=$OUT/README.md
{
  echo "# Benchmark record: the fused attention engine"
  echo
  echo "Produced by \`scripts/bench.sh\` (the exact \`pelab bench\` command of every run is in"
  echo "[notes.txt](notes.txt) with the notes it printed; every row is in [results.csv](results.csv))."
  echo
  echo "- machine: $(lscpu | sed -n 's/^Model name: *//p' | head -1), $(nproc) cores ($(lscpu | grep -o 'avx512f' | head -1 || echo 'no avx512f'))"
  echo "- compiler: $(cc --version | head -1); pelab $("$PELAB" --version | cut -d' ' -f2), $(git -C "$here" rev-parse --short HEAD 2>/dev/null || echo '?')"
  echo "- OpenBLAS: $(grep -m1 'BLAS:' "$log" | sed 's/^# BLAS: //' || echo 'not built in')"
  echo "- OPENBLAS_CORETYPE=$OPENBLAS_CORETYPE for every BLAS row but the \`haswell\` run (the distribution's default choice here)"
  echo "- date: $(date -u +%Y-%m-%dT%H:%MZ); load average (1, 5, 15 min) at the start $load_start, at the end $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo '?')"
  echo "  (above 0 means other work shared the cores: the 2-thread rows suffer first)"
  echo
  echo "Flops by one convention: forward 4 n^2 d, forward+backward 14 n^2 d (the backward recomputes"
  echo "the score tiles; this two-pass backward executes 14 n^2 d on its own), gemm 2 n^2 d; a causal"
  echo "mask counts half. Every ratio is between rows of one \`pelab bench\` run, which times each shape on"
  echo "1 and 2 threads (\`--threads 1,2\`). \"2T / 1T\" is the run's speedup note: the engine rows"
  echo "interleave their repetitions (1, 2, 2, 1, ..), and the speedup is the median of the ratios of"
  echo "runs taken moments apart, so a change in the machine's load hits both alike. \"other load\" is how"
  echo "many cores other processes kept busy during the run (the script waits for a quiet machine, up to"
  echo "BENCH_WAIT s per run; above ~0.1 the run's timings, the 2-thread ones first, are disturbed)."
  echo "\`forward\` is the fused forward (out and lse), \`forward_stats\` the same with every row statistic (what"
  echo "\`pelab run\` calls), \`blas_attention\` the unfused OpenBLAS sgemm + softmax + sgemm pipeline"
  echo "(panels of 256 queries, one per thread calling single-threaded OpenBLAS, pelab's vectorised exp in"
  echo "the softmax: the strongest pipeline we could build from OpenBLAS, faster here than its own threaded"
  echo "sgemm), \`blas_attention_mt\` the same pipeline as a framework runs it (per panel of rows, at most 64 MiB"
  echo "of scores: one sgemm call on both threads, the softmax, one sgemm call). \"x blas_attention\" and"
  echo "\"x ..._mt\" are the run's notes: the pipeline and the fused forward timed interleaved (pipeline,"
  echo "forward, forward, pipeline, ..), the median of the ratios of runs moments apart."
  echo
  echo "## n = 8192, d = 64, one head, float32, bidirectional"
  echo
  echo "| threads | fma_peak | forward | % of peak | x blas_attention | x blas_attention_mt | forward_stats | % of peak | forward_backward | % of peak | blas_sgemm | blas_attention | blas_attention_mt |"
  echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|"
  for t in 1 2; do
    id=n8192
    pk=$(g $id fma_peak $t); f=$(g $id forward $t); fs=$(g $id forward_stats $t); fb=$(g $id forward_backward $t)
    echo "| $t | $(fmt $pk) | $(fmt $f) | $(ratio $f $pk 100 %.0f%%) | $(vb $id $t) | $(vbmt $id $t) | $(fmt $fs) | $(ratio $fs $pk 100 %.0f%%) | $(fmt $fb) | $(ratio $fb $pk 100 %.0f%%) | $(fmt $(g $id blas_sgemm $t)) | $(fmt $(g $id blas_attention $t)) | $(fmt $(g $id blas_attention_mt $t)) |"
  done
  echo
  echo "Other load during the run: $(busy_of n8192) cores."
  echo
  echo "The same shape on 2 threads in every run that timed it (\`target1\` first in the record, \`target2\`"
  echo "in its middle, \`target3\` last): the machine's state moves the ratio from run to run."
  echo
  echo "| run | fma_peak | forward | % of peak | blas_attention | x blas_attention | blas_attention_mt | x blas_attention_mt | interleaved repetitions | other load |"
  echo "|---|---|---|---|---|---|---|---|---|---|"
  for id in target1 n8192 target2 target3; do
    pk=$(g $id fma_peak); f=$(g $id forward)
    echo "| $id | $(fmt $pk) | $(fmt $f) | $(ratio $f $pk 100 %.0f%%) | $(fmt $(g $id blas_attention)) | $(vb $id) | $(fmt $(g $id blas_attention_mt)) | $(vbmt $id) | $(reps_of $id) | $(busy_of $id) |"
  done
  echo
  echo "## GFLOP/s against n (d = 64, float32)"
  echo
  echo "| n | forward 1T | % peak | forward 2T | % peak | 2T / 1T | fwd+bwd 1T | % peak | fwd+bwd 2T | % peak | 2T / 1T | fwd 2T / blas_attention 2T | fwd 2T / blas_attention_mt 2T | reference fwd (1 thread) | other load |"
  echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
  for n in 1024 2048 4096 8192 16384 32768; do
    id=n$n
    f1=$(g $id forward 1); f2=$(g $id forward 2); b1=$(g $id forward_backward 1); b2=$(g $id forward_backward 2)
    p1=$(g $id fma_peak 1); p2=$(g $id fma_peak 2)
    echo "| $n | $(fmt $f1) | $(ratio $f1 $p1 100 %.0f%%) | $(fmt $f2) | $(ratio $f2 $p2 100 %.0f%%) | $(sp $id forward) | $(fmt $b1) | $(ratio $b1 $p1 100 %.0f%%) | $(fmt $b2) | $(ratio $b2 $p2 100 %.0f%%) | $(sp $id forward_backward) | $(vb $id) | $(vbmt $id) | $(fmt $(g $id reference_forward 1)) | $(busy_of $id) |"
  done
  echo
  echo "## Other shapes (n = 4096 unless said)"
  echo
  echo "| run | threads | fma_peak | forward | % peak | forward_stats | % peak | fwd+bwd | % peak | x blas_attention | x blas_attention_mt | 2T / 1T fwd, fwd+bwd | other load |"
  echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|"
  for r in d32 d128 h4 f64 causal; do
    for t in 1 2; do
      id=$r; pk=$(g $id fma_peak $t); f=$(g $id forward $t); fs=$(g $id forward_stats $t); fb=$(g $id forward_backward $t)
      case $r in
        d32) what="d = 32";; d128) what="d = 128";; h4) what="d = 256, 4 heads of 64";;
        f64) what="float64 (peak: float64)";; causal) what="causal, n = 8192";;
      esac
      if [ $t = 2 ]; then spd="$(sp $id forward), $(sp $id forward_backward)"; else spd=""; fi
      echo "| $what | $t | $(fmt $pk) | $(fmt $f) | $(ratio $f $pk 100 %.0f%%) | $(fmt $fs) | $(ratio $fs $pk 100 %.0f%%) | $(fmt $fb) | $(ratio $fb $pk 100 %.0f%%) | $(vb $id $t) | $(vbmt $id $t) | $spd | $(busy_of $id) |"
    done
  done
  echo
  echo "## OpenBLAS kernel choice (n = 8192, d = 64, 2 threads)"
  echo
  echo "| OPENBLAS_CORETYPE | blas_sgemm | blas_attention | blas_attention_mt | forward | x blas_attention | x blas_attention_mt |"
  echo "|---|---|---|---|---|---|---|"
  for id in n8192 haswell; do
    ct=$OPENBLAS_CORETYPE; [ $id = haswell ] && ct=Haswell
    echo "| $ct | $(fmt $(g $id blas_sgemm)) | $(fmt $(g $id blas_attention)) | $(fmt $(g $id blas_attention_mt)) | $(fmt $(g $id forward)) | $(vb $id) | $(vbmt $id) |"
  done
  echo
  echo "## Memory: n = 65536, d = 64, forward + backward, 2 threads"
  echo
  echo "$(grep -A99 '^## mem65536' "$log" | grep -m1 'max RSS' | sed 's/^# //') (q, k, v, out, lse, dq, dk, dv:"
  echo "7 arrays of n d floats = 112 MiB of it; the engine's own scratch is O(H n) plus a few tiles per"
  echo "thread). forward_backward took $(s mem65536 forward_backward) s ($(fmt $(g mem65536 forward_backward)) GFLOP/s)."
} >"$md"
echo "bench: wrote $md and $raw" >&2
