#!/usr/bin/env bash
# scripts/plot.sh — figures from a pelab results.csv, with gnuplot.
#
#   scripts/plot.sh RESULTS [OUTDIR] [--where COL=VALUE]... [--each COL]...
#                   [--all] [--format png|svg|both] [--title TEXT]
#
# RESULTS is a results folder (its results.csv) or the CSV file; OUTDIR
# defaults to RESULTS/figures. For each metric family (values, attention,
# gradients, order, and any other family `pelab metrics` lists) one figure:
# one panel per metric of the family, the metric against seq_len on log
# axes (log2 x; log y for magnitudes, linear for the bounded ones), one line
# per scheme, error bars from the NAME_std column, and a panel with the key.
# Only rows with status ok and a defined value are drawn; on log y axes only
# positive values (a metric with none is drawn on a linear axis instead).
#
# Other axes: results often hold several values of d_model, heads, mask,
# projection and dtype. A figure shows one combination, written in its title.
# By default that is the FIRST value of each axis, in sweep order;
# --where COL=VALUE picks another value, --each COL makes one set of figures
# per value of COL, --all one set per combination of every axis. Under
# sentence input every sentence is a point at its own length.
#
# Writes OUTDIR/FAMILY[-COMBINATION].png and .svg, and OUTDIR/index.tsv (one
# line per figure: family, png, svg, title) that `pelab report` reads.
# Exit status: 0 figures written; 2 bad usage or unreadable results; 3 gnuplot
# is not installed (one line on stderr says so; nothing is written).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
usage() { sed -n '3,4p' "$0" | sed 's/^# *//' >&2; exit 2; }
die() { echo "plot.sh: $*" >&2; exit 2; }

# ---- arguments ---------------------------------------------------------------
results='' outdir='' format=both title='' all=0
declare -a wheres=() eaches=()
while [ $# -gt 0 ]; do
  case $1 in
    --where) [ $# -ge 2 ] || usage; [[ $2 == *=* ]] || die "--where wants COL=VALUE, not '$2'"; wheres+=("$2"); shift 2 ;;
    --each) [ $# -ge 2 ] || usage; eaches+=("$2"); shift 2 ;;
    --all) all=1; shift ;;
    --format) [ $# -ge 2 ] || usage; format=$2; shift 2
              case $format in png|svg|both) ;; *) die "--format is png, svg or both, not '$format'" ;; esac ;;
    --title) [ $# -ge 2 ] || usage; title=$2; shift 2 ;;
    -h|--help) sed -n '2,25p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) die "unknown option '$1'" ;;
    *) if [ -z "$results" ]; then results=$1; elif [ -z "$outdir" ]; then outdir=$1; else die "one RESULTS and one OUTDIR only ('$1' is extra)"; fi; shift ;;
  esac
done
[ -n "$results" ] || usage
csv=$results
[ -d "$results" ] && csv=$results/results.csv
[ -r "$csv" ] || die "cannot read $csv"
[ -n "$outdir" ] || outdir=$(dirname "$csv")/figures
[ -n "$title" ] || title=$(basename "$(cd "$(dirname "$csv")" && pwd)")

# ---- gnuplot ------------------------------------------------------------------
if ! command -v gnuplot >/dev/null 2>&1; then
  echo "plot.sh: gnuplot is not installed: no figures (apt-get install gnuplot-nox)" >&2
  exit 3
fi
terminals=$(gnuplot -e 'set terminal' 2>&1 || true)
if grep -qw pngcairo <<<"$terminals"; then
  png_term="pngcairo enhanced font 'sans,10'"
elif grep -qw png <<<"$terminals"; then
  png_term="png enhanced font 'sans,10'"
  echo "plot.sh: gnuplot has no pngcairo terminal; using png" >&2
else
  png_term=''
  [ "$format" = png ] && die "gnuplot has no png terminal"
  format=svg
fi
svg_term="svg enhanced font 'sans,10' background rgb 'white'"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# ---- metric families ----------------------------------------------------------
# From `pelab metrics` when a pelab binary is at hand (PELAB_BIN, or pelab on
# PATH); otherwise the families of this version, with any other metric
# column in a family "other".
families_file=$work/families
bin=${PELAB_BIN:-$(command -v pelab || true)}
if [ -n "$bin" ] && [ -x "$bin" ] && "$bin" metrics >"$work/metrics.txt" 2>/dev/null; then
  awk 'NF >= 2 && $1 ~ /^[a-z0-9_]+$/ && $2 != "cost" { print $1, $2 }' "$work/metrics.txt" >"$families_file"
