#!/usr/bin/env bash
# pelab run: the files it writes, every column, determinism across thread
# counts, refusing to overwrite, resume, and exit codes.
source "$(dirname "$0")/lib.bash"
small=$SRC/tests/data/small.yaml
large=$SRC/tests/data/large.yaml

expect_exit 0 "run small, 1 thread" "$PELAB" run "$small" --out "$TMP/t1" --threads 1 --quiet
expect_exit 0 "run small, 2 threads" "$PELAB" run "$small" --out "$TMP/t2" --threads 2 --quiet
check "results.csv and manifest.json exist" test -s "$TMP/t1/results.csv" -a -s "$TMP/t1/manifest.json"
# 2 lengths x 11 schemes x 2 heads x 2 masks x 2 projections x 2 dtypes
check "one row per cell (352)" test "$(($(wc -l <"$TMP/t1/results.csv") - 1))" -eq 352
header=$(head -1 "$TMP/t1/results.csv")
for c in scheme seq_len d_model heads mask projection dtype status width pe_max_abs pe_token_ratio \
         logit_max_abs attn_entropy attn_max_weight order_token_dist order_seq_dist time_s \
         grad_wq_norm grad_wk_norm grad_wv_norm grad_x_norm softmax_jacobian_norm attn_entropy_std; do
  check "column $c" grep -qE "(^|,)$c(,|$)" <<<"$header"
done
# every row has as many fields as the header
nf=$(awk -F, 'NR == 1 { print NF }' "$TMP/t1/results.csv")
check "every row has $nf fields" test "$(awk -F, -v n="$nf" 'NF != n' "$TMP/t1/results.csv" | wc -l)" -eq 0

# same numbers for 1 and 2 threads: every column but time_s, bit for bit
tcol=$(tr , '\n' <<<"$header" | grep -nx time_s | cut -d: -f1)
strip() { cut -d, -f"$tcol" --complement "$1"; }
check "1 and 2 threads give identical results.csv (but time_s)" cmp -s <(strip "$TMP/t1/results.csv") <(strip "$TMP/t2/results.csv")
expect_exit 0 "run large, 1 thread" "$PELAB" run "$large" --out "$TMP/l1" --threads 1 --quiet
expect_exit 0 "run large, 2 threads" "$PELAB" run "$large" --out "$TMP/l2" --threads 2 --quiet
check "large cells: 1 and 2 threads identical" cmp -s <(strip "$TMP/l1/results.csv") <(strip "$TMP/l2/results.csv")

# status: ok or an explained skip, never anything else
scol=$(tr , '\n' <<<"$header" | grep -nx status | cut -d: -f1)
check "status is ok or skipped: reason" test "$(awk -F, -v c="$scol" 'NR > 1 && $c != "ok" && $c !~ /^skipped: /' "$TMP/t1/results.csv" | wc -l)" -eq 0
check "identity projection with odd width and 2 heads is skipped, with the reason" \
  grep -q '^index,5,6,2,none,identity,f32,,7,0,skipped: heads 2 do not divide width 7' "$TMP/t1/results.csv"
# undefined metrics are empty, never 0: scheme none has no positional vectors
pcol=$(tr , '\n' <<<"$header" | grep -nx pe_max_abs | cut -d: -f1)
check "pe_max_abs empty for none" test "$(awk -F, -v c="$pcol" '$1 == "none" && $c != ""' "$TMP/t1/results.csv" | wc -l)" -eq 0
check "pe_max_abs of index at n = 24 is 24" test "$(awk -F, -v c="$pcol" '$1 == "index" && $2 == 24 && $11 == "ok" && $c != 24' "$TMP/t1/results.csv" | wc -l)" -eq 0

check "manifest has the config hash" grep -q '"config_hash": "[0-9a-f]\{16\}"' "$TMP/t1/manifest.json"
check "manifest says complete" grep -q '"status": "complete"' "$TMP/t1/manifest.json"
check "manifest has threads" grep -q '"threads": 1' "$TMP/t1/manifest.json"

# never destroy finished results
before=$(md5sum <"$TMP/t1/results.csv")
expect_exit 2 "run into a folder with results refuses" "$PELAB" run "$small" --out "$TMP/t1" --quiet
check "refusal names --resume and --force" grep -q -- "--resume" "$TMP/err"
check "refused run left results.csv untouched" test "$(md5sum <"$TMP/t1/results.csv")" = "$before"
expect_exit 0 "resume of a complete run does nothing" "$PELAB" run "$small" --out "$TMP/t1" --resume --quiet
check "resumed complete run: same file" test "$(md5sum <"$TMP/t1/results.csv")" = "$before"

