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
finish
