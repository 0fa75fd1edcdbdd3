#!/usr/bin/env bash
# scripts/make-figures.sh — regenerate the figures committed under
# docs/figures/ (shown in the README): the scalability experiment at full
# size (every scheme, n = 8 ... 4096) and index-explosion at full size (the
# raw index against sinusoidal, n = 8 ... 16384).
#
#   scripts/make-figures.sh [BUILD_DIR]      (BUILD_DIR defaults to build)
#
# Runs each experiment into results/NAME with --resume (a finished run is
# reused, an interrupted one completed; about 40 minutes on 2 cores from
# scratch), checks its claims (stops if one fails), and plots with
# scripts/plot.sh into docs/figures/NAME-FAMILY.png; and draws the heatmap
# of Phi(p, q) of every scheme into docs/figures/heatmap-phi.png. Needs gnuplot.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
pelab=$build/pelab
[ -x "$pelab" ] || { echo "make-figures.sh: no $pelab: build first (cmake -S . -B $build && cmake --build $build -j)" >&2; exit 2; }
command -v gnuplot >/dev/null 2>&1 || { echo "make-figures.sh: gnuplot is not installed (apt-get install gnuplot-nox)" >&2; exit 3; }
mkdir -p docs/figures
export PELAB_BIN=$pelab

# figures NAME FAMILY... -- PLOT_ARGS...: run, check, plot, copy
figures() {
  local name=$1; shift
  local fams=()
  while [ "$1" != -- ]; do fams+=("$1"); shift; done
  shift
  "$pelab" run "experiments/$name/full.yaml" --out "results/$name" --resume
  "$pelab" check "experiments/$name" "results/$name"
  rm -rf "results/$name/docs-figures"
  scripts/plot.sh "results/$name" "results/$name/docs-figures" --format png --title "$name" "$@"
  for f in "${fams[@]}"; do
    cp "results/$name/docs-figures/$f.png" "docs/figures/$name-$f.png"
  done
}

figures scalability values attention gradients order geometry -- --where d_model=64 --where mask=none
figures index-explosion values attention gradients -- --where projection=identity --where mask=none

# the position similarity Phi(p, q) of every scheme (no run needed: it
# depends on the scheme, n and d only)
"$pelab" heatmap configs/default.yaml --what phi --seq-len 64 --d-model 64 --out results/heatmap-phi
cp results/heatmap-phi/heatmap-phi.png docs/figures/heatmap-phi.png

ls -l docs/figures/*.png
for f in docs/figures/*.png; do
  [ "$(stat -c %s "$f")" -le 204800 ] || echo "make-figures.sh: warning: $f is larger than 200 KB" >&2
done
