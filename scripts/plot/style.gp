# scripts/plot/style.gp — the style every pelab figure shares (loaded by
# scripts/plot.sh before each figure). Line style K belongs to the K-th
# scheme of the registry, in the order `pelab schemes` lists them, so a
# scheme has the same colour and marker in every figure of every report,
# whatever its place in a sweep. A config's named variant (normalised-index's
# fixed_L, of type index_norm) takes its type's style with the open twin of
# the marker (pt - 1) and dashes. Style 12 is for a name pelab does not know.
set encoding utf8
set datafile separator whitespace
set grid xtics ytics mxtics mytics lc rgb '#dddddd' lw 1 dt 1
set border 3 lc rgb '#444444'
set tics nomirror out scale 0.6
set logscale x 2
set format x '%g'
set xlabel 'sequence length n' offset 0,0.5
set key off
set bars small
set pointsize 0.8
set style line 1  lc rgb '#7f7f7f' lw 2 pt 7  dt 1   # none: grey, no position
set style line 2  lc rgb '#d62728' lw 2 pt 5  dt 1   # index
set style line 3  lc rgb '#ff7f0e' lw 2 pt 9  dt 1   # index_norm
set style line 4  lc rgb '#1f77b4' lw 2 pt 11 dt 1   # sinusoidal
set style line 5  lc rgb '#9467bd' lw 2 pt 13 dt 1   # onehot
set style line 6  lc rgb '#8c564b' lw 2 pt 15 dt 1   # binary
set style line 7  lc rgb '#e377c2' lw 2 pt 3  dt 1   # learned
set style line 8  lc rgb '#2ca02c' lw 2 pt 7  dt 1   # rope
set style line 9  lc rgb '#bcbd22' lw 2 pt 5  dt 1   # alibi
set style line 10 lc rgb '#17becf' lw 2 pt 9  dt 1   # t5
set style line 11 lc rgb '#aec7e8' lw 2 pt 13 dt 1   # a built-in added after t5
set style line 12 lc rgb '#000000' lw 2 pt 6  dt 1   # a name pelab does not know
