#!/usr/bin/env bash
# `pelab tasks`: the task registry (src/train/task.c) as a table, one row per
# task with its vocabulary, classes, readout, chance and shortest length.
source "$(dirname "$0")/lib.bash"

expect_exit 0 "tasks lists the registry" "$PELAB" tasks
check "a header and five tasks" test "$(wc -l <"$TMP/out")" -eq 6
check "header" grep -Eq '^task +vocab +classes +readout +chance +min_len +meaning$' "$TMP/out"
check "agent: 16 tokens, 8 classes, pool, chance 0.5, n >= 3" grep -Eq '^agent +16 +8 +pool +0\.5 +3  [^ ]' "$TMP/out"
check "retrieve: 24, 16, pool, 1/16, n >= 9" grep -Eq '^retrieve +24 +16 +pool +0\.0625 +9  [^ ]' "$TMP/out"
check "shift: 16, 17, each, 1/16, n >= 2" grep -Eq '^shift +16 +17 +each +0\.0625 +2  [^ ]' "$TMP/out"
check "reverse: 16, 16, each, 1/16, n >= 2" grep -Eq '^reverse +16 +16 +each +0\.0625 +2  [^ ]' "$TMP/out"
check "majority: 16, 16, pool, 1/16, n >= 1" grep -Eq '^majority +16 +16 +pool +0\.0625 +1  [^ ]' "$TMP/out"
check "tasks in id order" test "$(awk 'NR > 1 {printf "%s ", $1}' "$TMP/out")" = "agent retrieve shift reverse majority "
check "nothing on stderr" test ! -s "$TMP/err"
expect_exit 0 "tasks --help" "$PELAB" tasks --help
check "help names the command" grep -q '^usage: pelab tasks' "$TMP/out"
expect_exit 0 "pelab --help" "$PELAB" --help
check "the usage lists tasks" grep -Eq '^  tasks  ' "$TMP/out"
expect_exit 2 "a bad option: exit 2" "$PELAB" tasks --bogus
check "names the bad option" grep -q "tasks: unknown option '--bogus'" "$TMP/err"
expect_exit 2 "an argument: exit 2" "$PELAB" tasks agent
finish
