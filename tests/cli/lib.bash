# Shared helpers for the CLI tests, sourced by each tests/cli/*.sh (CTest
# runs those; this file has another ending so that it is not one of them).
PELAB=${1:?usage: TEST.sh PELAB_BINARY SOURCE_DIR}
SRC=${2:?usage: TEST.sh PELAB_BINARY SOURCE_DIR}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
passed=0
failed=0

# check NAME COMMAND...: run COMMAND, count a pass when it exits 0.
check() {
  local name=$1; shift
  if "$@"; then
    passed=$((passed + 1)); echo "ok   $name"
  else
    failed=$((failed + 1)); echo "FAIL $name"
  fi
}

# expect_exit WANT NAME COMMAND...: run COMMAND (output to $TMP/out, $TMP/err)
# and check its exit status.
expect_exit() {
  local want=$1 name=$2; shift 2
  local got=0
  "$@" >"$TMP/out" 2>"$TMP/err" || got=$?
  if [ "$got" -eq "$want" ]; then
    passed=$((passed + 1)); echo "ok   $name"
  else
    failed=$((failed + 1)); echo "FAIL $name: exit $got, wanted $want"; sed 's/^/     /' "$TMP/err" | head -5
  fi
}

finish() {
  echo "$passed passed, $failed failed"
  [ "$failed" -eq 0 ]
}

# wait_rows FILE N PID: wait until FILE holds at least N rows below its header
# (polling every 10 ms), or until process PID has ended, or 60 s. A signal
# sent after it lands in a running sweep however fast the machine, which a
# fixed sleep cannot promise; returns 1 when PID ended first.
wait_rows() {
  local file=$1 n=$2 pid=$3 i
  for ((i = 0; i < 6000; i++)); do
    [ -f "$file" ] && [ "$(($(wc -l <"$file") - 1))" -ge "$n" ] && return 0
    kill -0 "$pid" 2>/dev/null || return 1
    sleep 0.01
  done
  return 1
}
