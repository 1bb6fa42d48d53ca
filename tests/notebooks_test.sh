#!/usr/bin/env bash
# The notebooks, executed headless as CI does: small `lab run`s of a few scenarios, then each
# notebook run with nbconvert into a temporary folder (never in place). labplots writes every
# figure's axis limits and legend to axes.json beside the PNGs (LAB_FIGURES), which the checks read.
# Needs python3-nbconvert, python3-ipykernel, python3-matplotlib, python3-pandas.
# `lab` comes from LAB_BINARY (ctest sets it), else build/lab, else PATH. About a minute.
# Last line: "N passed, M failed".
set -u
cd "$(dirname "$0")/.."
ROOT=$PWD
PY=/usr/bin/python3
passed=0 failed=0

ok() { passed=$((passed + 1)); echo "ok    $1"; }
bad() { failed=$((failed + 1)); echo "FAIL  $1"; }
# check CONDITION-COMMAND... -- TEXT: ok TEXT when the command succeeds, else FAIL TEXT.
check() {
    local text=${*: -1}
    "${@:1:$#-2}" && ok "$text" || bad "$text"
}

if ! $PY -c 'import nbconvert, nbformat, ipykernel, matplotlib, pandas' 2>/dev/null; then
    echo "needs python3-nbconvert python3-nbformat python3-ipykernel python3-matplotlib python3-pandas: skipped"
    echo "0 passed, 0 failed"
    exit 77  # ctest: SKIP_RETURN_CODE 77
fi

if [ -z "${LAB_BINARY:-}" ] && [ -x "$ROOT/build/lab" ]; then LAB_BINARY=$ROOT/build/lab; fi
LAB=${LAB_BINARY:-$(command -v lab)}
export LAB_BINARY=$LAB
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
# What the notebooks themselves make with tempfile (the answers' lab runs) goes there too, and
# goes with it: nothing is left in /tmp.
export TMPDIR=$TMP

