#!/usr/bin/env bash
# A benchmark, not a test: what the probe's attribution (lab/reference/loop_ledger.py: each
# request's record, every loop callback timed, the watchdog) costs a student's app. It prints
# figures beside the goal and never fails on them.
#
#   bash bench/probe_cost.sh [ROUNDS]         # default 60 pairs of loads per app, about 4 minutes
#   LAB_BINARY=/path/to/lab bash bench/probe_cost.sh
#   LAB_REFERENCE=/copy/of/lab/reference bash bench/probe_cost.sh   # another probe (an older one)
#   MAKESPAN_ROUNDS=5 bash bench/probe_cost.sh                      # the lesson's rounds (default 5)
#   APPS=ping bash bench/probe_cost.sh 300    # GET /ping alone (the goal's row): more pairs in the time
#
# 1. Per request, on one server whose attribution is switched off and on again between its loads
#    (GET /__lab/attribution?on=0|1 restores asyncio's own Handle._run and opens no records): one
#    process, so the difference two processes of one app make by themselves does not count. Each
#    round is a pair of short loads, `lab load URL -n N -c 1` with the attribution on and off, the
#    order flipped every round: a virtual machine's speed drifts by tens of µs a request from one
#    second to the next, and two loads a quarter of a second apart share nearly all of it. For
#    each load: the server's CPU time (the run time of all its threads, /proc/PID/task/*/schedstat,
#    in ns: utime + stime of /proc/PID/stat counts in 10 ms ticks, too coarse for one short load,
#    and is given for all the loads together), and the load's wall time, per request. A FastAPI
#    `GET /ping` returning a dict (three loop callbacks a request), and the same behind a
#    BaseHTTPMiddleware (about thirty).
# 2. A lesson's makespan: `lab run blocking-async --only 2 --repeat 5 --app
#    tests/data/apps/sleeps_in_async.py` with LAB_ATTRIBUTION=1 and =0 (lab passes it on to
#    serve.py and uvicorn), the app row's median makespan, and their ratio.
# Each figure is the median of the rounds' paired on − off (or on / off), with its confidence
# interval: the order statistics of the paired differences that hold the median with at least
# 95 % (distribution-free), or min – max with its own confidence when there are too few rounds.
# Goal: the attribution costs at most 10 µs of CPU a request (met when the interval's top is
# within it), and at most 2 % of the lesson's makespan. Load goes to 127.0.0.1 only; every
# server started here is stopped.
BENCH=probe_cost
ROUNDS=${1:-${ROUNDS:-60}}
LAB=${LAB_BINARY:-${LAB:-}}
source "$(dirname "$0")/lab_bench_setup.sh"
[[ $ROUNDS =~ ^[1-9][0-9]*$ ]] || { echo "$BENCH: ROUNDS must be a positive whole number, got '$ROUNDS'" >&2; exit 2; }
MAKESPAN_ROUNDS=${MAKESPAN_ROUNDS:-5}
[[ $MAKESPAN_ROUNDS =~ ^[0-9]+$ ]] || { echo "$BENCH: MAKESPAN_ROUNDS must be a whole number, got '$MAKESPAN_ROUNDS'" >&2; exit 2; }
REFERENCE=$(realpath "${LAB_REFERENCE:-lab/reference}")
export LAB_REFERENCE=$REFERENCE  # (lab run's probe: the same copy)
PY=/usr/bin/python3
declare -A REQUESTS=([ping]=1000 [ping_middleware]=400)  # a load of each: about a quarter second
APPS=${APPS:-ping ping_middleware}
for app in $APPS; do
    [[ -v REQUESTS[$app] ]] || { echo "$BENCH: APPS are ping and ping_middleware, got '$app'" >&2; exit 2; }
done
[[ " $APPS " == *" ping "* ]] || { echo "$BENCH: APPS must include ping (the goal's row)" >&2; exit 2; }

