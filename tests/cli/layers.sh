#!/usr/bin/env bash
# The layering rule (scripts/check-layers.py): the tree passes it, and the
# checker does catch an include from a layer above, from a sibling, from the
# command line, and a cycle between modules (on a made-up tree).
source "$(dirname "$0")/lib.bash"
command -v python3 >/dev/null || { echo "python3 missing (scripts/install-deps.sh installs it)"; exit 1; }

expect_exit 0 "the source tree follows the layers" python3 "$SRC/scripts/check-layers.py" "$SRC"

t=$TMP/tree
mkdir -p "$t/src/base" "$t/src/pe" "$t/src/lab" "$t/src/train" "$t/src/cli" "$t/include/pelab/base" "$t/include/pelab/pe" \
         "$t/include/pelab/lab" "$t/include/pelab/train"
printf '#include "pelab/pe/encoding.h"\n' >"$t/src/base/status.c"              # base -> pe: upwards
printf '#include "pelab/train/model.h"\n' >"$t/src/lab/probe.c"                # lab -> train: a sibling
printf '#include "cli.h"\n' >"$t/src/cli/cli.h"
printf '#include "../cli/cli.h"\n' >"$t/src/lab/bad.c"                          # into the command line
printf '#include "pelab/pe/b.h"\n' >"$t/include/pelab/pe/a.h"                  # a -> b -> a
printf '#include "pelab/pe/a.h"\n' >"$t/include/pelab/pe/b.h"
touch "$t/include/pelab/pe/encoding.h" "$t/include/pelab/train/model.h"
expect_exit 1 "a broken tree is refused" python3 "$SRC/scripts/check-layers.py" "$t"
check "names the upward include" grep -q "src/base/status.c:1: base/ includes 'pelab/pe/encoding.h' from a layer above" "$TMP/out"
check "names the sibling include" grep -q "src/lab/probe.c:1: lab/ includes 'pelab/train/model.h' from a sibling" "$TMP/out"
check "names the include of the command line" grep -q "src/lab/bad.c:1: includes the command line" "$TMP/out"
check "names the cycle" grep -q "include cycle: pe/a -> pe/b -> pe/a" "$TMP/out"
finish
