#!/usr/bin/env bash
# Installs the Debian packages pelab needs to build, test and plot, when any
# is missing (apt-get; through sudo when not root). Safe to run again.
set -euo pipefail
packages=(build-essential cmake pkg-config libyaml-dev gnuplot-nox clang libclang-rt-14-dev libopenblas-dev cppcheck python3 libmd4c-dev libmd4c-html0-dev)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
echo "install-deps: installing ${missing[*]}"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
