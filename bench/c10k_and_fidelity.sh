#!/usr/bin/env bash
# A benchmark, not a test: how close the lab's own servers come to the models' floors. It prints
# figures beside the goals and never fails on them.
#
#   bash bench/c10k_and_fidelity.sh          # expects build/lab (sh cmake/setup.sh run|test builds it)
#   LAB=/path/to/lab ROUNDS=3 bash bench/c10k_and_fidelity.sh   # five rounds unless told (about 2 min)
#
# 1. c10k's first two rows (`lab run c10k --only 1|2`), ROUNDS rounds each: 10,000 requests that
#    each wait d = 1 s, on one event loop and on 10,000 threads; the makespan against d, and the
#    loop's memory (PSS and peak RSS over its processes).
#       goals: the loop <= 1.10 s and <= 64 MiB; the threads <= 1.3 s.
# 2. Fidelity: every row of blocking-async, experiment-log and thread-pool (`lab run`, 5 batches
#    each), the median makespan of each round against the row's model, and the median over rounds.
#       goal: within 0.5 % of the model.
# Load goes to 127.0.0.1 only; lab stops everything it starts.
BENCH=c10k_and_fidelity
ROUNDS=${ROUNDS:-5}
source "$(dirname "$0")/lab_bench_setup.sh"

for round in $(seq "$ROUNDS"); do
    for row in 1 2; do
        "$LAB" run c10k --only "$row" --quiet --format json --out "$OUT" 2>/dev/null >"$OUT/c10k-$row-$round.json"
    done
    for lesson in blocking-async experiment-log thread-pool; do
        "$LAB" run "$lesson" --quiet --format json --out "$OUT" 2>/dev/null >"$OUT/$lesson-$round.json"
    done
done

/usr/bin/python3 - "$OUT" "$ROUNDS" <<'PY'
import json, statistics, sys
out, rounds = sys.argv[1], int(sys.argv[2])
def rows(name, k):
    return json.load(open(f"{out}/{name}-{k}.json"))["configurations"]

print("1. c10k (10,000 requests, d = 1 s)")
goals = {1: 1.10, 2: 1.30}
for row in (1, 2):
    runs = [rows(f"c10k-{row}", k)[0] for k in range(1, rounds + 1)]
    spans = [c["measured_s"]["median"] for c in runs]
    pss = [c["pss_kib"] / 1024 for c in runs]
    peak = [c["peak_rss_kib"] / 1024 for c in runs]
    span = statistics.median(spans)
    line = (f"   {runs[0]['label'][:40]:40} makespan {' '.join(f'{s:.3f}' for s in spans)} s, median {span:.3f} s "
            f"(goal <= {goals[row]:.2f}: {'met' if span <= goals[row] else 'not met'})")
    if row == 1:
        worst = max(statistics.median(pss), statistics.median(peak))
        line += (f"; PSS {statistics.median(pss):.1f} MiB, peak RSS {statistics.median(peak):.1f} MiB "
                 f"(goal <= 64: {'met' if worst <= 64 else 'not met'})")
    print(line)

print("2. fidelity: the median makespan against the model (5 batches a round)")
for lesson in ("blocking-async", "experiment-log", "thread-pool"):
    for i, first in enumerate(rows(lesson, 1)):
        ratios = [rows(lesson, k)[i]["measured_s"]["median"] / first["model_s"] for k in range(1, rounds + 1)]
        over = (statistics.median(ratios) - 1) * 100
        print(f"   {lesson:15} {first['label'][:44]:44} model {first['model_s']:.3f} s, measured/model "
              f"{' '.join(f'{r:.4f}' for r in ratios)}, median +{over:.2f} % (goal <= 0.5 %: {'met' if over <= 0.5 else 'not met'})")
PY
