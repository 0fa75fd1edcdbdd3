#!/usr/bin/env bash
# scripts/make-figures.sh — regenerate the figures committed under
# docs/figures/ (shown in the README): the scalability experiment at full
# size (every scheme, n = 8 ... 4096), index-explosion at full size (the
# raw index against sinusoidal, n = 8 ... 16384), and one figure of each
# training experiment (train-order, train-index-explosion,
# normalised-index-training, length-generalization).
#
#   scripts/make-figures.sh [BUILD_DIR]      (BUILD_DIR defaults to build)
#
# Runs each experiment into results/NAME with --resume (a finished run is
# reused, an interrupted one completed; about 80 minutes on 2 cores from
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

# figure NAME FAMILY -- PLOT_ARGS...: run, check, plot, copy the one figure
# FAMILY to docs/figures/NAME.png (the training experiments: one figure each)
figure() {
  local name=$1 fam=$2
  shift 3
  "$pelab" run "experiments/$name/full.yaml" --out "results/$name" --resume
  "$pelab" check "experiments/$name" "results/$name"
  rm -rf "results/$name/docs-figures"
  scripts/plot.sh "results/$name" "results/$name/docs-figures" --format png --title "$name" "$@"
  cp "results/$name/docs-figures/$fam.png" "docs/figures/$name.png"
}

# training: accuracy against the evaluation length (the training length and
# chance dashed), or the learning curves
figure train-order evaluation -- --overlay mask --metrics eval_acc,eval_loss
figure train-index-explosion curves -- --where train_len=256 --where norm=none --where init=probe --where optimizer=adamw --where clip=0
figure normalised-index-training evaluation -- --where task=agent
figure length-generalization evaluation -- --panels task --metrics eval_acc

# the position similarity Phi(p, q) of every scheme (no run needed: it
# depends on the scheme, n and d only)
"$pelab" heatmap configs/default.yaml --what phi --seq-len 64 --d-model 64 --out results/heatmap-phi
cp results/heatmap-phi/heatmap-phi.png docs/figures/heatmap-phi.png

ls -l docs/figures/*.png
for f in docs/figures/*.png; do
  [ "$(stat -c %s "$f")" -le 204800 ] || echo "make-figures.sh: warning: $f is larger than 200 KB" >&2
done
