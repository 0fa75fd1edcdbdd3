#!/usr/bin/env bash
# `pelab heatmap --model`: a trained model's attention on a sample of its
# task. A tiny agent sweep with save: true (rope and alibi, 2 heads, 2
# layers), then: one CSV per layer, rows of probabilities summing to 1, the
# '#' line naming the model and its tokens, the same sample on every run,
# the logits, and the refusals (exit 2, naming the file).
source "$(dirname "$0")/lib.bash"
cd "$TMP" || exit 1

cat >"$TMP/hm.yaml" <<'YAML'
name: hm
train: {task: agent, steps: 30, batch: 4, lengths: {from: 8, to: 10}, eval_lengths: [10], eval_samples: 8, save: true}
sweep: {scheme: [rope, alibi], d_model: 8, heads: 2, layers: 2}
YAML
expect_exit 0 "a tiny sweep with save: true" "$PELAB" run "$TMP/hm.yaml" --out "$TMP/r" --quiet
model=$TMP/r/models/0-t0.safetensors
check "the rope model is saved" test -s "$model"

# rows_sum_to_1 CSV N: N rows of N entries, each row summing to 1, none negative
rows_sum_to_1() {
  awk -F, -v n="$2" '!/^#/ { rows++; if (NF != n) bad = 1; s = 0; for (i = 1; i <= NF; i++) { if ($i < 0) bad = 1; s += $i }
    if (s < 1 - 1e-5 || s > 1 + 1e-5) bad = 1 } END { exit bad || rows != n }' "$1"
}

expect_exit 0 "heatmap --model (defaults)" "$PELAB" heatmap --model "$model" --out "$TMP/h"
check "one CSV per layer: heatmap-attention-layer0.csv, -layer1.csv" \
  test "$(ls "$TMP/h" | grep -c '^heatmap-attention-layer[01]\.csv$')" -eq 2
check "no other CSV" test "$(ls "$TMP/h" | grep -c '\.csv$')" -eq 2
for l in 0 1; do
  check "layer $l: 16 rows of 16 weights, each row sums to 1" rows_sum_to_1 "$TMP/h/heatmap-attention-layer$l.csv" 16
done
head1=$(head -1 "$TMP/h/heatmap-attention-layer0.csv")
check "the '#' line names the model, the layer, the head and the task" \
  grep -q "^# pelab heatmap: what=attention head=0 layer=0 model=$model scheme=rope task=agent sample=0 n=16 " <<<"$head1"
check "and the sample's 16 tokens as text" grep -Eq ' tokens: ([NVf][0-9]+ ){15}[NVf][0-9]+ \(row i' <<<"$head1"
check "and the target and the prediction" grep -Eq ' target=N[0-7] predicted=N?[0-9]+ ' <<<"$head1"
if command -v gnuplot >/dev/null 2>&1; then
  check "the picture" test -s "$TMP/h/heatmap-attention.png"
fi

# the same sample every time; another sample is other tokens; alibi's model the same tokens
expect_exit 0 "again, into another folder" "$PELAB" heatmap --model "$model" --out "$TMP/h2"
check "the same CSV twice" cmp -s "$TMP/h/heatmap-attention-layer0.csv" "$TMP/h2/heatmap-attention-layer0.csv"
expect_exit 0 "--sample 3 --layer 1 --head 1 --seq-len 9" "$PELAB" heatmap --model "$model" --sample 3 --layer 1 --head 1 --seq-len 9 --out "$TMP/h3"
check "--layer 1: its CSV only" test "$(ls "$TMP/h3" | grep -c '\.csv$')" -eq 1
check "9 rows summing to 1" rows_sum_to_1 "$TMP/h3/heatmap-attention-layer1.csv" 9
check "head 1, layer 1, sample 3 in the '#' line" grep -q '^# pelab heatmap: what=attention head=1 layer=1 .* sample=3 n=9 ' "$TMP/h3/heatmap-attention-layer1.csv"
tokens() { head -1 "$1" | sed 's/.* tokens: //; s/ (row i.*//'; }
expect_exit 0 "the alibi model" "$PELAB" heatmap --model "$TMP/r/models/1-t0.safetensors" --out "$TMP/h4"
check "alibi's model sees the same tokens as rope's" test "$(tokens "$TMP/h/heatmap-attention-layer0.csv")" = "$(tokens "$TMP/h4/heatmap-attention-layer0.csv")"
check "alibi's weights sum to 1" rows_sum_to_1 "$TMP/h4/heatmap-attention-layer1.csv" 16
expect_exit 0 "--what logits" "$PELAB" heatmap --model "$model" --what logits --layer 0 --out "$TMP/h5"
check "heatmap-logits-layer0.csv: 16 rows of 16 numbers" \
  awk -F, '!/^#/ { rows++; if (NF != 16) bad = 1 } END { exit bad || rows != 16 }' "$TMP/h5/heatmap-logits-layer0.csv"

