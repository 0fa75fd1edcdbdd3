#!/usr/bin/env bash
# pelab report, scripts/plot.sh and pelab heatmap: the report of an
# experiment at CI size (banner-free, labelled as CI size, verdicts, every
# slice, heatmaps), of an interrupted run (banner with the resume command),
# without gnuplot and without figures; the HTML parses and every <img>
# exists; plot.sh's options; the heatmap command's files and errors.
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
finish
