#!/usr/bin/env bash
# The seed's example: without positional encoding "Lion" has the same
# contextual embedding in "Lion Kills Deer" and "Deer Kills Lion"; with each
# encoding it does not.
source "$(dirname "$0")/lib.bash"
cfg=$SRC/configs/lion-kills-deer.yaml

expect_exit 0 "attend csv runs" "$PELAB" attend "$cfg" --format csv
cp "$TMP/out" "$TMP/lion.csv"
check "csv header is the contract" test "$(head -1 "$TMP/lion.csv")" = "scheme,sentence,position,token,dim,value"
# 4 schemes x 2 sentences x 3 tokens x 3 dims (identity projection, no appended
# columns for none/sinusoidal; index and index_norm append one: 4 dims)
rows=$(($(wc -l <"$TMP/lion.csv") - 1))
check "row count (2 schemes x 18 + 2 schemes x 24 = 84)" test "$rows" -eq 84

# max |embedding(token, sentence 0) - embedding(token, sentence 1)| per scheme
maxdiff() { # SCHEME TOKEN
  awk -F, -v s="$1" -v t="$2" 'NR > 1 && $1 == s && $4 == t { v[$2 "," $5] = $6 }
    END { m = 0; for (k in v) { split(k, a, ","); if (a[1] == 0) { d = v[k] - v["1," a[2]]; if (d < 0) d = -d; if (d > m) m = d } } printf "%.12g\n", m }' "$TMP/lion.csv"
}
for tok in Lion Deer Kills; do
  d=$(maxdiff none $tok)
  # identical up to the order of a 3-term sum in float64
  check "none: $tok identical in both sentences (max diff $d)" awk -v d="$d" 'BEGIN { exit !(d < 1e-14) }'
done
for s in index index_norm sinusoidal; do
  for tok in Lion Deer; do
    d=$(maxdiff $s $tok)
    check "$s: $tok differs between sentences (max diff $d)" awk -v d="$d" 'BEGIN { exit !(d > 1e-3) }'
  done
done

# Hand-worked truth for scheme none, "Lion Kills Deer", token Lion, dim 0:
# S = X X^T / sqrt(3); Lion's row of scores: Lion.Lion = 0.93, Lion.Kills = 0.35,
# Lion.Deer = 0.85; out = softmax(S_0) [0.2, 0.6, 0.9]
want=$(awk 'BEGIN { s = sqrt(3); a = exp(0.93 / s); b = exp(0.35 / s); c = exp(0.85 / s);
  printf "%.9g\n", (0.2 * a + 0.6 * b + 0.9 * c) / (a + b + c) }')
got=$(awk -F, '$1 == "none" && $2 == 0 && $3 == 0 && $5 == 0 { print $6 }' "$TMP/lion.csv")
check "none: Lion dim 0 = hand-worked $want (got $got)" awk -v a="$want" -v b="$got" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(d < 1e-8) }'

expect_exit 0 "attend table prints the conclusion" "$PELAB" attend "$cfg"
check "table says Lion is the same without encoding" grep -q "Lion: the same contextual embedding in every sentence" "$TMP/out"
check "table says Lion differs with sinusoidal" grep -q "Lion: differs between sentences" "$TMP/out"

# run on the sentences: order metrics are 0 for none, > 0 otherwise
expect_exit 0 "run on sentences" "$PELAB" run "$cfg" --out "$TMP/run" --quiet
col() { head -1 "$TMP/run/results.csv" | tr , '\n' | grep -nx "$1" | cut -d: -f1; }
c=$(col order_token_dist)
check "none: order_token_dist is 0 (to rounding) for both sentences" test "$(awk -F, -v c="$c" 'NR > 1 && $1 == "none" && !($c + 0 < 1e-14)' "$TMP/run/results.csv" | wc -l)" -eq 0
check "sinusoidal: order_token_dist > 0" test "$(awk -F, -v c="$c" '$1 == "sinusoidal" && $c + 0 > 1e-3' "$TMP/run/results.csv" | wc -l)" -eq 2
finish