# refusals: exit 2, the file named
printf 'not a model' >"$TMP/junk.safetensors"
expect_exit 2 "a file that is not safetensors" "$PELAB" heatmap --model "$TMP/junk.safetensors" --out "$TMP/x"
check "its message names the file" grep -q "junk.safetensors" "$TMP/err"
/usr/bin/python3 - "$TMP/plain.safetensors" <<'PY'
import json, struct, sys
h = json.dumps({"w": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}}).encode()
open(sys.argv[1], "wb").write(struct.pack("<Q", len(h)) + h + struct.pack("<2f", 1, 2))
PY
expect_exit 2 "safetensors that are not a pelab model" "$PELAB" heatmap --model "$TMP/plain.safetensors" --out "$TMP/x"
check "'not a pelab model', the file named" grep -q "plain.safetensors: not a pelab model" "$TMP/err"
expect_exit 2 "a missing file" "$PELAB" heatmap --model "$TMP/none.safetensors" --out "$TMP/x"
check "its message names the file" grep -q "none.safetensors" "$TMP/err"
expect_exit 2 "--seq-len 2, below agent's 3" "$PELAB" heatmap --model "$model" --seq-len 2 --out "$TMP/x"
check "the minimum named, with the file" grep -q "0-t0.safetensors: --seq-len 2: task agent's samples have at least 3 tokens" "$TMP/err"
expect_exit 2 "--layer 2 of 2 layers" "$PELAB" heatmap --model "$model" --layer 2 --out "$TMP/x"
check "the layers counted, with the file" grep -q "0-t0.safetensors: --layer 2: the model has 2 layers" "$TMP/err"
expect_exit 2 "--head 2 of 2 heads" "$PELAB" heatmap --model "$model" --head 2 --out "$TMP/x"
check "the heads counted" grep -q "0-t0.safetensors: --head 2: the model has 2 heads" "$TMP/err"
expect_exit 2 "--what phi" "$PELAB" heatmap --model "$model" --what phi --out "$TMP/x"
expect_exit 2 "--model and a CONFIG" "$PELAB" heatmap "$TMP/hm.yaml" --model "$model"
expect_exit 2 "--scheme with --model" "$PELAB" heatmap --model "$model" --scheme rope
expect_exit 2 "--layer without --model" "$PELAB" heatmap "$TMP/hm.yaml" --layer 0
check "nothing written by the refusals" test ! -e "$TMP/x"

# a learned table of 12 rows: the default length is the table's, longer is refused
cat >"$TMP/hl.yaml" <<'YAML'
name: hl
train: {task: agent, steps: 5, batch: 2, lengths: {from: 8, to: 10}, eval_lengths: [10], eval_samples: 4, save: true}
sweep: {scheme: [learned12], d_model: 8, heads: 2}
schemes:
  learned12: {type: learned, max_len: 12}
YAML
expect_exit 0 "a learned model with 12 rows" "$PELAB" run "$TMP/hl.yaml" --out "$TMP/rl" --quiet
expect_exit 0 "its heatmap: 12 by default" "$PELAB" heatmap --model "$TMP/rl/models/0-t0.safetensors" --out "$TMP/hl"
check "12 rows summing to 1" rows_sum_to_1 "$TMP/hl/heatmap-attention-layer0.csv" 12
expect_exit 2 "--seq-len 13 above its table" "$PELAB" heatmap --model "$TMP/rl/models/0-t0.safetensors" --seq-len 13 --out "$TMP/x"
check "the table named, with the file" grep -q "0-t0.safetensors: --seq-len 13: the model's learned12 positions go up to 12" "$TMP/err"
finish
