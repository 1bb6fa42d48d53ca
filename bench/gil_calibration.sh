#!/usr/bin/env bash
# A benchmark, not a test: is the lab's emulated GIL (`lab serve --gil`) as harsh as CPython's?
# It prints figures beside the goal and never fails on them.
#
#   bash bench/gil_calibration.sh            # expects build/lab (sh cmake/setup.sh run|test builds it)
#   LAB=/path/to/lab ROUNDS=9 PAIRS="gil-convoy:1" bash bench/gil_calibration.sh   (LESSON:ROW ...)
#
# The same load on the C++ row under --gil and on its real FastAPI twin (uvicorn, CPython 3.11's
# GIL), in one run: `lab run LESSON --with-fastapi --only K` for gil-convoy's row 1 (4 `def`
# routes computing 200 ms, /health every 10 ms) and qr-code's row 2 (5 computing, every 25 ms).
# Each measured batch gives the bystander's median and worst wait, as the lesson reports them;
# the goal compares the median of the worst waits over every batch of every round (45 by
# default). One round's worst wait on the real stack alone moves by a factor of two or more (190
# to 746 ms in nine rounds of qr-code), so the worst of a round, or of five rounds, never settled.
#    goal: the C++ row's worst wait within 25 % of the real row's (ratio 0.75 to 1.25).
# Load goes to 127.0.0.1 only; lab stops everything it starts.
BENCH=gil_calibration
ROUNDS=${ROUNDS:-9}
source "$(dirname "$0")/lab_bench_setup.sh"

for pair in ${PAIRS:-gil-convoy:1 qr-code:2}; do
    lesson=${pair%:*} row=${pair#*:}
    for round in $(seq "$ROUNDS"); do
        "$LAB" run "$lesson" --with-fastapi --only "$row" --quiet --format json --out "$OUT" 2>/dev/null \
            >"$OUT/$lesson-$round.json"
    done
    /usr/bin/python3 - "$OUT" "$lesson" "$ROUNDS" <<'PY'
import json, statistics, sys
out, lesson, rounds = sys.argv[1], sys.argv[2], int(sys.argv[3])
# Every measured batch of every round: the bystander's median wait and its worst wait (ms).
batches = {"lab": ([], []), "fastapi": ([], [])}
for k in range(1, rounds + 1):
    line = []
    for c in json.load(open(f"{out}/{lesson}-{k}.json"))["configurations"]:
        probes = [b["probe_latency_s"] for b in c["batches"]]
        p50s, worsts = [1000 * p["p50"] for p in probes], [1000 * p["max"] for p in probes]
        batches[c["server"]][0].extend(p50s)
        batches[c["server"]][1].extend(worsts)
        line.append(f"{'C++ --gil' if c['server'] == 'lab' else 'FastAPI'} {statistics.median(p50s):5.1f} / {statistics.median(worsts):5.1f} ms")
    print(f"{lesson:10} round {k}: a batch's median / worst wait of GET /health, median of the round's batches: " + ", ".join(line))
(lab_p50, lab_max), (real_p50, real_max) = batches["lab"], batches["fastapi"]
worst_ratio = statistics.median(lab_max) / statistics.median(real_max)
median_ratio = statistics.median(lab_p50) / statistics.median(real_p50)
print(f"{lesson:10} over {len(lab_max)} batches each: median wait C++ {statistics.median(lab_p50):.1f}, FastAPI {statistics.median(real_p50):.1f} ms "
      f"(ratio {median_ratio:.2f}); worst wait C++ {statistics.median(lab_max):.1f}, FastAPI {statistics.median(real_max):.1f} ms "
      f"(ratio {worst_ratio:.2f}; goal 0.75-1.25: {'met' if 0.75 <= worst_ratio <= 1.25 else 'not met'})")
PY
done
