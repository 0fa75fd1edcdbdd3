#!/usr/bin/env bash
# The same numbers on every x86 machine with FMA: builds pelab for the
# portable vector path (-DPELAB_NATIVE=OFF -mfma: plain C loops, fmaf in
# hardware), and for AVX2 + FMA (-march=haswell) when this CPU has them, runs
# CI-size sweeps (probe in f64, f32, bf16 and f16; training) with each build
# and with the native one (AVX-512 or AVX2 or portable), and compares every
# results.csv field but the timings, bit for bit (the text of the numbers, 17
# digits). (Without FMA in hardware the portable path rounds a * b + c twice,
# kernels/simd.h, and its numbers differ: not checked.)
#   scripts/check-vector-paths.sh [NATIVE_BUILD_DIR]   (default: build)
# Exit 0 when every build agrees, 1 on a difference (printed), 2 on a failed
# build or run.
set -euo pipefail
cd "$(dirname "$0")/.."
native=${1:-build}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

[ -x "$native/pelab" ] || { echo "check-vector-paths: no $native/pelab (build it first)" >&2; exit 2; }
if ! grep -qw fma /proc/cpuinfo 2>/dev/null; then
  echo "check-vector-paths: this CPU has no FMA (or no /proc/cpuinfo): nothing to compare, skipped"
  exit 0
fi
builds=("$native")
cmake -S . -B build-portable -DCMAKE_BUILD_TYPE=Release -DPELAB_NATIVE=OFF -DCMAKE_C_FLAGS=-mfma > "$work/cmake.log" 2>&1 &&
  cmake --build build-portable -j2 --target pelab > "$work/build.log" 2>&1 ||
  { cat "$work/cmake.log" "$work/build.log" >&2; exit 2; }
builds+=(build-portable)
if grep -qw avx2 /proc/cpuinfo; then
  cmake -S . -B build-avx2 -DCMAKE_BUILD_TYPE=Release -DPELAB_NATIVE=OFF -DCMAKE_C_FLAGS=-march=haswell \
    > "$work/cmake.log" 2>&1 && cmake --build build-avx2 -j2 --target pelab > "$work/build.log" 2>&1 ||
    { cat "$work/cmake.log" "$work/build.log" >&2; exit 2; }
  builds+=(build-avx2)
fi

# results.csv without the time_s columns
strip_times() {
  awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) drop[i] = ($i ~ /^time_s/) }
           { out = ""; for (i = 1; i <= NF; i++) if (!drop[i]) out = out (out == "" ? "" : ",") $i; print out }' "$1"
}

status=0
for cfg in experiments/precision/ci.yaml experiments/low-precision/ci.yaml experiments/train-order/ci.yaml; do
  for b in "${builds[@]}"; do
    tag=$(basename "$b")-$(basename "$(dirname "$cfg")")
    "$b/pelab" run "$cfg" --out "$work/$tag" > "$work/$tag.log" 2>&1 || { cat "$work/$tag.log" >&2; exit 2; }
    strip_times "$work/$tag/results.csv" > "$work/$tag.csv"
  done
  ref=$(basename "$native")-$(basename "$(dirname "$cfg")")
  rows=$(($(wc -l < "$work/$ref.csv") - 1))
  for b in "${builds[@]:1}"; do
    tag=$(basename "$b")-$(basename "$(dirname "$cfg")")
    simd=$("$b/pelab" bench --seq-len 16 --d-model 8 --repeat 1 --threads 1 --no-reference --no-blas 2>&1 |
      sed -n 's/^# engine: fused tiled attention, \([a-z0-9]*\) vector path.*/\1/p')
    if cmp -s "$work/$ref.csv" "$work/$tag.csv"; then
      echo "check-vector-paths: $cfg: $b ($simd) = $native, $rows rows bit for bit"
    else
      echo "check-vector-paths: $cfg: $b ($simd) differs from $native:"
      diff "$work/$ref.csv" "$work/$tag.csv" | head -6
      status=1
    fi
  done
done
exit $status
