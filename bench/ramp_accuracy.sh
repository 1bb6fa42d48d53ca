#!/bin/bash
# `lab doctor --ramp` on tests/data/apps/capacity.py, RUNS runs (issue 57): the whole command's
# wall time, and each route's knee beside the limit that should set it (AnyIO's 20 tokens, as the
# app sets them, for /in_def and /in_dependency, asyncio's default executor of min(32, cores + 4)
# for /to_thread, SQLAlchemy's QueuePool of 5 + 10 for /pooled, 1 for /computes (the GIL) and
# /blocks (the loop), none up to the top for /awaits).
# Prints a line a run (with the estimate the doctor said before its first burst), then each route's
# median knee and its error against the limit.
#
#     bash bench/ramp_accuracy.sh [RUNS]        # from the repository's root, after a build
set -eu
cd "$(dirname "$0")/.."
runs=${1:-3}
lab=${LAB_BINARY:-build/lab}
out=$(mktemp -d /tmp/lab-ramp-accuracy-XXXXXX)
trap 'rm -rf "$out"' EXIT
executor=$(/usr/bin/python3 -c 'import os; print(min(32, (os.cpu_count() or 1) + 4))')
for run in $(seq "$runs"); do
    began=$(date +%s.%N)
    $lab doctor capacity.py --app-dir tests/data/apps --ramp --max-in-flight 48 --format json \
        --out "$out/$run" 2>/dev/null | sed -n '/^{$/,/^}$/p' > "$out/$run.json" || true
    wall=$(/usr/bin/python3 -c "print(round($(date +%s.%N) - $began, 1))")
    echo "$wall" > "$out/$run.wall"
done
/usr/bin/python3 - "$out" "$runs" "$executor" <<'EOF'
import json, statistics, sys
out, runs, executor = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
limits = {"/in_def": 20, "/in_dependency": 20, "/to_thread": executor, "/pooled": 15,
          "/computes": 1, "/blocks": 1, "/awaits": None}
knees = {path: [] for path in limits}
walls, ratios = [], []
for run in range(1, runs + 1):
    walls.append(float(open(f"{out}/{run}.wall").read()))
    doctor = json.load(open(f"{out}/{run}.json"))["doctor"]
    routes = {r["path"]: r for r in doctor["routes"]}
    ratios.append(walls[-1] / doctor["estimate_s"])
    line = [f"run {run}: {walls[-1]:6.1f} s (said {doctor['estimate_s']:.0f} s, wall/said {ratios[-1]:.2f})"]
    for path in limits:
        knee = routes.get(path, {}).get("knee_in_flight")
        knees[path].append(knee)
        line.append(f"{path} {knee}")
    print("  ".join(line))
print(f"wall time: median {statistics.median(walls):.1f} s (min {min(walls):.1f}, max {max(walls):.1f}); "
      f"wall / estimate: median {statistics.median(ratios):.2f}")
for path, limit in limits.items():
    found = [k for k in knees[path] if k is not None]
    if limit is None:
        print(f"{path:15} limit none   knees {knees[path]}  (none expected)")
        continue
    median = statistics.median(found) if found else None
    error = f"{100 * (median - limit) / limit:+.1f} %" if median is not None else "no knee"
    print(f"{path:15} limit {limit:3}   knees {knees[path]}  median {median}  error {error}")
EOF
