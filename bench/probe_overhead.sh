#!/usr/bin/env bash
# A benchmark, not a test: what the lab's probe (lab/reference/app_probe.py) adds to a student's
# app. It prints figures beside the goal and never fails on them.
#
#   bash bench/probe_overhead.sh            # expects build/lab (sh cmake/setup.sh run|test builds it)
#   LAB=/path/to/lab ROUNDS=5 bash bench/probe_overhead.sh
#
# The same FastAPI app twice in one run, under the same uvicorn: the reference app as the lab's
# FastAPI twin (--with-fastapi, no probe) and as "your app" (--app lab/reference/apps.py:VARIANT,
# inside the probe). Each round is one `lab run blocking-async --with-fastapi --only K --app ...`
# (3 measured batches); the makespans of the two rows, their ratio per round, and the median ratio.
#    goal: probed / unprobed makespan within 1 % (0.99 to 1.01), for the blocking and awaiting apps.
# Load goes to 127.0.0.1 only; lab stops everything it starts.
BENCH=probe_overhead
source "$(dirname "$0")/lab_bench_setup.sh"

for pair in "1 blocking" "2 awaiting"; do
    set -- $pair
    row=$1 variant=$2
    for round in $(seq "$ROUNDS"); do
        "$LAB" run blocking-async --with-fastapi --only "$row" --repeat 3 --quiet --format json \
            --app lab/reference/apps.py:"$variant" --app-path /delay --out "$OUT" 2>/dev/null >"$OUT/$variant-$round.json"
    done
    /usr/bin/python3 - "$OUT" "$variant" "$ROUNDS" <<'PY'
import json, statistics, sys
out, variant, rounds = sys.argv[1], sys.argv[2], int(sys.argv[3])
ratios = []
for k in range(1, rounds + 1):
    rows = {c["server"]: c["measured_s"]["median"] for c in json.load(open(f"{out}/{variant}-{k}.json"))["configurations"]}
    ratios.append(rows["app"] / rows["fastapi"])
    print(f"{variant:9} round {k}: FastAPI twin {rows['fastapi']:.4f} s, probed {rows['app']:.4f} s, ratio {ratios[-1]:.4f}")
median = statistics.median(ratios)
print(f"{variant:9} median ratio probed/unprobed {median:.4f} (min {min(ratios):.4f}, max {max(ratios):.4f}); "
      f"goal 0.99-1.01: {'met' if 0.99 <= median <= 1.01 else 'not met'}")
PY
done