# The notebooks are kept without outputs; executing them must not need any.
for nb in notebooks/*.ipynb; do
    check $PY -c 'import json,sys; nb=json.load(open(sys.argv[1])); sys.exit(any(c.get("outputs") or c.get("execution_count") for c in nb["cells"]))' "$nb" \
        -- "$nb is stored without outputs"
done

# The library's fallback when summary.json has no key_figure (older folders): by the load alone.
check $PY -c 'import sys; sys.path.insert(0, "notebooks"); from labplots import key_figure_name as k
sys.exit(not (k({"load": {"rate": 0}}) == "makespan" and k({"load": {"rate": 200}}) == "latency-over-time"
              and k({"key_figure": "per-worker", "load": {"rate": 0}}) == "per-worker"))' \
    -- "labplots: key_figure from summary.json, else makespan (closed loop) or latency-over-time (open loop)"

# execute NOTEBOOK OUTPUT [VAR=value...]: nbconvert into $TMP/out/OUTPUT.ipynb, with the variables set.
# A notebook runs in well under a minute. Its Jupyter kernel once died as it started and left
# nbconvert waiting for it (the kernel a zombie) until ctest's 600 s: a run that times out at 150 s
# is Jupyter's, not the notebook's, and is tried once more; any other failure fails at once.
execute() {
    local nb=$1 output=$2 try status; shift 2
    for try in 1 2; do
        env "$@" timeout 150 $PY -m nbconvert --to notebook --execute "notebooks/$nb.ipynb" \
            --ExecutePreprocessor.timeout=120 --output-dir "$TMP/out" --output "$output" \
            >"$TMP/$output.log" 2>&1 && return 0
        status=$?
        [ "$status" = 124 ] && [ "$try" = 1 ] || break
        echo "note  $nb: nbconvert timed out (its kernel: $(grep -c -i 'dead\|died' "$TMP/$output.log") lines say it died); once more"
    done
    tail -30 "$TMP/$output.log"
    return 1
}

# images OUTPUT: how many PNG outputs the executed notebook holds.
images() {
    $PY -c 'import json,sys; nb=json.load(open(sys.argv[1]))
print(sum("image/png" in o.get("data", {}) for c in nb["cells"] for o in c.get("outputs", [])))' \
        "$TMP/out/$1.ipynb" 2>/dev/null || echo 0
}

# axes NAME CHECK: runs a Python CHECK on the axes.json labplots wrote beside the figures of
# LAB_FIGURES=$TMP/NAME. `a` holds it (figure name -> its axes' title, xlim, ylim, data_right,
# legend); `timelines` the names of the timelines on the shared axis (not the zoomed ones).
axes() {
    $PY -c "import json,sys; a=json.load(open('$TMP/$1/axes.json'))
timelines=sorted(k for k in a if k.startswith('timeline') and not k.endswith('zoomed'))
sys.exit(0 if ($2) else 1)" || { cat "$TMP/$1/axes.json"; return 1; }
}

# tall NAME: no figure in $TMP/NAME is taller than a projector can show (the PNG's own header).
tall() {
    $PY -c 'import struct,sys
heights = [struct.unpack(">II", open(f, "rb").read()[16:24])[1] for f in sys.argv[1:]]
sys.exit(0 if heights and max(heights) <= 1200 else 1)' "$TMP/$1"/*.png
}

# run NAME SCENARIO OPTIONS...: `lab run` into $TMP/results-NAME (its table in $TMP/NAME.out).
lab_run() {
    local name=$1; shift
    "$LAB" run "$@" --quiet --out "$TMP/results-$name" >"$TMP/$name.out" 2>&1 || { tail -30 "$TMP/$name.out"; return 1; }
}
run() {
    check lab_run "$@" -- "lab run ${*:2} ($LAB)"
}

# explore NAME...: explore_results on each $TMP/results-NAME, figures into $TMP/NAME, two at a
# time. It only reads a finished run (a kernel, pandas and matplotlib; nothing timed), so two go
# side by side on the two cores, once every `lab run` (timed, alone) is over.
explore() {
    local name pids=()
    for name in "$@"; do
        execute explore_results "explore-$name" LAB_RESULTS="$TMP/results-$name" LAB_FIGURES="$TMP/$name" &
        pids+=($!)
    done
    for name in "$@"; do
        check wait "${pids[0]}" -- "explore_results.ipynb executes on the $name run"
        pids=("${pids[@]:1}")
    done
}

# The runs the notebook reads, one after another (each times its server), then the notebook on
# each of them, two at a time: the runs are over before the first kernel starts.
run blocking-async blocking-async --delay 20 --repeat 1
run head-of-line head-of-line --delay 20 --repeat 1
run multi-process multi-process --delay 20 --repeat 1
# stall as the browser's test shortens it (report_browser_test.cpp): its whole freeze, 1 s, in a
# run of 2.5 s instead of 5 (what the notebook draws of it is checked below, not how long it ran).
sed -e 's/^duration_ms = 5000/duration_ms = 2500/' -e 's/^stall_at_ms = 2000/stall_at_ms = 1000/' \
    -e 's/Two seconds in,/One second in,/' scenarios/stall.toml >"$TMP/stall.toml"
check grep -q '^stall_at_ms = 1000' "$TMP/stall.toml" -- "stall shortened: scenarios/stall.toml still says what the sed shortens"
run stall "$TMP/stall.toml"
explore blocking-async head-of-line
explore multi-process stall

# 1. blocking-async: the staircase and the wall on one time axis, the makespan as key figure.
n=$(images explore-blocking-async)
check [ "$n" -ge 4 ] -- "explore_results: $n figures (key figure, 2 timelines, 1 zoomed)"
check axes blocking-async "list(a)[0] == 'key-figure'" -- "explore_results: the key figure is drawn first"
check axes blocking-async "any(t.startswith('measured (median') for t in a['key-figure'][0]['legend'])" \
    -- "explore_results: the key figure (makespan) comes with its legend"
check axes blocking-async "timelines == ['timeline-1', 'timeline-2'] and a['timeline-1'][0]['xlim'] == a['timeline-2'][0]['xlim']" \
    -- "explore_results: both timelines share one time axis"
check axes blocking-async "a['timeline-2'][0]['data_right'] <= 0.15 * a['timeline-2'][0]['xlim'][1]" \
    -- "explore_results: the async wall (ends near d) spans at most 15% of the shared axis (the staircase: N·d)"
check axes blocking-async "a['timeline-1'][0]['data_right'] >= 0.8 * a['timeline-1'][0]['xlim'][1]" \
    -- "explore_results: the blocked staircase fills the shared axis"
check axes blocking-async "'ZOOMED' in a['timeline-2-zoomed'][0]['title'] and a['timeline-2-zoomed'][0]['xlim'][1] < a['timeline-2'][0]['xlim'][1]" \
    -- "explore_results: the wall follows zoomed on its own axis, titled ZOOMED"
check grep -q '<td>concurrent</td>' "$TMP/out/explore-blocking-async.ipynb" -- "explore_results: the table shows the verdicts"
check tall blocking-async -- "explore_results: no figure taller than 1200 px"

# Without LAB_RESULTS it reads the newest run under ../results; give it a copy of that layout.
mkdir -p "$TMP/tree/results" "$TMP/tree/notebooks"
cp notebooks/explore_results.ipynb notebooks/labplots.py "$TMP/tree/notebooks/"
cp -r "$TMP/results-blocking-async/blocking-async" "$TMP/tree/results/"
defaults() {
    (cd "$TMP/tree" && env -u LAB_RESULTS -u LAB_FIGURES timeout 600 $PY -m nbconvert --to notebook \
        --execute notebooks/explore_results.ipynb --output-dir "$TMP/out" --output default \
        >"$TMP/default.log" 2>&1) && grep -q "$TMP/tree/results/blocking-async/" "$TMP/out/default.ipynb"
}
check defaults -- "explore_results.ipynb defaults to the newest folder under ../results"

# 2. head-of-line: the bystander's latency first; every probe panel on one latency scale.
check axes head-of-line "list(a)[0] == 'key-figure' and {'median probe', 'worst probe'} <= set(a['key-figure'][0]['legend'])" \
    -- "explore_results on head-of-line: the bystander-latency key figure first, with its legend"
check axes head-of-line "len(timelines) == 3 and len({str(a[t][1]['ylim']) for t in timelines}) == 1 and len({str(a[t][0]['xlim']) for t in timelines}) == 1" \
    -- "explore_results on head-of-line: its timelines share one time axis, its probe panels one latency axis"

# 3. multi-process: requests per worker, each worker named in the legend.
check axes multi-process "list(a)[0] == 'key-figure' and a['key-figure'][0]['legend'][:2] == ['worker 1', 'worker 2']" \
    -- "explore_results on multi-process: the per-worker key figure first, a legend entry per worker"
check axes multi-process "all(any(x.startswith('being served by worker') for x in a[t][0]['legend']) for t in timelines)" \
    -- "explore_results on multi-process: the timelines colour each worker, with a legend"

# 4. stall, an open loop: latency over time from due and from send, no batch timeline at all.
check axes stall "{'from when it was due', 'from when it was sent'} <= set(a['key-figure'][0]['legend'])" \
    -- "explore_results on stall: latency over time, from due and from send, with a legend"
check axes stall "not any(k.startswith('timeline') for k in a)" -- "explore_results on stall: no (empty) timeline"
check axes stall "len({str(x['xlim']) + str(x['ylim']) for x in a['key-figure']}) == 1 and a['key-figure'][0]['ylim'][1] >= 500" \
    -- "explore_results on stall: its panels share their axes, which reach the freeze's latency"
check grep -q 'open loop: ' "$TMP/out/explore-stall.ipynb" -- "explore_results on stall: describes the open loop (rate, duration, sent, late)"
check tall stall -- "explore_results on stall: no figure taller than 1200 px"

# 5. The handout, its timelines on one axis too; then its answer key.
check execute classroom_handout classroom_handout LAB_FIGURES="$TMP/handout" LAB_GUESSES="0.5,0.02,,0.1,0.02" \
    -- "classroom_handout.ipynb executes (lab run experiment-log --delay 20 --repeat 2 --predict, as a student's guesses)"
n=$(grep -c '### Predict: ' "$TMP/out/classroom_handout.ipynb")
check [ "$n" -ge 4 ] -- "classroom_handout: a prediction sheet per lesson it runs or asks about ($n)"
check grep -q 'Your guesses beside the run' "$TMP/out/classroom_handout.ipynb" \
    -- "classroom_handout: the student's guesses judged beside the run"
n=$(images classroom_handout)
check [ "$n" -ge 5 ] -- "classroom_handout: $n figures (the timelines and the comparison)"
check axes handout "len({str(a[k][0]['xlim']) for k in a if k.startswith('handout-timeline') and not k.endswith('zoomed')}) == 1" \
    -- "classroom_handout: its timelines share one time axis"
# Its exercise cell grades heavy-on-queue's solution only, the one this test reads back: every
# exercise's solution (and starter) is graded in your-code's case "each exercise can fail".
check execute classroom_handout_answers classroom_handout_answers LAB_EXERCISES=heavy-on-queue \
    -- "classroom_handout_answers.ipynb executes (lab run experiment-log, thread-pool, cpu-bound, head-of-line)"
check grep -q 'N·d = ' "$TMP/out/classroom_handout_answers.ipynb" -- "classroom_handout_answers: prints its runs' figures"
check grep -q 'probe_p50 = [0-9]' "$TMP/out/classroom_handout_answers.ipynb" \
    -- "classroom_handout_answers: the prediction sheets' values, as its runs measured them"
check grep -q 'exercise heavy-on-queue: exit 0' "$TMP/out/classroom_handout_answers.ipynb" \
    -- "classroom_handout_answers: an exercise's reference solution graded by the lab"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
