#!/usr/bin/env bash
# Training sweeps through `pelab run`: every scheme learns majority at the
# training length; results.csv and curves.csv are the same numbers (but
# time_s) on 1 and 2 threads, after a kill and --resume, and from shards
# merged; a learned table shorter than an eval length skips that row only.
source "$(dirname "$0")/lib.bash"
small=$SRC/tests/data/train-small.yaml
majority=$SRC/tests/data/train-majority.yaml
cd "$TMP" || exit 1

# the columns but time_s and time_s_std
strip() {
  local f=$1 cols
  cols=$(head -1 "$f" | tr , '\n' | grep -nxE 'time_s|time_s_std' | cut -d: -f1 | paste -sd,)
  if [ -n "$cols" ]; then cut -d, -f"$cols" --complement "$f"; else cat "$f"; fi
}
# same A B: both exist and agree but time_s
same() { [ -s "$1" ] && [ -s "$2" ] && cmp -s <(strip "$1") <(strip "$2"); }
col() { head -1 "$1" | tr , '\n' | grep -nx "$2" | cut -d: -f1; }

# --- learning: majority needs no position, every scheme must learn it ---
# (under the sanitizers, .ci/run sets PELAB_SANITIZED=1: three schemes, the
# same steps, so that the learning is still checked at a tenth of the cost)
nschemes=10
if [ -n "${PELAB_SANITIZED:-}" ]; then
  sed 's/^  scheme: .*/  scheme: [none, rope, t5]/' "$majority" >"$TMP/majority.yaml"
  majority=$TMP/majority.yaml
  nschemes=3
  echo "     PELAB_SANITIZED: majority on 3 schemes only"
fi
expect_exit 0 "majority: every scheme trains" "$PELAB" run "$majority" --out "$TMP/maj" --quiet
acc=$(col "$TMP/maj/results.csv" eval_acc)
status=$(col "$TMP/maj/results.csv" status)
check "majority: $nschemes rows, all ok" test "$(tail -n +2 "$TMP/maj/results.csv" | cut -d, -f"$status" | grep -cx ok)" -eq "$nschemes"
low=$(tail -n +2 "$TMP/maj/results.csv" | awk -F, -v c="$acc" '$c < 0.95 {print $1 " " $c}')
check "majority: eval_acc >= 0.95 for every scheme${low:+ (below: $low)}" test -z "$low"
tail -n +2 "$TMP/maj/results.csv" | awk -F, -v c="$acc" '{printf "     %-11s eval_acc %s\n", $1, $c}'

# --- determinism ---
expect_exit 0 "small sweep on 1 thread" "$PELAB" run "$small" --out "$TMP/t1" --threads 1 --quiet
expect_exit 0 "small sweep on 2 threads" "$PELAB" run "$small" --out "$TMP/t2" --threads 2 --quiet
check "results.csv: 1 and 2 threads agree (but time_s)" same "$TMP/t1/results.csv" "$TMP/t2/results.csv"
check "curves.csv: 1 and 2 threads agree" same "$TMP/t1/curves.csv" "$TMP/t2/curves.csv"
rows=$(($(wc -l <"$TMP/t1/results.csv") - 1))
check "60 rows (30 cells x 2 eval lengths)" test "$rows" -eq 60
check "curves: 2 trials x 4 rows per cell" test "$(($(wc -l <"$TMP/t1/curves.csv") - 1))" -eq 240
check "curves.csv header" grep -qx 'scheme,task,d_model,heads,layers,norm,init,mask,optimizer,lr,clip,batch,steps,dtype,trial,step,loss,train_acc,grad_norm,lr,logit_max_abs,attn_entropy' <(head -1 "$TMP/t1/curves.csv")
check "a learned table of 16 rows skips eval length 24 only" \
  test "$(grep -c 'skipped: eval length 24 exceeds learned max_len 16' "$TMP/t1/results.csv")" -eq 6
check "and runs eval length 12" test "$(grep -c '^learned16,[a-z]*,16,2,2,pre,probe,[a-z]*,adamw,0.003,0,8,40,f32,12,16,2,ok,' "$TMP/t1/results.csv")" -eq 6

