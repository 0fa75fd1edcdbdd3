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

# --dtype bf16 / f16: the f32 forward and the low-precision one on the same inputs, interleaved
for dt in bf16 f16; do
  expect_exit 0 "bench --dtype $dt tiny shape, csv" "$PELAB" bench --dtype "$dt" --seq-len 50 --d-model 12 --heads 2 \
    --threads 1,2 --repeat 2 --format csv
  check "$dt: csv header" test "$(head -1 "$TMP/out")" = "$header"
  for t in 1 2; do
    check "$dt: fma_peak row on $t" grep -q "^fma_peak,50,12,2,f32,$t," "$TMP/out"
    check "$dt: forward row (f32) on $t" grep -q "^forward,50,12,2,f32,$t," "$TMP/out"
    check "$dt: forward_lowp row on $t" grep -q "^forward_lowp,50,12,2,$dt,$t," "$TMP/out"
    check "$dt: the ratio note on $t" \
      grep -qE "^# forward_lowp \($dt\) vs forward \(f32\) on $t thread\(s\): [0-9.]+x the speed \(median over 2 interleaved" "$TMP/err"
    check "$dt: the peak fractions on $t" \
      grep -qE "^# fraction of fma_peak on $t thread\(s\): forward [0-9.]+, forward_lowp [0-9.]+" "$TMP/err"
  done
  check "$dt: every row has 8 fields" test "$(awk -F, 'NF != 8' "$TMP/out" | wc -l)" -eq 0
  check "$dt: seconds and gflops are positive" \
    awk -F, 'NR > 1 && !($7 > 0 && $8 > 0) { bad = 1 } END { exit bad }' "$TMP/out"
  # (no forward_lowp_amx row: the head width 6 is not a multiple of 32)
  check "$dt: no other rows" test "$(grep -cvE '^(kernel|fma_peak|forward|forward_lowp|forward_lowp_dot),' "$TMP/out")" -eq 0
  # the vdpbf16ps row: bf16 only, and only in a build with AVX512-BF16 (the
  # engine line says avx512; the row's presence is the build's business)
  if [ "$dt" = f16 ]; then
    check "f16: no forward_lowp_dot row" sh -c "! grep -q '^forward_lowp_dot,' '$TMP/out'"
  elif grep -q '^forward_lowp_dot,' "$TMP/out"; then
    check "bf16: forward_lowp_dot row on 1 and 2" sh -c "grep -q '^forward_lowp_dot,50,12,2,bf16,1,' '$TMP/out' && grep -q '^forward_lowp_dot,50,12,2,bf16,2,' '$TMP/out'"
    check "bf16: its ratio note" grep -qE "^# forward_lowp_dot \(Q K\^T and P V by vdpbf16ps, bitwise the same result\) vs forward \(f32\) on 1 thread\(s\): [0-9.]+x" "$TMP/err"
  fi
  # the error against exact float64: below the format's unit roundoff, the f32 forward's below 1e-5
  check "$dt: accuracy note within the documented tolerance" awk -v dt="$dt" '
    /^# accuracy against exact float64/ {
      if (match($0, /= [0-9.e+-]+ for forward_lowp/)) lp = substr($0, RSTART + 2, RLENGTH - 19) + 0
      if (match($0, /, [0-9.e+-]+ for forward \(f32\)/)) f = substr($0, RSTART + 2, RLENGTH - 20) + 0
      found = 1 }
    END { u = dt == "bf16" ? 0.00390625 : 0.00048828125; exit !(found && lp > 0 && lp < u && f < 1e-5) }' "$TMP/err"
done
# the AMX path: a row where the engine line lists it (head width a multiple of 32), none elsewhere
expect_exit 0 "bench --dtype bf16, head width 64" "$PELAB" bench --dtype bf16 --seq-len 100 --d-model 64 --repeat 2 \
  --threads 1 --format csv
check "bf16 d 64: the engine line lists the bf16 paths" grep -qE "^# engine: .*bf16 paths here: decoded" "$TMP/err"
if grep -qE "^# engine: .*bf16 paths here: .*amx" "$TMP/err"; then
  check "bf16 d 64: forward_lowp_amx row" grep -q '^forward_lowp_amx,100,64,1,bf16,1,' "$TMP/out"
  check "bf16 d 64: its ratio note" grep -qE "^# forward_lowp_amx \(Q K\^T and P V on AMX tiles, tdpbf16ps\) vs forward \(f32\) on 1 thread\(s\): [0-9.]+x" "$TMP/err"
  check "bf16 d 64: amx accuracy below bf16's unit roundoff" awk '
    /^# accuracy of forward_lowp_amx/ { if (match($0, /way: [0-9.e+-]+/)) a = substr($0, RSTART + 5, RLENGTH - 5) + 0; found = 1 }
    END { exit !(found && a > 0 && a < 0.00390625) }' "$TMP/err"
else
  check "bf16 d 64: no forward_lowp_amx row without AMX" sh -c "! grep -q '^forward_lowp_amx,' '$TMP/out'"
fi
expect_exit 0 "bench --dtype bf16 causal, table" "$PELAB" bench --dtype bf16 --seq-len 33 --d-model 8 --causal \
  --repeat 1 --threads 1
