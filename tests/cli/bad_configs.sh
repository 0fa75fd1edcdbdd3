#!/usr/bin/env bash
# Every config in tests/configs/bad is refused by validate and by run with
# exit 2 and "FILE:LINE:COLUMN: message" at the place its first line names
# ("# expect: LINE:COL: phrase"); run writes nothing.
source "$(dirname "$0")/lib.bash"
n=0
for f in "$SRC"/tests/configs/bad/*.yaml; do
  n=$((n + 1))
  name=$(basename "$f")
  expect=$(head -1 "$f" | sed -n 's/^# expect: //p')
  loc=${expect%%: *}
  phrase=${expect#*: }
  expect_exit 2 "validate $name" "$PELAB" validate "$f"
  check "$name: located at $loc" grep -qF "$f:$loc: " "$TMP/err"
  check "$name: says '$phrase'" grep -qF -- "$phrase" "$TMP/err"
  expect_exit 2 "run $name" "$PELAB" run "$f" --out "$TMP/out-$n" --quiet
  check "run $name wrote nothing" test ! -e "$TMP/out-$n"
done
check "there are bad configs to test" test "$n" -ge 10
finish