# kill and --resume: SIGINT once some cells are on disk
"$PELAB" run "$small" --out "$TMP/k" --threads 2 --quiet >/dev/null 2>&1 &
pid=$!
if wait_rows "$TMP/k/results.csv" 4 "$pid"; then kill -INT "$pid"; fi
wait "$pid"
code=$?
check "interrupted run exits 130 (or finished first: 0)" test "$code" -eq 130 -o "$code" -eq 0
expect_exit 0 "resume finishes the sweep" "$PELAB" run "$small" --out "$TMP/k" --resume --quiet
check "results.csv after kill + resume equals the uninterrupted run (but time_s)" same "$TMP/t1/results.csv" "$TMP/k/results.csv"
check "curves.csv after kill + resume equals it too" same "$TMP/t1/curves.csv" "$TMP/k/curves.csv"

# shards
ok=1
for k in 0 1 2; do "$PELAB" run "$small" --shard "$k/3" --out "$TMP/sh/$k" --quiet || ok=0; done
check "3 shards run" test "$ok" -eq 1
expect_exit 0 "merge the shards" "$PELAB" merge "$TMP/merged" "$TMP/sh/0" "$TMP/sh/1" "$TMP/sh/2"
check "merged results.csv equals the unsharded run (but time_s)" same "$TMP/t1/results.csv" "$TMP/merged/results.csv"
check "merged curves.csv equals it too" same "$TMP/t1/curves.csv" "$TMP/merged/curves.csv"

# save: true writes each trial's model as safetensors
cat >"$TMP/save.yaml" <<'EOF2'
name: save
trials: 2
train: {task: shift, steps: 5, batch: 2, lengths: {from: 4, to: 6}, eval_lengths: [6], eval_samples: 4, save: true}
sweep: {scheme: [rope, index], d_model: 8, heads: 2}
EOF2
expect_exit 0 "a sweep with save: true" "$PELAB" run "$TMP/save.yaml" --out "$TMP/save" --quiet
check "4 model files (2 cells x 2 trials)" test "$(ls "$TMP/save/models" | grep -c '^[01]-t[01]\.safetensors$')" -eq 4
check "a safetensors header with the model's metadata" grep -q '"format":"pelab-model-1"' "$TMP/save/models/1-t1.safetensors"
check "the index cell's input projection, 8 + 1 wide" grep -q '"in_proj.weight":{"dtype":"F32","shape":\[9,8\]' "$TMP/save/models/1-t1.safetensors"
if /usr/bin/python3 -c 'import numpy' 2>/dev/null; then
  # the README's loader, without pelab
  check "numpy reads it (the README's loader)" /usr/bin/python3 - "$TMP/save/models/0-t0.safetensors" <<'EOF2'
import json, struct, sys, numpy as np
raw = open(sys.argv[1], "rb").read()
(n,) = struct.unpack("<Q", raw[:8])
header, data = json.loads(raw[8:8 + n]), raw[8 + n:]
meta = header.pop("__metadata__", {})
dt = {"F32": "<f4", "F64": "<f8"}
w = {k: np.frombuffer(data[b:e], dtype=dt[v["dtype"]]).reshape(v["shape"])
     for k, v in header.items() for b, e in [v["data_offsets"]]}
assert w["tok_emb.weight"].shape == (16, 8) and w["head.weight"].shape == (8, 17) and w["blocks.1.attn.wq.weight"].shape == (8, 8), w.keys()
assert meta["scheme"] == "rope" and meta["task"] == "shift" and np.isfinite(w["head.weight"]).all()
EOF2
fi

# a training config is validated like every config
cat >"$TMP/bad.yaml" <<'EOF2'
name: bad
train:
  task: agent
  stesp: 10
sweep:
  scheme: none
  d_model: 8
EOF2
expect_exit 2 "a misspelt train key exits 2" "$PELAB" validate "$TMP/bad.yaml"
check "located, with a suggestion" grep -q "bad.yaml:4:3: .*stesp.*steps" "$TMP/err"
finish