else
  cat >"$families_file" <<'EOF'
pe_max_abs values
pe_token_ratio values
logit_max_abs attention
attn_entropy attention
attn_max_weight attention
softmax_jacobian_norm gradients
grad_wq_norm gradients
grad_wk_norm gradients
grad_wv_norm gradients
grad_x_norm gradients
order_token_dist order
order_seq_dist order
equivariance_residual order
pos_min_dist geometry
pos_collisions geometry
length_consistency geometry
ti_residual geometry
mono_break geometry
mono_spearman geometry
sym_residual geometry
EOF
fi

# ---- one function per metric: its axis label and scale --------------------------
# panel METRIC LABEL log|lin [YMIN YMAX] appends the metric's panel to the
# figure being written ($fig_gp); the functions below name each metric.
plot_pe_max_abs()            { panel pe_max_abs "largest |PE| value" log; }
plot_pe_token_ratio()        { panel pe_token_ratio "mean ||PE_p|| / mean ||E_p||" log; }
plot_logit_max_abs()         { panel logit_max_abs "largest |logit|" log; }
plot_attn_entropy()          { panel attn_entropy "attention entropy / ln k" lin 0 1.05; }
plot_attn_max_weight()       { panel attn_max_weight "mean max attention weight" lin 0 1.05; }
plot_softmax_jacobian_norm() { panel softmax_jacobian_norm "||softmax Jacobian||_F" log; }
plot_grad_wq_norm()          { panel grad_wq_norm "||dL/dW_q||_F" log; }
plot_grad_wk_norm()          { panel grad_wk_norm "||dL/dW_k||_F" log; }
plot_grad_wv_norm()          { panel grad_wv_norm "||dL/dW_v||_F" log; }
plot_grad_x_norm()           { panel grad_x_norm "||dL/dE||_F" log; }
plot_order_token_dist()      { panel order_token_dist "token output change when reordered" log; }
plot_order_seq_dist()        { panel order_seq_dist "pooled output change when reordered" log; }
plot_equivariance_residual() { panel equivariance_residual "||f(pi X) - pi f(X)|| / ||f(X)||" log; }
plot_pos_min_dist()          { panel pos_min_dist "min distance between positions" log; }
plot_pos_collisions()        { panel pos_collisions "pairs of equal positions" lin; }
plot_length_consistency()    { panel length_consistency "max change of PE_p from n to 2n" log; }
plot_ti_residual()           { panel ti_residual "translation-invariance residual" log; }
plot_mono_break()            { panel mono_break "first k where similarity rises" lin; }
plot_mono_spearman()         { panel mono_spearman "Spearman(|p-q|, -similarity)" lin -1.05 1.05; }
plot_sym_residual()          { panel sym_residual "||Phi - Phi^T|| / ||Phi||" log; }
# a metric without its own function: log axis, its column name as label
plot_generic()               { panel "$1" "$1" log; }


# ---- the results: axes, schemes, metrics ------------------------------------------
# (bash arrays and one awk pass: a figure costs a handful of processes)
header=$(head -1 "$csv" | tr -d '\r')
IFS=, read -r -a cols <<<"$header"
declare -A COL=()
for i in "${!cols[@]}"; do COL[${cols[$i]}]=$((i + 1)); done
for c in scheme seq_len status; do [ -n "${COL[$c]:-}" ] || die "$csv has no column '$c': not a pelab results.csv?"; done
metrics=()
for c in "${cols[@]}"; do
  [[ $c == *_std ]] && continue
  [ -n "${COL[${c}_std]:-}" ] && metrics+=("$c")
