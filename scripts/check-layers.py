#!/usr/bin/env python3
"""Check pelab's layering: a file includes only from its own layer or from
layers below it, and no two modules include each other (directly or round a
longer cycle).

Layers, lowest first (a folder each, under src/ and include/pelab/):
    base < kernels < pe < yaml < io < {lab, train} < run < {study, bench} < cli
lab and train are siblings (neither includes the other), as are study and
bench. A module is a header and its source (include/pelab/L/M.h,
src/L/M.c and the src/L/M*_impl.inc it includes). src/cli/ is the command
line: it may include every layer, nothing includes it.

Usage: scripts/check-layers.py [SOURCE_DIR]; exits 1 naming every
violation, 0 with a one-line summary."""
import os
import re
import sys

RANK = {"base": 0, "kernels": 1, "pe": 2, "yaml": 3, "io": 4, "lab": 5, "train": 5,
        "run": 6, "study": 7, "bench": 7, "cli": 8}
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def layer_of_path(rel):
    parts = rel.split("/")
    if parts[0] == "src" and len(parts) >= 3:
        return parts[1]
    if parts[:2] == ["include", "pelab"] and len(parts) >= 4:
        return parts[2]
    return None


def module_of(rel):
    layer = layer_of_path(rel)
    base = os.path.basename(rel)
    name = re.sub(r"(_impl)?\.(c|h|inc)$", "", base)
    return layer, name


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..")
    root = os.path.abspath(root)
    files = []
    for top in ("src", "include/pelab"):
        for d, _, names in os.walk(os.path.join(root, top)):
            for n in names:
                if n.endswith((".c", ".h", ".inc")):
                    files.append(os.path.relpath(os.path.join(d, n), root))
    problems, edges = [], {}
    for rel in sorted(files):
        layer = layer_of_path(rel)
        if layer not in RANK:
            problems.append(f"{rel}: not in a known layer ({', '.join(RANK)})")
            continue
        mod = module_of(rel)
        text = open(os.path.join(root, rel), encoding="utf-8").read()
        for m in INCLUDE.finditer(text):
            inc = m.group(1)
            line = text.count("\n", 0, m.start()) + 1
            if inc.startswith("pelab/"):
                parts = inc.split("/")
                if len(parts) != 3:
                    problems.append(f"{rel}:{line}: '{inc}' is not pelab/LAYER/MODULE.h")
                    continue
                target_layer = parts[1]
                target = (target_layer, re.sub(r"\.h$", "", parts[2]))
            else:
                # a file named by its path from here (a private header, an .inc, cli.h)
                path = os.path.normpath(os.path.join(os.path.dirname(rel), inc))
                if not os.path.exists(os.path.join(root, path)):
                    path = os.path.normpath(os.path.join("src", inc))  # -Isrc: "kernels/simd.h"
                if not os.path.exists(os.path.join(root, path)):
                    continue  # a system header spelled with quotes
                target_layer = layer_of_path(path)
                target = module_of(path)
            if target_layer not in RANK:
                problems.append(f"{rel}:{line}: includes '{inc}' from no known layer")
                continue
            if target_layer != layer:
                if target_layer == "cli":
                    problems.append(f"{rel}:{line}: includes the command line ('{inc}')")
                elif RANK[target_layer] >= RANK[layer]:
                    rel_word = "a sibling" if RANK[target_layer] == RANK[layer] else "a layer above"
                    problems.append(f"{rel}:{line}: {layer}/ includes '{inc}' from {rel_word} ({target_layer}/)")
            if target != mod:
                edges.setdefault(mod, set()).add(target)
    # cycles between modules
    state, stack, cycles = {}, [], []

    def visit(v):
        state[v] = 1
        stack.append(v)
        for w in sorted(edges.get(v, ())):
            if state.get(w) == 1:
                cyc = stack[stack.index(w):] + [w]
                cycles.append(" -> ".join(f"{a}/{b}" for a, b in cyc))
            elif not state.get(w):
                visit(w)
        stack.pop()
        state[v] = 2

    for v in sorted(edges):
        if not state.get(v):
            visit(v)
    for c in cycles:
        problems.append(f"include cycle: {c}")
    if problems:
        for p in problems:
            print(p)
        print(f"check-layers: {len(problems)} problem(s)")
        return 1
    n_mod = len({module_of(f) for f in files})
    print(f"check-layers: {len(files)} files in {n_mod} modules, every include goes down the layers, no cycle")
    return 0


if __name__ == "__main__":
    sys.exit(main())
