#!/usr/bin/python3
"""Layers point one way: a file in lab/ or harness/ includes only its own folder and the folders
below it, in the order lab/README.md documents (its ```layers block, ground first).

    /usr/bin/python3 tests/include_order.py [CHECKOUT]    # exit 1 and one line per upward include
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
for path in sorted(p for top in ("lab", "harness") for p in (root / top).rglob("*") if p.suffix in (".cpp", ".hpp")):
    files += 1
    folder = str(path.parent.relative_to(root))
    if folder not in rank:
        unplaced.append(f"{path.relative_to(root)}: its folder {folder}/ is not in lab/README.md's layers")
        continue
    for number, line in enumerate(path.read_text().splitlines(), 1):
        m = include.match(line)
        if not m:
            continue
        target = str(pathlib.PurePosixPath(m.group(1)).parent)
        if target not in rank and target.split("/")[0] in ("lab", "harness"):
            unplaced.append(f"{path.relative_to(root)}:{number}: includes {m.group(1)}, whose folder is not in lab/README.md's layers")
        elif target in rank and rank[target] > rank[folder]:
            upward.append(f"{path.relative_to(root)}:{number}: includes {m.group(1)}, "
                          f"but {target}/ is above {folder}/")

for problem in unplaced + upward:
    print(problem)
print(f"{files} files in {len(order)} layers: {len(upward)} upward include(s), {len(unplaced)} file(s) in no layer")
sys.exit(1 if upward or unplaced else 0)