# resume after losing rows: cut the file to its header and 100 rows, plus half a line
head -101 "$TMP/t2/results.csv" >"$TMP/part.csv"
sed -n 102p "$TMP/t2/results.csv" | head -c 40 >>"$TMP/part.csv"
cp "$TMP/part.csv" "$TMP/t2/results.csv"
expect_exit 0 "resume a cut run" "$PELAB" run "$small" --out "$TMP/t2" --resume --quiet --threads 2
check "resumed run equals the uninterrupted one" cmp -s <(strip "$TMP/t1/results.csv") <(strip "$TMP/t2/results.csv")
expect_exit 2 "resume with another config refuses" "$PELAB" run "$large" --out "$TMP/t2" --resume --quiet
check "refusal mentions another config" grep -q "another config" "$TMP/err"

# overflow inside a computation is recorded, not fatal
expect_exit 0 "float32 overflow: the run succeeds" "$PELAB" run "$SRC/tests/data/overflow.yaml" --out "$TMP/ovf" --quiet
check "float32 overflow: status names the metric" grep -q '^none,8,4,1,none,random,f32,,4,1,nonfinite: logit_max_abs' "$TMP/ovf/results.csv"
check "float32 overflow: the value is written as computed" grep -qE '^none,8,4,1,none,random,f32,.*,(nan|inf),' "$TMP/ovf/results.csv"
check "float64 cell of the same sweep is ok" grep -q '^none,8,4,1,none,random,f64,,4,1,ok,' "$TMP/ovf/results.csv"
check "every cell has its row" test "$(($(wc -l <"$TMP/ovf/results.csv") - 1))" -eq 4

# usage
expect_exit 0 "--help" "$PELAB" --help
expect_exit 0 "--version" "$PELAB" --version
check "--version prints pelab VERSION" grep -qE '^pelab [0-9]+\.[0-9]+\.[0-9]+' "$TMP/out"
for cmd in run validate attend schemes metrics; do
  expect_exit 0 "$cmd --help" "$PELAB" $cmd --help
done
expect_exit 2 "no command" "$PELAB"
expect_exit 2 "unknown command" "$PELAB" frobnicate
expect_exit 2 "run without config" "$PELAB" run
expect_exit 2 "run with unknown option" "$PELAB" run "$small" --bogus
expect_exit 2 "run with --threads 0" "$PELAB" run "$small" --threads 0
expect_exit 2 "run of a missing file" "$PELAB" run "$TMP/nope.yaml"
check "missing file named in the error" grep -q "nope.yaml" "$TMP/err"
expect_exit 0 "validate a good config" "$PELAB" validate "$small"
expect_exit 0 "schemes" "$PELAB" schemes
for s in none index index_norm sinusoidal onehot binary learned rope alibi t5; do
  check "schemes lists $s" grep -q "^$s " "$TMP/out"
done
expect_exit 2 "attend on a config without sentences" "$PELAB" attend "$small"

# what a run says at the end, and what validate says before
expect_exit 0 "run small again, with its summary" "$PELAB" run "$small" --out "$TMP/sum"
check "the summary counts the cells by outcome" grep -qE '^pelab: 352 cells: [0-9]+ ok, [0-9]+ skipped, 0 nonfinite; [0-9.]+ s; results in '"$TMP"'/sum/results.csv$' "$TMP/out"
ok=$(awk -F, -v c="$scol" 'NR > 1 && $c == "ok"' "$TMP/sum/results.csv" | wc -l)
check "the summary's ok count is the file's ($ok)" grep -q "352 cells: $ok ok" "$TMP/out"
check "the summary names the first skip" grep -q '^pelab: skipped, the first: skipped: ' "$TMP/out"
expect_exit 0 "resume of a complete folder says so" "$PELAB" run "$small" --out "$TMP/sum" --resume
check "... already complete, nothing to do" grep -q "is already complete (352 cells, 1 attempt, .*): nothing to do" "$TMP/out"
expect_exit 0 "validate prints the cost and the skipped cells" "$PELAB" validate "$small"
check "validate: the cell count" grep -q "valid: 352 cells, config hash [0-9a-f]\{16\}" "$TMP/out"
check "validate: the estimated cost" grep -qE "estimated cost: .* floating-point operations, about .* s on this machine" "$TMP/out"
skipped=$(($(awk -F, -v c="$scol" 'NR > 1 && $c ~ /^skipped/' "$TMP/sum/results.csv" | wc -l)))
check "validate: $skipped cells will be skipped, as the run found" grep -q "$skipped of 352 cells will be skipped" "$TMP/out"
check "validate: the reasons, grouped" grep -qE "^    [0-9]+ x heads 2 do not divide width 7 \(identity projection\)" "$TMP/out"
expect_exit 0 "validate of a config where every cell runs" "$PELAB" validate "$large"
check "validate: every cell can run" grep -q "every cell can run" "$TMP/out"

