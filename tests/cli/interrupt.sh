#!/usr/bin/env bash
# Nothing lost: SIGKILL at a random moment, then --resume, gives the cells of
# an uninterrupted run with the same values; SIGINT/SIGTERM stop cleanly with
# 130/143 and say how to resume; a write error (file size limit standing in
# for a full disk) or an unwritable folder is a clear error, exit 1, and the
# rows already written stay whole.
source "$(dirname "$0")/lib.bash"
cfg=$SRC/tests/data/medium.yaml

expect_exit 0 "uninterrupted reference run" "$PELAB" run "$cfg" --out "$TMP/ref" --quiet --threads 2
header=$(head -1 "$TMP/ref/results.csv")
tcol=$(tr , '\n' <<<"$header" | grep -nx time_s | cut -d: -f1)
# rows without time_s, sorted: the same cells with the same values
canon() { cut -d, -f"$tcol" --complement "$1" | sort; }
total=$(($(wc -l <"$TMP/ref/results.csv") - 1))

for round in 1 2 3; do
  out="$TMP/kill$round"
  "$PELAB" run "$cfg" --out "$out" --quiet --threads 2 &
  pid=$!
  # a random moment once a few rows are on disk: then up to 0.3 s later
  # (round 3: right away), between or inside cells
  wait_rows "$out/results.csv" 3 "$pid"
  [ "$round" -ne 3 ] && sleep "0.$((RANDOM % 3))$((RANDOM % 10))"
  kill -KILL "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null
  rows=$(($(wc -l <"$out/results.csv" 2>/dev/null || echo 1) - 1))
  echo "     round $round: killed with $rows of $total cells on disk"
  expect_exit 0 "round $round: resume after SIGKILL" "$PELAB" run "$cfg" --out "$out" --resume --quiet --threads 1
  check "round $round: resumed file has the reference's cells and values" cmp -s <(canon "$TMP/ref/results.csv") <(canon "$out/results.csv")
  check "round $round: resumed file is in sweep order" cmp -s <(cut -d, -f1-8 "$TMP/ref/results.csv") <(cut -d, -f1-8 "$out/results.csv")
done

for sig in INT TERM; do
  out="$TMP/sig$sig"
  "$PELAB" run "$cfg" --out "$out" --quiet --threads 2 2>"$TMP/sig.err" &
  pid=$!
  check "SIG$sig: the sweep is running when signalled" wait_rows "$out/results.csv" 3 "$pid"
  kill -$sig "$pid"
  got=0
  wait "$pid" || got=$?
  want=130
  [ "$sig" = TERM ] && want=143
  check "SIG$sig: exit $want (got $got)" test "$got" -eq "$want"
  check "SIG$sig: says how to resume" grep -q -- "--resume" "$TMP/sig.err"
  check "SIG$sig: manifest says interrupted" grep -q '"status": "interrupted"' "$out/manifest.json"
  nf=$(awk -F, 'NR == 1 { print NF }' "$out/results.csv")
  check "SIG$sig: every row on disk is whole" test "$(awk -F, -v n="$nf" 'NF != n' "$out/results.csv" | wc -l)" -eq 0
  expect_exit 0 "SIG$sig: resume finishes" "$PELAB" run "$cfg" --out "$out" --resume --quiet
  check "SIG$sig: resumed equals reference" cmp -s <(canon "$TMP/ref/results.csv") <(canon "$out/results.csv")
done

# a full disk: the file size limit makes write() fail with EFBIG
out="$TMP/full"
got=0
(ulimit -f 12; trap '' XFSZ; exec "$PELAB" run "$cfg" --out "$out" --quiet) >"$TMP/full.out" 2>"$TMP/full.err" || got=$?
check "write error: exit 1 (got $got)" test "$got" -eq 1
check "write error names the file" grep -q "$out/results.csv" "$TMP/full.err"
nf=$(awk -F, 'NR == 1 { print NF }' "$out/results.csv")
rows=$(($(wc -l <"$out/results.csv") - 1))
check "write error: $rows rows kept, none torn" test "$(awk -F, -v n="$nf" 'NF != n' "$out/results.csv" | wc -l)" -eq 0
check "write error: the file ends with a whole line" test "$(tail -c 1 "$out/results.csv" | od -An -c | tr -d ' ')" = '\n'
check "write error: some rows were written before it" test "$rows" -ge 3
expect_exit 0 "write error: resume completes once there is room" "$PELAB" run "$cfg" --out "$out" --resume --quiet
check "write error: resumed equals reference" cmp -s <(canon "$TMP/ref/results.csv") <(canon "$out/results.csv")

# an unwritable folder: a path through a regular file
touch "$TMP/afile"
expect_exit 1 "unwritable folder: exit 1" "$PELAB" run "$cfg" --out "$TMP/afile/sub" --quiet
check "unwritable folder named in the error" grep -q "$TMP/afile" "$TMP/err"
finish
