#!/usr/bin/env bash
# Fuzz the config loader with libFuzzer: scripts/fuzz.sh [SECONDS] (default 60).
# Builds build-fuzz/ with clang, starts from the configs the tree has (the
# good and bad test configs, probe and training, configs/, tests/data, the
# experiments' configs; copied into a scratch corpus), fails on any crash,
# leak or hang (a single input taking over 10 s). Run it longer to look harder:
#   scripts/fuzz.sh 3600
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-60}
CC=clang cmake -S . -B build-fuzz -DPELAB_FUZZ=ON -DCMAKE_BUILD_TYPE=Debug >/dev/null
cmake --build build-fuzz --target fuzz_config -j2 >/dev/null
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# (each seed named after its folder: two folders may hold a scaling.yaml)
for f in tests/configs/good/*.yaml tests/configs/bad/*.yaml tests/configs/train/good/*.yaml \
         tests/configs/train/bad/*.yaml configs/*.yaml tests/data/*.yaml experiments/*/ci.yaml \
         experiments/*/full.yaml; do
  cp "$f" "$work/$(dirname "$f" | tr / _)-$(basename "$f")"
done
mkdir -p build-fuzz/artifacts
# -dict: YAML punctuation and pelab's keys help the mutator reach deep paths
./build-fuzz/fuzz_config "$work" -dict=tests/fuzz/config.dict -max_total_time="$secs" -timeout=10 \
  -rss_limit_mb=2048 -max_len=4096 -artifact_prefix=build-fuzz/artifacts/ -print_final_stats=1 2>&1 | tail -25
