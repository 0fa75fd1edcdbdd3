#!/usr/bin/env bash
# scripts/plot.sh — figures from a pelab results.csv, with gnuplot.
#
#   scripts/plot.sh RESULTS [OUTDIR] [--x AXIS] [--overlay AXIS] [--where COL=VALUE]...
#                   [--each COL]... [--all] [--panels AXIS] [--metrics M1,M2,...]
#                   [--format png|svg|both] [--title TEXT]
#
# RESULTS is a results folder (its results.csv) or the CSV file; OUTDIR
# defaults to RESULTS/figures. For each metric family (values, attention,
# gradients, order, geometry: the families of `pelab metrics`) one figure:
# one panel per metric of the family, the metric against the x axis (log2;
# log y for magnitudes, linear for the bounded ones), one line per scheme,
# error bars from the NAME_std column, and a panel with the key.
#
# Columns are found by name, by the one rule of every results.csv: the
# identity columns are those before `width`, the metrics those after
# `status` (each NAME with NAME_std). Training results (a train: config;
# identity columns KEY...,eval_len) get the family "evaluation" (eval_acc
# and eval_loss against eval_len, the default x axis there) and, from
# curves.csv beside results.csv, the family "curves": loss, train_acc and
# grad_norm against the training step, each the mean over the trials at
# that step with error bars of one standard deviation (trial 0 alone when
# the run has one trial). The metrics of the whole training run
# (train_loss, steps_to_fit, ...) do not depend on eval_len: they are in
# the report's tables, not in figures.
#
# Honest by construction:
# - a scheme has one colour and marker everywhere: line style K of
#   scripts/plot/style.gp is the K-th scheme of the registry (`pelab
#   schemes`); a named variant of a config (its type is in manifest.json's
#   "config") takes its type's colour with an open marker and dashes;
# - only rows with status ok are drawn; a scheme with no such row in the
#   figure is not in its key, and the caption names it and why;
# - an undefined (empty) value is not drawn, and the caption says which
#   metric and scheme; on a log axis a 0 is drawn on the bottom edge with an
#   open marker (a note in the panel says so) and a negative value is left
#   out (the caption counts them); a metric with no positive value at all is
#   drawn on a linear axis.
#
# Axes: --x seq_len (default; eval_len for training results), or another
# numeric identity column (d_model, heads, ...): the x axis. --overlay AXIS:
# the values of AXIS share each panel as line styles (solid, dashed, ...).
# The remaining identity columns but scheme and sentence (probe: d_model,
# heads, mask, projection, dtype, and seq_len when it is not x; train: task,
# mask, layers, lr, ... and every other key) make slices: a figure shows one
# slice, written in its title. By default the FIRST value of each axis, in sweep order;
# --where COL=VALUE picks another value, --each COL makes one set of figures
# per value of COL, --all one set per slice (`pelab report` draws --all).
# Under sentence input every sentence is a point at its own length.
#
# "Train short, test long": against eval_len (log2, a tick at each
# evaluation length) every panel of the evaluation figure has a dashed
# vertical line at the longest training length (the manifest's lengths.to;
# a swept train_len or train_to: the slice's own value, one line per value
# under --overlay), labelled in the eval_acc panel, and eval_acc a dashed
# horizontal line at the task's chance accuracy (`pelab tasks`, else the
# table of src/train/task.c); the caption says both. Loss, gradient norm
# and eval_loss are on a log axis where they span more than a decade,
# else linear. --panels AXIS: one figure with a panel per value of AXIS
# (--panels task: a column of panels per task, each with its own chance)
# instead of a figure per value. --metrics M1,M2: only those panels.
#
# Writes OUTDIR/FAMILY[-SLICE].png and .svg, and OUTDIR/index.tsv (one line
# per figure: family, png, svg, title, slice, caption) that `pelab report`
# reads. Exit status: 0 figures written; 2 bad usage or unreadable results;
# 3 gnuplot is not installed (one line on stderr says so; nothing is written).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
usage() { sed -n '3,5p' "$0" | sed 's/^# *//' >&2; exit 2; }
die() { echo "plot.sh: $*" >&2; exit 2; }