# the memory limit: cells over it are skipped rows; a malformed limit is an error
PELAB_MAX_CELL_BYTES=1000000 expect_exit 0 "a memory limit skips the cells over it" "$PELAB" run "$SRC/configs/scaling.yaml" --out "$TMP/mem" --quiet
check "cells over the limit are skipped rows, with the need" grep -q ',skipped: needs [0-9.]* MiB: more than the 1.0 MiB a cell may use' "$TMP/mem/results.csv"
check "cells under it ran" grep -q ',ok,' "$TMP/mem/results.csv"
check "every cell has its row" test "$(($(wc -l <"$TMP/mem/results.csv") - 1))" -eq 120
PELAB_MAX_CELL_BYTES=abc expect_exit 2 "a malformed memory limit is refused" "$PELAB" run "$small" --out "$TMP/mem2"
check "... naming it" grep -q "PELAB_MAX_CELL_BYTES='abc' is not a number of bytes" "$TMP/err"
check "... before anything is written" test ! -e "$TMP/mem2"
PELAB_MAX_CELL_BYTES=1 expect_exit 1 "a sweep where no cell can run fails" "$PELAB" run "$small" --out "$TMP/none" --quiet
check "... saying so" grep -q "no cell could run: all 352 cells were skipped" "$TMP/err"
check "... the manifest says failed" grep -q '"status": "failed"' "$TMP/none/manifest.json"

# command-line conventions, the same for every command
expect_exit 0 "--opt=value works" "$PELAB" run "$large" --out="$TMP/eq" --threads=2 --quiet
check "--out=DIR wrote there" test -s "$TMP/eq/results.csv"
check "... the same numbers as --out DIR --threads 2" cmp -s <(strip "$TMP/l2/results.csv") <(strip "$TMP/eq/results.csv")
expect_exit 2 "a repeated option is an error" "$PELAB" run "$large" --out "$TMP/r1" --out "$TMP/r2"
check "... saying which" grep -q "run: --out given twice" "$TMP/err"
check "... and nothing is written" test ! -e "$TMP/r1" -a ! -e "$TMP/r2"
expect_exit 2 "a misspelt option gets the nearest" "$PELAB" run "$large" --frce
check "... did you mean --force" grep -q "unknown option '--frce' (did you mean '--force'?)" "$TMP/err"
expect_exit 2 "a flag with a value is an error" "$PELAB" run "$large" --quiet=yes
expect_exit 2 "an option without its value" "$PELAB" run "$large" --out
check "... wants a value" grep -q "run: --out wants a value" "$TMP/err"
expect_exit 0 "more threads than cores: allowed" "$PELAB" run "$large" --out "$TMP/many" --threads 64 --quiet
check "... with a warning" grep -q "warning: --threads 64 is more than the [0-9]* cores\? here" "$TMP/err"
check "... and the same numbers" cmp -s <(strip "$TMP/l2/results.csv") <(strip "$TMP/many/results.csv")
expect_exit 2 "--resume and --force together" "$PELAB" run "$large" --out "$TMP/many" --resume --force
expect_exit 0 "geometry takes --opt=value" "$PELAB" geometry --scheme=index --d-model=8 --seq-len=5 --format=csv
expect_exit 2 "geometry: a repeated option" "$PELAB" geometry --scheme index --scheme rope --d-model 8
expect_exit 2 "merge: a repeated option" "$PELAB" merge "$TMP/m" "$TMP/t1" --config a --config b
expect_exit 2 "schemes takes no argument" "$PELAB" schemes extra
finish
