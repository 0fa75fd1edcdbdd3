#!/usr/bin/env bash
# pelab check and pelab report: verdict lines and exit codes, a deliberately
# broken claim (exit 1, with the row and value), claims files with errors
# (exit 2, located), the report with figures, without gnuplot, and without
# figures; scripts/plot.sh on its own.
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
expect_exit 0 "report --help" "$PELAB" report --help

# --- report with figures ------------------------------------------------------------------
if command -v gnuplot >/dev/null 2>&1; then
  expect_exit 0 "report with figures" "$PELAB" report "$TMP/r" "$exp"
  for f in report.md report.html figures/index.tsv figures/values.png figures/values.svg figures/order.png; do
    check "report wrote $f" test -s "$TMP/r/$f"
  done
  check "PNG files are PNG" sh -c "head -c 8 '$TMP/r/figures/order.png' | od -c | grep -q 'P   N   G'"
  check "html shows the figures" grep -q '<img src="figures/order.png"' "$TMP/r/report.html"
  check "md shows the figures" grep -q '](figures/order.png)' "$TMP/r/report.md"
else
  echo "(gnuplot is not installed: the report-with-figures checks are skipped)"
fi
check "report has the question" grep -q '^## Question' "$TMP/r/report.md"
check "report has the verdicts" grep -q "^## Claims: $n_claims of $n_claims hold" "$TMP/r/report.md"
check "report html has the verdicts" grep -q 'class="holds">holds</span>' "$TMP/r/report.html"
check "report has the manifest's config hash" grep -q '^- config_hash: [0-9a-f]\{16\}' "$TMP/r/report.md"
check "report html is one document" test "$(grep -c '</html>' "$TMP/r/report.html")" -eq 1

# --- report without gnuplot: a PATH with every tool but gnuplot ----------------------------
mkdir -p "$TMP/bin"
for d in /usr/local/bin /usr/bin /bin; do ln -s "$d"/* "$TMP/bin/" 2>/dev/null || true; done
rm -f "$TMP/bin"/gnuplot*
cp -r "$TMP/r" "$TMP/r2" && rm -rf "$TMP/r2/figures" "$TMP/r2/report.md" "$TMP/r2/report.html"
expect_exit 3 "plot.sh without gnuplot exits 3" env PATH="$TMP/bin" bash "$SRC/scripts/plot.sh" "$TMP/r2"
check "plot.sh says gnuplot is not installed, in one line" test "$(cat "$TMP/err")" = "plot.sh: gnuplot is not installed: no figures (apt-get install gnuplot-nox)"
expect_exit 0 "report without gnuplot still writes the report" env PATH="$TMP/bin" "$PELAB" report "$TMP/r2" "$exp"
check "report without gnuplot: report.md and report.html" test -s "$TMP/r2/report.md" -a -s "$TMP/r2/report.html"
check "report without gnuplot says why there are no figures" grep -q 'No figures: no figures: gnuplot is not installed' "$TMP/r2/report.md"
check "report without gnuplot: the user is told" grep -q 'gnuplot is not installed' "$TMP/err"

# --- report --no-figures, without an experiment, and with a broken claims file -------------
expect_exit 0 "report --no-figures without an experiment" "$PELAB" report "$TMP/r2" --no-figures
check "report without an experiment has no claims section" sh -c "! grep -q '^## Claims' '$TMP/r2/report.md'"
check "report without an experiment still has the table" grep -q '^## Every metric at the largest sequence length' "$TMP/r2/report.md"
before=$(md5sum <"$TMP/r2/report.md")
mkdir -p "$TMP/badexp" && cp "$SRC/tests/claims/bad/unknown_key.yaml" "$TMP/badexp/claims.yaml"
expect_exit 2 "report with an invalid claims file exits 2" "$PELAB" report "$TMP/r2" "$TMP/badexp"
check "report names the error's place" grep -q "badexp/claims.yaml:3:3: unknown key 'wher'" "$TMP/err"
expect_exit 2 "report of a missing folder" "$PELAB" report "$TMP/nowhere"
check "an invalid claims file leaves the report as it was" test "$(md5sum <"$TMP/r2/report.md")" = "$before"

# --- plot.sh options ---------------------------------------------------------------------------
if command -v gnuplot >/dev/null 2>&1; then
  expect_exit 0 "plot.sh --each projection --format png" bash "$SRC/scripts/plot.sh" "$TMP/r" "$TMP/figs" --each projection --format png
  check "one figure set per projection" test -s "$TMP/figs/order-projectionidentity.png" -a -s "$TMP/figs/order-projectionrandom.png"
  check "png only" sh -c "! ls '$TMP/figs'/*.svg 2>/dev/null | grep -q ."
  expect_exit 2 "plot.sh --where on an unknown value" bash "$SRC/scripts/plot.sh" "$TMP/r" "$TMP/figs" --where mask=bogus
  check "plot.sh names the values" grep -q "mask has no value 'bogus' (values: none causal)" "$TMP/err"
fi
finish
