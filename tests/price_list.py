#!/usr/bin/python3
"""The house pays for what it adds: each capability's C++ lines in lab/ and harness/ against its cap,
as lab/README.md's ```prices block gives them (a capability, its cap, the files it owns as globs;
a file is the first capability's that names it), and the whole against the round's cap. Every
file must be some capability's: a new file is priced, never free.

    /usr/bin/python3 tests/price_list.py [CHECKOUT]    # the table; exit 1 if a cap is passed
"""
import fnmatch
import pathlib
import re
import sys

root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else pathlib.Path(__file__).parent.parent)
block = re.search(r"```prices\n(.*?)```", (root / "lab/README.md").read_text(), re.S)
if not block:
    sys.exit("lab/README.md: no ```prices block to price the code against")
rows = [line.split() for line in block.group(1).splitlines() if line.strip()]
total_cap = next(int(r[1]) for r in rows if r[0] == "all")
priced = [(r[0], int(r[1]), r[2:]) for r in rows if r[0] != "all"]

lines, owner, unpriced = {name: 0 for name, _, _ in priced}, {}, []
for path in sorted(p for top in ("lab", "harness") for p in (root / top).rglob("*")
                   if p.suffix in (".cpp", ".hpp", ".h")):
    name = str(path.relative_to(root))
    count = len(path.read_text().splitlines())
    capability = next((c for c, _, globs in priced if any(fnmatch.fnmatch(name, g) for g in globs)), None)
    if capability is None:
        unpriced.append(name)
    else:
        lines[capability] += count

failures = [f"{name}: no capability of lab/README.md's prices owns it" for name in unpriced]
print(f"{'capability':<16} {'lines':>6} {'cap':>6}")
for name, cap, _ in priced:
    print(f"{name:<16} {lines[name]:>6} {cap:>6}" + ("  OVER" if lines[name] > cap else ""))
    if lines[name] > cap:
        failures.append(f"{name}: {lines[name]} lines, over its cap of {cap}")
whole = sum(lines.values())
print(f"{'all':<16} {whole:>6} {total_cap:>6}")
if whole > total_cap:
    failures.append(f"lab/ + harness/: {whole} lines, over the round's cap of {total_cap}")
for failure in failures:
    print("FAIL", failure)
sys.exit(1 if failures else 0)
