#!/usr/bin/env bash
# Checks that no module of the workspace's crates imports a module that imports it (DESIGN §1).
#
# cargo-modules (`cargo install cargo-modules --version 0.27.0 --locked`; newer releases need a
# newer rustc) prints each crate's "uses" edges, resolved to the module that defines each item
# (a re-export counts as using the defining module). This script folds them to module level and
# prints every circle. Its own `--acyclic` flag works on items, where a method naming its own
# type is already a circle, so it is not used. Not part of CI: cargo-modules builds
# rust-analyzer, about fifteen minutes on two cores. `PKGS="analyzers assistant"` checks only those.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v cargo-modules >/dev/null || { echo "cargo-modules is not installed" >&2; exit 2; }
status=0
for pkg in ${PKGS:-prompts redact retriever cluster rcagraph analyzers assistant}; do
  cargo modules dependencies --lib -p "$pkg" --no-externs --no-sysroot --no-fns --no-types \
    --no-traits --no-owns 2>/dev/null |
    python3 -c '
import re, sys
pkg = sys.argv[1]
edges = {}
for line in sys.stdin:
    m = re.match(r"\s*\"([^\"]+)\" -> \"([^\"]+)\" \[label=\"uses\"", line)
    if m and m.group(1) != m.group(2):
        edges.setdefault(m.group(1), set()).add(m.group(2))
# Tarjan: every strongly connected component of more than one module is a circle.
index, low, stack, on, out, n = {}, {}, [], set(), [], [0]
def visit(v):
    index[v] = low[v] = n[0]; n[0] += 1; stack.append(v); on.add(v)
    for w in edges.get(v, ()):
        if w not in index:
            visit(w); low[v] = min(low[v], low[w])
        elif w in on:
            low[v] = min(low[v], index[w])
    if low[v] == index[v]:
        comp = []
        while True:
            w = stack.pop(); on.discard(w); comp.append(w)
            if w == v: break
        if len(comp) > 1: out.append(sorted(comp))
sys.setrecursionlimit(10000)
for v in list(edges):
    if v not in index: visit(v)
mods = len(set(edges) | {w for ws in edges.values() for w in ws})
if out:
    for c in out: print(pkg + ": modules importing each other: " + ", ".join(c))
    sys.exit(1)
print(f"{pkg}: {mods} modules, no circles")
' "$pkg" || status=1
done
exit $status
