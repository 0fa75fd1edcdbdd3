# scripts/plot/palette.gp — viridis (matplotlib's perceptually uniform
# colour map, from dark blue through green to yellow), sampled at eleven
# points: the palette of every pelab heatmap (scripts/plot/heatmap.sh).
set palette defined ( 0 '#440154', 1 '#482475', 2 '#414487', 3 '#355f8d', 4 '#2a788e', \
                      5 '#21918c', 6 '#22a884', 7 '#44bf70', 8 '#7ad151', 9 '#bddf26', 10 '#fde725' )
set palette maxcolors 0
