#!/usr/bin/env bash
# pelab bench: runs on a tiny shape and keeps its csv contract (header, the
# rows, the shape echoed, positive numbers); bad options exit 2. A benchmark,
# not a test: nothing here checks a time.
source "$(dirname "$0")/lib.bash"
header="kernel,seq_len,d_model,heads,dtype,threads,seconds,gflops"

expect_exit 0 "bench f32 tiny shape, csv" "$PELAB" bench --seq-len 70 --d-model 12 --heads 2 --threads 2 \
  --backward --repeat 2 --format csv
cp "$TMP/out" "$TMP/f32.csv"
cp "$TMP/err" "$TMP/f32.err"
check "csv header" test "$(head -1 "$TMP/f32.csv")" = "$header"
for k in fma_peak forward forward_stats forward_backward reference_forward reference_forward_backward; do
  check "row $k" grep -q "^$k,70,12,2,f32," "$TMP/f32.csv"
done
check "every row has 8 fields" test "$(awk -F, 'NF != 8' "$TMP/f32.csv" | wc -l)" -eq 0
check "seconds and gflops are positive numbers" \
  awk -F, 'NR > 1 && !($7 > 0 && $8 > 0) { bad = 1 } END { exit bad }' "$TMP/f32.csv"
check "engine and fma_peak rows run on 2 threads" \
  awk -F, '($1 == "forward" || $1 == "fma_peak") && $6 != 2 { bad = 1 } END { exit bad }' "$TMP/f32.csv"
check "notes go to stderr (the engine's peak memory)" grep -qE "^# peak memory of the engine \(max RSS after its rows, before any other\): [0-9.]+ MiB, of which its n x d arrays are [0-9.]+ MiB" "$TMP/f32.err"
check "the reference rows' memory apart" grep -qE "^# peak memory after the reference rows" "$TMP/f32.err"
if grep -q "^blas_sgemm," "$TMP/f32.csv"; then
  check "with BLAS: blas_attention row" grep -q "^blas_attention,70,12,2,f32," "$TMP/f32.csv"
  check "with BLAS: their memory apart from the engine's" grep -qE "^# peak memory after the BLAS rows .*; the engine's own is the [0-9.]+ MiB above" "$TMP/f32.err"
  check "with BLAS: the interleaved forward vs blas_attention note" \
    grep -qE "^# forward vs blas_attention on 2 thread\(s\): [0-9.]+x \(median over 2 interleaved" "$TMP/f32.err"
  check "with BLAS: blas_attention_mt row" grep -q "^blas_attention_mt,70,12,2,f32," "$TMP/f32.csv"
  check "with BLAS: the forward vs blas_attention_mt note" \
    grep -qE "^# forward vs blas_attention_mt on 2 thread\(s\): [0-9.]+x \(median over 2 interleaved" "$TMP/f32.err"
  # the pipelines compute what the forward computes (float32: within 1e-5 of max |out|)
  for k in blas_attention blas_attention_mt; do
    check "$k agrees with the forward" awk -v k="$k" '$2 == k && $4 == "with" { d = $NF; found = 1 }
      END { exit !(found && d + 0 < 1e-5) }' "$TMP/f32.err"
  done
else
  check "without BLAS: a note says so" grep -q "BLAS rows skipped" "$TMP/f32.err"
fi

expect_exit 0 "bench f64 causal, table" "$PELAB" bench --seq-len 33 --d-model 8 --dtype f64 --causal --repeat 1 \
  --threads 1 --no-blas
check "table has a forward row" grep -qE "^forward +33 +8 +1 +f64 +1 " "$TMP/out"
check "table notes: peak memory" grep -q "^# peak memory" "$TMP/out"

expect_exit 0 "--no-reference" "$PELAB" bench --seq-len 16 --d-model 4 --repeat 1 --no-reference --no-blas --format csv
check "no reference row" test "$(grep -c '^reference' "$TMP/out")" -eq 0

expect_exit 0 "--threads 1,2: both counts in one run" "$PELAB" bench --seq-len 40 --d-model 8 --threads 1,2 \
  --backward --repeat 3 --no-reference --no-blas --format csv
for k in fma_peak forward forward_stats forward_backward; do
  check "row $k on 1 thread" grep -q "^$k,40,8,1,f32,1," "$TMP/out"
  check "row $k on 2 threads" grep -q "^$k,40,8,1,f32,2," "$TMP/out"
done
for k in forward forward_stats forward_backward; do
  check "speedup note for $k" grep -qE "^# speedup $k: 2 threads vs 1: [0-9.]+x \(median over 3 interleaved" "$TMP/err"
done
expect_exit 2 "--threads with an empty item" "$PELAB" bench --threads 1,,2
expect_exit 2 "--threads 0 in a list" "$PELAB" bench --threads 2,0
expect_exit 2 "--threads: more than 8 counts" "$PELAB" bench --threads 1,2,1,2,1,2,1,2,1
expect_exit 2 "--threads trailing comma" "$PELAB" bench --threads 1,
check "the message names the list form" grep -q "comma-separated" "$TMP/err"
expect_exit 2 "bad --dtype" "$PELAB" bench --dtype f16
expect_exit 2 "bad --seq-len" "$PELAB" bench --seq-len 0
expect_exit 2 "heads must divide d_model" "$PELAB" bench --d-model 10 --heads 3
expect_exit 2 "unknown option" "$PELAB" bench --fast
expect_exit 0 "--help" "$PELAB" bench --help
check "help names the csv columns" grep -qF "$header" "$TMP/out"
finish
