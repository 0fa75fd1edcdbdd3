#!/usr/bin/env bash
# pelab report, scripts/plot.sh and pelab heatmap: the report of an
# experiment at CI size (banner-free, labelled as CI size, verdicts, every
# slice, heatmaps), of an interrupted run (banner with the resume command),
# without gnuplot and without figures; the HTML parses and every <img>
# exists; plot.sh's options; the heatmap command's files and errors; a tiny
# training sweep checked, reported and plotted like a probe sweep.
source "$(dirname "$0")/lib.bash"
exp=$SRC/experiments/order-blindness
have_gnuplot=0
command -v gnuplot >/dev/null 2>&1 && have_gnuplot=1

# render_check HTML: the page parses as HTML (tags balanced but for the void
# ones), and every <img src> names a non-empty file beside it
render_check() {
  python3 - "$1" <<'PY'
import html.parser, os, sys
path = sys.argv[1]
void = {"img", "br", "hr", "meta", "input", "link", "col", "area", "base", "source", "wbr"}
class P(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(); self.stack = []; self.imgs = []; self.bad = []
    def handle_starttag(self, tag, attrs):
        if tag == "img": self.imgs.append(dict(attrs).get("src", ""))
        if tag not in void: self.stack.append(tag)
    def handle_endtag(self, tag):
        if tag in void: return
        if not self.stack or self.stack[-1] != tag: self.bad.append(f"</{tag}> closes <{self.stack[-1] if self.stack else 'nothing'}>")
        else: self.stack.pop()
p = P(); p.feed(open(path, encoding="utf-8").read()); p.close()
problems = p.bad[:5] + [f"unclosed <{t}>" for t in p.stack[:5]]
for src in p.imgs:
    f = os.path.join(os.path.dirname(path), src)
    if not os.path.isfile(f) or os.path.getsize(f) == 0: problems.append(f"<img src={src}>: no such file or empty")
for x in problems: print("     " + x)
sys.exit(1 if problems else 0)
PY
}

expect_exit 0 "report --help" "$PELAB" report --help
expect_exit 0 "heatmap --help" "$PELAB" heatmap --help
expect_exit 0 "run order-blindness at CI size" "$PELAB" run "$exp/ci.yaml" --out "$TMP/r" --quiet
n_claims=$(grep -c '^- claim:' "$exp/claims.yaml")

# --- report with figures ------------------------------------------------------------------
if [ $have_gnuplot = 1 ]; then
  expect_exit 0 "report with figures" "$PELAB" report "$TMP/r" "$exp"
  for f in report.md report.html figures/index.tsv; do check "report wrote $f" test -s "$TMP/r/$f"; done
  first_png=$(cut -f2 "$TMP/r/figures/index.tsv" | head -1)
  check "PNG files are PNG" sh -c "head -c 8 '$TMP/r/figures/$first_png' | od -c | grep -q 'P   N   G'"
  check "html shows the figures" grep -q "<img src=\"figures/$first_png\"" "$TMP/r/report.html"
  check "md shows the figures" grep -q "](figures/$first_png)" "$TMP/r/report.md"
  check "report html parses and every image exists" render_check "$TMP/r/report.html"
else
  echo "(gnuplot is not installed: the report-with-figures checks are skipped)"
  expect_exit 0 "report without gnuplot" "$PELAB" report "$TMP/r" "$exp"
fi
check "report has the question" grep -q '^## Question' "$TMP/r/report.md"
check "report has the verdicts" grep -q "^## Claims: $n_claims of $n_claims hold" "$TMP/r/report.md"
check "report html has the verdicts" grep -q 'class="holds">holds</span>' "$TMP/r/report.html"
check "report has the manifest's config hash" grep -q '^- config_hash: [0-9a-f]\{16\}' "$TMP/r/report.md"
check "report html is one document" test "$(grep -c '</html>' "$TMP/r/report.html")" -eq 1
check "a complete run has no banner" sh -c "! grep -q 'class=\"banner' '$TMP/r/report.md'"
check "the run is labelled as the CI size" grep -q 'This run is the CI size' "$TMP/r/report.md"
check "the Answer is labelled as the full-size record" grep -q '^## Answer (the full-size record)' "$TMP/r/report.md"

# --- report without gnuplot: a PATH with every tool but gnuplot ----------------------------
mkdir -p "$TMP/bin"
for d in /usr/local/bin /usr/bin /bin; do ln -s "$d"/* "$TMP/bin/" 2>/dev/null || true; done
rm -f "$TMP/bin"/gnuplot*
cp -r "$TMP/r" "$TMP/r2" && rm -rf "$TMP/r2/figures" "$TMP/r2/heatmaps" "$TMP/r2/report.md" "$TMP/r2/report.html"
expect_exit 3 "plot.sh without gnuplot exits 3" env PATH="$TMP/bin" bash "$SRC/scripts/plot.sh" "$TMP/r2"
check "plot.sh says gnuplot is not installed, in one line" test "$(cat "$TMP/err")" = "plot.sh: gnuplot is not installed: no figures (apt-get install gnuplot-nox)"
expect_exit 0 "report without gnuplot still writes the report" env PATH="$TMP/bin" "$PELAB" report "$TMP/r2" "$exp"
check "report without gnuplot: report.md and report.html" test -s "$TMP/r2/report.md" -a -s "$TMP/r2/report.html"
check "report without gnuplot says why there are no figures" grep -q 'No figures: gnuplot is not installed' "$TMP/r2/report.md"
check "report without gnuplot: the user is told" grep -q 'gnuplot is not installed' "$TMP/err"
check "report without gnuplot: html parses" render_check "$TMP/r2/report.html"

# --- report --no-figures, without an experiment, and with a broken claims file -------------
expect_exit 0 "report --no-figures without an experiment" "$PELAB" report "$TMP/r2" --no-figures
check "report without an experiment has no claims section" sh -c "! grep -q '^## Claims' '$TMP/r2/report.md'"
check "report without an experiment still has the tables" grep -q '^## Every metric at the largest sequence length' "$TMP/r2/report.md"
before=$(md5sum <"$TMP/r2/report.md")
mkdir -p "$TMP/badexp" && cp "$SRC/tests/claims/bad/unknown_key.yaml" "$TMP/badexp/claims.yaml"
expect_exit 2 "report with an invalid claims file exits 2" "$PELAB" report "$TMP/r2" "$TMP/badexp"
check "report names the error's place" grep -q "badexp/claims.yaml:3:3: unknown key 'wher'" "$TMP/err"
expect_exit 2 "report of a missing folder" "$PELAB" report "$TMP/nowhere"
check "an invalid claims file leaves the report as it was" test "$(md5sum <"$TMP/r2/report.md")" = "$before"
# --- an interrupted run: the banner and the resume command --------------------------------
cp -r "$TMP/r2" "$TMP/cut" && rm -f "$TMP/cut/report.md" "$TMP/cut/report.html"
sed -i 's/"status": "complete"/"status": "interrupted"/' "$TMP/cut/manifest.json"
head -20 "$TMP/r2/results.csv" >"$TMP/cut/results.csv"
expect_exit 0 "report of an interrupted run" "$PELAB" report "$TMP/cut" "$exp" --no-figures
check "interrupted: the banner" grep -q '<div class="banner interrupted">' "$TMP/cut/report.md"
check "interrupted: it says what ran" grep -q '\*\*Interrupted\*\*: the run was stopped after' "$TMP/cut/report.md"
check "interrupted: the resume command" grep -q "^pelab run .*ci.yaml --out $TMP/cut --resume" "$TMP/cut/report.md"
check "interrupted: the banner is in the html" grep -q '<div class="banner interrupted">' "$TMP/cut/report.html"
check "interrupted: the user is told" grep -q "warning: the run in $TMP/cut is interrupted" "$TMP/err"
check "interrupted: html parses" render_check "$TMP/cut/report.html"
sed -i 's/"status": "interrupted"/"status": "failed"/' "$TMP/cut/manifest.json"
expect_exit 0 "report of a failed run" "$PELAB" report "$TMP/cut" "$exp" --no-figures
check "failed: the banner" grep -q '<div class="banner failed">' "$TMP/cut/report.md"
rm "$TMP/cut/manifest.json"
expect_exit 0 "report without a manifest" "$PELAB" report "$TMP/cut" --no-figures
check "no manifest: the banner says so" grep -q '\*\*No manifest.json\*\*' "$TMP/cut/report.md"

# --- metric tables: one per family, mean ± std ----------------------------------------------
check "a table per family" test "$(grep -c '^\*\*\(values\|attention\|gradients\|order\|geometry\)\*\*$' "$TMP/r2/report.md")" -ge 5
printf '%s\n' 'name: tiny' 'trials: 2' 'sweep:' '  seq_len: [8, 16]' '  d_model: [8, 16]' '  scheme: [rope, index, short, none]' \
  '  heads: 1' '  mask: none' '  projection: random' 'schemes:' '  short: {type: learned, max_len: 4}' >"$TMP/tiny.yaml"
expect_exit 0 "run a tiny sweep" "$PELAB" run "$TMP/tiny.yaml" --out "$TMP/t" --quiet
expect_exit 0 "report of the tiny sweep" "$PELAB" report "$TMP/t" --no-figures
check "std shown as ±" grep -q '| rope | 16 | [0-9.e+-]*[^|]*±[^|]* |' "$TMP/t/report.md"
check "undefined shown as —" grep -q '| none | 16 | — | — |' "$TMP/t/report.md"
check "every slice has its tables (2 d_model)" test "$(grep -c '<summary>Slice [12] of 2: d_model=' "$TMP/t/report.md")" -eq 2
check "cells that did not run are listed" grep -q '^- short at n = 8: skipped: ' "$TMP/t/report.md"

if [ $have_gnuplot = 1 ]; then
  # key_colour NAME SVG: the stroke colour of NAME's entry in the key
  key_colour() { grep -A12 "<title>$1</title>" "$2" | grep -o "stroke='rgb([^)]*)'" | head -1; }
  expect_exit 0 "plot the tiny sweep" bash "$SRC/scripts/plot.sh" "$TMP/t" "$TMP/tf" --all
  ob=$(cut -f3 "$TMP/r/figures/index.tsv" | head -1)
  tf=$(cut -f3 "$TMP/tf/index.tsv" | head -1)
  check "rope has one colour in both reports (first scheme here, eighth there)" \
    test -n "$(key_colour rope "$TMP/tf/$tf")" -a "$(key_colour rope "$TMP/tf/$tf")" = "$(key_colour rope "$TMP/r/figures/$ob")"
  check "index has one colour in both reports" test "$(key_colour index "$TMP/tf/$tf")" = "$(key_colour index "$TMP/r/figures/$ob")"
  check "a scheme with no cell that ran is not in the key" sh -c "! grep -q '<title>short</title>' '$TMP/tf/$tf'"
  check "... and the caption says why" grep -q "Not in the key (no cell ran in this slice): short (skipped: " "$TMP/tf/index.tsv"
  check "undefined values are named in the caption" grep -q "Undefined, so not drawn: pe_max_abs for rope, none" "$TMP/tf/index.tsv"
  check "zeros on a log axis are named in the caption" grep -q "Zeros on a log axis, drawn on its bottom edge with an open circle: .*ti_residual (none)" "$TMP/tf/index.tsv"
  check "one figure set per slice with --all" test "$(cut -f5 "$TMP/tf/index.tsv" | sort -u | wc -l)" -eq 2
  expect_exit 0 "plot.sh --x d_model" bash "$SRC/scripts/plot.sh" "$TMP/t" "$TMP/tx" --x d_model --all --format svg
  check "--x d_model: slices are seq_len values" test "$(cut -f5 "$TMP/tx/index.tsv" | sort -u | tr '\n' ' ')" = "seq_len=16 seq_len=8 "
  expect_exit 0 "plot.sh --overlay d_model" bash "$SRC/scripts/plot.sh" "$TMP/t" "$TMP/to" --overlay d_model --format svg
  check "--overlay: one slice" test "$(cut -f5 "$TMP/to/index.tsv" | sort -u | wc -l)" -eq 1
  check "--overlay: the key shows the values" grep -q '<title>d_model=16</title>' "$TMP/to/$(cut -f3 "$TMP/to/index.tsv" | head -1)"
  expect_exit 2 "plot.sh --overlay on a non-axis" bash "$SRC/scripts/plot.sh" "$TMP/t" "$TMP/to" --overlay bogus
  expect_exit 2 "plot.sh --x on a bad axis" bash "$SRC/scripts/plot.sh" "$TMP/t" "$TMP/to" --x mask
  expect_exit 0 "plot.sh --each projection --format png" bash "$SRC/scripts/plot.sh" "$TMP/r" "$TMP/figs" --each projection --format png
  check "one figure set per projection" test -s "$TMP/figs/order-projectionidentity.png" -a -s "$TMP/figs/order-projectionrandom.png"
  check "png only" sh -c "! ls '$TMP/figs'/*.svg 2>/dev/null | grep -q ."
  expect_exit 2 "plot.sh --where on an unknown value" bash "$SRC/scripts/plot.sh" "$TMP/r" "$TMP/figs" --where mask=bogus
  check "plot.sh names the values" grep -q "mask has no value 'bogus' (values: none causal)" "$TMP/err"
  check "the report draws every slice (4 of order-blindness)" test "$(grep -c '^<summary>Slice [0-9] of 4: ' "$TMP/r/report.md")" -ge 4
  check "the report has heatmap rows (order-blindness/heatmap.args)" test "$(grep -c '](heatmaps/row[0-9]*-' "$TMP/r/report.md")" -eq "$(grep -c '^--' "$exp/heatmap.args")"
fi

# --- training results: check, report and plot.sh as for probe results ---------------------------
cat >"$TMP/train.yaml" <<'EOF'
name: tiny-train
seed: 1
trials: 2
model: {layers: 1}
train:
  task: majority
  steps: 20
  batch: 4
  lengths: {from: 4, to: 6}
  eval_lengths: [6, 12]
  eval_samples: 16
  curve_every: 5
sweep:
  scheme: [none, rope]
  mask: [none, causal]
  d_model: 8
  heads: 2
EOF
expect_exit 0 "run a tiny training sweep" "$PELAB" run "$TMP/train.yaml" --out "$TMP/tr" --quiet
check "the training run wrote curves.csv" test -s "$TMP/tr/curves.csv"
mkdir -p "$TMP/trexp"
cat >"$TMP/trexp/claims.yaml" <<'EOF'
- claim: accuracy is a fraction at every evaluation length
  where: {eval_len: [6, 12]}
  expect: eval_acc <= 1
- claim: the model is as wide at every length
  trend: {metric: width, over: eval_len, direction: increasing, max_ratio: 1}
- claim: rope and no encoding are within one of each other
  where: {scheme: rope}
  compare: {metric: eval_acc, op: "~=", other: {scheme: none}, atol: 1}
EOF
expect_exit 0 "check on training results: every claim holds" "$PELAB" check "$TMP/trexp" "$TMP/tr"
check "check: 3 of 3 hold" grep -q '^pelab: 3 of 3 claims hold' "$TMP/out"
check "check: the trend is per scheme and mask, over eval_len" grep -q '^holds: the model is as wide at every length (4 groups, eval_len 6..12, each increasing' "$TMP/out"
check "check: compare names the partner by scheme" grep -q '^holds: rope and no encoding .*(scheme=none' "$TMP/out"
cat >"$TMP/trfail.yaml" <<'EOF'
- claim: perfect beyond the training lengths
  where: {eval_len: 12, mask: causal}
  expect: eval_acc > 1
EOF
expect_exit 1 "check on training results: a failing claim" "$PELAB" check "$TMP/trfail.yaml" "$TMP/tr"
check "FAILS names the row by the training key and eval_len" \
  grep -qE '^FAILS: perfect beyond the training lengths: 2 of 2 rows fail; worst: eval_acc = [0-9.e+-]+ at scheme=(none|rope) task=majority d_model=8 heads=2 layers=1 norm=pre init=probe mask=causal optimizer=adamw lr=[0-9.e+-]+ clip=0 batch=4 steps=20 dtype=f32 eval_len=12 \(wants > 1\)' "$TMP/out"
printf '%s\n' '- claim: x' '  expect: order_token_dist < 1' >"$TMP/trbad1.yaml"
expect_exit 2 "check: a probe metric is not a column of training results" "$PELAB" check "$TMP/trbad1.yaml" "$TMP/tr"
check "... located, with the column" grep -q "trbad1.yaml:2:11: expect: unknown column 'order_token_dist'" "$TMP/err"
printf '%s\n' '- claim: x' '  compare: {metric: eval_acc, op: ">", other: {width: 8}}' >"$TMP/trbad2.yaml"
expect_exit 2 "check: other must be an identity column" "$PELAB" check "$TMP/trbad2.yaml" "$TMP/tr"
check "... listing the training identity columns" grep -q "other: 'width' is not an identity column (scheme, task, d_model, heads, layers, norm, init, mask, optimizer, lr, clip, batch, steps, dtype, eval_len)" "$TMP/err"

if [ $have_gnuplot = 1 ]; then
  expect_exit 0 "report of training results with figures" "$PELAB" report "$TMP/tr" "$TMP/trexp"
  check "training figures: evaluation and curves for each of 2 slices" test "$(wc -l <"$TMP/tr/figures/index.tsv")" -eq 4
  for f in evaluation-masknone evaluation-maskcausal curves-masknone curves-maskcausal; do
    check "training figure $f.png is a PNG" sh -c "head -c 8 '$TMP/tr/figures/$f.png' | od -c | grep -q 'P   N   G'"
  done
  check "md shows the evaluation figure" grep -q '](figures/evaluation-masknone.png)' "$TMP/tr/report.md"
  check "md shows the curves figure" grep -q '^### curves — mask=causal' "$TMP/tr/report.md"
  check "the curves say they are the mean over the trials" grep -q 'Training curves from curves.csv: at each step the mean over the 2 trials' "$TMP/tr/report.md"
  check "the evaluation caption names the training lengths" grep -q 'it was trained on lengths 4 to 6' "$TMP/tr/report.md"
  check "evaluation panels: eval_acc, eval_loss, logit_max_abs" sh -c "grep -q '<title>rope</title>' '$TMP/tr/figures/evaluation-masknone.svg' && grep -q 'eval_acc' '$TMP/tr/figures/evaluation-masknone.svg' && grep -q 'logit_max_abs' '$TMP/tr/figures/evaluation-masknone.svg'"
  check "rope has its registry colour in training figures too" \
    test "$(key_colour rope "$TMP/tr/figures/curves-masknone.svg")" = "$(key_colour rope "$TMP/r/figures/$ob")"
  check "training report html parses and every image exists" render_check "$TMP/tr/report.html"
  cp -r "$TMP/tr" "$TMP/tr-nocurves" && rm -rf "$TMP/tr-nocurves/curves.csv" "$TMP/tr-nocurves/figures"
  expect_exit 0 "plot.sh on training results without curves.csv" bash "$SRC/scripts/plot.sh" "$TMP/tr-nocurves" --all
  check "... draws the evaluation figures alone" test "$(cut -f1 "$TMP/tr-nocurves/figures/index.tsv" | sort -u)" = "evaluation"
  expect_exit 0 "plot.sh --x d_model on training results" bash "$SRC/scripts/plot.sh" "$TMP/tr" "$TMP/trx" --x d_model --format svg
  check "--x d_model: eval_len is then a slice axis" grep -q 'eval_len=6' "$TMP/trx/index.tsv"
  expect_exit 2 "plot.sh --x on a training key that is not a number" bash "$SRC/scripts/plot.sh" "$TMP/tr" "$TMP/trx" --x task
  # log y for loss and grad_norm only where they span more than a decade
  check "a loss within a decade is on a linear axis (no power-of-ten ticks)" sh -c "! grep -q '>10</tspan><tspan' '$TMP/tr/figures/curves-masknone.svg'"
  cp -r "$TMP/tr" "$TMP/tr-decade" && rm -rf "$TMP/tr-decade/figures"
  awk -F, -v OFS=, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "loss") c = i; else if ($i == "step") t = i; print; next } { if ($t == 5) $c = $c * 100; print }' \
    "$TMP/tr/curves.csv" >"$TMP/tr-decade/curves.csv"
  expect_exit 0 "plot.sh on curves whose loss spans decades" bash "$SRC/scripts/plot.sh" "$TMP/tr-decade" --format svg --metrics loss
  check "... draws it on a log axis" grep -q '>10</tspan><tspan' "$TMP/tr-decade/figures/curves.svg"
  # train short, test long: the training length and chance, named and drawn
  check "the evaluation caption names the longest training length" grep -q 'The dashed vertical line is at the longest training length (6)\.' "$TMP/tr/figures/index.tsv"
  check "the evaluation caption names chance for the task" grep -q 'chance accuracy for task majority (0.0625, from pelab tasks)' "$TMP/tr/figures/index.tsv"
  check "the eval_acc panel labels both lines" sh -c "grep -q '>longest training length<' '$TMP/tr/figures/evaluation-masknone.svg' && grep -q '>chance<' '$TMP/tr/figures/evaluation-masknone.svg'"
  check "the x ticks are the evaluation lengths (6 is not a power of 2)" test "$(grep -c '>6</tspan></text>' "$TMP/tr/figures/evaluation-masknone.svg")" -ge 3
  cat >"$TMP/train2.yaml" <<'EOF'
name: tasks-train
seed: 1
train:
  steps: 10
  batch: 4
  lengths: {from: 4}
  eval_lengths: [6, 12]
  eval_samples: 8
  curve_every: 5
sweep:
  task: [majority, shift]
  train_to: [4, 6]
  scheme: [none, rope]
  d_model: 8
  heads: 2
EOF
  expect_exit 0 "run a training sweep over two tasks and two train_to" "$PELAB" run "$TMP/train2.yaml" --out "$TMP/tt" --quiet
  expect_exit 0 "plot.sh --panels task --metrics eval_acc" env PELAB_BIN="$PELAB" bash "$SRC/scripts/plot.sh" "$TMP/tt" "$TMP/ttp" --panels task --metrics eval_acc --all --format svg
  check "--panels task --metrics eval_acc: one evaluation figure per train_to, no curves" test "$(cut -f1,5 "$TMP/ttp/index.tsv" | tr '\t\n' ': ')" = "evaluation:train_to=4 evaluation:train_to=6 "
  check "--panels task: a panel per task in one figure" sh -c "grep -c '>eval_acc — task=\(majority\|shift\)<' '$TMP/ttp/evaluation-train_to6.svg' | grep -qx 2"
  check "--metrics eval_acc: no other panel" sh -c "! grep -q '>eval_loss' '$TMP/ttp/evaluation-train_to6.svg'"
  check "--panels task: each panel's chance, in the caption" grep -q 'the chance accuracy of its task (majority 0.0625, shift 0.0625, from pelab tasks)' "$TMP/ttp/index.tsv"
  check "a swept train_to: the slice's own training length" grep -q 'trained on lengths 4 to 6\. The dashed vertical line in each panel is at the longest training length (6)\.' "$TMP/ttp/index.tsv"
  expect_exit 0 "plot.sh --overlay train_to --panels task" bash "$SRC/scripts/plot.sh" "$TMP/tt" "$TMP/tto" --overlay train_to --panels task --format svg
  check "--overlay train_to: a line per training length" grep -q 'One dashed vertical line per train_to, at each longest training length (4, 6)\.' "$TMP/tto/index.tsv"
  check "--overlay train_to: each labelled with its value" sh -c "grep -q '>longest training length (train_to=4)<' '$TMP/tto/evaluation.svg' && grep -q '>longest training length (train_to=6)<' '$TMP/tto/evaluation.svg'"
  check "--panels task: the curves too, a panel per task" grep -q '>loss — task=shift<' "$TMP/tto/curves.svg"
  expect_exit 2 "plot.sh --metrics with an unknown metric" bash "$SRC/scripts/plot.sh" "$TMP/tt" "$TMP/ttx" --metrics eval_acc,bogus
  check "... names the metrics there are" grep -q "metrics bogus: not a metric drawn from .* (those are: eval_acc eval_loss logit_max_abs loss train_acc grad_norm)" "$TMP/err"
  expect_exit 2 "plot.sh --panels on the --overlay axis" bash "$SRC/scripts/plot.sh" "$TMP/tt" "$TMP/ttx" --panels task --overlay task
  expect_exit 2 "plot.sh --where on the --panels axis" bash "$SRC/scripts/plot.sh" "$TMP/tt" "$TMP/ttx" --panels task --where task=shift
  # chance without a pelab binary: the table of src/train/task.c
  expect_exit 0 "plot.sh without pelab tasks" env PELAB_BIN=/nonexistent bash "$SRC/scripts/plot.sh" "$TMP/tt" "$TMP/ttn" --metrics eval_acc --format svg
  check "... takes chance from its table" grep -q 'chance accuracy for task majority (0.0625, from src/train/task.c)' "$TMP/ttn/index.tsv"
else
  expect_exit 0 "report of training results (no gnuplot)" "$PELAB" report "$TMP/tr" "$TMP/trexp"
fi
check "training report: the verdicts" grep -q '^## Claims: 3 of 3 hold' "$TMP/tr/report.md"
check "training report: a complete run has no banner" sh -c "! grep -q 'class=\"banner' '$TMP/tr/report.md'"
check "training report: the tables heading" grep -q '^## Every metric at each evaluation length' "$TMP/tr/report.md"
check "training report: tables per slice (2 masks)" test "$(grep -c '^<summary>Slice [12] of 2: mask=' "$TMP/tr/report.md")" -ge 2
check "training report: evaluation table lists the varying key and eval_len" grep -q '^| scheme | mask | eval_len | eval_acc | eval_loss | logit_max_abs |$' "$TMP/tr/report.md"
check "training report: a row per scheme and eval_len with mean ± std" grep -qE '^\| rope \| causal \| 12 \| [0-9.e+-]+[^|]*±[^|]* \|' "$TMP/tr/report.md"
check "training report: eval_acc by length, evaluation and training tables: 4 + 8 + 4 rows" test "$(grep -c '^| \(none\|rope\) | \(none\|causal\) | [0-9.e+-]' "$TMP/tr/report.md")" -eq 16
check "training report: the training metrics" grep -q '^| scheme | mask | train_loss | train_acc | grad_norm_max | grad_norm_median | diverged | diverged_step | steps_to_fit | time_s |$' "$TMP/tr/report.md"
# without gnuplot, and interrupted
cp -r "$TMP/tr" "$TMP/tr2" && rm -rf "$TMP/tr2/figures" "$TMP/tr2/report.md" "$TMP/tr2/report.html"
sed -i 's/"status": "complete"/"status": "interrupted"/' "$TMP/tr2/manifest.json"
expect_exit 0 "report of interrupted training results without gnuplot" env PATH="$TMP/bin" "$PELAB" report "$TMP/tr2" "$TMP/trexp"
check "training, no gnuplot: says why there are no figures" grep -q 'No figures: gnuplot is not installed' "$TMP/tr2/report.md"
check "training, interrupted: the banner and the resume command" sh -c "grep -q '<div class=\"banner interrupted\">' '$TMP/tr2/report.md' && grep -q '^pelab run .*train.yaml --out $TMP/tr2 --resume' '$TMP/tr2/report.md'"
check "training, no gnuplot: still the tables" grep -q '^| scheme | mask | eval_len | eval_acc |' "$TMP/tr2/report.md"
check "training, no gnuplot: html parses" render_check "$TMP/tr2/report.html"

# --- pelab heatmap ------------------------------------------------------------------------------
expect_exit 0 "heatmap of attention" "$PELAB" heatmap "$TMP/tiny.yaml" --out "$TMP/hm" --scheme rope,index --seq-len 12
check "one CSV per scheme" test -s "$TMP/hm/heatmap-attention-rope.csv" -a -s "$TMP/hm/heatmap-attention-index.csv"
check "the CSV says what it is" grep -q '^# pelab heatmap: what=attention head=0 scheme=rope seq_len=12 d_model=8 ' "$TMP/hm/heatmap-attention-rope.csv"
check "the CSV is 12 x 12" test "$(grep -vc '^#' "$TMP/hm/heatmap-attention-rope.csv")-$(grep -v '^#' "$TMP/hm/heatmap-attention-rope.csv" | awk -F, '{ print NF }' | sort -u)" = "12-12"
check "attention rows sum to 1" awk -F, '!/^#/ { s = 0; for (i = 1; i <= NF; i++) s += $i; if (s < 0.999999 || s > 1.000001) bad = 1 } END { exit bad }' "$TMP/hm/heatmap-attention-rope.csv"
[ $have_gnuplot = 1 ] && check "heatmap picture" sh -c "head -c 8 '$TMP/hm/heatmap-attention.png' | od -c | grep -q 'P   N   G'"
expect_exit 0 "heatmap of phi, every scheme" "$PELAB" heatmap "$TMP/tiny.yaml" --out "$TMP/hm" --what phi --seq-len 4
check "phi for every scheme" test "$(ls "$TMP/hm"/heatmap-phi-*.csv | wc -l)" -eq 4
expect_exit 2 "heatmap of a scheme the config lacks" "$PELAB" heatmap "$TMP/tiny.yaml" --out "$TMP/hm" --scheme alibi
check "names the schemes there are" grep -q "no scheme 'alibi' (the config has rope, index, short, none)" "$TMP/err"
expect_exit 2 "heatmap of a cell that cannot run" "$PELAB" heatmap "$TMP/tiny.yaml" --out "$TMP/hm" --scheme short --seq-len 8
check "says why" grep -q "exceeds learned max_len 4" "$TMP/err"
expect_exit 2 "heatmap with a bad --what" "$PELAB" heatmap "$TMP/tiny.yaml" --what weights
expect_exit 2 "heatmap without a config" "$PELAB" heatmap --what phi
finish
