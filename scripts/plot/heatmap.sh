#!/usr/bin/env bash
# scripts/plot/heatmap.sh — draw n x n matrices side by side, one colour scale.
#
#   scripts/plot/heatmap.sh --out PNG [--what attention|logits|phi] [--title TEXT]
#                           [--scale shared|each] [--labels "W0 W1 ..."]
#                           NAME CSV [NAME CSV]...
#
# Each CSV is what `pelab heatmap` writes: '#' lines, then row i = query i,
# column j = key j, comma-separated ("nan" where a causal mask hides an
# entry: drawn as the grey background). One panel per CSV, titled NAME, in
# a grid of up to 5 columns, with the viridis palette of palette.gp and one
# colour bar. --scale shared (the default for attention and logits): every
# panel on the same colour range, the minimum and maximum over all of them
# (attention from 0). --scale each (the default for phi, whose units differ
# from scheme to scheme: the raw index's Phi reaches n^2 where sinusoidal's
# stays below d/2): each panel divided by its own largest |value|, on the
# shared range [-1, 1] ([0, 1] when nothing is negative). --labels: the
# tick labels of both axes, one blank-separated word per row (a trained
# model's tokens), instead of the indices. PNG with pngcairo (png
# otherwise). Exit status: 0 drawn, 2 bad usage or an unreadable CSV, 3
# gnuplot is not installed.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
die() { echo "heatmap.sh: $*" >&2; exit 2; }
out='' what=attention title='' scale='' labels=''
names=() files=()
while [ $# -gt 0 ]; do
  case $1 in
    --out) [ $# -ge 2 ] || die "--out wants a file"; out=$2; shift 2 ;;
    --what) [ $# -ge 2 ] || die "--what wants a value"; what=$2; shift 2 ;;
    --title) [ $# -ge 2 ] || die "--title wants a text"; title=$2; shift 2 ;;
    --scale) [ $# -ge 2 ] || die "--scale wants shared or each"; scale=$2; shift 2
             case $scale in shared|each) ;; *) die "--scale is shared or each, not '$scale'" ;; esac ;;
    --labels) [ $# -ge 2 ] || die "--labels wants a text"; labels=$2; shift 2 ;;
    -h|--help) sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) die "unknown option '$1'" ;;
    *) [ $# -ge 2 ] || die "NAME '$1' has no CSV"; names+=("$1"); files+=("$2"); shift 2 ;;
  esac
done
[ -n "$out" ] || die "which --out PNG?"
[ ${#files[@]} -gt 0 ] || die "no NAME CSV pairs"
for f in "${files[@]}"; do [ -r "$f" ] || die "cannot read $f"; done
if ! command -v gnuplot >/dev/null 2>&1; then
  echo "heatmap.sh: gnuplot is not installed: no picture (apt-get install gnuplot-nox)" >&2
  exit 3
fi
if gnuplot -e 'set terminal' 2>&1 | grep -qw pngcairo; then term="pngcairo enhanced font 'sans,10'"; else term="png enhanced font 'sans,10'"; fi

# the shared range and the matrix size (of the first CSV; all have the same n)
read -r lo hi n < <(awk -F, '!/^#/ { if (FNR == 1 || !rows[FILENAME]++) {} for (i = 1; i <= NF; i++) if ($i != "nan" && $i != "") { v = $i + 0; if (!have || v < lo) lo = v; if (!have || v > hi) hi = v; have = 1 } if (FILENAME == first) n++ }
  BEGIN { first = ARGV[1] } END { if (!have) { lo = 0; hi = 1 } print lo, hi, n }' "${files[@]}")
[ -n "$scale" ] || { [ "$what" = phi ] && scale=each || scale=shared; }
[ "$what" = attention ] && lo=0
awk -v lo="$lo" -v hi="$hi" 'BEGIN { exit !(hi > lo) }' || hi=$(awk -v lo="$lo" 'BEGIN { print lo + 1 }')
# --scale each: every panel's largest |value| (1 for a panel of zeros)
declare -a amax=()
if [ "$scale" = each ]; then
  for f in "${files[@]}"; do
    amax+=("$(awk -F, '!/^#/ { for (i = 1; i <= NF; i++) if ($i != "nan" && $i != "") { v = $i < 0 ? -$i : $i; if (v > m) m = v } } END { printf "%.17g", (m > 0 ? m : 1) }' "$f")")
  done
  if awk -v lo="$lo" 'BEGIN { exit !(lo < 0) }'; then lo=-1; else lo=0; fi
  hi=1
fi
cblabel=$what
[ "$scale" = each ] && cblabel="$what / max |$what| of its panel"

k=${#files[@]}
ncol=$(( k < 5 ? k : 5 )); rows=$(( (k + ncol - 1) / ncol ))
pw=300 ph=320 bar=120 top=60
width=$(( ncol * pw + bar )); height=$(( rows * ph + top ))
q() { local t=${2//\'/\'\'}; printf -v "$1" "'%s'" "$t"; }
gp=$(mktemp)
trap 'rm -f "$gp"' EXIT
q qout "$out"; q qpal "$here/palette.gp"
{
  echo "set terminal $term size $width,$height background rgb 'white'"
  echo "set output $qout"
  echo "load $qpal"
  echo "set datafile separator ','"
  echo "set cbrange [$lo:$hi]"
  echo "set size ratio -1"
  echo "set tics out nomirror scale 0.5"
  echo "set xrange [-0.5:$n - 0.5]; set yrange [$n - 0.5:-0.5]"
  if [ -n "$labels" ]; then
    # one tic per row, labelled by its word (quotes and backslashes dropped)
    read -ra words <<<"$labels"
    tics=$(printf '%s\n' "${words[@]}" | awk '{ gsub(/["\\]/, ""); printf "%s\"%s\" %d", (NR > 1 ? ", " : ""), $0, NR - 1 }')
    echo "set xtics ($tics) rotate by 90 right font ',8' noenhanced; set ytics ($tics) font ',8' noenhanced"
  elif [ "$n" -le 10 ]; then echo "set xtics 0,1 font ',8'; set ytics 0,1 font ',8'"; else echo "set xtics font ',8'; set ytics font ',8'"; fi
  echo "set object 1 rectangle from graph 0,0 to graph 1,1 behind fillcolor rgb '#d9d9d9' fillstyle solid noborder"
  if [ "$what" = phi ]; then xl='position q' yl='position p'; else xl='key j' yl='query i'; fi
  yoff=2.2; [ -n "$labels" ] && yoff=0.8
  echo "set xlabel '$xl' offset 0,0.8 font ',9'; set ylabel '$yl' offset $yoff,0 font ',9'"
  # the title, wrapped to the width
  # (a double-quoted gnuplot string, where \n is a line break; \ and " escaped)
  wrapped=$(printf '%s' "$title" | fold -s -w $(( width / 8 )) | sed 's/ *$//; s/[\\"]/\\&/g' | awk '{ printf "%s%s", (NR > 1 ? "\\n" : ""), $0 }')
  echo "set multiplot title \"$wrapped\" noenhanced font ',11'"
  for i in "${!files[@]}"; do
    r=$(( i / ncol )); c=$(( i % ncol ))
    # panel i in screen coordinates
    x0=$(awk -v c=$c -v w=$width -v pw=$pw 'BEGIN { printf "%.4f", c * pw / w }')
    x1=$(awk -v c=$c -v w=$width -v pw=$pw 'BEGIN { printf "%.4f", (c + 1) * pw / w }')
    y1=$(awk -v r=$r -v h=$height -v ph=$ph -v top=$top 'BEGIN { printf "%.4f", 1 - (top + r * ph) / h }')
    y0=$(awk -v r=$r -v h=$height -v ph=$ph -v top=$top 'BEGIN { printf "%.4f", 1 - (top + (r + 1) * ph) / h }')
    # inside the cell: 52 px on the left for the tics and label, 10 on the
    # right, 26 on top for the title, 44 below for the tics and label
    echo "set lmargin at screen $x0 + 52.0 / $width; set rmargin at screen $x1 - 10.0 / $width"
    echo "set tmargin at screen $y1 - 26.0 / $height; set bmargin at screen $y0 + 44.0 / $height"
    if [ "$i" -eq 0 ]; then
      bx=$(awk -v w=$width -v b=$bar 'BEGIN { printf "%.4f", 1 - (b - 25) / w }')
      echo "set colorbox user origin screen $bx, screen 0.12 size screen $(awk -v w=$width 'BEGIN { printf "%.4f", 18 / w }'), screen 0.70"
      q qcb "$cblabel"
      echo "set cbtics font ',9'; set cblabel $qcb noenhanced font ',9' offset 0.5,0"
    else
      echo "unset colorbox"
    fi
    q qn "${names[$i]}"; q qf "${files[$i]}"
    echo "set title $qn noenhanced font ',10'"
    if [ "$scale" = each ]; then
      echo "plot $qf matrix using 1:2:(\$3 / ${amax[$i]}) with image notitle"
    else
      echo "plot $qf matrix with image notitle"
    fi
  done
  echo "unset multiplot"
} >"$gp"
gnuplot "$gp" 2>"$gp.err" || { sed 's/^/  /' "$gp.err" | head -20 >&2; rm -f "$gp.err"; echo "heatmap.sh: gnuplot failed" >&2; exit 1; }
rm -f "$gp.err"