check "table has a forward_lowp row" grep -qE "^forward_lowp +33 +8 +1 +bf16 +1 " "$TMP/out"
check "table has an f32 forward row" grep -qE "^forward +33 +8 +1 +f32 +1 " "$TMP/out"

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
expect_exit 2 "bad --dtype" "$PELAB" bench --dtype f8
check "the message names the dtypes" grep -q "f32, f64, bf16 or f16" "$TMP/err"
expect_exit 2 "--dtype bf16 --backward" "$PELAB" bench --dtype bf16 --backward
expect_exit 2 "--train --dtype f16" "$PELAB" bench --train --dtype f16
expect_exit 2 "bad --seq-len" "$PELAB" bench --seq-len 0
expect_exit 2 "heads must divide d_model" "$PELAB" bench --d-model 10 --heads 3
expect_exit 2 "unknown option" "$PELAB" bench --fast
expect_exit 0 "--help" "$PELAB" bench --help
check "help names the csv columns" grep -qF "$header" "$TMP/out"
# --train: the training step at a tiny shape (a twin that speaks the protocol
# of scripts/torch_twin.py --serve stands in for PyTorch: no test needs torch)
theader="$header,tokens_per_s"
expect_exit 0 "bench --train tiny shape, csv" "$PELAB" bench --train --d-model 8 --layers 1 --heads 2 --batch 2 \
  --seq-len 6 --threads 1,2 --warmup 1 --repeat 2 --format csv
cp "$TMP/out" "$TMP/train.csv"
cp "$TMP/err" "$TMP/train.err"
check "train csv header" test "$(head -1 "$TMP/train.csv")" = "$theader"
for t in 1 2; do
  check "train_step row on $t thread(s)" grep -q "^train_step,6,8,2,f32,$t," "$TMP/train.csv"
  check "fma_peak row on $t thread(s)" grep -q "^fma_peak,6,8,2,f32,$t," "$TMP/train.csv"
done
check "every train row has 9 fields" test "$(awk -F, 'NF != 9' "$TMP/train.csv" | wc -l)" -eq 0
check "train_step: seconds, gflops, tokens_per_s positive" \
  awk -F, '$1 == "train_step" && !($7 > 0 && $8 > 0 && $9 > 0) { bad = 1 } END { exit bad }' "$TMP/train.csv"
check "tokens_per_s is B n / seconds" \
  awk -F, '$1 == "train_step" { r = $9 * $7 / 12; if (r < 0.999 || r > 1.001) bad = 1 } END { exit bad }' "$TMP/train.csv"
check "fma_peak has no tokens_per_s" awk -F, '$1 == "fma_peak" && $9 != "" { bad = 1 } END { exit bad }' "$TMP/train.csv"
check "the model note states the flop convention" \
  grep -qE "^# model: d_model 8, 1 layers, 2 heads, mlp hidden 32, .* \(6 x matmul parameters x tokens \+ 14 n\^2 d per block and sequence\)" "$TMP/train.err"
check "train speedup note" grep -qE "^# speedup train_step: 2 threads vs 1: [0-9.]+x" "$TMP/train.err"
check "no attention rows under --train" test "$(grep -cE '^(forward|reference|blas)' "$TMP/train.csv")" -eq 0

cat >"$TMP/fake_twin" <<'TWIN'
#!/bin/sh
case " $* " in *" --serve "*) ;; *) exit 1 ;; esac
echo "ready torch=fake threads=1"
while read -r cmd; do
  [ "$cmd" = step ] && echo "seconds=0.5"
  [ "$cmd" = quit ] && exit 0
done
TWIN
chmod +x "$TMP/fake_twin"
expect_exit 0 "--train --twin PROGRAM" "$PELAB" bench --train --d-model 8 --layers 1 --heads 2 --batch 2 \
  --seq-len 6 --threads 2 --warmup 0 --repeat 3 --twin "$TMP/fake_twin" --format csv
check "torch_twin row" grep -qE "^torch_twin,6,8,2,f32,2,0\.5,[0-9.e+-]+,24$" "$TMP/out"
check "the ratio note" grep -qE "^# train_step vs torch_twin on 2 threads: [0-9.]+x \(median over 3 interleaved" "$TMP/err"
expect_exit 0 "--twin that cannot run: a note, not an error" "$PELAB" bench --train --d-model 8 --layers 1 \
  --heads 2 --batch 1 --seq-len 4 --threads 1 --repeat 1 --twin "$TMP/missing_twin.py"
check "twin skipped note" grep -q "^# torch_twin on 1 thread(s) skipped: " "$TMP/out"
check "no twin row" test "$(grep -c '^torch_twin' "$TMP/out")" -eq 0
expect_exit 0 "--train table" "$PELAB" bench --train --d-model 4 --layers 1 --heads 1 --batch 1 --seq-len 3 \
  --threads 1 --repeat 1 --warmup 0
check "table has a train_step row" grep -qE "^train_step +3 +4 +1 +f32 +1 " "$TMP/out"
expect_exit 2 "--layers without --train" "$PELAB" bench --layers 2
expect_exit 2 "--twin without --train" "$PELAB" bench --twin scripts/torch_twin.py
expect_exit 2 "--train --backward" "$PELAB" bench --train --backward
expect_exit 2 "--train --layers 0" "$PELAB" bench --train --layers 0
expect_exit 2 "--train --batch x" "$PELAB" bench --train --batch x
expect_exit 2 "--train --warmup -1" "$PELAB" bench --train --warmup -1
expect_exit 2 "--train heads must divide d_model" "$PELAB" bench --train --d-model 10 --heads 4
expect_exit 2 "--train --twin empty" "$PELAB" bench --train --twin ""
expect_exit 0 "--help names --train" "$PELAB" bench --help
check "help: the training flop convention" grep -qF "6 x matmul parameters x tokens" "$TMP/out"
check "help: the train csv columns" grep -qF "$theader" "$TMP/out"
finish
