#!/usr/bin/env bash
# The README's figure: eval_acc against evaluation length, one panel per
# task, one line per scheme (the colours of scripts/plot/style.gp). pelab
# report draws one figure per task; this puts the five side by side.
#   experiments/length-generalization/figure.sh results/length-generalization docs/figures/length-generalization.png [TITLE]
set -euo pipefail
RES=${1:?usage: figure.sh RESULTS OUT.png [TITLE]}
OUT=${2:?usage: figure.sh RESULTS OUT.png [TITLE]}
TITLE=${3:-"eval_acc against evaluation length (trained on n = 9..16; mean ± std of 3 seeds; no mask)"}
HERE=$(cd "$(dirname "$0")" && pwd)
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
# columns by name: task, scheme, eval_len, eval_acc, eval_acc_std
awk -F, -v dir="$TMP" 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
  { print $c["eval_len"], $c["eval_acc"], ($c["eval_acc_std"] == "" ? 0 : $c["eval_acc_std"]) > (dir "/" $c["task"] "-" $c["scheme"] ".dat") }' "$RES/results.csv"
gnuplot <<GP
set terminal pngcairo size 1200,760 font 'DejaVu Sans,11' noenhanced
set output '$OUT'
load '$HERE/../../scripts/plot/style.gp'
set multiplot layout 2,3 title "$TITLE" font ',13'
set yrange [0:1.05]
set xrange [14:290]
set xtics (16,32,64,128,256)
set xlabel 'evaluation length n'
set ylabel 'eval_acc'
S="none index index_norm sinusoidal learned rope alibi t5"
LS="1 2 3 4 7 8 9 10"
do for [t in "agent retrieve shift reverse majority"] {
  set title t
  plot for [i=1:8] sprintf('$TMP/%s-%s.dat',t,word(S,i)) u 1:2:3 w yerrorlines ls word(LS,i)+0 notitle
}
unset title; unset border; unset tics; unset xlabel; unset ylabel; unset grid; unset logscale x
set key center center font ',12'
set xrange [0:1]; set yrange [0:1]
plot for [i=1:8] NaN w linespoints ls word(LS,i)+0 title word(S,i)
unset multiplot
GP
