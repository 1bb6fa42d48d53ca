#!/usr/bin/python3
"""Layers point one way: a file in lab/ or harness/ includes only its own folder and the folders
below it, in the order lab/README.md documents (its ```layers block, ground first). Inside a
folder the modules point one way too: a module is a header and its source (x.hpp, x.cpp), and A
uses B when either of A's files includes B's header; no module may come back to itself that way.
And no file includes more than 12 lab modules (its own header aside): a room that knows too much.

    /usr/bin/python3 tests/include_order.py [CHECKOUT]    # exit 1, one line per upward include or cycle
"""
import pathlib
import re
import sys

root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else pathlib.Path(__file__).parent.parent)
readme = (root / "lab/README.md").read_text()
block = re.search(r"```layers\n(.*?)```", readme, re.S)
if not block:
    sys.exit("lab/README.md: no ```layers block to check the includes against")
order = [line.split()[0] for line in block.group(1).splitlines() if line.strip()]
rank = {folder: place for place, folder in enumerate(order)}

include = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)
upward, unplaced, files = [], [], 0
uses = {}  # "lab/report/timeline" -> the modules of its own folder it includes
MOST_MODULES = 12  # a room that knows too much: more lab modules than this in one file
crowded = []
for path in sorted(p for top in ("lab", "harness") for p in (root / top).rglob("*") if p.suffix in (".cpp", ".hpp")):
    files += 1
    folder = str(path.parent.relative_to(root))
    if folder not in rank:
        unplaced.append(f"{path.relative_to(root)}: its folder {folder}/ is not in lab/README.md's layers")
        continue
    modules = {m for m in include.findall(path.read_text()) if m.split("/")[0] in ("lab", "harness")}
    modules.discard(str(path.relative_to(root).with_suffix(".hpp")))  # (its own header)
    if len(modules) > MOST_MODULES:
        crowded.append(f"{path.relative_to(root)}: includes {len(modules)} lab modules, over {MOST_MODULES}")
    for number, line in enumerate(path.read_text().splitlines(), 1):
        m = include.match(line)
        if not m:
            continue
        target = str(pathlib.PurePosixPath(m.group(1)).parent)
        module, used = path.relative_to(root).with_suffix(""), pathlib.PurePosixPath(m.group(1)).with_suffix("")
        if target == folder and str(used) != str(module):
            uses.setdefault(str(module), set()).add(str(used))
        if target not in rank and target.split("/")[0] in ("lab", "harness"):
            unplaced.append(f"{path.relative_to(root)}:{number}: includes {m.group(1)}, whose folder is not in lab/README.md's layers")
        elif target in rank and rank[target] > rank[folder]:
            upward.append(f"{path.relative_to(root)}:{number}: includes {m.group(1)}, "
                          f"but {target}/ is above {folder}/")


def way_back(start, module, seen):
    """The modules from `module` back to `start` along their includes, if there is a way."""
    for used in sorted(uses.get(module, ())):
        if used == start:
            return [used]
        if used not in seen and used > start:  # a cycle is named once, from its first module
            seen.add(used)
            rest = way_back(start, used, seen)
            if rest:
                return [used] + rest
    return None


cycles = [" -> ".join([m, first] + rest) for m in sorted(uses) for first in sorted(uses[m]) if first > m
          for rest in [way_back(m, first, {first})] if rest]
for problem in unplaced + upward + crowded + [f"{c}: modules of one folder include each other" for c in cycles]:
    print(problem)
print(f"{files} files in {len(order)} layers: {len(upward)} upward include(s), {len(unplaced)} file(s) in no layer, "
      f"{len(cycles)} include cycle(s) inside a folder, {len(crowded)} file(s) over {MOST_MODULES} lab modules")
sys.exit(1 if upward or unplaced or cycles or crowded else 0)
