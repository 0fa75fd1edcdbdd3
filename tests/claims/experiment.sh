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
start=$(date +%s)
"$PELAB" run "$EXP/ci.yaml" --out "$TMP/results" --quiet
echo "ran $name at CI size in $(( $(date +%s) - start )) s"
# every claim must hold: pelab check prints one line per claim and exits 1
# when any fails
"$PELAB" check "$EXP" "$TMP/results"