SERVERS=()  # the serve.py processes started here (each takes its uvicorn with it)
stop_servers() {
    ((${#SERVERS[@]} == 0)) || { kill "${SERVERS[@]}" 2>/dev/null || true; wait "${SERVERS[@]}" 2>/dev/null || true; }
    SERVERS=()
}
trap 'stop_servers; rm -rf "$OUT"' EXIT

# The apps, in the scratch folder.
cat >"$OUT/ping.py" <<'EOF'
from fastapi import FastAPI

app = FastAPI()


@app.get("/ping")
async def ping():
    return {"ok": True}
EOF
cat >"$OUT/ping_middleware.py" <<'EOF'
from fastapi import FastAPI
from starlette.middleware.base import BaseHTTPMiddleware

app = FastAPI()


async def passing_on(request, call_next):
    return await call_next(request)


app.add_middleware(BaseHTTPMiddleware, dispatch=passing_on)


@app.get("/ping")
async def ping():
    return {"ok": True}
EOF

# start NAME APP: serve.py --app APP, with the attribution, in the background; sets URL[NAME] and
# UVICORN[NAME] (serve.py's child, the process that serves).
declare -A URL UVICORN
start() {
    LAB_ATTRIBUTION=1 $PY "$REFERENCE/serve.py" --app "$2" --app-dir "$OUT" >"$OUT/$1.out" 2>"$OUT/$1.err" &
    SERVERS+=($!)
    local serve=$! tries=0
    until grep -q '^listening on ' "$OUT/$1.out"; do
        if ((++tries > 400)) || ! kill -0 "$serve" 2>/dev/null; then
            echo "$BENCH: $2 did not start:" >&2
            cat "$OUT/$1.err" >&2
            exit 1
        fi
        sleep 0.1
    done
    URL[$1]=$(sed -n 's/^listening on //p' "$OUT/$1.out")
    UVICORN[$1]=$(pgrep -P "$serve" | head -1)
}

# cpu PID: "ns ticks": the run time of the process's threads now (schedstat's first field, ns),
# and utime + stime of the process (dead threads included, clock ticks).
cpu() {
    local ns
    ns=$(cat /proc/"$1"/task/*/schedstat | awk '{ ns += $1 } END { printf "%.0f", ns }')
    echo "$ns $(awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$1/stat")"
}

# load NAME N ON: the attribution switched on (1) or off (0), then N requests one at a time;
# prints "N ns_before ticks_before ns_after ticks_after" and leaves the load's JSON in $OUT/load.json.
load() {
    curl -fsS "${URL[$1]}/__lab/attribution?on=$3" >/dev/null
    local before after
    before=$(cpu "${UVICORN[$1]}")
    "$LAB" load "${URL[$1]}/ping" -n "$2" -c 1 --quiet --format json --out "$OUT/results" >"$OUT/load.json" 2>>"$OUT/lab.err"
    after=$(cpu "${UVICORN[$1]}")
    echo "$2 $before $after"
}

uptime_load() { cut -d' ' -f1-3 /proc/loadavg; }
echo "probe_cost: the attribution switched on and off in one server, $ROUNDS pairs of loads; probe $REFERENCE"
echo "load average before: $(uptime_load)"
for app in $APPS; do
    start "$app" "$app.py"
    load "$app" 2000 1 >/dev/null  # warm-up, both ways
    load "$app" 2000 0 >/dev/null
    for round in $(seq "$ROUNDS"); do
        order="1 0"
        ((round % 2)) || order="0 1"
        for on in $order; do
            side=on; ((on)) || side=off
            figures=$(load "$app" "${REQUESTS[$app]}" "$on")
            wall_s=$($PY -c 'import json, sys; print(json.load(open(sys.argv[1]))["configurations"][0]["measured_s"]["median"])' "$OUT/load.json")
            echo "$app $round $side $figures $wall_s" >>"$OUT/requests.txt"
        done
    done
    stop_servers
done

for round in $(seq "$MAKESPAN_ROUNDS"); do
    order="1 0"
    ((round % 2)) || order="0 1"
    for on in $order; do
        LAB_ATTRIBUTION=$on "$LAB" run blocking-async --only 2 --repeat 5 --app tests/data/apps/sleeps_in_async.py \
            --app-path /work --format json --quiet --out "$OUT/results" >"$OUT/makespan-$round-$on.json" 2>>"$OUT/lab.err"
    done
done
echo "load average after: $(uptime_load)"

$PY - "$OUT" "$ROUNDS" "$MAKESPAN_ROUNDS" "$(getconf CLK_TCK)" <<'PY'
import json, math, statistics, sys
out, rounds, makespan_rounds, tick_s = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), 1 / int(sys.argv[4])
seen = {}  # (app, round, side) -> (CPU µs a request, wall µs a request, CPU ticks of the load, n)
for line in open(f"{out}/requests.txt"):
    app, k, side, n, ns0, ticks0, ns1, ticks1, wall_s = line.split()
    n = int(n)
    seen[app, int(k), side] = ((float(ns1) - float(ns0)) / n / 1000, float(wall_s) / n * 1e6,
                               int(ticks1) - int(ticks0), n)


def median_interval(values):
    """(median, low, high, confidence): the order statistics x(j) and x(n+1-j) of the sorted values
    around the median, j as large as keeps P(low <= true median <= high) >= 95 % (the binomial
    count of values below the median); min and max with their own confidence if n is too small."""
    xs, n = sorted(values), len(values)
    below = lambda j: sum(math.comb(n, i) for i in range(j)) / 2 ** n  # P(fewer than j below)
    j = 1
    while j + 1 <= (n + 1) // 2 and 1 - 2 * below(j + 1) >= 0.95:
        j += 1
    return statistics.median(xs), xs[j - 1], xs[n - j], 1 - 2 * below(j)


def figure(values, signed=False, digits=1, unit=""):
    mid, low, high, sure = median_interval(values)
    form = f"{{:{'+' if signed else ''}.{digits}f}}"
    return f"{form.format(mid)}{unit} [{form.format(low)}, {form.format(high)}]" + (
        "" if sure >= 0.95 else f" ({sure:.0%})")


print(f"\nmedian [95 % interval] over {rounds} pairs{'':4} {'on':>21} {'off':>21} {'on − off':>23} {'on / off':>8}")
verdict = {}
for app, label in (("ping", "GET /ping"), ("ping_middleware", "behind BaseHTTPMiddleware")):
    if (app, 1, "on") not in seen:
        continue  # (not in APPS)
    for i, what in ((0, "CPU µs a request"), (1, "wall µs a request")):
        on = [seen[app, k, "on"][i] for k in range(1, rounds + 1)]
        off = [seen[app, k, "off"][i] for k in range(1, rounds + 1)]
        cost = [a - b for a, b in zip(on, off)]
        ratio = statistics.median(a / b for a, b in zip(on, off))
        print(f"{label:25} {what:17} {figure(on):>21} {figure(off):>21} {figure(cost, signed=True):>23} {ratio:8.4f}")
        verdict[app, i] = median_interval(cost)
    ticks = {side: sum(seen[app, k, side][2] for k in range(1, rounds + 1)) for side in ("on", "off")}
    n = sum(seen[app, k, "on"][3] for k in range(1, rounds + 1))
    print(f"{label:25} {'CPU, /proc stat':17} {'all on loads: %.1f' % (ticks['on'] * tick_s / n * 1e6):>21} "
          f"{'all off: %.1f' % (ticks['off'] * tick_s / n * 1e6):>21} "
          f"{(ticks['on'] - ticks['off']) * tick_s / n * 1e6:>+23.1f}")

ratios = []
if makespan_rounds:
    def makespan(k, on):
        rows = json.load(open(f"{out}/makespan-{k}-{on}.json"))["configurations"]
        return next(r["measured_s"]["median"] for r in rows if r["server"] == "app")

    on = [makespan(k, 1) for k in range(1, makespan_rounds + 1)]
    off = [makespan(k, 0) for k in range(1, makespan_rounds + 1)]
    ratios = [a / b for a, b in zip(on, off)]
    print(f"{'blocking-async, row 2':25} {'makespan s':17} {figure(on, digits=4):>21} {figure(off, digits=4):>21} "
          f"{'on / off ' + figure(ratios, digits=4):>32}")

mid, low, high, sure = verdict["ping", 0]
said = "met" if high <= 10 else "not met" if low > 10 else "not settled"
line = f"goal: at most 10 µs of CPU a request (GET /ping {mid:+.1f} [{low:+.1f}, {high:+.1f}]: {said})"
if ratios:
    mid, low, high, sure = median_interval(ratios)
    said = "met" if high <= 1.02 else "not met" if low > 1.02 else "not settled"
    line += f"; at most 2 % of the makespan (on / off {mid:.4f} [{low:.4f}, {high:.4f}]: {said})"
print(line)
PY
