#!/usr/bin/env bash
# `pelab geometry`: the similarity curve and the metrics of one scheme, from
# the command line (closed forms: index Phi(0, k) = k + 1; index_norm with
# max_len 64 Phi(0, k) = (k+1)/64^2; RoFormer's bound B(0) = d/4 + 0.5 at d = 128).
source "$(dirname "$0")/lib.bash"

expect_exit 0 "rope bound, csv" "$PELAB" geometry --scheme rope --d-model 128 --max-distance 3 --format csv
check "bound rows start at B(0) = 32.5" grep -Pzq 'distance,bound\n0,32.5\n1,' "$TMP/out"
check "bound: a header and 4 rows" test "$(wc -l <"$TMP/out")" -eq 5
expect_exit 0 "index curve, csv" "$PELAB" geometry --scheme index --d-model 8 --seq-len 5 --format csv
check "index: Phi(0, k) = k + 1" cmp -s "$TMP/out" <(printf 'distance,phi\n0,1\n1,2\n2,3\n3,4\n4,5\n')
expect_exit 0 "index_norm metrics" "$PELAB" geometry --scheme index_norm --d-model 8 --seq-len 16
check "index_norm: length_consistency 0.5" grep -qx 'length_consistency   0.5' "$TMP/out"
check "index_norm: mono_break 1" grep -qx 'mono_break           1' "$TMP/out"
expect_exit 0 "alibi metrics" "$PELAB" geometry --scheme alibi --d-model 8 --seq-len 16
check "alibi: pos_min_dist undefined" grep -qx 'pos_min_dist         undefined' "$TMP/out"
cat >"$TMP/g.yaml" <<'YAML'
name: g
sweep:
  seq_len: [6]
  d_model: [8]
  scheme: [norm64]
schemes:
  norm64: {type: index_norm, max_len: 64}
YAML
expect_exit 0 "a named variant from a config" "$PELAB" geometry --config "$TMP/g.yaml" --scheme norm64 --format csv
check "norm64: Phi(0, k) = (k+1)/64^2" grep -Pzq 'distance,phi\n0,0.000244140625\n1,0.00048828125\n' "$TMP/out"
expect_exit 2 "learned past its max_len: exit 2" "$PELAB" geometry --scheme learned --d-model 8 --seq-len 1000
expect_exit 2 "an unknown scheme: exit 2" "$PELAB" geometry --scheme nope --d-model 8
finish
