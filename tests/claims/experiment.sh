#!/usr/bin/env bash
# CTest (label "claims"): one experiment at CI size. Runs EXPERIMENT/ci.yaml
# into a temporary folder, checks EXPERIMENT/claims.yaml against it, and
# checks that the experiment folder is complete: full.yaml is a valid config
# and README.md has the sections `pelab report` shows.
#   tests/claims/experiment.sh PELAB_BINARY EXPERIMENT_DIR
set -euo pipefail
PELAB=${1:?usage: experiment.sh PELAB_BINARY EXPERIMENT_DIR}
EXP=${2:?usage: experiment.sh PELAB_BINARY EXPERIMENT_DIR}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
name=$(basename "$EXP")
for f in ci.yaml full.yaml claims.yaml README.md; do
  [ -f "$EXP/$f" ] || { echo "FAIL $name: no $f"; exit 1; }
done
for s in '## Question' '## Answer'; do
  grep -q "^$s" "$EXP/README.md" || { echo "FAIL $name: README.md has no '$s' section"; exit 1; }
done
"$PELAB" validate "$EXP/full.yaml"
ci=$EXP/ci.yaml
if [ -n "${PELAB_SANITIZED:-}" ] && grep -q '^train:' "$ci"; then
  # Under the sanitizers (.ci/run sets PELAB_SANITIZED=1) a training
  # experiment runs at a tenth of its steps and a sixteenth of its
  # evaluation: the memory and undefined-behaviour checks see every code
  # path, but the claims (decided by the full CI size in the normal build)
  # are only checked to be well-formed against the results (exit 0 or 1).
  sed -E 's/^( *)steps: *[0-9]+/\1steps: 20/; s/^( *)eval_samples: *[0-9]+/\1eval_samples: 32/' "$ci" >"$TMP/ci.yaml"
  ci=$TMP/ci.yaml
  echo "PELAB_SANITIZED: $name at 20 steps and 32 evaluation samples; claims checked for form only"
fi
to=$(sed -nE 's/^ *seq_len:.*to: *([0-9]+).*/\1/p' "$ci")
if [ -n "${PELAB_SANITIZED:-}" ] && ! grep -q '^train:' "$ci" && [ -n "$to" ] && [ "$to" -gt 1024 ]; then
  # A probe experiment whose lengths run past 1024 (low-precision: to 4096,
  # two minutes under the sanitizers here, and CI machines are slower) runs
  # to n = 1024 under the sanitizers: every code path is still exercised;
  # the claims (decided by the normal build) are checked for form only.
  sed -E '/^ *seq_len:/ s/to: *[0-9]+/to: 1024/' "$ci" >"$TMP/ci.yaml"
  ci=$TMP/ci.yaml
  echo "PELAB_SANITIZED: $name up to n = 1024; claims checked for form only"
fi
start=$(date +%s)
"$PELAB" run "$ci" --out "$TMP/results" --quiet
echo "ran $name at CI size in $(( $(date +%s) - start )) s"
# every claim must hold: pelab check prints one line per claim and exits 1
# when any fails
if [ "$ci" != "$EXP/ci.yaml" ]; then
  code=0
  "$PELAB" check "$EXP" "$TMP/results" || code=$?
  [ "$code" -le 1 ] || { echo "FAIL $name: pelab check exit $code"; exit 1; }
  exit 0
fi
"$PELAB" check "$EXP" "$TMP/results"