# ---- arguments ---------------------------------------------------------------
results='' outdir='' format=both title='' all=0 xaxis='' overlay='' paxis='' only=''
declare -a wheres=() eaches=()
while [ $# -gt 0 ]; do
  case $1 in
    --where) [ $# -ge 2 ] || usage; [[ $2 == *=* ]] || die "--where wants COL=VALUE, not '$2'"; wheres+=("$2"); shift 2 ;;
    --each) [ $# -ge 2 ] || usage; eaches+=("$2"); shift 2 ;;
    --all) all=1; shift ;;
    --x) [ $# -ge 2 ] || usage; xaxis=$2; shift 2 ;;
    --overlay) [ $# -ge 2 ] || usage; overlay=$2; shift 2 ;;
    --panels) [ $# -ge 2 ] || usage; paxis=$2; shift 2 ;;
    --metrics) [ $# -ge 2 ] || usage; [[ $2 =~ ^[A-Za-z0-9_]+(,[A-Za-z0-9_]+)*$ ]] || die "--metrics wants M1,M2,..., not '$2'"; only=$2; shift 2 ;;
    --format) [ $# -ge 2 ] || usage; format=$2; shift 2
              case $format in png|svg|both) ;; *) die "--format is png, svg or both, not '$format'" ;; esac ;;
    --title) [ $# -ge 2 ] || usage; title=$2; shift 2 ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
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
manifest=$(dirname "$csv")/manifest.json
curves_csv=$(dirname "$csv")/curves.csv

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

# ---- the registries: metric families and schemes -------------------------------
# From `pelab metrics` and `pelab schemes` when a pelab binary is at hand
# (PELAB_BIN, or pelab on PATH); otherwise the lists of this version.
bin=${PELAB_BIN:-$(command -v pelab || true)}
[ -n "$bin" ] || [ ! -x "$here/../build/pelab" ] || bin=$here/../build/pelab
if [ -n "$bin" ] && [ -x "$bin" ] && "$bin" metrics >"$work/metrics.txt" 2>/dev/null; then
  awk 'NF >= 2 && $1 ~ /^[a-z0-9_]+$/ && $2 != "cost" { print $1, $2 }' "$work/metrics.txt" >"$work/families"
else
  cat >"$work/families" <<'EOF'
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
# the training metrics (pelab/train/train.h): "-" is a metric of the whole
# training run, the same at every eval_len: a table, not a figure
cat >"$work/train_families" <<'EOF'
eval_acc evaluation
eval_loss evaluation
train_loss -
train_acc -
grad_norm_max -
grad_norm_median -
diverged -
diverged_step -
steps_to_fit -
logit_max_abs evaluation
EOF
registry=()
if [ -n "$bin" ] && [ -x "$bin" ] && "$bin" schemes >"$work/schemes.txt" 2>/dev/null; then
  mapfile -t registry < <(awk '$1 ~ /^[a-z0-9_]+$/ && $2 ~ /^(none|append|add|rotate|bias)$/ { print $1 }' "$work/schemes.txt")
fi
[ ${#registry[@]} -gt 0 ] || registry=(none index index_norm sinusoidal onehot binary learned rope alibi t5)
# chance accuracy of each training task: `pelab tasks` (its column chance),
# else this table of src/train/task.c (agent: 8 nouns but 2 candidates in
# a sentence; the others: 16 equally likely classes)
declare -A CHANCE=()
if [ -n "$bin" ] && [ -x "$bin" ] && "$bin" tasks >"$work/tasks.txt" 2>/dev/null; then
  while read -r t c; do CHANCE[$t]=$c; done < <(
    awk 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "chance") cc = i; next }
         cc && $1 ~ /^[a-z0-9_]+$/ && $cc ~ /^[0-9.]+([eE][-+]?[0-9]+)?$/ { print $1, $cc }' "$work/tasks.txt")
fi
chance_from='pelab tasks'
if [ ${#CHANCE[@]} -eq 0 ]; then
  CHANCE=([agent]=0.5 [retrieve]=0.0625 [shift]=0.0625 [reverse]=0.0625 [majority]=0.0625)
  chance_from='src/train/task.c'
fi
declare -A REG=()    # built-in name -> its line style (1-based registry position)
for i in "${!registry[@]}"; do REG[${registry[$i]}]=$((i + 1)); done
declare -A TYPE=()   # a config's named variant -> its built-in type (manifest.json "config")
if [ -r "$manifest" ]; then
  while IFS=$'\t' read -r name type; do TYPE[$name]=$type; done < <(
    grep -o '"[A-Za-z0-9_.-]*": *{"type": *"[a-z0-9_]*"' "$manifest" | sed 's/^"\([^"]*\)": *{"type": *"\([^"]*\)"/\1\t\2/')
fi
# the marker of each line style of style.gp
declare -A PT=()
while read -r k p; do PT[$k]=$p; done < <(awk '$1 == "set" && $2 == "style" && $3 == "line" { for (i = 5; i <= NF; i++) if ($i == "pt") print $4, $(i + 1) }' "$here/plot/style.gp")
# style NAME: the gnuplot line style of scheme NAME into $sty
style() {
  local name=$1 type=${TYPE[$1]:-$1} k p h c
  if [ -n "${REG[$name]:-}" ]; then sty="ls ${REG[$name]}"; return; fi
  if [ -n "${REG[$type]:-}" ]; then
    # a variant: its type's colour, the open twin of its marker, dashes
    # (unless --overlay uses the dashes)
    k=${REG[$type]}; p=${PT[$k]:-7}
    if [ "$p" -ge 5 ] && [ $((p % 2)) = 1 ]; then p=$((p - 1)); else p=6; fi
    sty="ls $k pt $p"
    [ -n "$overlay" ] || sty="$sty dt 2"
    return
  fi
  # not a scheme pelab knows: black, a marker from its name
  h=0; for ((c = 0; c < ${#name}; c++)); do h=$(( (h * 31 + $(printf '%d' "'${name:$c:1}")) % 6 )); done
  sty="ls 12 pt $(( 4 + 2 * h ))"
}

# ---- one function per metric: its axis label and scale --------------------------
# panel METRIC LABEL log|lin|auto [YMIN YMAX] appends the metric's panel to the
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
# training results, against eval_len
plot_eval_acc()              { panel eval_acc "accuracy at the evaluation length" lin 0 1.05; }
plot_eval_loss()             { panel eval_loss "cross-entropy at the evaluation length" auto; }
# training curves (curves.csv), against the step
plot_curve_loss()            { panel loss "training loss" auto; }
plot_curve_train_acc()       { panel train_acc "training accuracy" lin 0 1.05; }
plot_curve_grad_norm()       { panel grad_norm "gradient norm ||g||_2" auto; }
plot_curve_attn_entropy()    { panel attn_entropy "attention entropy / ln k" lin 0 1.05; }
plot_curve_logit_max_abs()   { panel logit_max_abs "largest |logit|" log; }
# the curves drawn, in panel order
curve_metrics=(loss train_acc grad_norm)
# a metric without its own function: log axis, its column name as label
plot_generic()               { panel "$1" "$1" log; }

# ---- the results: axes, schemes, metrics ------------------------------------------
header=$(head -1 "$csv" | tr -d '\r')
IFS=, read -r -a cols <<<"$header"
declare -A COL=()
for i in "${!cols[@]}"; do [ -n "${COL[${cols[$i]}]:-}" ] || COL[${cols[$i]}]=$((i + 1)); done
for c in scheme status; do [ -n "${COL[$c]:-}" ] || die "$csv has no column '$c': not a pelab results.csv?"; done
# the one rule: identity columns before width (before status without it),
# metrics after status
n_id=$(( ${COL[width]:-${COL[status]}} - 1 ))
ids=("${cols[@]:0:$n_id}")
kind=probe
[ -n "${COL[eval_len]:-}" ] && [ -z "${COL[seq_len]:-}" ] && kind=train
if [ -z "$xaxis" ]; then xaxis=seq_len; [ $kind = train ] && xaxis=eval_len; fi
[[ " ${ids[*]} " == *" $xaxis "* ]] && [ "$xaxis" != scheme ] ||
  die "--x $xaxis: not an identity column of $csv (those are: ${ids[*]})"
bad=$(awk -F, -v c="${COL[$xaxis]}" 'NR > 1 && $c !~ /^[-+]?[0-9]+([.][0-9]*)?([eE][-+]?[0-9]+)?$/ { print $c; exit }' "$csv")
[ -z "$bad" ] || die "--x $xaxis: not a numeric column ('$bad'); the x axis is a number (seq_len, eval_len, d_model, heads, ...)"
metrics=()
for c in "${cols[@]:${COL[status]}}"; do
  [[ $c == *_std ]] && continue
  [ -n "${COL[${c}_std]:-}" ] && metrics+=("$c")
done
[ ${#metrics[@]} -gt 0 ] || die "$csv has no metric columns (NAME with NAME_std after status)"
case $xaxis in
  seq_len) xlabel='sequence length n' ;; eval_len) xlabel='evaluation length n' ;;
  d_model) xlabel='d_{model}' ;; *) xlabel=$xaxis ;;
esac
axes=()
under_sentences=0
[ -n "${COL[sentence]:-}" ] && [ -n "$(awk -F, -v c="${COL[sentence]}" 'NR > 1 && $c != "" { print; exit }' "$csv")" ] && under_sentences=1
for a in "${ids[@]}"; do
  case $a in scheme|sentence|"$xaxis") continue ;; esac
  [ "$a" = seq_len ] && [ $under_sentences = 1 ] && continue
  axes+=("$a")
done
if [ -n "$overlay" ]; then
  [[ " ${axes[*]} " == *" $overlay "* ]] || die "--overlay $overlay: not an axis of $csv (axes: ${axes[*]})"
fi

# the values of scheme and of each axis, in order of first appearance
declare -A VALUES=()
while IFS=$'\t' read -r c v; do VALUES[$c]+="$v"$'\n'; done < <(
  awk -F, -v names="scheme ${axes[*]}" -v hdr="$header" '
    BEGIN { nh = split(hdr, h, ","); for (i = 1; i <= nh; i++) col[h[i]] = i; nn = split(names, nm, " ") }
    NR > 1 { for (k = 1; k <= nn; k++) { x = $(col[nm[k]]); if (!seen[nm[k], x]++) print nm[k] "\t" x } }' "$csv")
mapfile -t schemes < <(printf '%s' "${VALUES[scheme]:-}")
[ ${#schemes[@]} -gt 0 ] || die "$csv has no rows"
ovals=()
[ -n "$overlay" ] && mapfile -t ovals < <(printf '%s' "${VALUES[$overlay]}")
pvals=()
if [ -n "$paxis" ]; then
  [[ " ${axes[*]} " == *" $paxis "* ]] || die "--panels $paxis: not an axis of $csv (axes: ${axes[*]})"
  [ "$paxis" != "$overlay" ] || die "--panels $paxis: $paxis is the --overlay axis"
  mapfile -t pvals < <(printf '%s' "${VALUES[$paxis]}")
fi

# ---- which slices ------------------------------------------------------------------------
for w in "${wheres[@]+"${wheres[@]}"}"; do
  k=${w%%=*}; v=${w#*=}
  [[ " ${axes[*]} " == *" $k "* ]] || die "--where $k: not an axis of $csv (axes: ${axes[*]})"
  [ "$k" != "$overlay" ] || die "--where $k: $k is the --overlay axis"
  [ "$k" != "$paxis" ] || die "--where $k: $k is the --panels axis"
  [[ $'\n'"${VALUES[$k]}" == *$'\n'"$v"$'\n'* ]] || die "--where $k=$v: $k has no value '$v' (values: $(printf '%s' "${VALUES[$k]}" | tr '\n' ' ' | sed 's/ $//'))"
done
for e in "${eaches[@]+"${eaches[@]}"}"; do
  [[ " ${axes[*]} " == *" $e "* ]] || die "--each $e: not an axis of $csv (axes: ${axes[*]})"
done
combos=('')
declare -A NOTE=()   # axis -> " (of 16, 64)" when it has several values
declare -A VARY=()   # axis -> 1 when the figures take several of its values
for a in "${axes[@]}"; do
  [ "$a" = "$overlay" ] && continue
  [ "$a" = "$paxis" ] && continue
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

# ---- extraction ----------------------------------------------------------------------------
# extract COMBO DIR: one awk pass over the rows of COMBO (sorted by x) writes
#   DIR/METRIC.K.O   "x mean std" of the K-th scheme (order of the file) and
#                    the O-th overlay value (1 without --overlay), defined values
#   DIR/present      "K name" of the schemes with a row with status ok
#   DIR/stats        "METRIC minpos zeros negatives" over every scheme
#   DIR/undefined    "METRIC name" for each scheme with an undefined value
#   DIR/zeroes       "METRIC name" for each scheme with a value of 0
#   DIR/notok        "name<TAB>status" of each scheme without a row with status ok
#   DIR/xrange       "lo hi"
extract() {
  local combo=$1 dir=$2 spec='' a v
  for kv in $combo; do a=${kv%%=*}; v=${kv#*=}; spec="$spec${COL[$a]}=$v;"; done
  mkdir -p "$dir"
  awk -F, -v spec="$spec" -v dir="$dir" -v ms="${metrics[*]}" \
      -v order="$(printf '%s' "${VALUES[scheme]}" | tr '\n' '\034')" \
      -v oc="${overlay:+${COL[$overlay]}}" -v oorder="$(printf '%s\034' "${ovals[@]+"${ovals[@]}"}")" \
      -v sc="${COL[scheme]}" -v xc="${COL[$xaxis]}" -v st="${COL[status]}" -v hdr="$header" '
    BEGIN {
      n = split(spec, parts, ";"); nf = 0
      for (i = 1; i <= n; i++) if (parts[i] != "") { eq = index(parts[i], "="); fc[++nf] = substr(parts[i], 1, eq - 1) + 0; fv[nf] = substr(parts[i], eq + 1) }
      nh = split(hdr, h, ","); for (i = 1; i <= nh; i++) col[h[i]] = i
      nm = split(ms, m, " ")
      ns = split(order, so, "\034"); for (i = 1; i <= ns; i++) gid[so[i]] = i
      no = split(oorder, oo, "\034"); for (i = 1; i <= no; i++) oid[oo[i]] = i
    }
    {
      for (i = 1; i <= nf; i++) if ($(fc[i]) != fv[i]) next
      k = gid[$sc]; name[k] = $sc
      if ($st != "ok") { if (!(k in bad)) bad[k] = $st; next }
      ok[k] = 1
      o = oc == "" ? 1 : oid[$oc]
      x = $xc + 0; if (!havex || x < xlo) xlo = x; if (!havex || x > xhi) xhi = x; havex = 1
      for (j = 1; j <= nm; j++) {
        c = col[m[j]]; s = col[m[j] "_std"]; y = $c
        if (y == "") { undef[m[j], k] = 1; continue }
        if (y == "nan" || y == "inf" || y == "-inf") { undef[m[j], k] = 1; continue }
        y += 0
        if (y > 0 && (!(m[j] in minpos) || y < minpos[m[j]])) minpos[m[j]] = y
        if (y > 0 && (!(m[j] in maxpos) || y > maxpos[m[j]])) maxpos[m[j]] = y
        if (y == 0) { zeros[m[j]]++; if (!((m[j], k) in zs)) { zs[m[j], k] = 1; print m[j], $sc > (dir "/zeroes") } }
        if (y < 0) neg[m[j]]++
        print $xc, $c, ($s == "" ? 0 : $s) > (dir "/" m[j] "." k "." o)
      }
    }
    END {
      for (k = 1; k <= ns; k++) if (k in ok) print k, name[k] > (dir "/present")
      for (k = 1; k <= ns; k++) if ((k in name) && !(k in ok)) print name[k] "\t" bad[k] > (dir "/notok")
      for (j = 1; j <= nm; j++) {
        print m[j], (m[j] in minpos ? minpos[m[j]] : "-"), zeros[m[j]] + 0, neg[m[j]] + 0, (m[j] in maxpos ? maxpos[m[j]] : "-") > (dir "/stats")
        for (k = 1; k <= ns; k++) if ((m[j], k) in undef) print m[j], name[k] > (dir "/undefined")
      }
      if (!havex) { xlo = 1; xhi = 2 } else if (xlo == xhi) xhi = 2 * xlo
      print xlo, xhi > (dir "/xrange")
    }' < <(tail -n +2 "$csv" | tr -d '\r' | sort -t, -s -g -k"${COL[$xaxis]},${COL[$xaxis]}")
  touch "$dir/present" "$dir/undefined" "$dir/notok" "$dir/stats" "$dir/zeroes"
  return 0
}

# ---- writing a figure ------------------------------------------------------------------
# q VAR STRING: set VAR to STRING as a gnuplot single-quoted string (no
# command substitution: a fork per string made figures slow)
q() { local t=${2//\'/\'\'}; printf -v "$1" "'%s'" "$t"; }

# panel METRIC LABEL log|lin [YMIN YMAX]: see the header for zeros,
# negatives and undefined values on log axes.
panel() {
  local metric=$1 label=$2 scale=$3 ymin=${4:-} ymax=${5:-} plots='' sel name f o files=() qt ql qf qn
  local minpos zeros negs maxpos floor L
  read -r _ minpos zeros negs maxpos < <(grep "^$metric " "$data_dir/stats" || echo "$metric - 0 0 -")
  while read -r sel name; do
    for o in "${!oidx[@]}"; do
      f=$data_dir/$metric.$sel.${oidx[$o]}
      [ -s "$f" ] && files+=("$sel ${oidx[$o]} $name")
    done
  done <"$data_dir/present"
  # auto: log where the positive values span more than a decade, else linear
  if [ "$scale" = auto ]; then
    scale=lin
    [ "$minpos" != - ] && awk -v a="$minpos" -v b="$maxpos" 'BEGIN { exit !(b > 10 * a) }' && scale=log
  fi
  if [ "$scale" = log ] && [ ${#files[@]} -gt 0 ] && [ "$minpos" = - ]; then
    scale=lin; label="$label (linear: no positive value)"
  fi
  {
    q qt "${ptitle:-$metric}"; q ql "$label"
    echo "set title $qt noenhanced"
    echo "set ylabel $ql noenhanced"
    echo "unset label; unset arrow"
    if [ "$scale" = log ]; then echo "set logscale y 10; set format y '10^{%L}'"; else echo "unset logscale y; set format y '%g'"; fi
    if [ -n "$ymin" ]; then echo "set yrange [$ymin:$ymax]"; else echo "set yrange [*:*]"; fi
  } >>"$fig_gp"
  floor=''
  if [ "$scale" = log ] && [ "$zeros" -gt 0 ]; then
    # the floor: one decade below the smallest positive value, on a power of 10
    floor=$(awk -v m="$minpos" 'BEGIN { e = int(log(m) / log(10)); if (10 ^ e > m) e--; printf "%.17g", 10 ^ (e - 1) }')
    echo "set yrange [$floor:*]" >>"$fig_gp"
    q qt "$metric  (○ on the bottom edge: 0)"
    echo "set title $qt noenhanced" >>"$fig_gp"
    zero_notes+=("$metric ($(awk -v m="$metric" '$1 == m { printf "%s%s", (n++ ? ", " : ""), $2 }' "$data_dir/zeroes"))")
  fi
  [ "$scale" = log ] && [ "$negs" -gt 0 ] && neg_notes+=("$metric ($negs)")
  # the marks of "train short, test long" (evaluation against eval_len): a
  # dashed vertical line at each longest training length, in every panel
  # (labelled in eval_acc's), and chance accuracy dashed across eval_acc
  if [ -n "${marks_on:-}" ]; then
    {
      [ -n "${xr_lo:-}" ] && echo "set xrange [$xr_lo:$xr_hi]"
      [ -n "$eval_lens" ] && echo "set xtics ($(sed 's/ *$//; s/ /, /g' <<<"$eval_lens"))"
      for L in $mark_x; do
        echo "set arrow from first $L, graph 0 to first $L, graph 1 nohead dt 2 lw 1.5 lc rgb '#555555' front"
        if [ "$metric" = eval_acc ]; then
          q qn "longest training length${mark_of[$L]:+ ($overlay=${mark_of[$L]})}"
          echo "set label $qn at first $L, graph 0.97 right rotate by 90 offset 1.3,0 font ',8' tc rgb '#555555' front noenhanced"
        fi
      done
      if [ "$metric" = eval_acc ] && [ -n "$mark_chance" ]; then
        echo "set arrow from graph 0, first $mark_chance to graph 1, first $mark_chance nohead dt 2 lw 1.5 lc rgb '#555555' front"
        echo "set label 'chance' at graph 0.98, first $mark_chance right offset 0,0.6 font ',8' tc rgb '#555555' front"
      fi
    } >>"$fig_gp"
  fi
  for entry in "${files[@]+"${files[@]}"}"; do
    read -r sel o name <<<"$entry"
    f=$data_dir/$metric.$sel.$o
    q qf "$f"
    style "$name"
    local dt=''
    [ -n "$overlay" ] && dt=" dt $o"
    if [ "$scale" = log ]; then
      plots="${plots:+$plots, }$qf using 1:(\$2 > 0 ? \$2 : 1/0):3 with yerrorlines $sty$dt notitle"
      [ -n "$floor" ] && plots="$plots, $qf using 1:(\$2 == 0 ? $floor : 1/0) with points $(sed 's/ pt [0-9]*//; s/ dt [0-9]*//' <<<"$sty") pt 6 ps 1.3 notitle"
    else
      plots="${plots:+$plots, }$qf using 1:2:3 with yerrorlines $sty$dt notitle"
    fi
  done
  if [ -z "$plots" ]; then
    echo "set label 1 'undefined for every scheme' at graph 0.5, 0.5 center" >>"$fig_gp"
    echo "unset logscale y; set format y '%g'; set yrange [0:1]; set xrange [$x_lo:$x_hi]; plot NaN notitle" >>"$fig_gp"
  else
    echo "plot $plots" >>"$fig_gp"
  fi
  echo "unset label; unset arrow" >>"$fig_gp"
}

# key_panel: the schemes of this figure with their styles, and the overlay's
# line styles, alone in the last panel
key_panel() {
  local plots='' sel name qn o
  while read -r sel name; do
    q qn "$name"; style "$name"
    plots="${plots:+$plots, }NaN with linespoints $sty title $qn"
  done <"$data_dir/present"
  if [ -n "$overlay" ]; then
    for o in "${!ovals[@]}"; do
      q qn "$overlay=${ovals[$o]}"
      plots="${plots:+$plots, }NaN with lines lc rgb '#333333' lw 2 dt $((o + 1)) title $qn"
    done
  fi
  [ -n "$plots" ] || plots="NaN notitle"
  cat >>"$fig_gp" <<EOF
unset title; unset xlabel; unset ylabel; unset logscale; unset grid; unset border; unset tics; unset label
set xrange [0:1]; set yrange [0:1]
set key center center vertical maxrows 14 samplen 3 spacing 1.2 noenhanced
plot $plots
EOF
}

# one_panel FAM XLABEL lin|log2 METRIC: the panel of METRIC in a figure of FAM
one_panel() {
  local fam=$1 m=$4
  echo "set xrange [*:*]; set xlabel '$2'; set border 3; set xtics nomirror out scale 0.6 autofreq; set ytics nomirror out scale 0.6; unset x2tics; unset y2tics; set grid; set key off" >>"$fig_gp"
  if [ "$3" = lin ]; then echo "unset logscale x" >>"$fig_gp"; else echo "set logscale x 2" >>"$fig_gp"; fi
  if [ "$fam" = curves ] && declare -F "plot_curve_$m" >/dev/null; then "plot_curve_$m"
  elif [ "$fam" != curves ] && declare -F "plot_$m" >/dev/null; then "plot_$m"
  else plot_generic "$m"; fi
}

# blank_panel: an empty cell of the layout
blank_panel() {
  echo "unset title; unset xlabel; unset ylabel; unset logscale; unset grid; unset border; unset tics; unset label; unset arrow; set xrange [0:1]; set yrange [0:1]; plot NaN notitle" >>"$fig_gp"
}

# wrap TEXT WIDTH: TEXT broken at "; " into lines of at most WIDTH characters,
# joined by the two characters \n (for a gnuplot double-quoted string)
wrap() {
  awk -v w="$2" -v t="$1" 'BEGIN {
    n = split(t, p, "; "); line = ""; out = ""
    for (i = 1; i <= n; i++) {
      piece = p[i] (i < n ? ";" : "")
      if (line != "" && length(line) + 1 + length(piece) > w) { out = out (out == "" ? "" : "\\n") line; line = piece }
      else line = line (line == "" ? "" : " ") piece
    }
    out = out (out == "" ? "" : "\\n") line; printf "%s", out }'
}

index_tsv=$outdir/index.tsv
mkdir -p "$outdir"
: >"$work/index.tsv"
declare -A FAMILY=()
fams=()
while read -r m f; do
  FAMILY[$m]=$f
  [[ " ${fams[*]+"${fams[*]}"} " == *" $f "* ]] || fams+=("$f")
done < <(if [ $kind = train ]; then cat "$work/train_families"; else cat "$work/families"; fi)
for m in "${metrics[@]}"; do
  [ "$m" = time_s ] && continue
  if [ -z "${FAMILY[$m]:-}" ]; then
    FAMILY[$m]=other
    [[ " ${fams[*]} " == *" other "* ]] || fams+=(other)
  fi
done
oidx=(1)
if [ -n "$overlay" ]; then oidx=(); for o in "${!ovals[@]}"; do oidx+=($((o + 1))); done; fi

# figure FAM XLABEL lin|log2 CAPTION METRIC...: one figure of the current
# slice ($data_dir, $tag, $note, $slice): a panel per metric, then the key;
# its line in index.tsv, CAPTION first in its caption
figure() {
  local fam=$1 fxlabel=$2 xscale=$3 pre=$4 m i r=0 base_dir=$data_dir
  shift 4
  local fam_metrics=("$@")
  panels=$(( ${#fam_metrics[@]} + 1 ))
  if [ ${#pvals[@]} -gt 0 ]; then
    # --panels AXIS: a row per metric, a panel per value of AXIS, the key
    # at the end of the first row
    rows=${#fam_metrics[@]}; ncol=$(( ${#pvals[@]} + 1 )); panels=$(( rows * ncol ))
  elif [ $panels -le 3 ]; then rows=1; ncol=$panels; elif [ $panels -le 4 ]; then rows=2; ncol=2; else rows=$(( (panels + 2) / 3 )); ncol=3; fi
  width=$(( ncol * 430 ))
  sub=$(wrap "${note:-all rows}" $(( width / 10 )))
  # its lines: the two-character separators \n plus one (awk -v would
  # turn them into newlines before counting)
  local one=${sub//'\n'/}
  sublines=$(( (${#sub} - ${#one}) / 2 + 1 ))
  head_px=$(( 56 + 26 * (sublines + 1) ))
  height=$(( rows * 340 + head_px ))
  fig_gp=$work/fig$tag-$fam.gp
  zero_notes=() neg_notes=()
  {
    q qs "$here/plot/style.gp"; q qt "$title: $fam"
    echo "load $qs"
    [ "$xscale" = lin ] && echo "unset logscale x"
    echo "set multiplot layout $rows,$ncol title $qt.\"\\n$sub\" noenhanced font ',12' margins $(awk -v w=$width 'BEGIN { printf "%.4f", 80 / w }'),0.98,$(awk -v h=$height 'BEGIN { printf "%.4f", 58 / h }'),$(awk -v h=$height -v p=$head_px 'BEGIN { printf "%.4f", 1 - p / h }') spacing 0.09,0.14"
  } >"$fig_gp"
  for m in "${fam_metrics[@]}"; do
    r=$((r + 1))
    if [ ${#pvals[@]} -eq 0 ]; then
      ptitle=''
      set_marks "$fam" "$combo"
      one_panel "$fam" "$fxlabel" "$xscale" "$m"
      continue
    fi
    for i in "${!pvals[@]}"; do
      data_dir=$base_dir/p$i
      read -r x_lo x_hi <"$data_dir/xrange"
      ptitle="$m — $paxis=${pvals[$i]}"
      set_marks "$fam" "$combo $paxis=${pvals[$i]}"
      one_panel "$fam" "$fxlabel" "$xscale" "$m"
    done
    data_dir=$base_dir
    if [ $r = 1 ]; then key_panel; else blank_panel; fi
  done
  ptitle=''
  [ ${#pvals[@]} -gt 0 ] || key_panel
  echo "unset multiplot" >>"$fig_gp"
  # the caption: what is not drawn, and why
  caption=$pre
  if [ -s "$data_dir/notok" ]; then
    caption="${caption:+$caption }Not in the key (no cell ran in this slice): $(awk -F'\t' '{ printf "%s%s (%s)", (NR > 1 ? "; " : ""), $1, $2 }' "$data_dir/notok")."
  fi
  undef=$(awk -v ms=" ${fam_metrics[*]} " 'index(ms, " " $1 " ") { a[$1] = a[$1] (a[$1] == "" ? "" : ", ") $2; if (!($1 in seen)) { seen[$1] = 1; o[++n] = $1 } }
    END { for (i = 1; i <= n; i++) printf "%s%s for %s", (i > 1 ? "; " : ""), o[i], a[o[i]] }' "$data_dir/undefined")
  [ -n "$undef" ] && caption="${caption:+$caption }Undefined, so not drawn: $undef."
  [ ${#zero_notes[@]} -gt 0 ] && caption="${caption:+$caption }Zeros on a log axis, drawn on its bottom edge with an open circle: $(IFS=';'; echo "${zero_notes[*]}" | sed 's/;/; /g')."
  [ ${#neg_notes[@]} -gt 0 ] && caption="${caption:+$caption }Negative values left out of a log axis: ${neg_notes[*]}."
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
  printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$fam" "$png" "$svg" "$title: $fam${note:+ — $note}" "$slice" "$caption" >>"$work/index.tsv"
  made=$((made + 1))
}

# ---- training curves (curves.csv) ----------------------------------------------------
# Its key columns are those before `trial` (the results' identity columns
# but eval_len), found by name; its curve columns by name after `step` (a
# key column may have a curve column's name: lr).
declare -A CCOL=()
ccurves=()
n_trials=0
if [ $kind = train ] && [ -r "$curves_csv" ]; then
  cheader=$(head -1 "$curves_csv" | tr -d '\r')
  IFS=, read -r -a ccols <<<"$cheader"
  ctrial='' cstep=''
  for i in "${!ccols[@]}"; do
    c=${ccols[$i]}
    if [ -z "$ctrial" ]; then
      if [ "$c" = trial ]; then ctrial=$((i + 1)); else CCOL[$c]=$((i + 1)); fi
    elif [ -z "$cstep" ]; then
      [ "$c" = step ] && cstep=$((i + 1))
    else
      CCOL[curve:$c]=$((i + 1))
    fi
  done
  if [ -n "$ctrial" ] && [ -n "$cstep" ] && [ -n "${CCOL[scheme]:-}" ]; then
    for m in "${curve_metrics[@]}"; do [ -n "${CCOL[curve:$m]:-}" ] && ccurves+=("$m"); done
    n_trials=$(awk -F, -v c="$ctrial" 'NR > 1 && !seen[$c]++ { n++ } END { print n + 0 }' "$curves_csv")
  else
    echo "plot.sh: $curves_csv has no key, trial and step columns: no curves" >&2
  fi
fi

# extract_curves COMBO DIR: as extract, from curves.csv, x the step: each
# file "step mean std" over the trials at that step (std 0 with one trial)
extract_curves() {
  local combo=$1 dir=$2 spec='' a v mcols=''
  for kv in $combo; do
    a=${kv%%=*}; v=${kv#*=}
    [ -n "${CCOL[$a]:-}" ] && spec="$spec${CCOL[$a]}=$v;"
  done
  for m in "${ccurves[@]}"; do mcols="$mcols ${CCOL[curve:$m]}"; done
  rm -rf "$dir"; mkdir -p "$dir"
  awk -F, -v spec="$spec" -v dir="$dir" -v ms="${ccurves[*]}" -v mc="$mcols" \
      -v order="$(printf '%s' "${VALUES[scheme]}" | tr '\n' '\034')" \
      -v oc="${overlay:+${CCOL[$overlay]:-}}" -v oorder="$(printf '%s\034' "${ovals[@]+"${ovals[@]}"}")" \
      -v sc="${CCOL[scheme]}" -v xc="$cstep" '
    BEGIN {
      n = split(spec, parts, ";"); nf = 0
      for (i = 1; i <= n; i++) if (parts[i] != "") { eq = index(parts[i], "="); fc[++nf] = substr(parts[i], 1, eq - 1) + 0; fv[nf] = substr(parts[i], eq + 1) }
      nm = split(ms, m, " "); split(mc, mcol, " ")
      ns = split(order, so, "\034"); for (i = 1; i <= ns; i++) gid[so[i]] = i
      no = split(oorder, oo, "\034"); for (i = 1; i <= no; i++) oid[oo[i]] = i
    }
    {
      for (i = 1; i <= nf; i++) if ($(fc[i]) != fv[i]) next
      if (!($sc in gid)) next
      k = gid[$sc]; name[k] = $sc; ok[k] = 1
      o = oc == "" ? 1 : oid[$oc]
      x = $xc + 0; if (!havex || x < xlo) xlo = x; if (!havex || x > xhi) xhi = x; havex = 1
      for (j = 1; j <= nm; j++) {
        y = $(mcol[j])
        if (y == "" || y == "nan" || y == "inf" || y == "-inf") { undef[m[j], k] = 1; continue }
        key = m[j] SUBSEP k SUBSEP o SUBSEP $xc
        if (!(key in cnt)) { keys[++nk] = key; kx[nk] = x }
        cnt[key]++; sum[key] += y; sq[key] += y * y
      }
    }
    END {
      for (i = 1; i <= nk; i++) {
        split(keys[i], p, SUBSEP); key = keys[i]
        mean = sum[key] / cnt[key]
        var = cnt[key] > 1 ? (sq[key] - cnt[key] * mean * mean) / (cnt[key] - 1) : 0
        sd = var > 0 ? sqrt(var) : 0
        if (mean > 0 && (!(p[1] in minpos) || mean < minpos[p[1]])) minpos[p[1]] = mean
        if (mean > 0 && (!(p[1] in maxpos) || mean > maxpos[p[1]])) maxpos[p[1]] = mean
        if (mean == 0) { zeros[p[1]]++; if (!((p[1], p[2]) in zs)) { zs[p[1], p[2]] = 1; print p[1], name[p[2]] > (dir "/zeroes") } }
        if (mean < 0) neg[p[1]]++
        printf "%s %.17g %.17g\n", kx[i], mean, sd > (dir "/" p[1] "." p[2] "." p[3])
      }
      for (k = 1; k <= ns; k++) if (k in ok) print k, name[k] > (dir "/present")
      for (j = 1; j <= nm; j++) {
        print m[j], (m[j] in minpos ? minpos[m[j]] : "-"), zeros[m[j]] + 0, neg[m[j]] + 0, (m[j] in maxpos ? maxpos[m[j]] : "-") > (dir "/stats")
        for (k = 1; k <= ns; k++) if ((m[j], k) in undef) print m[j], name[k] > (dir "/undefined")
      }
      if (!havex) { xlo = 0; xhi = 1 } else if (xlo == xhi) xhi = xlo + 1
      print xlo, xhi > (dir "/xrange")
    }' < <(tail -n +2 "$curves_csv" | tr -d '\r' | sort -t, -s -g -k"$cstep,$cstep")
  touch "$dir/present" "$dir/undefined" "$dir/notok" "$dir/stats" "$dir/zeroes"
  return 0
}

# the training lengths and task, from the manifest's config
# ("lengths":{"from":A,"to":B}, "task":"T" when not swept); a swept
# train_len or train_to is a column, and then each row's own value
len_from='' len_to='' task_default=''
if [ $kind = train ] && [ -r "$manifest" ]; then
  read -r len_from len_to < <(grep -o '"lengths": *{"from": *[0-9]*, *"to": *[0-9]*}' "$manifest" | head -1 |
    sed 's/.*"from": *\([0-9]*\), *"to": *\([0-9]*\)}/\1 \2/' || true) || true
  task_default=$(grep -o '"task": *"[a-z0-9_]*"' "$manifest" | head -1 | sed 's/.*"\([a-z0-9_]*\)"$/\1/' || true)
fi
# the evaluation lengths: the x ticks of a figure against eval_len
eval_lens=''
[ $kind = train ] && [ "$xaxis" = eval_len ] &&
  eval_lens=$(awk -F, -v c="${COL[eval_len]}" 'NR > 1 && $c != "" && !seen[$c]++ { print $c }' "$csv" | sort -g | tr '\n' ' ')

# set_marks FAM KVS: the marks of a panel whose rows are KVS (COL=VALUE
# ...): mark_x, the longest training lengths (one per --overlay value when
# the overlay is train_len or train_to; mark_of: length -> that value),
# mark_chance (the chance accuracy of its task), mark_from, and the x range
# xr_lo..xr_hi that shows every mark; marks_on empty when FAM is not
# evaluation against eval_len
declare -A mark_of=()
set_marks() {
  local kv a v task=$task_default len='' from=$len_from
  mark_x='' mark_chance='' marks_on='' xr_lo='' xr_hi='' mark_from=$len_from
  mark_of=()
  [ "$1" = evaluation ] && [ "$xaxis" = eval_len ] || return 0
  for kv in $2; do
    a=${kv%%=*}; v=${kv#*=}
    case $a in task) task=$v ;; train_to) len=$v ;; train_len) len=$v from=$v ;; esac
  done
  mark_from=$from
  if [ "$overlay" = train_len ] || [ "$overlay" = train_to ]; then
    for v in "${ovals[@]}"; do mark_x="$mark_x${mark_x:+ }$v"; mark_of[$v]=$v; done
  elif [ -n "$len" ]; then mark_x=$len
  else mark_x=$len_to; fi
  [ -n "$task" ] && mark_chance=${CHANCE[$task]:-}
  mark_task=$task
  marks_on=1
  read -r xr_lo xr_hi < <(awk -v xs="$eval_lens $mark_x" 'BEGIN {
      n = split(xs, x, " "); lo = hi = ""
      for (i = 1; i <= n; i++) { if (lo == "" || x[i] + 0 < lo) lo = x[i] + 0; if (hi == "" || x[i] + 0 > hi) hi = x[i] + 0 }
      if (lo == "") { print ""; exit }
      if (lo == hi) { lo /= 2; hi *= 2 }
      printf "%.6g %.6g\n", lo / 2 ^ 0.25, hi * 2 ^ 0.25 }')
}

# eval_caption: the caption's start for the evaluation figure of $combo
eval_caption() {
  local t='' lens pl=''
  set_marks evaluation "$combo"
  [ -n "$paxis" ] && pl=" in each panel"
  if [ -n "$mark_x" ]; then
    if [ "$mark_from" = "$mark_x" ]; then t="it was trained at length $mark_x"; else t="it was trained on lengths $mark_from to $mark_x"; fi
  fi
  case "$overlay:$paxis" in
    train_len:*|train_to:*) t="it was trained up to its $overlay (${mark_x// /, })" ;;
    *:train_len|*:train_to) t="it was trained up to the $paxis of its panel" ;;
  esac
  printf 'Each model is evaluated on fresh samples at each evaluation length%s.' "${t:+; $t}"
  [ $kind = train ] && [ "$xaxis" = eval_len ] || return 0
  case "$overlay:$paxis" in
    train_len:*|train_to:*) lens="one dashed vertical line per $overlay, at each longest training length (${mark_x// /, })" ;;
    *:train_len|*:train_to) lens="the dashed vertical line$pl is at the panel's $paxis, the longest training length" ;;
    *) [ -n "$mark_x" ] && lens="the dashed vertical line$pl is at the longest training length ($mark_x)" ;;
  esac
  [ -n "$lens" ] && printf ' %s.' "${lens^}"
  if [ "$paxis" = task ]; then
    printf ' The dashed horizontal line in each eval_acc panel is the chance accuracy of its task (%s, from %s).' \
      "$(for v in "${pvals[@]}"; do printf '%s %s, ' "$v" "${CHANCE[$v]:-?}"; done | sed 's/, $//')" "$chance_from"
  elif [ -n "$mark_chance" ]; then
    printf ' The dashed horizontal line in the eval_acc panel is chance accuracy for task %s (%s, from %s).' "$mark_task" "$mark_chance" "$chance_from"
  fi
}

# --metrics M1,M2: only those panels (a family without one is not drawn)
declare -A SEL=()
if [ -n "$only" ]; then
  drawable=()
  for m in "${metrics[@]}"; do [ "$m" != time_s ] && [ "${FAMILY[$m]:-}" != - ] && drawable+=("$m"); done
  drawable+=("${ccurves[@]+"${ccurves[@]}"}")
  IFS=, read -r -a sel_list <<<"$only"
  for m in "${sel_list[@]}"; do
    [[ " ${drawable[*]} " == *" $m "* ]] || die "--metrics $m: not a metric drawn from $csv (those are: ${drawable[*]})"
    SEL[$m]=1
  done
fi
selected() { [ -z "$only" ] || [ -n "${SEL[$1]:-}" ]; }

made=0
for combo in "${combos[@]}"; do
  tag='' note='' slice=''
  for kv in $combo; do
    a=${kv%%=*}; v=${kv#*=}
    [ -z "$v" ] && continue
    note="$note${note:+; }$a=$v${NOTE[$a]}"
    if [ -n "${VARY[$a]:-}" ]; then tag="$tag-$a$v"; slice="$slice${slice:+, }$a=$v"; fi
  done
  [ -n "$overlay" ] && note="$note${note:+; }$overlay: line styles"
  [ -n "$paxis" ] && note="$note${note:+; }$paxis: a panel per value ($(IFS=,; echo "${pvals[*]}" | sed 's/,/, /g'))"
  data_dir=$work/data$tag
  extract "$combo" "$data_dir"
  for i in "${!pvals[@]}"; do extract "$combo $paxis=${pvals[$i]}" "$data_dir/p$i"; done
  read -r x_lo x_hi <"$data_dir/xrange"
  for fam in "${fams[@]}"; do
    [ "$fam" = - ] && continue
    fam_metrics=()
    for m in "${metrics[@]}"; do [ "${FAMILY[$m]:-}" = "$fam" ] && selected "$m" && fam_metrics+=("$m"); done
    [ ${#fam_metrics[@]} -gt 0 ] || continue
    pre=''
    [ "$fam" = evaluation ] && pre=$(eval_caption)
    figure "$fam" "$xlabel" log2 "$pre" "${fam_metrics[@]}"
  done
  fam_metrics=()
  for m in "${ccurves[@]+"${ccurves[@]}"}"; do selected "$m" && fam_metrics+=("$m"); done
  if [ ${#fam_metrics[@]} -gt 0 ]; then
    data_dir=$work/curves$tag
    extract_curves "$combo" "$data_dir"
    for i in "${!pvals[@]}"; do extract_curves "$combo $paxis=${pvals[$i]}" "$data_dir/p$i"; done
    read -r x_lo x_hi <"$data_dir/xrange"
    if [ "$n_trials" -gt 1 ]; then
      pre="Training curves from curves.csv: at each step the mean over the $n_trials trials, error bars ± one standard deviation."
    else
      pre="Training curves from curves.csv: trial 0 (the run has one trial)."
    fi
    figure curves 'training step' lin "$pre" "${fam_metrics[@]}"
  fi
done
mv "$work/index.tsv" "$index_tsv"
echo "plot.sh: $made figure(s) in $outdir"
