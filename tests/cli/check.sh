#!/usr/bin/env bash
# pelab check: verdict lines and exit codes, a deliberately broken claim
# (exit 1, with the row and value), claims files with errors (exit 2,
# located). pelab report, scripts/plot.sh and pelab heatmap are tested by
# tests/cli/report.sh.
source "$(dirname "$0")/lib.bash"
exp=$SRC/experiments/order-blindness

expect_exit 0 "run order-blindness at CI size" "$PELAB" run "$exp/ci.yaml" --out "$TMP/r" --quiet

# --- check: all hold -----------------------------------------------------------
expect_exit 0 "check: every claim holds" "$PELAB" check "$exp" "$TMP/r"
n_claims=$(grep -c '^- claim:' "$exp/claims.yaml")
check "one line per claim ($n_claims) plus the summary" test "$(wc -l <"$TMP/out")" -eq $((n_claims + 1))
check "each verdict line starts with 'holds: '" test "$(grep -c '^holds: ' "$TMP/out")" -eq "$n_claims"
check "a verdict names the numbers that decided it" grep -q '^holds: .*(.* rows; nearest to the bound: order_token_dist = ' "$TMP/out"
check "summary line" grep -q "^pelab: $n_claims of $n_claims claims hold" "$TMP/out"
expect_exit 0 "check accepts the claims file and results.csv themselves" "$PELAB" check "$exp/claims.yaml" "$TMP/r/results.csv"

# an unfinished run is checked on the rows there are, with a warning
cp -r "$TMP/r" "$TMP/r-cut" && sed -i 's/"status": "complete"/"status": "interrupted"/' "$TMP/r-cut/manifest.json"
expect_exit 0 "check on an interrupted run" "$PELAB" check "$exp" "$TMP/r-cut"
check "warns that the run is not complete" grep -q "warning: the run in .*r-cut/results.csv is interrupted, not complete" "$TMP/err"

# --- check: a broken claim --------------------------------------------------------
expect_exit 1 "check: a broken claim exits 1" "$PELAB" check "$SRC/tests/claims/broken.yaml" "$TMP/r"
check "FAILS line with the claim, row identity and value" \
  grep -qE "^FAILS: without encoding, the reversed sentence changes every token's output: [0-9]+ of [0-9]+ rows fail; worst: order_token_dist = [0-9.e+-]+ at scheme=none seq_len=[0-9]+ d_model=3 heads=1 mask=none projection=(identity|random) dtype=f64 sentence=[0-9]+ \(wants > 0.1\)" "$TMP/out"
check "the other claim still holds" grep -q '^holds: this one holds' "$TMP/out"
check "summary says 1 of 2" grep -q '^pelab: 1 of 2 claims hold' "$TMP/out"

# a claim that selects no row fails, naming the values there are
cat >"$TMP/nomatch.yaml" <<'EOF'
- claim: rope is blind
  where: {scheme: ropee}
  expect: order_token_dist < 1
EOF
expect_exit 1 "check: a claim matching no row fails" "$PELAB" check "$TMP/nomatch.yaml" "$TMP/r"
check "no-match reason lists the schemes" grep -q "^FAILS: rope is blind: no rows match: no row has scheme=ropee (scheme has: none, index, " "$TMP/out"

# --- check: claims files with errors: exit 2, FILE:LINE:COL -------------------------
n=0
for f in "$SRC"/tests/claims/bad/*.yaml; do
  n=$((n + 1))
  name=$(basename "$f")
  expect=$(head -1 "$f" | sed -n 's/^# expect: //p')
  loc=${expect%%: *}
  phrase=${expect#*: }
  expect_exit 2 "check $name exits 2" "$PELAB" check "$f" "$TMP/r"
  check "$name: located at $loc" grep -qF "$f:$loc: " "$TMP/err"
  check "$name: says '$phrase'" grep -qF -- "$phrase" "$TMP/err"
done
check "there are bad claims files to test" test "$n" -ge 5

# --- check: usage ---------------------------------------------------------------------
expect_exit 2 "check without arguments" "$PELAB" check
expect_exit 2 "check with one argument" "$PELAB" check "$exp"
expect_exit 2 "check with an unknown option" "$PELAB" check "$exp" "$TMP/r" --bogus
expect_exit 2 "check of a missing claims file" "$PELAB" check "$TMP/nowhere" "$TMP/r"
expect_exit 1 "check against missing results" "$PELAB" check "$exp" "$TMP/nowhere"
check "missing results named" grep -q "nowhere" "$TMP/err"
expect_exit 0 "check --help" "$PELAB" check --help
finish