done
[ ${#metrics[@]} -gt 0 ] || die "$csv has no metric columns (NAME with NAME_std)"
axes=()
for a in d_model heads mask projection dtype; do [ -n "${COL[$a]:-}" ] && axes+=("$a"); done

# the values of scheme and of each axis, in order of first appearance:
# VALUES[col] is a newline-separated list
declare -A VALUES=()
while IFS=$'\t' read -r c v; do VALUES[$c]+="$v"$'\n'; done < <(
  awk -F, -v names="scheme ${axes[*]}" -v hdr="$header" '
    BEGIN { nh = split(hdr, h, ","); for (i = 1; i <= nh; i++) col[h[i]] = i; nn = split(names, nm, " ") }
    NR > 1 { for (k = 1; k <= nn; k++) { x = $(col[nm[k]]); if (!seen[nm[k], x]++) print nm[k] "\t" x } }' "$csv")
mapfile -t schemes < <(printf '%s' "${VALUES[scheme]:-}")
[ ${#schemes[@]} -gt 0 ] || die "$csv has no rows"
declare -A GIDX=()   # scheme -> its line style: position in the whole file
for i in "${!schemes[@]}"; do GIDX[${schemes[$i]}]=$((i + 1)); done

# ---- which combinations of the other axes ------------------------------------------
for w in "${wheres[@]+"${wheres[@]}"}"; do
  k=${w%%=*}; v=${w#*=}
  [[ " ${axes[*]} " == *" $k "* ]] || die "--where $k: not an axis of $csv (axes: ${axes[*]})"
  [[ $'\n'"${VALUES[$k]}" == *$'\n'"$v"$'\n'* ]] || die "--where $k=$v: $k has no value '$v' (values: $(printf '%s' "${VALUES[$k]}" | tr '\n' ' ' | sed 's/ $//'))"
done
for e in "${eaches[@]+"${eaches[@]}"}"; do
  [[ " ${axes[*]} " == *" $e "* ]] || die "--each $e: not an axis of $csv (axes: ${axes[*]})"
done
# combos: lines of "axis=value axis=value ..."
combos=('')
declare -A NOTE=()   # axis -> " (of 16, 64)" when it has several values
declare -A VARY=()   # axis -> 1 when the figures take several of its values
for a in "${axes[@]}"; do
  mapfile -t vals < <(printf '%s' "${VALUES[$a]}")
  if [ ${#vals[@]} -gt 1 ]; then NOTE[$a]=" (of $(IFS=,; echo "${vals[*]}" | sed 's/,/, /g'))"; else NOTE[$a]=''; fi
  pick=()
  for w in "${wheres[@]+"${wheres[@]}"}"; do [ "${w%%=*}" = "$a" ] && pick=("${w#*=}"); done
  if [ ${#pick[@]} -eq 0 ]; then
    if [ $all = 1 ] || [[ " ${eaches[*]+"${eaches[*]}"} " == *" $a "* ]]; then pick=("${vals[@]}"); else pick=("${vals[0]}"); fi
  fi
  [ ${#pick[@]} -gt 1 ] && VARY[$a]=1
  next=()
  for c in "${combos[@]}"; do for v in "${pick[@]}"; do next+=("${c:+$c }$a=$v"); done; done
  combos=("${next[@]}")
done

# ---- extraction: one data file per (metric, scheme) -----------------------------------
# extract COMBO DIR: one awk pass over the rows (sorted by seq_len) with status ok that match
# COMBO writes DIR/METRIC.K ("seq_len mean std" of the K-th scheme of the
# whole file, defined values only), DIR/schemes (the schemes present, as
# "K name"), DIR/positive (metrics with a value > 0) and DIR/xrange.
extract() {
  local combo=$1 dir=$2 spec='' a v
  for kv in $combo; do a=${kv%%=*}; v=${kv#*=}; spec="$spec${COL[$a]}=$v;"; done
  mkdir -p "$dir"
  awk -F, -v spec="$spec" -v dir="$dir" -v ms="${metrics[*]}" -v order="$(printf '%s' "${VALUES[scheme]}" | tr '\n' '\034')" \
      -v sc="${COL[scheme]}" -v nc="${COL[seq_len]}" -v st="${COL[status]}" -v hdr="$header" '
    BEGIN {
      n = split(spec, parts, ";"); nf = 0
      for (i = 1; i <= n; i++) if (parts[i] != "") { eq = index(parts[i], "="); fc[++nf] = substr(parts[i], 1, eq - 1) + 0; fv[nf] = substr(parts[i], eq + 1) }
      nh = split(hdr, h, ","); for (i = 1; i <= nh; i++) col[h[i]] = i
      nm = split(ms, m, " ")
      ns = split(order, so, "\034"); for (i = 1; i <= ns; i++) gid[so[i]] = i
    }
    {
      for (i = 1; i <= nf; i++) if ($(fc[i]) != fv[i]) next
      if ($st != "ok") next
      k = gid[$sc]; present[k] = $sc
      x = $nc + 0; if (!havex || x < xlo) xlo = x; if (!havex || x > xhi) xhi = x; havex = 1
      for (j = 1; j <= nm; j++) {
        c = col[m[j]]; s = col[m[j] "_std"]; y = $c
        if (y == "" || y == "nan" || y == "inf" || y == "-inf") continue
        if (y + 0 > 0) pos[m[j]] = 1
        print $nc, y, ($s == "" ? 0 : $s) > (dir "/" m[j] "." k)
      }
    }
    END {
      for (k = 1; k <= ns; k++) if (k in present) print k, present[k] > (dir "/schemes")
      for (j in pos) print j > (dir "/positive")
      if (!havex) { xlo = 1; xhi = 2 } else if (xlo == xhi) xhi = 2 * xlo
      print xlo, xhi > (dir "/xrange")
    }' < <(tail -n +2 "$csv" | tr -d '\r' | sort -t, -s -g -k"${COL[seq_len]},${COL[seq_len]}")
  touch "$dir/schemes" "$dir/positive"
  return 0
}

# ---- writing a figure ------------------------------------------------------------------
# q VAR STRING: set VAR to STRING as a gnuplot single-quoted string (no
# command substitution: a fork per string made figures slow)
q() { local t=${2//\'/\'\'}; printf -v "$1" "'%s'" "$t"; }

# panel METRIC LABEL log|lin [YMIN YMAX]: on a log axis only positive values
# are drawn; a metric with no positive value at all is drawn on a linear axis
# (say, a residual that is exactly 0 for every scheme).
panel() {
  local metric=$1 label=$2 scale=$3 ymin=${4:-} ymax=${5:-} plots='' sel name f files=() ycol='2' qt ql qf qn
  while read -r sel name; do
    f=$data_dir/$metric.$sel
    [ -s "$f" ] && files+=("$sel $name")
  done <"$data_dir/schemes"
  if [ "$scale" = log ] && [ ${#files[@]} -gt 0 ] && [[ $'\n'"$positive" != *$'\n'"$metric"$'\n'* ]]; then
    scale=lin; label="$label (linear: no positive value)"
  fi
  [ "$scale" = log ] && ycol='($2 > 0 ? $2 : 1/0)'
  {
    q qt "$metric"; q ql "$label"
    echo "set title $qt noenhanced"
    echo "set ylabel $ql noenhanced"
    echo "unset label"
    if [ "$scale" = log ]; then echo "set logscale y 10; set format y '10^{%L}'"; else echo "unset logscale y; set format y '%g'"; fi
    if [ -n "$ymin" ]; then echo "set yrange [$ymin:$ymax]"; else echo "set yrange [*:*]"; fi
  } >>"$fig_gp"
  for entry in "${files[@]+"${files[@]}"}"; do
    sel=${entry%% *}; name=${entry#* }
    f=$data_dir/$metric.$sel
    q qf "$f"; q qn "$name"
    plots="${plots:+$plots, }$qf using 1:$ycol:3 with yerrorlines ls $(( (sel - 1) % 12 + 1 )) title $qn"
  done
  if [ -z "$plots" ]; then
    echo "set label 1 'undefined for every scheme' at graph 0.5, 0.5 center" >>"$fig_gp"
    echo "unset logscale y; set format y '%g'; set yrange [0:1]; set xrange [$x_lo:$x_hi]; plot NaN notitle" >>"$fig_gp"
  else
    echo "plot $plots" >>"$fig_gp"
  fi
  echo "unset label" >>"$fig_gp"
}

# key_panel: the schemes and their styles, alone in the last panel
key_panel() {
  local plots='' k qn
  for k in "${!schemes[@]}"; do
    q qn "${schemes[$k]}"
    plots="${plots:+$plots, }NaN with linespoints ls $(( k % 12 + 1 )) title $qn"
  done
  cat >>"$fig_gp" <<EOF
unset title; unset xlabel; unset ylabel; unset logscale; unset grid; unset border; unset tics
set xrange [0:1]; set yrange [0:1]
set key center center vertical maxrows 12 samplen 3 spacing 1.2 noenhanced
plot $plots
EOF
}

index_tsv=$outdir/index.tsv
mkdir -p "$outdir"
: >"$work/index.tsv"
# families in the order `pelab metrics` gives them; metrics of the results
# that no family lists go to "other"
declare -A FAMILY=()
fams=()
while read -r m f; do
  FAMILY[$m]=$f
  [[ " ${fams[*]+"${fams[*]}"} " == *" $f "* ]] || fams+=("$f")
done <"$families_file"
for m in "${metrics[@]}"; do
  [ "$m" = time_s ] && continue
  if [ -z "${FAMILY[$m]:-}" ]; then
    FAMILY[$m]=other
    [[ " ${fams[*]} " == *" other "* ]] || fams+=(other)
  fi
done

made=0
for combo in "${combos[@]}"; do
  tag=''
  note=''
  for kv in $combo; do
    a=${kv%%=*}; v=${kv#*=}
    [ -z "$v" ] && continue
    note="$note${note:+, }$a=$v${NOTE[$a]}"
    [ -n "${VARY[$a]:-}" ] && tag="$tag-$a$v"
  done
  data_dir=$work/data$tag
  extract "$combo" "$data_dir"
  read -r x_lo x_hi <"$data_dir/xrange"
  positive=$(<"$data_dir/positive")$'\n'
  for fam in "${fams[@]}"; do
    fam_metrics=()
    for m in "${metrics[@]}"; do
      [ "${FAMILY[$m]:-}" = "$fam" ] && fam_metrics+=("$m")
    done
    [ ${#fam_metrics[@]} -gt 0 ] || continue
    panels=$(( ${#fam_metrics[@]} + 1 ))
    if [ $panels -le 3 ]; then rows=1; ncol=$panels; elif [ $panels -le 4 ]; then rows=2; ncol=2; else rows=$(( (panels + 2) / 3 )); ncol=3; fi
    width=$(( ncol * 430 )); height=$(( rows * 340 + 60 ))
    fig_gp=$work/fig$tag-$fam.gp
    ftitle="$title: $fam${note:+ — $note}"
    {
      q qs "$here/plot/style.gp"; q qt "$title: $fam"; q qn "${note:-all rows}"
      echo "load $qs"
      echo "set multiplot layout $rows,$ncol title $qt.\"\\n\".$qn noenhanced font ',12'"
    } >"$fig_gp"
    for m in "${fam_metrics[@]}"; do
      echo "set xrange [*:*]; set xlabel 'sequence length n'; set border 3; set tics; set grid" >>"$fig_gp"
      if declare -F "plot_$m" >/dev/null; then "plot_$m"; else plot_generic "$m"; fi
    done
    key_panel
    echo "unset multiplot" >>"$fig_gp"
    base=$fam$tag
    run_gp=$work/run$tag-$fam.gp
    q qpng "$outdir/$base.png"; q qsvg "$outdir/$base.svg"; q qfig "$fig_gp"
    : >"$run_gp"
    if [ "$format" != svg ]; then
      printf 'set terminal %s size %d,%d\nset output %s\nload %s\nunset output\n' \
        "$png_term" "$width" "$height" "$qpng" "$qfig" >>"$run_gp"
    fi
    if [ "$format" != png ]; then
      printf 'reset\nset terminal %s size %d,%d\nset output %s\nload %s\nunset output\n' \
        "$svg_term" "$width" "$height" "$qsvg" "$qfig" >>"$run_gp"
    fi
    if ! gnuplot "$run_gp" 2>"$work/gnuplot.err"; then
      echo "plot.sh: gnuplot failed on the $fam figure:" >&2
      sed 's/^/  /' "$work/gnuplot.err" | head -20 >&2
      exit 1
    fi
    png=''; svg=''
    [ "$format" != svg ] && png=$base.png
    [ "$format" != png ] && svg=$base.svg
    printf '%s\t%s\t%s\t%s\n' "$fam" "$png" "$svg" "$ftitle" >>"$work/index.tsv"
    made=$((made + 1))
  done
done
mv "$work/index.tsv" "$index_tsv"
echo "plot.sh: $made figure(s) in $outdir"
