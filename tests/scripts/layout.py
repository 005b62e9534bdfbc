#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The runner's layout rules (README.md, "Layout"), checked on the tree.

usage: layout.py SOURCE_ROOT BUILD_DIR

TAP, one check per rule:
- every runner folder has a README that lists each of its files;
- basenames are unique across runner/, so an include names one file;
- no runner unit outside run/, targets/ and conform/ sees refvmm's vm.h,
  directly or through other headers (the compiler's own -MM, with the
  build's flags from compile_commands.json);
- the folders' include graph has no cycle;
- no command folder includes a header of another command's folder.
"""
import json
import os
import re
import shlex
import subprocess
import sys

COMMANDS = {"run", "conform", "show", "compare", "report", "info"}
MAY_SEE_VM = {"run", "targets", "conform"}

src, build = sys.argv[1], sys.argv[2]
runner = os.path.join(src, "runner")
n = 0
failed = 0


def result(ok, what, details=()):
    global n, failed
    n += 1
    if not ok:
        failed += 1
    print(("ok" if ok else "not ok") + " %d - %s" % (n, what))
    for d in details:
        print("#   " + d)


folders = sorted(d for d in os.listdir(runner) if os.path.isdir(os.path.join(runner, d)))
where = {}
dupes = []
for d in folders:
    for f in os.listdir(os.path.join(runner, d)):
        if f.endswith((".c", ".h")):
            if f in where:
                dupes.append("%s in %s and %s" % (f, where[f], d))
            where[f] = d
for f in os.listdir(runner):
    if f.endswith((".c", ".h")):
        where[f] = "."

missing = []
for d in folders:
    readme = os.path.join(runner, d, "README.md")
    text = open(readme).read() if os.path.exists(readme) else ""
    for f in sorted(os.listdir(os.path.join(runner, d))):
        if f.endswith((".c", ".h")) and "`%s`" % f not in text:
            missing.append("%s/%s is not in %s/README.md" % (d, f, d))
result(not missing, "each runner folder's README lists its files", missing)
result(not dupes, "runner basenames are unique", dupes)

# What each unit really includes, from the compiler.
db = json.load(open(os.path.join(build, "compile_commands.json")))
leaks = []
units = 0
for e in db:
    path = os.path.normpath(os.path.join(e["directory"], e["file"]))
    rel = os.path.relpath(path, runner)
    if rel.startswith("..") or "/" not in rel:
        continue
    folder = rel.split("/")[0]
    args = shlex.split(e["command"])
    keep = []
    skip = False
    for a in args:
        if skip:
            skip = False
            continue
        if a in ("-o", "-MQ", "-MF"):
            skip = True
            continue
        if a in ("-c", "-MD"):
            continue
        keep.append(a)
    out = subprocess.run(keep + ["-MM"], cwd=e["directory"], capture_output=True, text=True)
    if out.returncode:
        leaks.append("%s: the compiler failed: %s" % (rel, out.stderr.strip()[:200]))
        continue
    units += 1
    deps = out.stdout.replace("\\\n", " ").split()
    if folder not in MAY_SEE_VM and any(os.path.basename(x) == "vm.h" for x in deps):
        leaks.append("%s sees vm.h" % rel)
result(units > 0 and not leaks,
       "no runner unit outside run/, targets/, conform/ sees vm.h (%d units)" % units, leaks)

# The folder graph of direct includes.
edges = {}
cross = []
inc = re.compile(r'^#include "([^"]+)"', re.M)
for d in folders:
    for f in os.listdir(os.path.join(runner, d)):
        if not f.endswith((".c", ".h")):
            continue
        for h in inc.findall(open(os.path.join(runner, d, f)).read()):
            to = where.get(os.path.basename(h))
            if to in (None, ".", d):
                continue
            edges.setdefault(d, set()).add(to)
            if d in COMMANDS and to in COMMANDS:
                cross.append("%s/%s includes %s/%s" % (d, f, to, h))


def cycle_from(start):
    stack = [(start, [start])]
    while stack:
        node, path = stack.pop()
        for nxt in sorted(edges.get(node, ())):
            if nxt == start:
                return path + [start]
            if nxt not in path:
                stack.append((nxt, path + [nxt]))
    return None


cycles = sorted({" -> ".join(c) for c in (cycle_from(d) for d in folders) if c})
result(not cycles, "the runner folders' includes have no cycle", cycles)
result(not cross, "no command folder includes another command's header", cross)
graph = ["%s -> %s" % (d, ", ".join(sorted(edges[d]))) for d in sorted(edges)]
print("1..%d" % n)
for g in graph:
    print("# " + g)
sys.exit(1 if failed else 0)
